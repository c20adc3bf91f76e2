// Package wiring builds each Lambda function's handler from its environment
// and AWS configuration. A function's main.go and `leadgate local` both call
// it, so what runs locally is what runs in Lambda.
//
// Each function reads its environment once, into its own typed
// configuration (config.go): one place knows the variables' names, which
// are required and the defaults of the others, and a function missing
// several variables is told of all of them in one error.
package wiring

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/nurture"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/route"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/stream"
	"github.com/leadgate/leadgate/internal/touchpoint"
)

// Env reads one environment variable; os.Getenv in Lambda, the variables
// template.yaml gives the function when local.
type Env func(string) string

// Campaigns wires the campaign definitions admin API.
func Campaigns(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c CampaignsConfig
	if err := Read("campaigns", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	campaigns, leads := dynamo.NewCampaignStore(db, c.CampaignsTable), dynamo.NewLeadStore(db, c.LeadsTable)
	q := sqs.NewFromConfig(cfg)
	rejudges := rejudge.NewStarter(campaigns, queue.NewTaskSender(q, c.RejudgeQueueURL), leads)
	events := queue.NewWebhookSender(q, c.WebhookQueueURL, "")
	return httpapi.NewCampaigns(campaigns, definitions.New(campaigns, leads, rejudges, events), log, time.Now), nil
}

// Intake wires the public submission endpoint.
func Intake(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c IntakeConfig
	if err := Read("intake", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, c.LeadsTable)
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, c.CampaignsTable), c.DefinitionTTL, time.Now)
	return httpapi.NewIntake(intake.NewService(definitions, store, store, log), log, time.Now), nil
}

// Leads wires the authenticated lead API: reading leads and sales' answers.
func Leads(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c LeadsConfig
	if err := Read("leads", env, &c); err != nil {
		return nil, err
	}
	leads, store, assigner := newAssigner(cfg, c.LeadsTable, c.RepsTable, c.AccountsTable, c.CampaignsTable, c.FallbackOwner, log)
	return httpapi.NewLeads(leads, store, store, assigner, c.RepIDClaim, log, time.Now), nil
}

// Reps wires the sales reps API.
func Reps(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c RepsConfig
	if err := Read("reps", env, &c); err != nil {
		return nil, err
	}
	_, store := salesStore(cfg, c.LeadsTable, c.RepsTable)
	return httpapi.NewReps(store.WithAccounts(c.AccountsTable), c.FallbackOwner, log), nil
}

// Assign wires the sales-ready queue's consumer.
func Assign(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	var c AssignConfig
	if err := Read("assign", env, &c); err != nil {
		return nil, err
	}
	_, _, assigner := newAssigner(cfg, c.LeadsTable, c.RepsTable, c.AccountsTable, c.CampaignsTable, c.FallbackOwner, log)
	return queue.Consume(log, "assign", assigner.Handle), nil
}

// FollowUp wires the follow-up schedule's consumer: SLA reminders and
// breaches, and the fallback queue's drain.
func FollowUp(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	var c FollowUpConfig
	if err := Read("followup", env, &c); err != nil {
		return nil, err
	}
	_, store, assigner := newAssigner(cfg, c.LeadsTable, c.RepsTable, c.AccountsTable, c.CampaignsTable, c.FallbackOwner, log)
	followUp := sales.NewFollowUp(assigner, store)
	return queue.ConsumeTicks(log, sales.FollowUpTick, func(ctx context.Context) error {
		done, err := followUp.Sweep(ctx)
		log.InfoContext(ctx, "follow-up swept", "reminded", done.Reminded, "reassigned", done.Reassigned, "escalated", done.Escalated, "drained", done.Drained, "failed", done.Failed)
		return err
	}), nil
}

// Rejudge wires the re-judge queue's consumer.
func Rejudge(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	var c RejudgeConfig
	if err := Read("rejudge", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	campaigns := dynamo.NewCampaignStore(db, c.CampaignsTable)
	q := sqs.NewFromConfig(cfg)
	tasks := queue.NewTaskSender(q, c.RejudgeQueueURL)
	events := queue.NewWebhookSender(q, c.WebhookQueueURL, "")
	w := rejudge.NewWorker(campaigns, tasks, dynamo.NewLeadStore(db, c.LeadsTable), campaigns, events, time.Now, log)
	return queue.ConsumeTasks(log, w.Handle), nil
}

// Nurture wires the nurture queue's consumer.
func Nurture(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	var c NurtureConfig
	if err := Read("nurture", env, &c); err != nil {
		return nil, err
	}
	_, store := salesStore(cfg, c.LeadsTable, c.RepsTable)
	definitions := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), c.CampaignsTable)
	return queue.Consume(log, "nurture", nurture.NewEnroller(store, definitions, time.Now, log).Handle), nil
}

// newAssigner builds the one assigner the assign, follow-up and leads
// functions share, on a sales store that reads accounts.
func newAssigner(cfg aws.Config, leadsTable, repsTable, accountsTable, campaignsTable, fallback string, log *slog.Logger) (*dynamo.LeadStore, *dynamo.SalesStore, *sales.Assigner) {
	leads, store := salesStore(cfg, leadsTable, repsTable)
	store = store.WithAccounts(accountsTable)
	campaigns := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), campaignsTable)
	return leads, store, sales.NewAssigner(store, campaigns, fallback, time.Now, log)
}

func salesStore(cfg aws.Config, leadsTable, repsTable string) (*dynamo.LeadStore, *dynamo.SalesStore) {
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, leadsTable)
	return store, dynamo.NewSalesStore(db, store, repsTable)
}

// BadgeScans wires the badge-scan upload endpoint.
func BadgeScans(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c BadgeScansConfig
	if err := Read("badgescan", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, c.CampaignsTable), c.DefinitionTTL, time.Now)
	store := dynamo.NewLeadStore(db, c.LeadsTable)
	importer := badgescan.NewImporter(definitions, store, store, c.ImportWorkers, log)
	touchpoints := touchpoint.NewService(definitions, store, c.ImportWorkers, log)
	return httpapi.NewBadgeScans(importer, store, touchpoints, log, time.Now), nil
}

// Router wires the stream router: leads table stream → SQS.
func Router(cfg aws.Config, env Env, log *slog.Logger) (stream.Handler, error) {
	var c RouterConfig
	if err := Read("router", env, &c); err != nil {
		return nil, err
	}
	q := sqs.NewFromConfig(cfg)
	sender := queue.NewSender(q, map[string]string{route.SalesReady: c.SalesReadyQueueURL, route.Nurture: c.NurtureQueueURL})
	return stream.Router(route.NewRouter(sender), queue.NewWebhookSender(q, c.WebhookQueueURL, ""), log), nil
}

// Reporter wires the funnel counter: leads table stream → funnel table.
func Reporter(cfg aws.Config, env Env, log *slog.Logger) (stream.Handler, error) {
	var c ReporterConfig
	if err := Read("reporter", env, &c); err != nil {
		return nil, err
	}
	store := dynamo.NewFunnelStore(dynamodb.NewFromConfig(cfg), c.FunnelTable)
	return stream.Reporter(func(ctx context.Context, ds []funnel.Delta) error { return store.Apply(ctx, ds, time.Now()) }, log), nil
}

// Reports wires the funnel reports and the CSV export.
func Reports(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c ReportsConfig
	if err := Read("reports", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store := reportStore{
		CampaignStore: dynamo.NewCampaignStore(db, c.CampaignsTable),
		FunnelStore:   dynamo.NewFunnelStore(db, c.FunnelTable),
		LeadStore:     dynamo.NewLeadStore(db, c.LeadsTable),
	}
	return httpapi.NewReports(store, log, time.Now), nil
}

// reportStore is the three stores reports read from, as one.
type reportStore struct {
	*dynamo.CampaignStore
	*dynamo.FunnelStore
	*dynamo.LeadStore
}

// Subscriptions wires the outbound webhook subscriptions API.
func Subscriptions(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	var c SubscriptionsConfig
	if err := Read("subscriptions", env, &c); err != nil {
		return nil, err
	}
	store := dynamo.NewWebhookStore(dynamodb.NewFromConfig(cfg), c.WebhooksTable)
	return httpapi.NewSubscriptions(outbound.NewService(store, outbound.Targets{AllowLocal: c.WebhookLocalTargets}), log, time.Now), nil
}

// Deliver wires the webhook queue's consumer: events fanned out to their
// subscriptions, deliveries tried and retried.
func Deliver(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	var c DeliverConfig
	if err := Read("deliver", env, &c); err != nil {
		return nil, err
	}
	store := dynamo.NewWebhookStore(dynamodb.NewFromConfig(cfg), c.WebhooksTable)
	q := queue.NewWebhookSender(sqs.NewFromConfig(cfg), c.WebhookQueueURL, c.WebhookDeadLetterQueueURL)
	client := outbound.NewClient(outbound.Targets{AllowLocal: c.WebhookLocalTargets})
	d := outbound.NewDeliverer(store, store, q, client, outbound.Retry{Base: c.WebhookRetryBase, Window: c.WebhookRetryWindow}, time.Now, log)
	return queue.ConsumeWebhooks(log, d.Fan, d.Deliver), nil
}
