// Command leadgate is the operator's tool: local runs the whole system on
// this machine, apply publishes campaign definitions and reps from git,
// import uploads a badge-scan file and accounts for every row, and report
// prints a campaign's funnel.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// leadgate local runs every function, and some load time zones: the
	// binary carries the zone database, as each such function's does.
	_ "time/tzdata"
)

const usage = `leadgate: the lead definition marketing and sales agreed on, enforced.

Usage:
  leadgate local [--addr 127.0.0.1:3000] [--template template.yaml] [--campaigns campaigns]
                 [--reps reps] [--examples examples] [--no-consumers]
                 [--data .cache/dynamodb] [--fresh] [--in-memory] [--no-throttle]
                 [--schedule-every DURATION]
      Run everything on this machine: DynamoDB Local, moto (SQS, Parameter
      Store), every HTTP route of template.yaml, the stream and the queue
      consumers. --no-consumers leaves the sales-ready and nurture queues to
      another reader (a CRM sync); re-judge jobs still run. Tables are kept in --data across restarts (--fresh starts
      empty, --in-memory keeps nothing). It serves the example pages at
      /examples/ and prints the URL and token to export. Routes are
      throttled as template.yaml tells API Gateway (429 with Retry-After
      past the limit; --no-throttle for load tests). Schedules (the daily
      decay sweep) run at their template.yaml rate, or every
      --schedule-every. Ctrl-C stops what it started.
  leadgate apply -f PATH [-f PATH...] [--publish] [--dry-run] [--mode forward|rejudge]
                 [--url URL] [--token TOKEN]
      Propose campaign definitions as drafts, each with what it changes
      from the version in force (a definition identical to it proposes
      nothing), and configure sales reps (documents with kind: rep), from
      YAML files or folders. --publish signs each draft for every side the
      token may sign for (marketing, sales), which publishes it once the
      campaign's approval policy is met. --dry-run has the server check and
      compare, storing nothing.
  leadgate preview -f PATH [--days 90] [--keep] [--url URL] [--token TOKEN]
      What a definition would do to the campaign's own leads before anyone
      signs it: stages under the version in force and under the file, the
      leads that change stage and why, sales' answers it would contradict,
      and the expected MQL→SQL leakage. The draft is discarded unless --keep.
  leadgate import --campaign ID [--url URL] [--token TOKEN] [--rejects FILE] FILE.csv
      Upload a trade-show badge-scan export (any vendor's CSV) and print how
      every row was accounted for; --rejects writes the rejected rows to fix
      and import again. Exit status 2 when rows were rejected.
  leadgate report --campaign ID [--from YYYY-MM-DD] [--to YYYY-MM-DD]
      Print a campaign's funnel: leads at each stage, conversion, time to
      acceptance, rejection reasons, and MQL→SQL leakage against its bounds.
  leadgate backfill-campaign-shards --table NAME [--segments 8]
      Once, after the deploy that adds the byCampaignShard index: give the
      leads written before it their campaign shard, so exports, previews
      and re-judge jobs list them (SCALING.md, "Migrating"). Talks to
      DynamoDB with the environment's AWS credentials; safe to run again.

Environment:
  LEADGATE_TOKEN   the bearer token (local accepts it; apply, preview, import and report send it)
  LEADGATE_URL     the API base URL apply, preview, import and report talk to
                   (default http://127.0.0.1:3000; local prints it)
  LEADGATE_WEBHOOK_SECRETS
                   "source=whsec_... source=whsec_...": local's webhook secrets
  AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS
                   local uses these servers instead of starting its own
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "leadgate:", err)
		code := 1
		if st, ok := errors.AsType[*exitStatus](err); ok {
			code = st.code
		}
		os.Exit(code)
	}
}

// exitStatus is an outcome a script should tell from success and from
// failure alike: the command ran, and some input was refused.
type exitStatus struct {
	code int
	msg  string
}

func (e *exitStatus) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("name a command")
	}
	switch args[0] {
	case "local":
		return runLocal(ctx, args[1:], stdout, stderr)
	case "apply":
		return runApply(ctx, args[1:], stdout, stderr)
	case "preview":
		return runPreview(ctx, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "report":
		return runReport(ctx, args[1:], stdout, stderr)
	case "backfill-campaign-shards":
		return runBackfill(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
