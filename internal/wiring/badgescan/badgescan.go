// Package badgescan wires the badgescan Lambda function (functions/badgescan) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package badgescan

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/touchpoint"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the badge-scan upload endpoint.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (httpapi.Handler, error) {
	var c fnenv.BadgeScansConfig
	if err := fnenv.Read("badgescan", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, c.CampaignsTable), c.DefinitionTTL, time.Now)
	store := dynamo.NewLeadStore(db, c.LeadsTable)
	importer := badgescan.NewImporter(definitions, store, store, c.ImportWorkers, log)
	touchpoints := touchpoint.NewService(definitions, store, c.ImportWorkers, log)
	return httpapi.NewBadgeScans(importer, store, touchpoints, log, time.Now), nil
}
