package devstack

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
	"go.yaml.in/yaml/v3"

	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/faults"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/samtemplate"
	"github.com/leadgate/leadgate/internal/webhook"
)

// Options configure a local run.
type Options struct {
	Template  string // path to template.yaml
	Campaigns string // folder of definitions to publish at start; "" for none
	Reps      string // folder of sales reps (kind: rep documents) to configure at start; "" for none
	Addr      string // listen address; "127.0.0.1:0" picks a free port
	Token     string // the one bearer token accepted; "" makes a random one
	Prefix    string // put before every table and queue name, so tests share servers
	// NoConsumers leaves the router's queues to someone else (a CRM sync,
	// a test reading the messages): the router and leadgate's own
	// background queues (re-judge jobs) still run.
	NoConsumers bool
	// NoStreams leaves the table streams unread (the router and the
	// reporter do not run): a benchmark of a write path measures it without
	// the consumers it feeds, which in AWS run on their own compute and read
	// the stream without taking the table's capacity, and here would share
	// DynamoDB Local's two cores.
	NoStreams bool
	// ScheduleEvery, when set, stands in for every schedule's rate
	// (template.yaml's AWS::Scheduler::Schedule): tests and demos shorten
	// a day to seconds.
	ScheduleEvery time.Duration
	// Parameters stand in for template.yaml parameters' defaults, as
	// `sam deploy --parameter-overrides` does: leadgate local lets webhook
	// subscriptions name 127.0.0.1 (WebhookLocalTargets), tests shorten the
	// webhook retry window (WebhookRetryWindow, WebhookRetryBase).
	Parameters map[string]string
	// Faults, for tests only, fails a share of the functions' AWS calls and
	// crashes a share of consumer batches midway.
	Faults *faults.Injector
	// FunctionTimeout, when set, stands in for every function's Timeout
	// from template.yaml: tests shorten it rather than wait.
	FunctionTimeout time.Duration
	// ReadTimeout bounds how long a client may take to send a request
	// (default 10 s); tests shorten it.
	ReadTimeout time.Duration
	// Throttle applies template.yaml's route throttles as API Gateway does
	// (429 past them). Off by default: tests and benchmarks load the
	// system harder than the deployed limits on purpose.
	Throttle bool
	// Examples is a folder of example pages to serve at /examples/ ("" for
	// none).
	Examples string
	// WebhookSecrets are the signing secrets of webhook sources, by source;
	// a source not named gets a fresh one. They go to Parameter Store
	// (moto's), where the webhooks function reads them as it does in AWS.
	WebhookSecrets map[string]string
	Log            *slog.Logger
	Out            io.Writer // what was started, for a person to read
}

// System is leadgate running locally.
type System struct {
	URL   string
	Token string
	// WebhookSecrets are the webhook sources' secrets, by source.
	WebhookSecrets map[string]string
	Resources      *Resources
	Routes         []samtemplate.Route
	server         *http.Server
	done           chan struct{} // closed when the server has stopped
	err            error         // why it stopped, once done is closed
	stop           context.CancelFunc
	pollers        *pollers
}

// AWSConfig loads the SDK configuration for the local servers (whose
// endpoints come from AWS_ENDPOINT_URL_DYNAMODB / _SQS). DynamoDB Local
// leaves the CRC32 header off error responses, which the SDK would log as a
// checksum mismatch on every failed condition; that one line is dropped.
func AWSConfig(ctx context.Context) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx, config.WithLogger(quietChecksums{logging.NewStandardLogger(os.Stderr)}))
}

type quietChecksums struct{ next logging.Logger }

func (q quietChecksums) Logf(c logging.Classification, format string, v ...any) {
	if strings.Contains(format, "checksum") || strings.Contains(fmt.Sprint(v...), "checksum") {
		return
	}
	q.next.Logf(c, format, v...)
}

// Start provisions the template's resources, publishes the campaign
// definitions and serves every HTTP route.
func Start(ctx context.Context, cfg aws.Config, opt Options) (*System, error) {
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	t, err := samtemplate.Load(opt.Template)
	if err != nil {
		return nil, err
	}
	res, err := Provision(ctx, cfg, t, opt.Prefix)
	if err != nil {
		return nil, err
	}
	for name, v := range opt.Parameters {
		p, ok := t.Parameters[name]
		if !ok {
			return nil, fmt.Errorf("template.yaml has no parameter %s", name)
		}
		res.Resolver.Refs[name] = v
		// What reads a parameter's default (a route's throttle) reads the
		// value given instead, as a deployed stack would.
		p.Default = v
		t.Parameters[name] = p
	}
	for _, id := range slices.Sorted(maps.Keys(res.Tables)) {
		fmt.Fprintf(out, "table  %-28s %s\n", id, res.Tables[id])
	}
	for _, id := range slices.Sorted(maps.Keys(res.Queues)) {
		fmt.Fprintf(out, "queue  %-28s %s\n", id, res.Queues[id])
	}
	secrets, err := webhookSecrets(ctx, cfg, t, res, opt.WebhookSecrets)
	if err != nil {
		return nil, err
	}
	for _, source := range slices.Sorted(maps.Keys(secrets)) {
		fmt.Fprintf(out, "webhook %-27s secret %s\n", source, secrets[source])
	}

	// The functions' clients get the fault injector; leadgate local's own
	// (provisioning, polling: the parts AWS runs) do not.
	fcfg := cfg
	if opt.Faults != nil {
		fcfg.APIOptions = append(slices.Clone(cfg.APIOptions), opt.Faults.APIOption)
		// The SDK's own backoff (up to 20 s) and retry quota are for real
		// outages; under a steady 10% of injected failures they would only
		// stretch the test. Same retries, short waits, no quota.
		fcfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxBackoff = 20 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		}
	}
	token := opt.Token
	if token == "" {
		token = randomToken()
	}
	handlers := map[string]httpapi.Handler{}
	timeouts := map[string]time.Duration{}
	for _, f := range t.Functions() {
		build, ok := httpFunctions[f.LogicalID]
		if !ok {
			continue
		}
		timeouts[f.LogicalID] = functionTimeout(f, opt.FunctionTimeout)
		env, err := environment(f, res.Resolver)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.LogicalID, err)
		}
		if f.LogicalID == "ConsoleFunction" {
			// There is no identity provider here: the console signs
			// people in with the local bearer token instead.
			env["CONSOLE_LOCAL_TOKEN"] = token
		}
		h, err := build(fcfg, func(k string) string { return env[k] }, log.With("function", f.LogicalID))
		if err != nil {
			return nil, fmt.Errorf("wire %s: %w", f.LogicalID, err)
		}
		handlers[f.LogicalID] = h
	}

	if opt.Campaigns != "" {
		store := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), res.Tables["CampaignsTable"])
		if err := PublishFolder(ctx, store, opt.Campaigns, out); err != nil {
			return nil, err
		}
	}
	if opt.Reps != "" {
		db := dynamodb.NewFromConfig(cfg)
		store := dynamo.NewSalesStore(db, dynamo.NewLeadStore(db, res.Tables["LeadsTable"]), res.Tables["RepsTable"]).WithAccounts(res.Tables["AccountsTable"])
		if err := ConfigureReps(ctx, store, opt.Reps, out); err != nil {
			return nil, err
		}
	}

	// Stream and queue triggers run as the template's event source
	// mappings say, with the same wiring as the deployed functions.
	trs, err := triggers(t, res)
	if err != nil {
		return nil, err
	}
	pctx, stop := context.WithCancel(context.Background())
	ps := &pollers{}
	q := sqs.NewFromConfig(cfg)
	fail := func(err error) (*System, error) { stop(); ps.wait(); return nil, err }
	for _, tr := range trs {
		f := functionByID(t, tr.function)
		env, err := environment(f, res.Resolver)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", tr.function, err))
		}
		getenv := func(k string) string { return env[k] }
		flog := log.With("function", tr.function)
		switch {
		case tr.streamARN != "" && opt.NoStreams:
			// Left unread: the records wait in the stream.
		case tr.streamARN != "":
			build, ok := streamFunctions[tr.function]
			if !ok {
				return fail(fmt.Errorf("template.yaml gives %s a stream trigger, which leadgate local has no wiring for", tr.function))
			}
			h, err := build(fcfg, getenv, flog)
			if err != nil {
				return fail(fmt.Errorf("wire %s: %w", tr.function, err))
			}
			ps.streamLoop(pctx, cfg, tr, crashingStream(opt.Faults, h), q, flog)
			fmt.Fprintf(out, "stream %-28s → %s (batch %d)\n", streamTable(tr.streamARN), tr.function, tr.batchSize)
		case tr.queueURL != "" && !(opt.NoConsumers && salesConsumers[tr.function]):
			build, ok := queueFunctions[tr.function]
			if !ok {
				return fail(fmt.Errorf("template.yaml gives %s a queue trigger, which leadgate local has no wiring for", tr.function))
			}
			h, err := build(fcfg, getenv, flog)
			if err != nil {
				return fail(fmt.Errorf("wire %s: %w", tr.function, err))
			}
			ps.queueLoop(pctx, q, tr, crashingQueue(opt.Faults, h), flog)
			fmt.Fprintf(out, "queue  %-28s → %s (batch %d, %d at once)\n", tr.queueURL[strings.LastIndexByte(tr.queueURL, '/')+1:], tr.function, tr.batchSize, tr.pollers)
		}
	}

	scs, err := schedules(t, res, opt.ScheduleEvery)
	if err != nil {
		return fail(err)
	}
	for _, sc := range scs {
		ps.scheduleLoop(pctx, q, sc, log.With("schedule", sc.name))
		fmt.Fprintf(out, "schedule %-26s → every %s\n", sc.name, sc.every)
	}

	routes := t.Routes()
	mux, err := NewServer(routes, handlers, Gateway{Timeouts: timeouts, Token: token, Log: log, Throttle: opt.Throttle})
	if err != nil {
		return nil, err
	}
	if opt.Examples != "" {
		ServeExamples(mux, opt.Examples)
	}
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return fail(fmt.Errorf("listen on %s: %w", opt.Addr, err))
	}
	longest := time.Duration(0)
	for _, d := range timeouts {
		longest = max(longest, d)
	}
	s := &System{
		URL: "http://" + ln.Addr().String(), Token: token, Resources: res, Routes: routes, WebhookSecrets: secrets,
		// As API Gateway does, a client gets a bounded time to send its
		// request, and a connection does not idle forever.
		server: &http.Server{
			Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: cmp.Or(opt.ReadTimeout, 10*time.Second),
			WriteTimeout: longest + 5*time.Second, IdleTimeout: 60 * time.Second,
		},
		done: make(chan struct{}),
		stop: stop, pollers: ps,
	}
	go func() {
		if err := s.server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
		close(s.done)
	}()
	return s, nil
}

// functionTimeout is how long Lambda lets the function run: its Timeout,
// Lambda's default of 3 s without one, or the override.
func functionTimeout(f samtemplate.Function, override time.Duration) time.Duration {
	switch {
	case override > 0:
		return override
	case f.Timeout > 0:
		return time.Duration(f.Timeout) * time.Second
	}
	return 3 * time.Second
}

// environment resolves a function's variables as CloudFormation would.
func environment(f samtemplate.Function, r samtemplate.Resolver) (map[string]string, error) {
	env := map[string]string{}
	for k, v := range f.Environment {
		s, err := r.String(v)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", k, err)
		}
		env[k] = s
	}
	return env, nil
}

// PublishFolder publishes the *.yaml definitions in dir that are not stored
// yet, and stops at the first invalid one: an example that does not
// validate is a bug to see at once. A campaign already stored keeps its
// current version, so a restart never undoes an edit made through the API;
// `leadgate apply -f DIR` publishes the files on purpose.
func PublishFolder(ctx context.Context, store *dynamo.CampaignStore, dir string, out io.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		d, err := authored.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		now := time.Now()
		if _, err := d.Validate(now); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		current, err := store.Current(ctx, d.ID)
		switch {
		case err == nil && current.Digest == d.Digest():
			fmt.Fprintf(out, "campaign/%s unchanged (version %d)\n", d.ID, current.Version)
			continue
		case err == nil:
			fmt.Fprintf(out, "campaign/%s kept at version %d, which differs from %s (leadgate apply -f %s publishes the file)\n", d.ID, current.Version, f, dir)
			continue
		case leadgate.ErrorCode(err) != leadgate.ENOTFOUND:
			return fmt.Errorf("%s: %w", f, err)
		}
		p, _, err := store.Publish(ctx, definitions.OneStep(d, "leadgate local", d.Policy(), now), nil)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		fmt.Fprintf(out, "campaign/%s created (version %d)\n", d.ID, p.Version)
	}
	return nil
}

// Close stops serving, letting requests in flight finish.
func (s *System) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.server.Shutdown(ctx)
	<-s.done
	s.stop()
	s.pollers.wait()
	if err == nil {
		err = s.err
	}
	return err
}

// Done is closed when the server stops, on its own or by Close; Err says why.
func (s *System) Done() <-chan struct{} { return s.done }

// Err is why the server stopped on its own, once Done is closed.
func (s *System) Err() error { return s.err }

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "lg_" + hex.EncodeToString(b[:])
}

// FunctionEnv is the environment template.yaml gives a function, resolved
// against the local resources: what its bootstrap sees in Lambda.
func FunctionEnv(t *samtemplate.Template, res *Resources, id string) (map[string]string, error) {
	return environment(functionByID(t, id), res.Resolver)
}

func functionByID(t *samtemplate.Template, id string) samtemplate.Function {
	for _, f := range t.Functions() {
		if f.LogicalID == id {
			return f
		}
	}
	return samtemplate.Function{LogicalID: id}
}

// ConfigureReps configures the reps and accounts in the *.yaml files of
// dir (documents with kind: rep or kind: account) that are not stored yet:
// a rep or account changed through the API keeps the change across a
// restart. Accounts go in after every rep, since an account's owner must
// be one.
func ConfigureReps(ctx context.Context, store *dynamo.SalesStore, dir string, out io.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	type account struct {
		file string
		sales.Account
	}
	var accounts []account
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			var doc struct {
				Kind      string `yaml:"kind"`
				sales.Rep `yaml:",inline"`
			}
			if err == nil {
				err = node.Decode(&doc)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			switch doc.Kind {
			case "account":
				a := account{file: f}
				if err := node.Decode(&a.Account); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				accounts = append(accounts, a)
				continue
			case "rep":
			default:
				continue
			}
			if err := doc.Rep.Validate(); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if _, err := store.Rep(ctx, doc.ID); err == nil {
				fmt.Fprintf(out, "rep/%s kept as stored\n", doc.ID)
				continue
			} else if leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
				return fmt.Errorf("%s: %w", f, err)
			}
			if _, _, err := store.PutRep(ctx, &doc.Rep); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			fmt.Fprintf(out, "rep/%s (%s, capacity %d)\n", doc.ID, strings.Join(doc.Territories, " "), doc.Capacity)
		}
	}
	for _, a := range accounts {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("%s: %w", a.file, err)
		}
		if _, err := store.Account(ctx, a.ID); err == nil {
			fmt.Fprintf(out, "account/%s kept as stored\n", a.ID)
			continue
		} else if leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
			return fmt.Errorf("%s: %w", a.file, err)
		}
		if _, _, err := store.PutAccount(ctx, &a.Account); err != nil {
			return fmt.Errorf("%s: %w", a.file, err)
		}
		fmt.Fprintf(out, "account/%s (%s, owner %s)\n", a.ID, strings.Join(a.Domains, " "), a.Owner)
	}
	return nil
}

// streamTable names the table of a stream ARN (…:table/NAME/stream/…).
func streamTable(arn string) string {
	_, rest, _ := strings.Cut(arn, ":table/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// webhookSecrets puts a signing secret for every webhook source in
// Parameter Store, under the path the webhooks function reads: the ones
// given (LEADGATE_WEBHOOK_SECRETS="sendgrid=whsec_… zoom=whsec_…" for
// leadgate local), a fresh one for the rest.
func webhookSecrets(ctx context.Context, cfg aws.Config, t *samtemplate.Template, res *Resources, given map[string]string) (map[string]string, error) {
	env, err := FunctionEnv(t, res, "WebhooksFunction")
	if err != nil || env["WEBHOOK_SECRETS_PREFIX"] == "" {
		return nil, err // no webhooks in this template
	}
	mappings, err := webhook.Mappings()
	if err != nil {
		return nil, err
	}
	client := ssm.NewFromConfig(cfg)
	out := map[string]string{}
	for source := range mappings {
		secret := given[source]
		if secret == "" {
			var b [24]byte
			_, _ = rand.Read(b[:])
			secret = "whsec_" + base64.StdEncoding.EncodeToString(b[:])
		}
		if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(env["WEBHOOK_SECRETS_PREFIX"] + source), Value: aws.String(secret),
			Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		}); err != nil {
			return nil, fmt.Errorf("store the webhook secret of %s: %w", source, err)
		}
		out[source] = secret
	}
	return out, nil
}

// ParseWebhookSecrets reads "source=whsec_… source=whsec_…".
func ParseWebhookSecrets(s string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		if k, v, ok := strings.Cut(pair, "="); ok {
			out[k] = v
		}
	}
	return out
}
