// Package router wires the router Lambda function (functions/router) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package router

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/queue/sqssend"
	"github.com/leadgate/leadgate/internal/route"
	"github.com/leadgate/leadgate/internal/stream"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the stream router: leads table stream → SQS.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (stream.Handler, error) {
	var c fnenv.RouterConfig
	if err := fnenv.Read("router", env, &c); err != nil {
		return nil, err
	}
	q := sqs.NewFromConfig(cfg)
	sender := sqssend.NewSender(q, map[string]string{route.SalesReady: c.SalesReadyQueueURL, route.Nurture: c.NurtureQueueURL})
	return stream.Router(route.NewRouter(sender), sqssend.NewWebhookSender(q, c.WebhookQueueURL, ""), log), nil
}
