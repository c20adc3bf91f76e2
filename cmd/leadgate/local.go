package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/emulators"
	"github.com/leadgate/leadgate/internal/logging"
)

func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "address to serve the HTTP API on")
	template := fs.String("template", "template.yaml", "SAM template declaring the tables, queues and routes")
	campaigns := fs.String("campaigns", "campaigns", "folder of campaign definitions to publish at start (\"\" for none)")
	reps := fs.String("reps", "reps", "folder of sales reps to configure at start (\"\" for none)")
	noConsumers := fs.Bool("no-consumers", false, "leave the sales-ready and nurture queues to another consumer (a CRM sync)")
	examples := fs.String("examples", "examples", "folder of example pages to serve at /examples/ (\"\" for none)")
	data := fs.String("data", emulators.DataDir(), "where DynamoDB Local keeps the tables across restarts")
	fresh := fs.Bool("fresh", false, "start with empty tables (forget what earlier runs stored)")
	memory := fs.Bool("in-memory", false, "keep the tables in memory only, gone at Ctrl-C")
	noThrottle := fs.Bool("no-throttle", false, "do not apply template.yaml's route throttles (429 past them, as API Gateway does)")
	scheduleEvery := fs.Duration("schedule-every", 0, "run every schedule of template.yaml (the daily decay sweep) this often instead of its own rate, e.g. 30s")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scheduleEvery < 0 {
		return fmt.Errorf("local: --schedule-every %s: want a positive duration", *scheduleEvery)
	}

	dataDir := *data
	switch {
	case *memory:
		dataDir = ""
	case *fresh:
		if err := os.RemoveAll(dataDir); err != nil {
			return fmt.Errorf("--fresh: %w", err)
		}
	}
	fmt.Fprintln(stdout, "leadgate local: starting DynamoDB Local and moto (SQS)...")
	if dataDir != "" {
		fmt.Fprintf(stdout, "leadgate local: tables kept in %s across restarts (--fresh to start empty)\n", dataDir)
	}
	stack, err := emulators.Start(ctx, emulators.Options{Log: stdout, DataDir: dataDir})
	if err != nil {
		return err
	}
	defer func() {
		_ = stack.Stop()
		fmt.Fprintln(stdout, "leadgate local: stopped")
	}()
	if err := stack.Setenv(); err != nil {
		return err
	}
	cfg, err := devstack.AWSConfig(ctx)
	if err != nil {
		return err
	}
	sys, err := devstack.Start(ctx, cfg, devstack.Options{
		Template: *template, Campaigns: *campaigns, Reps: *reps, NoConsumers: *noConsumers, ScheduleEvery: *scheduleEvery, Addr: *addr, Examples: *examples,
		Throttle: !*noThrottle,
		Token:    os.Getenv("LEADGATE_TOKEN"), Log: logging.New(stderr), Out: stdout,
		WebhookSecrets: devstack.ParseWebhookSecrets(os.Getenv("LEADGATE_WEBHOOK_SECRETS")),
		// Outbound webhooks may go to a receiver on this machine.
		Parameters: map[string]string{"WebhookLocalTargets": "true"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nDynamoDB  %s\nSQS       %s\nAPI       %s\n\nRoutes:\n", stack.DynamoDB, stack.SQS, sys.URL)
	for _, r := range sys.Routes {
		auth := "public"
		switch {
		case r.Authorizer != "":
			auth = "bearer token"
		case strings.HasPrefix(r.Path, "/console"):
			auth = "console session"
		}
		fmt.Fprintf(stdout, "  %-7s %s%-45s %s\n", r.Method, sys.URL, r.Path, auth)
	}
	if *examples != "" {
		fmt.Fprintf(stdout, "\nExample landing page: %s/examples/landing-page/\n", sys.URL)
	}
	fmt.Fprintf(stdout, "\nConsole: %s/console/login (sign in with the token below)\n", sys.URL)
	fmt.Fprintf(stdout, "\nToken: %s\n  export LEADGATE_TOKEN=%s LEADGATE_URL=%s\n\nCtrl-C stops everything.\n", sys.Token, sys.Token, sys.URL)

	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "\nleadgate local: stopping")
		return sys.Close()
	case <-sys.Done():
		return sys.Err()
	}
}
