package emulators

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestStack runs the real servers end to end, so it also catches the jar,
// Java or moto changing underneath us.
func TestStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts DynamoDB Local and moto_server")
	}
	// Make sure this test launches its own servers.
	t.Setenv(envDynamoDB, "")
	t.Setenv(envSQS, "")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log bytes.Buffer
	begin := time.Now()
	s, err := Start(ctx, Options{Log: &log})
	if err != nil {
		t.Fatalf("Start: %v\nlog:\n%s", err, log.String())
	}
	t.Logf("Start took %s\n%s", time.Since(begin).Round(time.Millisecond), log.String())
	defer s.Stop()
	for i, d := range s.Started {
		if d == "" {
			t.Errorf("Started[%d] is empty although nothing was reused", i)
		}
	}

	// Go through Env and the SDK's default loading chain, exactly as the
	// handlers under test will.
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}

	db := dynamodb.NewFromConfig(cfg)
	table := aws.String("leads")
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            table,
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{
		"id":    &types.AttributeValueMemberS{Value: "l-1"},
		"email": &types.AttributeValueMemberS{Value: "a@example.com"},
	}}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "l-1"}}})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if v, ok := got.Item["email"].(*types.AttributeValueMemberS); !ok || v.Value != "a@example.com" {
		t.Fatalf("GetItem returned %#v", got.Item)
	}

	q := sqs.NewFromConfig(cfg)
	cq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("lead-events")})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: cq.QueueUrl, MessageBody: aws.String("hello")}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	rm, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(rm.Messages) != 1 || aws.ToString(rm.Messages[0].Body) != "hello" {
		t.Fatalf("ReceiveMessage returned %#v", rm.Messages)
	}

	// A second Stack pointed at the first through the environment must
	// reuse it, start nothing, and leave it running when stopped.
	reuse, err := Start(ctx, Options{})
	if err != nil {
		t.Fatalf("Start reusing endpoints: %v", err)
	}
	if reuse.DynamoDB != s.DynamoDB || reuse.SQS != s.SQS || reuse.Started[0] != "" || reuse.Started[1] != "" {
		t.Errorf("reusing Stack = %+v, want endpoints of %+v and nothing started", reuse, s)
	}
	if err := reuse.Stop(); err != nil {
		t.Errorf("Stop of reusing Stack: %v", err)
	}
	if _, err := db.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("original DynamoDB gone after stopping the reusing Stack: %v", err)
	}

	begin = time.Now()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("Stop took %s", time.Since(begin).Round(time.Millisecond))
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	for _, ep := range []string{s.DynamoDB, s.SQS} {
		u, err := url.Parse(ep)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Stop", ep)
		}
	}
}

func TestStopNil(t *testing.T) {
	var s *Stack
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

// fakeTarball writes a miniature amplify-dynamodb-simulator tarball.
func fakeTarball(t *testing.T, dir string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := []struct {
		name string
		body string
		mode int64
	}{
		{"package/package.json", `{"name":"amplify-dynamodb-simulator"}`, 0o644},
		{"package/emulator/DynamoDBLocal.jar", "jar", 0o644},
		{"package/emulator/DynamoDBLocal_lib/sqlite4java.jar", "lib", 0o644},
		{"package/emulator/DynamoDBLocal_lib/libsqlite4java-linux-amd64.so", "so", 0o755},
		{"package/emulator/../../evil", "escape", 0o644},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "amplify-dynamodb-simulator-"+dynamoVersion+".tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func stubFetch(t *testing.T, f func(ctx context.Context, dir string) (string, error)) {
	t.Helper()
	orig := fetchTarball
	fetchTarball = f
	t.Cleanup(func() { fetchTarball = orig })
}

func TestEnsureDynamoDBLocalExtractsAndCaches(t *testing.T) {
	cache := t.TempDir()
	calls := 0
	stubFetch(t, func(_ context.Context, dir string) (string, error) {
		calls++
		return fakeTarball(t, dir), nil
	})

	var log bytes.Buffer
	dir, err := EnsureDynamoDBLocal(context.Background(), cache, &log)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "dynamodb-local", dynamoVersion); dir != want {
		t.Errorf("dir = %s, want %s", dir, want)
	}
	if !strings.Contains(log.String(), "downloading DynamoDB Local "+dynamoVersion+" via npm") {
		t.Errorf("log = %q", log.String())
	}
	for name, want := range map[string]string{
		"DynamoDBLocal.jar":                               "jar",
		"DynamoDBLocal_lib/sqlite4java.jar":               "lib",
		"DynamoDBLocal_lib/libsqlite4java-linux-amd64.so": "so",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", name, b, err, want)
		}
	}
	// Only the emulator is extracted, nothing escapes it, and neither the
	// tarball nor the staging directory is left behind.
	err = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(cache, p)
		switch {
		case strings.HasSuffix(p, ".tgz"), strings.Contains(p, ".tmp-"), d.Name() == "package.json", d.Name() == "evil":
			t.Errorf("unexpected leftover %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cache), "evil")); err == nil {
		t.Error("tar entry escaped the cache dir")
	}

	again, err := EnsureDynamoDBLocal(context.Background(), cache, nil)
	if err != nil || again != dir {
		t.Fatalf("second call = %s, %v", again, err)
	}
	if calls != 1 {
		t.Errorf("downloaded %d times, want 1", calls)
	}
}

// TestEnsureDynamoDBLocalLosesRace simulates another process publishing the
// cache while we were downloading: we must use theirs, not fail.
func TestEnsureDynamoDBLocalLosesRace(t *testing.T) {
	cache := t.TempDir()
	final := filepath.Join(cache, "dynamodb-local", dynamoVersion)
	stubFetch(t, func(_ context.Context, dir string) (string, error) {
		if err := os.MkdirAll(filepath.Join(final, libDirName), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(final, jarName), []byte("theirs"), 0o644); err != nil {
			return "", err
		}
		return fakeTarball(t, dir), nil
	})
	dir, err := EnsureDynamoDBLocal(context.Background(), cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, jarName)); string(b) != "theirs" {
		t.Errorf("jar = %q, want the winner's copy", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(final))
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries, want only %s", len(entries), dynamoVersion)
	}
}

// A failed download must leave no cache behind for the next run to trust.
func TestEnsureDynamoDBLocalFailedDownload(t *testing.T) {
	cache := t.TempDir()
	boom := errors.New("boom")
	stubFetch(t, func(context.Context, string) (string, error) { return "", boom })
	if _, err := EnsureDynamoDBLocal(context.Background(), cache, nil); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "dynamodb-local"))
	if len(entries) != 0 {
		t.Errorf("left %d entries behind", len(entries))
	}
}

func TestEnv(t *testing.T) {
	s := &Stack{DynamoDB: "http://127.0.0.1:1", SQS: "http://127.0.0.1:2"}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	env := s.Env()
	for k, want := range map[string]string{
		envDynamoDB: s.DynamoDB, envSQS: s.SQS, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}

	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "mine")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	env = s.Env()
	if env["AWS_REGION"] != "eu-west-1" {
		t.Errorf("AWS_REGION = %q, want the caller's", env["AWS_REGION"])
	}
	if _, ok := env["AWS_ACCESS_KEY_ID"]; ok {
		t.Error("Env overrides the caller's credentials")
	}

	if err := s.Setenv(); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv(envSQS); got != s.SQS {
		t.Errorf("after Setenv %s = %q", envSQS, got)
	}
}

// TestCacheDir: downloads follow LEADGATE_CACHE, else the module root.
func TestCacheDir(t *testing.T) {
	t.Setenv("LEADGATE_CACHE", "/somewhere")
	if got := CacheDir(); got != "/somewhere" {
		t.Errorf("with LEADGATE_CACHE: %s", got)
	}

	t.Setenv("LEADGATE_CACHE", "")
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deep)
	if got, want := CacheDir(), filepath.Join(root, ".cache"); got != want {
		t.Errorf("in module: %s, want %s", got, want)
	}

	// The tables stay with the checkout whatever LEADGATE_CACHE says:
	// checkouts sharing downloads must not share leads.
	t.Setenv("LEADGATE_CACHE", "/somewhere")
	if got, want := DataDir(), filepath.Join(root, ".cache", "dynamodb"); got != want {
		t.Errorf("data with LEADGATE_CACHE set: %s, want %s", got, want)
	}
}

func TestRingBufferKeepsTail(t *testing.T) {
	var r ringBuffer
	for i := 0; i < outputLimit/4; i++ {
		r.Write([]byte("abc\n"))
	}
	r.Write([]byte("last line\n"))
	if len(r.buf) > outputLimit {
		t.Errorf("buffer grew to %d", len(r.buf))
	}
	if tail := r.tail(2); !strings.HasSuffix(tail, "last line") {
		t.Errorf("tail = %q", tail)
	}
}
