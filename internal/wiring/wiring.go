// Package wiring builds each Lambda function's handler from its environment
// and AWS configuration. A function's main.go and `leadgate local` both call
// it, so what runs locally is what runs in Lambda.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/nurture"
	"github.com/leadgate/leadgate/internal/parameterstore"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/route"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/stream"
	"github.com/leadgate/leadgate/internal/touchpoint"
	"github.com/leadgate/leadgate/internal/webhook"
)

// Env reads one environment variable; os.Getenv in Lambda, the variables
// template.yaml gives the function when local.
type Env func(string) string

// Campaigns wires the campaign definitions admin API.
func Campaigns(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	table, err := required(env, "CAMPAIGNS_TABLE")
	if err != nil {
		return nil, err
	}
	store := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), table)
	return httpapi.NewCampaigns(store, log, time.Now), nil
}

func required(env Env, name string) (string, error) {
	v := env(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}

// definitionExpiry is how long intake trusts a cached definition: an edit
// reaches every warm container within it.
const definitionExpiry = 30 * time.Second

// Intake wires the public submission endpoint.
func Intake(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	campaigns, err := required(env, "CAMPAIGNS_TABLE")
	if err != nil {
		return nil, err
	}
	leads, err := required(env, "LEADS_TABLE")
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, leads)
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, campaigns), definitionExpiry, time.Now)
	return httpapi.NewIntake(intake.NewService(definitions, store, store, log), log, time.Now), nil
}

// Leads wires the authenticated lead API: reading leads and sales' answers.
func Leads(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	leads, store, err := salesStore(cfg, env)
	if err != nil {
		return nil, err
	}
	return httpapi.NewLeads(leads, store, store, env("REP_ID_CLAIM"), log, time.Now), nil
}

// Reps wires the sales reps API.
func Reps(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	_, store, err := salesStore(cfg, env)
	if err != nil {
		return nil, err
	}
	return httpapi.NewReps(store, log), nil
}

// Assign wires the sales-ready queue's consumer.
func Assign(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	_, store, err := salesStore(cfg, env)
	if err != nil {
		return nil, err
	}
	fallback, err := required(env, "FALLBACK_OWNER")
	if err != nil {
		return nil, err
	}
	return queue.Consume(log, "assign", sales.NewAssigner(store, fallback, time.Now, log).Handle), nil
}

// Nurture wires the nurture queue's consumer.
func Nurture(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	_, store, err := salesStore(cfg, env)
	if err != nil {
		return nil, err
	}
	campaigns, err := required(env, "CAMPAIGNS_TABLE")
	if err != nil {
		return nil, err
	}
	definitions := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), campaigns)
	return queue.Consume(log, "nurture", nurture.NewEnroller(store, definitions, time.Now, log).Handle), nil
}

func salesStore(cfg aws.Config, env Env) (*dynamo.LeadStore, *dynamo.SalesStore, error) {
	leads, err := required(env, "LEADS_TABLE")
	if err != nil {
		return nil, nil, err
	}
	reps, err := required(env, "REPS_TABLE")
	if err != nil {
		return nil, nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, leads)
	return store, dynamo.NewSalesStore(db, store, reps), nil
}

// importWorkers is how many leads a badge-scan upload writes at once:
// enough to keep DynamoDB busy, few enough for a 512 MB function.
const importWorkers = 16

// BadgeScans wires the badge-scan upload endpoint.
func BadgeScans(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	campaigns, err := required(env, "CAMPAIGNS_TABLE")
	if err != nil {
		return nil, err
	}
	leads, err := required(env, "LEADS_TABLE")
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, campaigns), definitionExpiry, time.Now)
	store := dynamo.NewLeadStore(db, leads)
	importer := badgescan.NewImporter(definitions, store, store, importWorkers, log)
	touchpoints := touchpoint.NewService(definitions, store, importWorkers, log)
	return httpapi.NewBadgeScans(importer, store, touchpoints, log, time.Now), nil
}

// Router wires the stream router: leads table stream → SQS.
func Router(cfg aws.Config, env Env, log *slog.Logger) (stream.Handler, error) {
	salesReady, err := required(env, "SALES_READY_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	nurture, err := required(env, "NURTURE_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	sender := queue.NewSender(sqs.NewFromConfig(cfg), map[string]string{route.SalesReady: salesReady, route.Nurture: nurture})
	return stream.Router(route.NewRouter(sender), log), nil
}

// Reporter wires the funnel counter: leads table stream → funnel table.
func Reporter(cfg aws.Config, env Env, log *slog.Logger) (stream.Handler, error) {
	table, err := required(env, "FUNNEL_TABLE")
	if err != nil {
		return nil, err
	}
	store := dynamo.NewFunnelStore(dynamodb.NewFromConfig(cfg), table)
	return stream.Reporter(func(ctx context.Context, ds []funnel.Delta) error { return store.Apply(ctx, ds, time.Now()) }, log), nil
}

// Reports wires the funnel reports and the CSV export.
func Reports(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	names := map[string]string{}
	for _, v := range []string{"CAMPAIGNS_TABLE", "LEADS_TABLE", "FUNNEL_TABLE"} {
		n, err := required(env, v)
		if err != nil {
			return nil, err
		}
		names[v] = n
	}
	db := dynamodb.NewFromConfig(cfg)
	store := reportStore{
		CampaignStore: dynamo.NewCampaignStore(db, names["CAMPAIGNS_TABLE"]),
		FunnelStore:   dynamo.NewFunnelStore(db, names["FUNNEL_TABLE"]),
		LeadStore:     dynamo.NewLeadStore(db, names["LEADS_TABLE"]),
	}
	return httpapi.NewReports(store, log, time.Now), nil
}

// reportStore is the three stores reports read from, as one.
type reportStore struct {
	*dynamo.CampaignStore
	*dynamo.FunnelStore
	*dynamo.LeadStore
}

// webhookSecretsExpiry is how long a container trusts the secrets it read:
// a rotation reaches every warm container within it.
const webhookSecretsExpiry = 5 * time.Minute

// Webhooks wires the public webhook endpoint.
func Webhooks(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	names := map[string]string{}
	for _, v := range []string{"CAMPAIGNS_TABLE", "LEADS_TABLE", "WEBHOOK_SECRETS_PREFIX"} {
		n, err := required(env, v)
		if err != nil {
			return nil, err
		}
		names[v] = n
	}
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, names["LEADS_TABLE"])
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, names["CAMPAIGNS_TABLE"]), definitionExpiry, time.Now)
	touchpoints := touchpoint.NewService(definitions, store, importWorkers, log)
	secrets := parameterstore.NewSecrets(ssm.NewFromConfig(cfg), names["WEBHOOK_SECRETS_PREFIX"], webhookSecretsExpiry)
	return httpapi.NewWebhooks(webhook.NewService(touchpoints, secrets, store, log), log, time.Now), nil
}
