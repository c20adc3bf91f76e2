package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/lead"
)

// LeadReader reads stored leads.
type LeadReader interface {
	Get(ctx context.Context, id string) (*lead.Record, error)
}

// Leads serves the authenticated lead API for sales and operations.
type Leads struct {
	store LeadReader
}

// NewLeads returns the leads API as a Handler.
func NewLeads(store LeadReader, log *slog.Logger) Handler {
	l := &Leads{store: store}
	rt := &router{log: log, routes: map[string]route{
		"GET /v1/leads/{leadId}": l.get,
	}}
	return rt.handle
}

// LeadView is a lead as sales reads it: the person, every touch point, the
// stage, and the verdict with each criterion and the reasons in sentences,
// so "was X a lead, and why not?" has its answer on one page.
type LeadView struct {
	*lead.Record
	Reasons []string `json:"reasons"`
}

func (l *Leads) get(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := authorize(req, ScopeLeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := l.store.Get(ctx, req.PathParameters["leadId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	reasons := r.Verdict.Reasons()
	if reasons == nil {
		reasons = []string{}
	}
	return jsonResponse(http.StatusOK, LeadView{Record: r, Reasons: reasons}), nil
}
