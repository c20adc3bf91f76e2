// Package httpapi holds the handler sets of the HTTP functions that manage
// leadgate (campaigns, drafts, leads, reps, reports, badge scans, webhooks,
// subscriptions, the console). Each answers through the edge's one Router
// (package edge): there, and only there, error codes become statuses,
// bodies are decoded and ids checked; scopes are checked here. The public
// submission endpoint is package submissions, so that the intake function
// links none of these.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
)

// Handler is what an HTTP function runs: the signature lambda.Start takes and
// the local server calls.
type Handler = edge.Handler

// route answers one route; it returns a domain error rather than writing one.
type route = edge.Route

// Problem is the RFC 9457 body every error answers with (edge.Problem).
type Problem = edge.Problem

// ProblemTypeBase is where each error code's type URI points.
const ProblemTypeBase = edge.ProblemTypeBase

// router is the edge's Router with this package's id rules (idRules).
type router struct {
	log    *slog.Logger
	routes map[string]route
	// fail answers an error; nil answers it as problem+json. The console
	// answers with a page.
	fail func(*events.APIGatewayV2HTTPRequest, error) events.APIGatewayV2HTTPResponse
}

func (rt *router) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	r := edge.Router{Log: rt.log, Routes: rt.routes, IDs: idRules, Fail: rt.fail}
	return r.Handle(ctx, req)
}

// putResponse answers a PUT: 201 with what was stored when it is new, 200
// when it replaced something.
func putResponse(stored any, created bool) events.APIGatewayV2HTTPResponse {
	if created {
		return edge.JSONResponse(http.StatusCreated, stored)
	}
	return edge.JSONResponse(http.StatusOK, stored)
}
