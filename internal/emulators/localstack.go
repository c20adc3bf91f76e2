package emulators

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

const (
	envDynamoDB = "AWS_ENDPOINT_URL_DYNAMODB"
	envSQS      = "AWS_ENDPOINT_URL_SQS"
	// region and localCred only need to be consistent between whoever
	// creates resources and whoever reads them: DynamoDB Local keeps a
	// separate database per access key and region, moto per region.
	region    = "us-east-1"
	localCred = "local"
)

// Options tunes Start. The zero value is ready to use.
type Options struct {
	CacheDir string    // where the DynamoDB Local jar is cached; "" means CacheDir()
	Log      io.Writer // progress lines for humans; nil discards them
	// DataDir keeps DynamoDB Local's tables in files there, across
	// restarts; "" keeps them in memory (tests).
	DataDir string
}

// Stack is the pair of local servers. Endpoints are "http://127.0.0.1:PORT".
type Stack struct {
	DynamoDB string
	SQS      string
	// Started has one entry per server (DynamoDB first, then SQS) describing
	// the process this Stack launched, or "" where an endpoint from the
	// environment was reused, so callers can print what they own.
	Started []string

	dynamo *child
	sqs    *child
}

// Start reuses AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS when set, so
// a developer can keep long-lived servers (or point tests at something else)
// without this package fighting them, and otherwise launches its own. Both
// are brought up concurrently because the JVM dominates startup time. ctx
// bounds only the startup; the servers live until Stop.
func Start(ctx context.Context, opt Options) (*Stack, error) {
	log := &lockedWriter{w: opt.Log}
	if opt.Log == nil {
		log.w = io.Discard
	}
	cacheDir := opt.CacheDir
	if cacheDir == "" {
		cacheDir = CacheDir()
	}

	// One server failing cancels the other's startup, so a missing moto
	// is reported at once instead of after DynamoDB's download or timeout.
	startCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &Stack{Started: make([]string, 2)}
	var wg sync.WaitGroup
	var errs [2]error
	run := func(i int, f func() error) {
		if errs[i] = f(); errs[i] != nil {
			cancel()
		}
	}
	wg.Go(func() { run(0, func() error { return s.startDynamoDB(startCtx, cacheDir, opt.DataDir, log) }) })
	wg.Go(func() { run(1, func() error { return s.startSQS(startCtx, log) }) })
	wg.Wait()
	var real []error
	for _, err := range errs {
		// Drop the echo of our own cancellation, keep the cause.
		if err != nil && (ctx.Err() != nil || !errors.Is(err, context.Canceled)) {
			real = append(real, err)
		}
	}
	if err := errors.Join(real...); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Stack) startDynamoDB(ctx context.Context, cacheDir, dataDir string, log io.Writer) error {
	if ep := os.Getenv(envDynamoDB); ep != "" {
		if err := waitReady(ctx, "DynamoDB ("+envDynamoDB+")", ep, probeDynamoDB, nil); err != nil {
			return err
		}
		s.DynamoDB = ep
		fmt.Fprintf(log, "DynamoDB: using %s from %s\n", ep, envDynamoDB)
		return nil
	}
	// Check Java before downloading 56 MB that could not be run anyway.
	java, err := lookPath("java", "Java 17+ is needed to run DynamoDB Local")
	if err != nil {
		return err
	}
	dir, err := EnsureDynamoDBLocal(ctx, cacheDir, log)
	if err != nil {
		return err
	}
	storage := []string{"-inMemory"}
	if dataDir != "" {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return fmt.Errorf("DynamoDB Local's data folder: %w", err)
		}
		abs, err := filepath.Abs(dataDir)
		if err != nil {
			return err
		}
		storage = []string{"-dbPath", abs}
	}
	argv := func(port int) []string {
		return append(append([]string{java, "-Xmx" + heap(),
			"-Djava.library.path=" + filepath.Join(dir, libDirName),
			"-jar", filepath.Join(dir, jarName)}, storage...),
			"-sharedDb", "-port", strconv.Itoa(port), "-disableTelemetry")
	}
	c, ep, err := launch(ctx, "DynamoDB Local", dir, argv, probeDynamoDB)
	if err != nil {
		return err
	}
	s.dynamo, s.DynamoDB = c, ep
	s.Started[0] = fmt.Sprintf("DynamoDB Local %s (pid %d) on %s", dynamoVersion, c.cmd.Process.Pid, ep)
	fmt.Fprintf(log, "DynamoDB Local on %s\n", ep)
	return nil
}

func (s *Stack) startSQS(ctx context.Context, log io.Writer) error {
	if ep := os.Getenv(envSQS); ep != "" {
		if err := waitReady(ctx, "SQS ("+envSQS+")", ep, probeSQS, nil); err != nil {
			return err
		}
		s.SQS = ep
		fmt.Fprintf(log, "SQS: using %s from %s\n", ep, envSQS)
		return nil
	}
	moto, err := lookPath("moto_server", `install it with: pip install "moto[server]"`)
	if err != nil {
		return err
	}
	argv := func(port int) []string {
		return []string{moto, "-H", "127.0.0.1", "-p", strconv.Itoa(port)}
	}
	c, ep, err := launch(ctx, "moto_server", "", argv, probeSQS)
	if err != nil {
		return err
	}
	s.sqs, s.SQS = c, ep
	s.Started[1] = fmt.Sprintf("moto_server for SQS (pid %d) on %s", c.cmd.Process.Pid, ep)
	fmt.Fprintf(log, "moto (SQS) on %s\n", ep)
	return nil
}

// Stop never touches reused endpoints: they belong to whoever set the
// environment variables. Both servers stop in parallel to halve the worst
// case (each may take the full SIGTERM grace period).
func (s *Stack) Stop() error {
	if s == nil {
		return nil
	}
	var wg sync.WaitGroup
	var errs [2]error
	wg.Go(func() { errs[0] = s.dynamo.stop() })
	wg.Go(func() { errs[1] = s.sqs.stop() })
	wg.Wait()
	return errors.Join(errs[:]...)
}

// Env is what a child process (or the current one, via Setenv) needs for an
// unmodified AWS SDK to talk to the stack. Credentials and region are only
// defaulted, never overridden: the servers accept anything, and a caller's
// explicit choice should win.
func (s *Stack) Env() map[string]string {
	if s == nil {
		return nil
	}
	env := map[string]string{
		envDynamoDB: s.DynamoDB,
		// The streams client reads only its own variable; DynamoDB Local
		// serves streams on the same endpoint.
		envDynamoDB + "_STREAMS": s.DynamoDB,
		envSQS:                   s.SQS,
		// moto serves Parameter Store too, where webhook secrets live, and
		// Secrets Manager, where the console's session key does.
		"AWS_ENDPOINT_URL_SSM":             s.SQS,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": s.SQS,
		"AWS_REGION":                       region,
	}
	for _, k := range []string{"AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_SECRETS_MANAGER"} {
		if ep := os.Getenv(k); ep != "" {
			env[k] = ep
		}
	}
	if r := os.Getenv("AWS_REGION"); r != "" {
		env["AWS_REGION"] = r
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if os.Getenv(k) == "" {
			env[k] = localCred
		}
	}
	return env
}

// Setenv exists because TestMain and `leadgate local` construct SDK clients
// in-process, where the environment is the only knob that needs no code
// changes in the handlers under test.
func (s *Stack) Setenv() error {
	for k, v := range s.Env() {
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("setenv %s: %w", k, err)
		}
	}
	return nil
}

// CacheDir is where downloads are kept (DynamoDB Local's jar, the browser
// driver): LEADGATE_CACHE when set, so checkouts and CI runs can share one
// download; else .cache in the module root (gitignored); else the user's
// cache directory outside a checkout.
func CacheDir() string {
	if d := os.Getenv("LEADGATE_CACHE"); d != "" {
		return d
	}
	return checkoutDir(".cache")
}

// DataDir is where `leadgate local` keeps its tables by default:
// .cache/dynamodb in the module root. It never follows LEADGATE_CACHE:
// checkouts that share downloads must not share (or, with --fresh, delete)
// each other's leads.
func DataDir() string { return filepath.Join(checkoutDir(".cache"), "dynamodb") }

// checkoutDir is name in the module root above the working directory, or
// under the user's cache directory outside a checkout.
func checkoutDir(name string) string {
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.Join(dir, name)
			}
			up := filepath.Dir(dir)
			if up == dir {
				break
			}
			dir = up
		}
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "leadgate")
	}
	return filepath.Join(os.TempDir(), "leadgate-cache")
}

// lockedWriter serialises progress lines from the two startup goroutines so
// they never interleave mid-line in the caller's writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// heap is DynamoDB Local's Java heap. It keeps every item in memory: 256 MB
// holds the test suite's few thousand items, but a benchmark's tens of
// thousands of leads would spend it collecting garbage.
// LEADGATE_DYNAMODB_HEAP (e.g. 1g) overrides it.
func heap() string {
	return cmp.Or(os.Getenv("LEADGATE_DYNAMODB_HEAP"), "1g")
}
