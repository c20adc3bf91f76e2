package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// RepStore is what the reps and accounts API needs from storage.
type RepStore interface {
	AccountStore
	PutRep(ctx context.Context, r *sales.Rep) (*sales.Rep, bool, error)
	Rep(ctx context.Context, id string) (*sales.Rep, error)
	Reps(ctx context.Context) ([]sales.Rep, error)
	RepLeads(ctx context.Context, repID, cursor string) ([]*lead.Record, string, error)
	// OldestLeads lists an owner's leads longest held first: the fallback
	// queue, in the order it drains.
	OldestLeads(ctx context.Context, owner, cursor string) ([]*lead.Record, string, error)
}

// Reps serves the sales reps API: who takes which leads, and how many; and
// the accounts whose leads go to their owners.
type Reps struct {
	store    RepStore
	fallback string
}

// NewReps returns the reps API as a Handler; fallback is the shared queue
// whose leads are listed like a rep's.
func NewReps(store RepStore, fallback string, log *slog.Logger) Handler {
	r := &Reps{store: store, fallback: fallback}
	rt := &edge.Router{Log: log, IDs: idRules, Routes: map[string]edge.Route{
		"GET /v1/reps":               r.list,
		"PUT /v1/reps/{repId}":       r.put,
		"GET /v1/reps/{repId}":       r.get,
		"GET /v1/reps/{repId}/leads": r.leads,

		"GET /v1/accounts":                r.listAccounts,
		"PUT /v1/accounts/{accountId}":    r.putAccount,
		"GET /v1/accounts/{accountId}":    r.getAccount,
		"DELETE /v1/accounts/{accountId}": r.deleteAccount,
	}}
	return rt.Handle
}

func (h *Reps) put(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.RepsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := decodeDocument(req, "rep", "repId", 16<<10, func(r *sales.Rep) *string { return &r.ID }, (*sales.Rep).Validate)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	stored, created, err := h.store.PutRep(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return putResponse(stored, created), nil
}

func (h *Reps) get(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := h.store.Rep(ctx, req.PathParameters["repId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, r), nil
}

func (h *Reps) list(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	reps, err := h.store.Reps(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	slices.SortFunc(reps, func(a, b sales.Rep) int { return strings.Compare(a.ID, b.ID) })
	if reps == nil {
		reps = []sales.Rep{}
	}
	return edge.JSONResponse(http.StatusOK, struct {
			Reps []sales.Rep `json:"reps"`
		}{reps}),

		nil
}

func (h *Reps) leads(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, cursor := req.PathParameters["repId"], req.QueryStringParameters["cursor"]
	list := h.store.RepLeads
	if id == h.fallback {
		// The shared queue is no rep: its leads, oldest first, are the
		// ones next drained to reps with room.
		list = h.store.OldestLeads
	} else if _, err := h.store.Rep(ctx, id); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rs, next, err := list(ctx, id, cursor)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	views := make([]LeadView, 0, len(rs))
	for _, r := range rs {
		views = append(views, LeadView{Record: r, Reasons: nonNil(r.Verdict.Reasons())})
	}
	// A page at a time: a lead may be large, and an answer is bounded.
	return edge.JSONResponse(http.StatusOK, struct {
			Rep   string     `json:"rep"`
			Leads []LeadView `json:"leads"`
			Next  string     `json:"next,omitempty"`
		}{id, views, next}),

		nil
}

// decodeDocument reads the body of a PUT of a kind `leadgate apply` also
// sends (a rep, an account): YAML or JSON of at most limit bytes, perhaps
// with its kind line; its id taken from the URL's param when left out and
// refused when it names another; validated.
func decodeDocument[T any](req *events.APIGatewayV2HTTPRequest, what, param string, limit int, id func(*T) *string, validate func(*T) error) (*T, error) {
	if mt := edge.MediaType(req); mt != "" && !slices.Contains(definitionTypes, mt) {
		return nil, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send the %s as YAML or JSON, not %s.", what, mt)
	}
	raw, err := edge.Body(req, limit)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Kind string `yaml:"kind"`
		Doc  T      `yaml:",inline"`
	}
	if err := authored.Decode(raw, &doc); err != nil {
		return nil, leadgate.Invalid("The "+what+" could not be read.", leadgate.ErrorProblems(err))
	}
	v, url := &doc.Doc, req.PathParameters[param]
	if *id(v) == "" {
		*id(v) = url
	}
	if err := validate(v); err != nil {
		return nil, err
	}
	if *id(v) != url {
		return nil, leadgate.Invalid("The "+what+" is another one.", []leadgate.Problem{{Path: "id", Message: strconv.Quote(*id(v)) + " does not match the URL's " + strconv.Quote(url)}})
	}
	return v, nil
}
