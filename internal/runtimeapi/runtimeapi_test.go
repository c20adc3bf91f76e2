package runtimeapi_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/emulators"
	"github.com/leadgate/leadgate/internal/runtimeapi"
	"github.com/leadgate/leadgate/internal/samtemplate"
)

var cfg aws.Config

func TestMain(m *testing.M) {
	os.Exit(func() int {
		flag.Parse()
		if testing.Short() {
			return m.Run()
		}
		stack, err := emulators.Start(context.Background(), emulators.Options{Log: os.Stderr})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stack.Stop()
		if err := stack.Setenv(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if cfg, err = devstack.AWSConfig(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

// build compiles a function as `make build` does, but for this machine so
// it runs here, and without -trimpath so it reuses the test run's build
// cache instead of compiling the SDK again.
func build(t testing.TB, pkg, dir string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// run starts a bootstrap against a fresh runtime API and waits for its
// first /next: the cold start.
func run(t testing.TB, bootstrap string, env map[string]string) (*runtimeapi.Server, *exec.Cmd, time.Duration) {
	t.Helper()
	api, err := runtimeapi.Start()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bootstrap)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+api.URL, "_HANDLER=bootstrap", "AWS_LAMBDA_FUNCTION_NAME=local", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-api.FirstNext():
	case msg := <-api.InitError():
		t.Fatalf("%s failed to start: %s", bootstrap, msg)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s never asked for an event", bootstrap)
	}
	took := time.Since(start)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = api.Close()
	})
	return api, cmd, took
}

type sample struct {
	file   string
	status int
}

// TestFunctionsRunAsLambda starts each HTTP function's real binary against
// the runtime API, with the environment template.yaml gives it on the local
// stack, and feeds it the events/ samples.
func TestFunctionsRunAsLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("needs DynamoDB Local")
	}
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := devstack.Provision(context.Background(), cfg, tpl, fmt.Sprintf("rt%d-", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	campaigns := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), res.Tables["CampaignsTable"])
	if err := devstack.PublishFolder(context.Background(), campaigns, "../../campaigns", io.Discard); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		function, pkg string
		events        []sample
	}{
		// The examples are published already: the sample is "unchanged".
		{"CampaignsFunction", "./functions/campaigns", []sample{{"campaigns-put.json", 200}, {"campaigns-put-invalid.json", 422}, {"campaigns-definition-html.json", 200}}},
		{"IntakeFunction", "./functions/intake", []sample{{"intake-bad.json", 422}, {"intake-json.json", 202}, {"intake-preflight.json", 204}}},
		{"LeadsFunction", "./functions/leads", []sample{{"campaigns-get.json", 404}}}, // a route this function does not serve
		// A browser without a session is sent to sign in; the key that
		// signs sessions is read from (moto's) Secrets Manager at init.
		{"ConsoleFunction", "./functions/console", []sample{{"console-home.json", 303}}},
	}
	for _, tt := range tests {
		t.Run(tt.function, func(t *testing.T) {
			env, err := devstack.FunctionEnv(tpl, res, tt.function)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
				env[k] = os.Getenv(k)
			}
			api, _, _ := run(t, build(t, tt.pkg, dir), env)
			for _, ev := range tt.events {
				file, status := ev.file, ev.status
				b, err := os.ReadFile("../../events/" + file)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				r, err := api.Invoke(ctx, b)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				var resp events.APIGatewayV2HTTPResponse
				if r.Error || json.Unmarshal(r.Body, &resp) != nil || resp.StatusCode != status {
					t.Errorf("%s: error %v, answer %s", file, r.Error, r.Body)
				}
			}
		})
	}
}

// secretsManager serves GetSecretValue for any secret on loopback: the
// console's one call at init, without the emulators' start-up in the way.
func secretsManager(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, `{"ARN":"arn:aws:secretsmanager:us-east-1:000000000000:secret:console-key","Name":"console-key","SecretString":"`+strings.Repeat("k", 64)+`"}`)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// BenchmarkColdStart spawns every function's binary, a hello-world function
// and hello plus the SDK configuration and one client (what every function
// must do at init) against the runtime API, and times spawn → first /next.
// Reported per function: median ms, ratio to hello (target ≤ 1.5), ratio to
// hello+SDK, and binary size.
//
//	go test -run '^$' -bench ColdStart -benchtime 1x ./internal/runtimeapi/
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	fns, err := filepath.Glob("../../functions/*")
	if err != nil {
		b.Fatal(err)
	}
	pkgs := []string{"./internal/runtimeapi/testdata/hello", "./internal/runtimeapi/testdata/hellosdk", "./internal/runtimeapi/testdata/hellolean"}
	for _, f := range fns {
		pkgs = append(pkgs, "./functions/"+filepath.Base(f))
	}
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
		"CAMPAIGNS_TABLE": "c", "LEADS_TABLE": "l", "REPS_TABLE": "r", "FUNNEL_TABLE": "f", "FALLBACK_OWNER": "q",
		"SALES_READY_QUEUE_URL": "http://127.0.0.1:1/q", "NURTURE_QUEUE_URL": "http://127.0.0.1:1/n", "REJUDGE_QUEUE_URL": "http://127.0.0.1:1/r",
		"ACCOUNTS_TABLE": "a", "WEBHOOKS_TABLE": "w", "WEBHOOK_QUEUE_URL": "http://127.0.0.1:1/w", "WEBHOOK_DEAD_LETTER_QUEUE_URL": "http://127.0.0.1:1/wd",
		"WEBHOOK_SECRETS_PREFIX": "/leadgate/webhooks/",
		// The console reads its session key at init: a stand-in Secrets
		// Manager on loopback answers, so its one call is in the figure.
		"CONSOLE_SESSION_KEY_SECRET": "console-key", "AWS_ENDPOINT_URL_SECRETS_MANAGER": secretsManager(b),
		"CONSOLE_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example", "CONSOLE_CLIENT_ID": "x"}
	// Every binary is spawned once a round, hello among them, so a ratio
	// compares spawns taken side by side: a machine that slows midway
	// slows every binary's samples alike, not only the ones measured last.
	const runs = 15
	bins := make([]string, len(pkgs))
	for i, pkg := range pkgs {
		bins[i] = build(b, pkg, dir)
	}
	took := make([][]time.Duration, len(pkgs))
	for range runs {
		for i, bin := range bins {
			_, cmd, d := run(b, bin, env)
			took[i] = append(took[i], d)
			_ = cmd.Process.Kill()
		}
	}
	var hello, helloSDK time.Duration
	for i, pkg := range pkgs {
		slices.Sort(took[i])
		med := took[i][len(took[i])/2]
		name := filepath.Base(pkg)
		switch name {
		case "hello":
			hello = med
		case "hellosdk":
			helloSDK = med
		}
		sdkRatio := 0.0
		if helloSDK > 0 {
			sdkRatio = float64(med) / float64(helloSDK)
		}
		st, _ := os.Stat(bins[i])
		b.ReportMetric(float64(med.Microseconds())/1000, name+"-ms")
		b.ReportMetric(float64(med)/float64(hello), name+"-ratio")
		b.ReportMetric(sdkRatio, name+"-sdk-ratio")
		b.ReportMetric(float64(st.Size())/(1<<20), name+"-MiB")
		fmt.Fprintf(os.Stderr, "%-10s median %6.1f ms  ×%.2f hello  ×%.2f hello+SDK  %5.1f MiB\n", name, float64(med.Microseconds())/1000, float64(med)/float64(hello), sdkRatio, float64(st.Size())/(1<<20))
	}
}
