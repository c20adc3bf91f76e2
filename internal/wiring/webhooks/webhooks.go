// Package webhooks wires the public endpoint tools post signed webhooks to
// (WebhooksFunction). It is apart from package wiring because it alone
// reads secrets from Parameter Store: linking the SSM client costs every
// binary that does several milliseconds of package init at cold start, and
// a Go binary links every package its wiring imports.
package webhooks

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/webhooks"
	"github.com/leadgate/leadgate/internal/parameterstore"
	"github.com/leadgate/leadgate/internal/touchpoint"
	"github.com/leadgate/leadgate/internal/webhook"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the public webhook endpoint.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (edge.Handler, error) {
	var c fnenv.WebhooksConfig
	if err := fnenv.Read("webhooks", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, c.LeadsTable)
	definitions := capture.NewDefinitions(dynamo.NewCampaignStore(db, c.CampaignsTable), c.DefinitionTTL, time.Now)
	touchpoints := touchpoint.NewService(definitions, store, c.ImportWorkers, log)
	secrets := parameterstore.NewSecrets(ssm.NewFromConfig(cfg), c.WebhookSecretsPrefix, c.WebhookSecretsTTL)
	return webhooks.New(webhook.NewService(touchpoints, secrets, store, log), log, time.Now), nil
}
