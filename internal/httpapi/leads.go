package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/privacy"
	"github.com/leadgate/leadgate/internal/sales"
)

// LeadReader reads stored leads.
type LeadReader interface {
	Get(ctx context.Context, id string) (*lead.Record, error)
}

// Leads serves the authenticated lead API for sales and operations.
type Leads struct {
	store    LeadReader
	feedback sales.FeedbackStore
	privacy  privacy.Store
	reassign Reassigner
	repClaim string
	now      func() time.Time
	log      *slog.Logger
}

// NewLeads returns the leads API as a Handler. repClaim names the token
// claim that holds a rep's id (scopes.DefaultRepClaim when empty).
func NewLeads(store LeadReader, feedback sales.FeedbackStore, erasure privacy.Store, reassign Reassigner, repClaim string, log *slog.Logger, now func() time.Time) Handler {
	if repClaim == "" {
		repClaim = scopes.DefaultRepClaim
	}
	l := &Leads{store: store, feedback: feedback, privacy: erasure, reassign: reassign, repClaim: repClaim, now: now, log: log}
	rt := &edge.Router{Log: log, IDs: idRules, Routes: map[string]edge.Route{
		"GET /v1/leads":                    l.find,
		"GET /v1/leads/{leadId}":           l.get,
		"POST /v1/leads/{leadId}/feedback": l.answer,
		"POST /v1/leads/{leadId}/assign":   l.assign,
		"DELETE /v1/leads/{leadId}":        l.erase,
		"POST /v1/erasures":                l.eraseByEmail,
	}}
	return rt.Handle
}

// answer records sales' feedback: accept, qualify, reject, recycle,
// opportunity, won, lost.
func (l *Leads) answer(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	who, err := scopes.CallerOf(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	manager := who.Has(scopes.SalesManager)
	if !manager && !who.Has(scopes.SalesRep) {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "Feedback needs the scope %s or %s.", scopes.SalesRep, scopes.SalesManager)
	}
	// A rep is who the rep claim names, and nobody else: a token without
	// it answers only as a manager.
	by := who.RepID(l.repClaim)
	if by == "" && !manager {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The token names no rep (claim %q), so it cannot answer as one.", l.repClaim)
	}
	if by == "" {
		by = who.ID
	}
	if mt := edge.MediaType(req); mt != "application/json" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send feedback as application/json.")
	}
	raw, err := edge.Body(req, 16<<10)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var f sales.Feedback
	if err := decodeStrictJSON(raw, &f); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := sales.Give(ctx, l.feedback, req.PathParameters["leadId"], f, by, manager, l.now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	switch f.Action {
	case sales.Recycle, sales.Lost:
		metrics.Count(ctx, l.log, metrics.Recycled, 1, "campaign", r.Verdict.Campaign, "reason", f.Reason)
	case sales.Reject:
		metrics.Count(ctx, l.log, metrics.Rejected, 1, "campaign", r.Verdict.Campaign, "reason", f.Reason)
	}
	return edge.JSONResponse(http.StatusOK, LeadView{Record: r, Reasons: nonNil(r.Verdict.Reasons())}), nil
}

// Reassigner gives a lead another owner on a manager's word.
type Reassigner interface {
	Reassign(ctx context.Context, leadID, to, by, note string) (*lead.Record, error)
}

// Reassignment is the body of POST /v1/leads/{leadId}/assign.
type Reassignment struct {
	// Rep is the rep to take the lead, or "auto" for the next one the
	// assignment rules pick.
	Rep  string `json:"rep"`
	Note string `json:"note,omitempty"`
}

// assign reassigns a lead, for a sales manager.
func (l *Leads) assign(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	who, err := scopes.Authorize(req, scopes.SalesManager)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if mt := edge.MediaType(req); mt != "application/json" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send the reassignment as application/json.")
	}
	raw, err := edge.Body(req, 16<<10)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var ra Reassignment
	if err := decodeStrictJSON(raw, &ra); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if strings.TrimSpace(ra.Rep) == "" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("Name the rep.", []leadgate.Problem{{Path: "rep", Message: "required: a rep id, or \"auto\""}})
	}
	by := cmp.Or(who.RepID(l.repClaim), who.ID)
	r, err := l.reassign.Reassign(ctx, req.PathParameters["leadId"], strings.TrimSpace(ra.Rep), by, ra.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, LeadView{Record: r, Reasons: nonNil(r.Verdict.Reasons())}), nil
}

// LeadView is a lead as sales reads it: the person, every touch point, the
// stage, and the verdict with each criterion and the reasons in sentences,
// so "was X a lead, and why not?" has its answer on one page.
type LeadView struct {
	*lead.Record
	Reasons []string `json:"reasons"`
}

func (l *Leads) get(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := l.store.Get(ctx, req.PathParameters["leadId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, LeadView{Record: r, Reasons: nonNil(r.Verdict.Reasons())}), nil
}

// find answers "was X a lead?" by email: the address is normalized as
// capture normalizes it, so any way of typing it finds the lead.
func (l *Leads) find(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	email, problem := lead.NormalizeEmail(req.QueryStringParameters["email"])
	if problem != "" || email == "" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("Name the lead by its email.", []leadgate.Problem{{Path: "email", Message: orText(problem, "required")}})
	}
	r, err := l.store.Get(ctx, lead.IDFor(email))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, LeadView{Record: r, Reasons: nonNil(r.Verdict.Reasons())}), nil
}

// decodeStrictJSON reads one JSON object into v, refusing unknown keys (a
// misspelt "reason" must not pass as no reason) and trailing data.
func decodeStrictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &leadgate.Error{Code: leadgate.EBADREQUEST, Message: "The body is not the expected JSON.", Problems: edge.JSONProblems(err)}
	}
	if dec.More() {
		return leadgate.Errorf(leadgate.EBADREQUEST, "The body has data after its JSON object.")
	}
	return nil
}

// erase erases a lead by its id.
func (l *Leads) erase(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.Privacy); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rep, err := privacy.Erase(ctx, l.privacy, req.PathParameters["leadId"], l.now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	l.log.InfoContext(ctx, "lead erased", "lead_id", rep.LeadID)
	return edge.JSONResponse(http.StatusOK, rep), nil
}

// eraseByEmail erases the lead of an email address, as a data subject's
// request names them.
func (l *Leads) eraseByEmail(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.Privacy); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if mt := edge.MediaType(req); mt != "application/json" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send {\"email\": \"...\"} as application/json.")
	}
	raw, err := edge.Body(req, 4<<10)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeStrictJSON(raw, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	email, problem := lead.NormalizeEmail(in.Email)
	if problem != "" || email == "" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("Name the email to erase.", []leadgate.Problem{{Path: "email", Message: orText(problem, "required")}})
	}
	req.PathParameters = map[string]string{"leadId": lead.IDFor(email)}
	return l.erase(ctx, req)
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
