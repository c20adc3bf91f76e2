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
)

const usage = `leadgate: the lead definition marketing and sales agreed on, enforced.

Usage:
  leadgate local [--addr 127.0.0.1:3000] [--template template.yaml] [--campaigns campaigns]
                 [--reps reps] [--examples examples] [--no-consumers]
                 [--data .cache/dynamodb] [--fresh] [--in-memory] [--no-throttle]
      Run everything on this machine: DynamoDB Local, moto (SQS, Parameter
      Store), every HTTP route of template.yaml, the stream and the queue
      consumers. --no-consumers leaves the queues to another reader (a CRM
      sync). Tables are kept in --data across restarts (--fresh starts
      empty, --in-memory keeps nothing). It serves the example pages at
      /examples/ and prints the URL and token to export. Routes are
      throttled as template.yaml tells API Gateway (429 with Retry-After
      past the limit; --no-throttle for load tests). Ctrl-C stops what it
      started.
  leadgate apply -f PATH [-f PATH...] [--url URL] [--token TOKEN] [--dry-run]
      Publish campaign definitions (YAML files or folders) as new versions.
  leadgate import --campaign ID [--url URL] [--token TOKEN] [--rejects FILE] FILE.csv
      Upload a trade-show badge-scan export (any vendor's CSV) and print how
      every row was accounted for.
  leadgate report --campaign ID [--from YYYY-MM-DD] [--to YYYY-MM-DD]
      Print a campaign's funnel: leads at each stage, conversion, time to
      acceptance, rejection reasons, and MQL→SQL leakage against its bounds.

Environment:
  LEADGATE_TOKEN   the bearer token (local accepts it; apply, import and report send it)
  LEADGATE_URL     the API base URL apply, import and report talk to
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
		os.Exit(1)
	}
}

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
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "report":
		return runReport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
