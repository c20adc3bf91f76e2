// Package reports wires the reports Lambda function (functions/reports) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package reports

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the funnel reports and the CSV export.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (httpapi.Handler, error) {
	var c fnenv.ReportsConfig
	if err := fnenv.Read("reports", env, &c); err != nil {
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
