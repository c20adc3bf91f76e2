// Package deliver wires the deliver Lambda function (functions/deliver) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package deliver

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/queue/sqssend"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the webhook queue's consumer: events fanned out to their
// subscriptions, deliveries tried and retried.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (queue.Handler, error) {
	var c fnenv.DeliverConfig
	if err := fnenv.Read("deliver", env, &c); err != nil {
		return nil, err
	}
	store := dynamo.NewWebhookStore(dynamodb.NewFromConfig(cfg), c.WebhooksTable)
	q := sqssend.NewWebhookSender(sqs.NewFromConfig(cfg), c.WebhookQueueURL, c.WebhookDeadLetterQueueURL)
	client := outbound.NewClient(outbound.Targets{AllowLocal: c.WebhookLocalTargets})
	d := outbound.NewDeliverer(store, store, q, client, outbound.Retry{Base: c.WebhookRetryBase, Window: c.WebhookRetryWindow}, time.Now, log)
	return queue.ConsumeWebhooks(log, d.Fan, d.Deliver), nil
}
