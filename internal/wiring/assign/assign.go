// Package assign wires the assign Lambda function (functions/assign) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package assign

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/wiring/assigner"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the sales-ready queue's consumer.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (queue.Handler, error) {
	var c fnenv.AssignConfig
	if err := fnenv.Read("assign", env, &c); err != nil {
		return nil, err
	}
	_, _, assigner := assigner.New(cfg, c.LeadsTable, c.RepsTable, c.AccountsTable, c.CampaignsTable, c.FallbackOwner, log)
	return queue.Consume(log, "assign", assigner.Handle), nil
}
