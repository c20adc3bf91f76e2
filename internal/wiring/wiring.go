// Package wiring builds each Lambda function's handler from its environment
// and AWS configuration, for `leadgate local` and the tests, which run every
// function in one program. Each function's own wiring is a package of its
// own (internal/wiring/<function>), which its main.go imports, so that its
// binary links only its own clients and handlers; the configurations are
// read by package fnenv.
package wiring

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/stream"
	assignwiring "github.com/leadgate/leadgate/internal/wiring/assign"
	badgescanwiring "github.com/leadgate/leadgate/internal/wiring/badgescan"
	campaignswiring "github.com/leadgate/leadgate/internal/wiring/campaigns"
	deliverwiring "github.com/leadgate/leadgate/internal/wiring/deliver"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
	followupwiring "github.com/leadgate/leadgate/internal/wiring/followup"
	intakewiring "github.com/leadgate/leadgate/internal/wiring/intake"
	leadswiring "github.com/leadgate/leadgate/internal/wiring/leads"
	nurturewiring "github.com/leadgate/leadgate/internal/wiring/nurture"
	rejudgewiring "github.com/leadgate/leadgate/internal/wiring/rejudge"
	reporterwiring "github.com/leadgate/leadgate/internal/wiring/reporter"
	reportswiring "github.com/leadgate/leadgate/internal/wiring/reports"
	repswiring "github.com/leadgate/leadgate/internal/wiring/reps"
	routerwiring "github.com/leadgate/leadgate/internal/wiring/router"
	subscriptionswiring "github.com/leadgate/leadgate/internal/wiring/subscriptions"
	webhookswiring "github.com/leadgate/leadgate/internal/wiring/webhooks"
)

// Env reads one environment variable; os.Getenv in Lambda, the variables
// template.yaml gives the function when local.
type Env = fnenv.Env

// Each function's configuration (package fnenv).
type (
	AssignConfig        = fnenv.AssignConfig
	BadgeScansConfig    = fnenv.BadgeScansConfig
	CampaignsConfig     = fnenv.CampaignsConfig
	ConsoleConfig       = fnenv.ConsoleConfig
	DeliverConfig       = fnenv.DeliverConfig
	FollowUpConfig      = fnenv.FollowUpConfig
	IntakeConfig        = fnenv.IntakeConfig
	LeadsConfig         = fnenv.LeadsConfig
	NurtureConfig       = fnenv.NurtureConfig
	RejudgeConfig       = fnenv.RejudgeConfig
	ReporterConfig      = fnenv.ReporterConfig
	ReportsConfig       = fnenv.ReportsConfig
	RepsConfig          = fnenv.RepsConfig
	RouterConfig        = fnenv.RouterConfig
	SubscriptionsConfig = fnenv.SubscriptionsConfig
	WebhooksConfig      = fnenv.WebhooksConfig
)

// Campaigns wires the campaign definitions admin API.
func Campaigns(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return campaignswiring.Wire(cfg, env, log)
}

// Intake wires the public submission endpoint.
func Intake(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return intakewiring.Wire(cfg, env, log)
}

// Leads wires the authenticated lead API: reading leads and sales' answers.
func Leads(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return leadswiring.Wire(cfg, env, log)
}

// Reps wires the sales reps API.
func Reps(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return repswiring.Wire(cfg, env, log)
}

// Assign wires the sales-ready queue's consumer.
func Assign(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	return assignwiring.Wire(cfg, env, log)
}

// FollowUp wires the follow-up schedule's consumer: SLA reminders and
// breaches, and the fallback queue's drain.
func FollowUp(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	return followupwiring.Wire(cfg, env, log)
}

// Rejudge wires the re-judge queue's consumer.
func Rejudge(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	return rejudgewiring.Wire(cfg, env, log)
}

// Nurture wires the nurture queue's consumer.
func Nurture(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	return nurturewiring.Wire(cfg, env, log)
}

// BadgeScans wires the badge-scan upload endpoint.
func BadgeScans(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return badgescanwiring.Wire(cfg, env, log)
}

// Router wires the stream router: leads table stream → SQS.
func Router(cfg aws.Config, env Env, log *slog.Logger) (stream.Handler, error) {
	return routerwiring.Wire(cfg, env, log)
}

// Reporter wires the funnel counter: leads table stream → funnel table.
func Reporter(cfg aws.Config, env Env, log *slog.Logger) (stream.Handler, error) {
	return reporterwiring.Wire(cfg, env, log)
}

// Reports wires the funnel reports and the CSV export.
func Reports(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return reportswiring.Wire(cfg, env, log)
}

// Subscriptions wires the outbound webhook subscriptions API.
func Subscriptions(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return subscriptionswiring.Wire(cfg, env, log)
}

// Deliver wires the webhook queue's consumer: events fanned out to their
// subscriptions, deliveries tried and retried.
func Deliver(cfg aws.Config, env Env, log *slog.Logger) (queue.Handler, error) {
	return deliverwiring.Wire(cfg, env, log)
}

// Webhooks wires the public webhook endpoint.
func Webhooks(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	return webhookswiring.Wire(cfg, env, log)
}
