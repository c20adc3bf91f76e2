// Package webhooks is the public endpoint tools push webhooks to, the
// webhooks function's one handler set: it reads the signed body and hands
// it to the webhook service. It answers through the edge's Router like
// every HTTP function, and links none of the other handler sets (package
// httpapi).
package webhooks

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/webhook"
)

// MaxBytes bounds a webhook body: an email tool's batch of events.
const MaxBytes = 1 << 20

// Endpoint serves the public endpoint tools push webhooks to. It needs no
// token: each request is signed with its source's secret instead.
type Endpoint struct {
	service *webhook.Service
	now     func() time.Time
}

// New returns the webhook endpoint as the webhooks function's Handler.
func New(service *webhook.Service, log *slog.Logger, now func() time.Time) edge.Handler {
	w := &Endpoint{service: service, now: now}
	rt := &edge.Router{Log: log, IDs: map[string]edge.IDRule{"source": Source}, Routes: map[string]edge.Route{
		"POST /v1/webhooks/{source}": w.receive,
	}}
	return rt.Handle
}

// Source is the rule of a webhook source's id: a webhook names its source
// in the path, as a campaign id is written.
var Source = edge.IDRule{Valid: campaign.ValidID, What: "a webhook source is lower-case letters, digits and dashes"}

func (w *Endpoint) receive(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	raw, err := edge.Body(req, MaxBytes)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	ans, err := w.service.Receive(ctx, webhook.Request{
		Source: req.PathParameters["source"], Campaign: req.QueryStringParameters["campaign"],
		ID: edge.Header(req, "webhook-id"), Timestamp: edge.Header(req, "webhook-timestamp"), Signature: edge.Header(req, "webhook-signature"),
		Body: raw,
	}, w.now())
	if err != nil && ans != nil {
		return events.APIGatewayV2HTTPResponse{}, &edge.Partial{Err: err, Done: ans}
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, ans), nil
}
