// Package followup wires the followup Lambda function (functions/followup) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package followup

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/wiring/assigner"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the follow-up schedule's consumer: SLA reminders and
// breaches, and the fallback queue's drain.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (queue.Handler, error) {
	var c fnenv.FollowUpConfig
	if err := fnenv.Read("followup", env, &c); err != nil {
		return nil, err
	}
	_, store, assigner := assigner.New(cfg, c.LeadsTable, c.RepsTable, c.AccountsTable, c.CampaignsTable, c.FallbackOwner, log)
	followUp := sales.NewFollowUp(assigner, store)
	return queue.ConsumeTicks(log, sales.FollowUpTick, func(ctx context.Context) error {
		done, err := followUp.Sweep(ctx)
		log.InfoContext(ctx, "follow-up swept", "reminded", done.Reminded, "reassigned", done.Reassigned, "escalated", done.Escalated, "drained", done.Drained, "failed", done.Failed)
		return err
	}), nil
}
