package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/document"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/rejudge"
)

// CampaignStore is what the campaigns API needs from storage.
type CampaignStore interface {
	definitions.Store
	Version(ctx context.Context, id string, version int) (*campaign.Published, error)
	Versions(ctx context.Context, id string, newest, max int) ([]*campaign.Published, error)
	List(ctx context.Context) ([]*campaign.Published, error)
	Drafts(ctx context.Context, campaignID string) ([]*campaign.Draft, error)
	DeleteDraft(ctx context.Context, campaignID, draftID string) error
	Job(ctx context.Context, campaignID, jobID string) (*rejudge.Job, error)
}

// Campaigns serves the admin API for campaign definitions.
type Campaigns struct {
	store CampaignStore
	defs  *definitions.Service
	log   *slog.Logger
	now   func() time.Time
}

// NewCampaigns returns the campaigns API as a Handler: reads from store,
// and every change through defs.
func NewCampaigns(store CampaignStore, defs *definitions.Service, log *slog.Logger, now func() time.Time) Handler {
	c := &Campaigns{store: store, defs: defs, log: log, now: now}
	rt := &edge.Router{Log: log, IDs: idRules, Routes: map[string]edge.Route{
		"GET /v1/campaigns":                                          c.list,
		"PUT /v1/campaigns/{campaignId}":                             c.put,
		"GET /v1/campaigns/{campaignId}":                             c.get,
		"GET /v1/campaigns/{campaignId}/versions":                    c.versions,
		"GET /v1/campaigns/{campaignId}/versions/{version}":          c.version,
		"GET /v1/campaigns/{campaignId}/versions/{version}/diff":     c.diff,
		"GET /v1/campaigns/{campaignId}/definition":                  c.document,
		"POST /v1/campaigns/{campaignId}/drafts":                     c.propose,
		"GET /v1/campaigns/{campaignId}/drafts":                      c.drafts,
		"GET /v1/campaigns/{campaignId}/drafts/{draftId}":            c.draft,
		"PUT /v1/campaigns/{campaignId}/drafts/{draftId}":            c.replace,
		"DELETE /v1/campaigns/{campaignId}/drafts/{draftId}":         c.discard,
		"GET /v1/campaigns/{campaignId}/drafts/{draftId}/diff":       c.draftDiff,
		"GET /v1/campaigns/{campaignId}/drafts/{draftId}/preview":    c.preview,
		"POST /v1/campaigns/{campaignId}/drafts/{draftId}/approvals": c.decide,
		"POST /v1/campaigns/{campaignId}/rejudge-jobs":               c.startRejudge,
		"GET /v1/campaigns/{campaignId}/rejudge-jobs/{jobId}":        c.rejudgeJob,
		"GET /v1/openapi.json":                                       openAPI,
	}}
	return rt.Handle
}

// definitionTypes are the bodies PUT reads. YAML is what lives in git; JSON
// is YAML too, so one strict parser reads both.
var definitionTypes = []string{"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain"}

// PublishResponse answers a PUT.
type PublishResponse struct {
	ID       string             `json:"id"`
	Version  int                `json:"version"`
	Created  bool               `json:"created"`
	Digest   string             `json:"digest"`
	Mode     string             `json:"mode"`
	Rejudge  *JobView           `json:"rejudgeJob,omitempty"`
	Warnings []leadgate.Problem `json:"warnings,omitempty"`
}

// put publishes in one step, for a caller who may sign for both sides;
// everyone else proposes a draft.
func (c *Campaigns) put(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	who, err := scopes.Authorize(req, scopes.CampaignsWrite, scopes.ApproveMarketing, scopes.ApproveSales)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	doc, err := definitionBody(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	mode, err := definitions.Mode(req.QueryStringParameters["mode"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := c.now()
	d, warnings, err := authored.Read(doc, req.PathParameters["campaignId"], now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := c.defs.PublishNow(ctx, who.Signer(), d, mode, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if p.Created {
		status = http.StatusCreated
	}
	if p.RejudgeError != "" {
		warnings = append(warnings, leadgate.Problem{Path: "mode", Message: p.RejudgeError})
	}
	if p.AnnounceError != nil {
		c.log.ErrorContext(ctx, "definition.published not queued; the daily sweep announces it", "campaign", d.ID, "version", p.Version, "error", p.AnnounceError.Error())
	}
	resp := edge.JSONResponse(status, PublishResponse{ID: d.ID, Version: p.Version, Created: p.Created, Digest: p.Digest, Mode: p.Mode,
		Rejudge: jobView(p.Rejudge), Warnings: warnings})

	resp.Headers["Location"] = "/v1/campaigns/" + d.ID + "/versions/" + strconv.Itoa(p.Version)
	return resp, nil
}

// definitionBody reads a definition sent as YAML or JSON.
func definitionBody(req *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	// curl -T sends no content type; take that as YAML, refuse the rest.
	if mt := edge.MediaType(req); mt != "" && !slices.Contains(definitionTypes, mt) {
		return nil, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send the definition as YAML or JSON (Content-Type: %s), not %s.", strings.Join(definitionTypes[:5], ", "), mt)
	}
	return edge.Body(req, campaign.MaxDocumentBytes)
}

// PublishedView is a version as read, flagged when it is past its review
// date: on every read, so nobody works from an overdue agreement unaware.
type PublishedView struct {
	*campaign.Published
	ReviewOverdue bool `json:"reviewOverdue"`
}

func (c *Campaigns) get(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return c.read(ctx, req, req.QueryStringParameters["version"])
}

func (c *Campaigns) version(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return c.read(ctx, req, req.PathParameters["version"])
}

func (c *Campaigns) read(ctx context.Context, req *events.APIGatewayV2HTTPRequest, version string) (events.APIGatewayV2HTTPResponse, error) {
	p, err := c.published(ctx, req, version)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, PublishedView{Published: p, ReviewOverdue: p.Definition.ReviewOverdue(c.now())}), nil
}

// published reads the current version, or the one named by version.
func (c *Campaigns) published(ctx context.Context, req *events.APIGatewayV2HTTPRequest, version string) (*campaign.Published, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return nil, err
	}
	id := req.PathParameters["campaignId"]
	if version == "" {
		return c.store.Current(ctx, id)
	}
	n, err := strconv.Atoi(version)
	if err != nil || n < 1 {
		if len(version) > 20 {
			version = version[:20] + "…"
		}
		return nil, leadgate.Errorf(leadgate.EBADREQUEST, "version %q: want a number from 1.", version)
	}
	return c.store.Version(ctx, id, n)
}

// MaxVersionsListed bounds the version history answered (newest first);
// every version stays readable on its own.
const MaxVersionsListed = 100

// MaxChangeLog bounds the versions the definition document's change log
// covers, newest first.
const MaxChangeLog = 20

// DiffResponse answers GET …/versions/{version}/diff.
type DiffResponse struct {
	ID      string            `json:"id"`
	From    int               `json:"from"`
	To      int               `json:"to"`
	Changes []campaign.Change `json:"changes"`
}

// diff says what changed from one version to another: by default from the
// version before; ?from=N compares with any version, older or newer.
func (c *Campaigns) diff(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	to, err := c.published(ctx, req, req.PathParameters["version"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	fromVersion := req.QueryStringParameters["from"]
	if fromVersion == "" {
		if to.Version == 1 {
			return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EINVALID, "Version 1 is the first: there is nothing before it to compare with; name ?from=N.")
		}
		fromVersion = strconv.Itoa(to.Version - 1)
	}
	from, err := c.published(ctx, req, fromVersion)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, DiffResponse{ID: to.Definition.ID, From: from.Version, To: to.Version,
			Changes: nonNil(campaign.Diff(from.Definition, to.Definition))}),
		nil
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// VersionSummary is one line of a campaign's history.
type VersionSummary struct {
	Version     int       `json:"version"`
	PublishedAt time.Time `json:"publishedAt"`
	PublishedBy string    `json:"publishedBy"`
	Digest      string    `json:"digest"`
}

func (c *Campaigns) versions(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	ps, err := c.store.Versions(ctx, req.PathParameters["campaignId"], 0, MaxVersionsListed)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := struct {
		ID       string           `json:"id"`
		Versions []VersionSummary `json:"versions"`
	}{ID: req.PathParameters["campaignId"]}
	for _, p := range ps {
		out.Versions = append(out.Versions, VersionSummary{p.Version, p.PublishedAt, p.PublishedBy, p.Digest})
	}
	return edge.JSONResponse(http.StatusOK, out), nil
}

// CampaignSummary is one line of the campaign list.
type CampaignSummary struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Channel     string        `json:"channel"`
	Funnel      string        `json:"funnel"`
	Status      string        `json:"status"`
	Version     int           `json:"version"`
	ReviewBy    campaign.Date `json:"reviewBy"`
	ReviewDue   bool          `json:"reviewOverdue"`
	PublishedAt time.Time     `json:"publishedAt"`
}

func (c *Campaigns) list(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	ps, err := c.store.List(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := c.now()
	out := struct {
		Campaigns []CampaignSummary `json:"campaigns"`
	}{Campaigns: []CampaignSummary{}}
	for _, p := range ps {
		d := p.Definition
		out.Campaigns = append(out.Campaigns, CampaignSummary{
			ID: d.ID, Name: d.Name, Channel: d.Channel, Funnel: d.Funnel, Status: d.Status, Version: p.Version,
			ReviewBy: d.ReviewBy, ReviewDue: d.ReviewOverdue(now), PublishedAt: p.PublishedAt,
		})
	}
	slices.SortFunc(out.Campaigns, func(a, b CampaignSummary) int { return strings.Compare(a.ID, b.ID) })
	return edge.JSONResponse(http.StatusOK, out), nil
}

// document renders the definition for people: HTML for a browser, Markdown
// for everything else (a wiki, a terminal, a pull request).
func (c *Campaigns) document(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	p, err := c.published(ctx, req, req.QueryStringParameters["version"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// The change log: the versions up to this one, newest first.
	history, err := c.store.Versions(ctx, p.Definition.ID, p.Version, MaxChangeLog+1)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var b bytes.Buffer
	if edge.Accepts(req, "text/html") {
		if err := document.HTML(&b, p, history, c.now()); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return edge.TextResponse(http.StatusOK, "text/html; charset=utf-8", b.String()), nil
	}
	if err := document.Markdown(&b, p, history, c.now()); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.TextResponse(http.StatusOK, "text/markdown; charset=utf-8", b.String()), nil
}
