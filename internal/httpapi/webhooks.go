package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/webhook"
)

// MaxWebhookBytes bounds a webhook body: an email tool's batch of events.
const MaxWebhookBytes = 1 << 20

// Webhooks serves the public endpoint tools push webhooks to. It needs no
// token: each request is signed with its source's secret instead.
type Webhooks struct {
	service *webhook.Service
	now     func() time.Time
}

// NewWebhooks returns the webhook endpoint as a Handler.
func NewWebhooks(service *webhook.Service, log *slog.Logger, now func() time.Time) Handler {
	w := &Webhooks{service: service, now: now}
	rt := &router{log: log, routes: map[string]route{
		"POST /v1/webhooks/{source}": w.receive,
	}}
	return rt.handle
}

func (w *Webhooks) receive(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	raw, err := body(req, MaxWebhookBytes)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	ans, err := w.service.Receive(ctx, webhook.Request{
		Source: req.PathParameters["source"], Campaign: req.QueryStringParameters["campaign"],
		ID: header(req, "webhook-id"), Timestamp: header(req, "webhook-timestamp"), Signature: header(req, "webhook-signature"),
		Body: raw,
	}, w.now())
	if err != nil && ans != nil {
		return events.APIGatewayV2HTTPResponse{}, &partial{err: err, done: ans}
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, ans), nil
}
