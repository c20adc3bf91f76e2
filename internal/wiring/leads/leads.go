// Package leads wires the leads Lambda function (functions/leads) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package leads

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/wiring/assigner"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the authenticated lead API: reading leads and sales' answers.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (httpapi.Handler, error) {
	var c fnenv.LeadsConfig
	if err := fnenv.Read("leads", env, &c); err != nil {
		return nil, err
	}
	leads, store, assigner := assigner.New(cfg, c.LeadsTable, c.RepsTable, c.AccountsTable, c.CampaignsTable, c.FallbackOwner, log)
	return httpapi.NewLeads(leads, store, store, assigner, c.RepIDClaim, log, time.Now), nil
}
