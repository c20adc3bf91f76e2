package devstack

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/stream"
	"github.com/leadgate/leadgate/internal/wiring"
	consolewiring "github.com/leadgate/leadgate/internal/wiring/console"
	webhookswiring "github.com/leadgate/leadgate/internal/wiring/webhooks"
)

// The maps from template.yaml's logical IDs to each function's wiring live
// here, in the one program that runs every function, so that a function's
// own binary links only its own code.
var (
	httpFunctions = map[string]func(aws.Config, wiring.Env, *slog.Logger) (httpapi.Handler, error){
		"CampaignsFunction":     wiring.Campaigns,
		"IntakeFunction":        wiring.Intake,
		"LeadsFunction":         wiring.Leads,
		"BadgeScanFunction":     wiring.BadgeScans,
		"RepsFunction":          wiring.Reps,
		"ReportsFunction":       wiring.Reports,
		"ConsoleFunction":       consolewiring.Wire,
		"WebhooksFunction":      webhookswiring.Wire,
		"SubscriptionsFunction": wiring.Subscriptions,
	}
	streamFunctions = map[string]func(aws.Config, wiring.Env, *slog.Logger) (stream.Handler, error){
		"RouterFunction":   wiring.Router,
		"ReporterFunction": wiring.Reporter,
	}
	queueFunctions = map[string]func(aws.Config, wiring.Env, *slog.Logger) (queue.Handler, error){
		"AssignFunction":   wiring.Assign,
		"NurtureFunction":  wiring.Nurture,
		"RejudgeFunction":  wiring.Rejudge,
		"FollowUpFunction": wiring.FollowUp,
		"DeliverFunction":  wiring.Deliver,
	}
)

// salesConsumers are the consumers of the router's queues: what
// Options.NoConsumers leaves to another reader.
var salesConsumers = map[string]bool{"AssignFunction": true, "NurtureFunction": true}
