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
	"github.com/leadgate/leadgate/internal/leadgate"
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

// The handlers here call the edge's helpers by these short names.

func header(req *events.APIGatewayV2HTTPRequest, name string) string { return edge.Header(req, name) }

func body(req *events.APIGatewayV2HTTPRequest, limit int) ([]byte, error) {
	return edge.Body(req, limit)
}

func mediaType(req *events.APIGatewayV2HTTPRequest) string { return edge.MediaType(req) }

func accepts(req *events.APIGatewayV2HTTPRequest, mediaType string) bool {
	return edge.Accepts(req, mediaType)
}

func cookie(req *events.APIGatewayV2HTTPRequest, name string) string { return edge.Cookie(req, name) }

func jsonResponse(status int, v any) events.APIGatewayV2HTTPResponse {
	return edge.JSONResponse(status, v)
}

func textResponse(status int, contentType, body string) events.APIGatewayV2HTTPResponse {
	return edge.TextResponse(status, contentType, body)
}

func jsonProblems(err error) []leadgate.Problem { return edge.JSONProblems(err) }

// problemKind is what the edge says of an error code (edge.ProblemKind).
type problemKind struct {
	status int
	title  string
}

// kindOf is the code and kind an error is answered as (edge.KindOf).
func kindOf(err error) (string, problemKind) {
	code, k := edge.KindOf(err)
	return code, problemKind{k.Status, k.Title}
}

// putResponse answers a PUT: 201 with what was stored when it is new, 200
// when it replaced something.
func putResponse(stored any, created bool) events.APIGatewayV2HTTPResponse {
	if created {
		return jsonResponse(http.StatusCreated, stored)
	}
	return jsonResponse(http.StatusOK, stored)
}
