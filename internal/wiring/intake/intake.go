// Package intake wires the intake Lambda function (functions/intake) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
// It stores through leadtable and campaigntable, not package dynamo, for
// the same reason: the public form endpoint links no attributevalue.
package intake

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/dynamo/campaigntable"
	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/submissions"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the public submission endpoint.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (edge.Handler, error) {
	var c fnenv.IntakeConfig
	if err := fnenv.Read("intake", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store := leadtable.New(db, c.LeadsTable)
	definitions := capture.NewDefinitions(campaigntable.NewReader(db, c.CampaignsTable), c.DefinitionTTL, time.Now)
	return submissions.New(intake.NewService(definitions, store, store, log), log, time.Now), nil
}
