package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/outbound"
)

// Subscriptions serves the outbound webhook subscriptions: which URL hears
// of which events. (The inbound webhooks, tools posting to us, are
// webhooks.go.)
type Subscriptions struct {
	service *outbound.Service
	log     *slog.Logger
	now     func() time.Time
}

// NewSubscriptions returns the subscriptions API as a Handler.
func NewSubscriptions(service *outbound.Service, log *slog.Logger, now func() time.Time) Handler {
	s := &Subscriptions{service: service, log: log, now: now}
	rt := &edge.Router{Log: log, IDs: idRules, Routes: map[string]edge.Route{
		"GET /v1/webhooks/subscriptions":                     s.list,
		"PUT /v1/webhooks/subscriptions/{subscriptionId}":    s.put,
		"GET /v1/webhooks/subscriptions/{subscriptionId}":    s.get,
		"DELETE /v1/webhooks/subscriptions/{subscriptionId}": s.delete,
	}}
	return rt.Handle
}

// SubscriptionView is a subscription as the API shows it: never its
// secret, except once, in the answer that made it.
type SubscriptionView struct {
	*outbound.Subscription
	Secret string `json:"secret,omitempty"`
}

// subscriptionBody is what a PUT may send.
type subscriptionBody struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Format      string   `json:"format"`
	Description string   `json:"description"`
	Secret      string   `json:"secret"`
}

func (h *Subscriptions) put(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.WebhooksWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if mt := edge.MediaType(req); mt != "application/json" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send the subscription as application/json.")
	}
	raw, err := edge.Body(req, 8<<10)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var b subscriptionBody
	if err := decodeStrictJSON(raw, &b); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := req.PathParameters["subscriptionId"]
	if b.ID != "" && b.ID != id {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("The subscription is another one.", []leadgate.Problem{{Path: "id", Message: "does not match the URL's " + strconv.Quote(id)}})
	}
	sub := &outbound.Subscription{ID: id, URL: b.URL, Events: b.Events, Format: b.Format, Description: b.Description, Secret: b.Secret}
	saved, err := h.service.Put(ctx, sub, h.now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	h.log.InfoContext(ctx, "webhook subscription saved", "subscription", id, "created", saved.Created, "events", len(sub.Events))
	return putResponse(SubscriptionView{Subscription: saved.Subscription, Secret: saved.Secret}, saved.Created), nil
}

func (h *Subscriptions) get(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.WebhooksWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	sub, err := h.service.Get(ctx, req.PathParameters["subscriptionId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, SubscriptionView{Subscription: sub}), nil
}

func (h *Subscriptions) list(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.WebhooksWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	subs, err := h.service.List(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	views := make([]SubscriptionView, len(subs))
	for i := range subs {
		views[i] = SubscriptionView{Subscription: &subs[i]}
	}
	return edge.JSONResponse(http.StatusOK, struct {
			Subscriptions []SubscriptionView `json:"subscriptions"`
		}{views}),

		nil
}

func (h *Subscriptions) delete(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.WebhooksWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := req.PathParameters["subscriptionId"]
	if err := h.service.Delete(ctx, id); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	h.log.InfoContext(ctx, "webhook subscription deleted", "subscription", id)
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{"X-Content-Type-Options": "nosniff"}}, nil
}
