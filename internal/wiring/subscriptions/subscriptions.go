// Package subscriptions wires the subscriptions Lambda function (functions/subscriptions) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package subscriptions

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the outbound webhook subscriptions API.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (httpapi.Handler, error) {
	var c fnenv.SubscriptionsConfig
	if err := fnenv.Read("subscriptions", env, &c); err != nil {
		return nil, err
	}
	store := dynamo.NewWebhookStore(dynamodb.NewFromConfig(cfg), c.WebhooksTable)
	return httpapi.NewSubscriptions(outbound.NewService(store, outbound.Targets{AllowLocal: c.WebhookLocalTargets}), log, time.Now), nil
}
