// Package reps wires the reps Lambda function (functions/reps) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package reps

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/wiring/assigner"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the sales reps API.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (httpapi.Handler, error) {
	var c fnenv.RepsConfig
	if err := fnenv.Read("reps", env, &c); err != nil {
		return nil, err
	}
	_, store := assigner.Stores(cfg, c.LeadsTable, c.RepsTable)
	return httpapi.NewReps(store.WithAccounts(c.AccountsTable), c.FallbackOwner, log), nil
}
