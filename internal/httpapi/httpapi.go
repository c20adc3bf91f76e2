// Package httpapi holds the handler sets of the API functions that manage
// leadgate (campaigns, drafts, leads, reps, accounts, reports, badge scans
// and touch points, webhook subscriptions). Each answers through the
// edge's one Router (package edge): there, and only there, error codes
// become statuses, bodies are decoded and ids checked; scopes are checked
// here, by package scopes. The public endpoints are packages submissions
// and webhooks, and the manager console package consoleweb, so that the
// intake, webhooks and console functions link none of these.
package httpapi

import (
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
)

// Handler is what an HTTP function runs: the signature lambda.Start takes and
// the local server calls.
type Handler = edge.Handler

// Problem is the RFC 9457 body every error answers with (edge.Problem).
type Problem = edge.Problem

// ProblemTypeBase is where each error code's type URI points.
const ProblemTypeBase = edge.ProblemTypeBase

// putResponse answers a PUT: 201 with what was stored when it is new, 200
// when it replaced something.
func putResponse(stored any, created bool) events.APIGatewayV2HTTPResponse {
	if created {
		return edge.JSONResponse(http.StatusCreated, stored)
	}
	return edge.JSONResponse(http.StatusOK, stored)
}
