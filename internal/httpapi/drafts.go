package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/backtest"
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/safecsv"
)

// DraftView is a draft as the API shows it: where it stands, and what it
// changes from the version in force.
type DraftView struct {
	*campaign.Draft
	// State says where the approvals stand ("approved by marketing,
	// awaiting sales"); Policy is the one that applies.
	State    string             `json:"state"`
	Policy   string             `json:"policy"`
	Changes  []campaign.Change  `json:"changes"`
	Warnings []leadgate.Problem `json:"warnings,omitempty"`
}

func draftView(p *definitions.Proposal) DraftView {
	policy := campaign.PolicyOf(p.Current)
	return DraftView{Draft: p.Draft, State: p.Draft.State(policy), Policy: policy, Changes: nonNil(p.Changes), Warnings: p.Warnings}
}

func draftLocation(dr *campaign.Draft) string {
	return "/v1/campaigns/" + dr.Campaign + "/drafts/" + dr.ID
}

// propose writes a new draft: ?mode=forward|rejudge says what publishing it
// will do to the leads already judged; ?dryRun=true checks and compares it
// without storing it (what `leadgate apply --dry-run` asks).
func (c *Campaigns) propose(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	in, err := c.readDraft(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	dryRun := false
	switch v := req.QueryStringParameters["dryRun"]; v {
	case "", "false":
	case "true":
		dryRun = true
	default:
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EBADREQUEST, "dryRun: want true or false.")
	}
	id, now := req.PathParameters["campaignId"], c.now()
	d, warnings, err := authored.Read(in.doc, id, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := c.defs.Propose(ctx, in.who.Signer(), id, d, warnings, in.mode, dryRun, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusCreated
	switch {
	case dryRun:
		return edge.JSONResponse(http.StatusOK, draftView(p)), nil
	case p.Existing:
		status = http.StatusOK
	}
	resp := edge.JSONResponse(status, draftView(p))
	resp.Headers["Location"] = draftLocation(p.Draft)
	return resp, nil
}

// replace writes a new revision of a draft; its approvals start over.
func (c *Campaigns) replace(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	in, err := c.readDraft(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, now := req.PathParameters["campaignId"], c.now()
	d, warnings, err := authored.Read(in.doc, id, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := c.defs.Replace(ctx, in.who.Signer(), id, req.PathParameters["draftId"], d, warnings, in.mode, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, draftView(p)), nil
}

// draftInput is what writing a draft takes: the writer, the definition
// as sent and the mode.
type draftInput struct {
	who  scopes.Caller
	doc  []byte
	mode string
}

// readDraft reads what writing a draft takes from the request.
func (c *Campaigns) readDraft(req *events.APIGatewayV2HTTPRequest) (draftInput, error) {
	var in draftInput
	var err error
	if in.who, err = scopes.Authorize(req, scopes.CampaignsWrite); err != nil {
		return in, err
	}
	if in.mode, err = definitions.Mode(req.QueryStringParameters["mode"]); err != nil {
		return in, err
	}
	in.doc, err = definitionBody(req)
	return in, err
}

func (c *Campaigns) draft(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := c.defs.Compare(ctx, req.PathParameters["campaignId"], req.PathParameters["draftId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, draftView(p)), nil
}

// DraftSummary is one line of a campaign's open drafts.
type DraftSummary struct {
	ID        string            `json:"id"`
	Revision  int               `json:"revision"`
	BasedOn   int               `json:"basedOn"`
	Mode      string            `json:"mode"`
	State     string            `json:"state"`
	UpdatedBy string            `json:"updatedBy"`
	UpdatedAt string            `json:"updatedAt"`
	Preview   *campaign.Figures `json:"preview,omitempty"`
}

func (c *Campaigns) drafts(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := req.PathParameters["campaignId"]
	drs, err := c.store.Drafts(ctx, id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cur, err := c.store.Current(ctx, id)
	if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
		cur, err = nil, nil
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	policy := campaign.PolicyOf(cur)
	out := struct {
		ID     string         `json:"id"`
		Drafts []DraftSummary `json:"drafts"`
	}{ID: id, Drafts: []DraftSummary{}}
	for _, dr := range drs {
		out.Drafts = append(out.Drafts, DraftSummary{ID: dr.ID, Revision: dr.Revision, BasedOn: dr.BasedOn, Mode: dr.Mode,
			State: dr.State(policy), UpdatedBy: dr.UpdatedBy, UpdatedAt: dr.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"), Preview: dr.Preview})
	}
	return edge.JSONResponse(http.StatusOK, out), nil
}

func (c *Campaigns) discard(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := c.store.DeleteDraft(ctx, req.PathParameters["campaignId"], req.PathParameters["draftId"]); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{"X-Content-Type-Options": "nosniff"}}, nil
}

// DraftDiffResponse answers GET …/drafts/{draftId}/diff.
type DraftDiffResponse struct {
	ID       string            `json:"id"`
	Draft    string            `json:"draft"`
	Revision int               `json:"revision"`
	From     int               `json:"from"` // the version in force, 0 for none
	Changes  []campaign.Change `json:"changes"`
}

func (c *Campaigns) draftDiff(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := c.defs.Compare(ctx, req.PathParameters["campaignId"], req.PathParameters["draftId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	from := 0
	if p.Current != nil {
		from = p.Current.Version
	}
	return edge.JSONResponse(http.StatusOK, DraftDiffResponse{ID: p.Draft.Campaign, Draft: p.Draft.ID, Revision: p.Draft.Revision, From: from, Changes: nonNil(p.Changes)}), nil
}

// MaxPreviewCSVRows and maxPreviewCSVBytes bound the CSV of a preview's
// stage changes, so the answer stays inside a Lambda response (6 MB); the
// JSON counts all.
const (
	MaxPreviewCSVRows  = 20_000
	maxPreviewCSVBytes = 5 << 20
)

// preview re-judges the campaign's leads under the draft: JSON figures, or
// with Accept: text/csv (or ?format=csv) every lead whose stage changes.
func (c *Campaigns) preview(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	who, err := scopes.Authorize(req, scopes.CampaignsRead)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// The figures are the definition's; which leads they are is the leads'
	// business, as on the lead routes.
	leadsToo := who.Has(scopes.LeadsRead)
	days := definitions.DefaultPreviewDays
	if s := req.QueryStringParameters["days"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EBADREQUEST, "days: want a whole number of days, from 1 to %d.", definitions.MaxPreviewDays)
		}
		days = n
	}
	id, draftID := req.PathParameters["campaignId"], req.PathParameters["draftId"]
	if !(req.QueryStringParameters["format"] == "csv" || edge.Accepts(req, "text/csv")) {
		rep, err := c.defs.Preview(ctx, id, draftID, days, c.now(), nil)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		if !leadsToo {
			rep.Changed, rep.Sales.LostLeads, rep.Sales.KeptLeads = []backtest.Change{}, []string{}, []string{}
		}
		return edge.JSONResponse(http.StatusOK, rep), nil
	}
	if !leadsToo {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EFORBIDDEN, "The list of leads a draft changes needs the scope %s as well.", scopes.LeadsRead)
	}
	var b bytes.Buffer
	w := safecsv.NewWriter(&b)
	_ = w.Write([]string{"lead_id", "company", "current_stage", "draft_stage", "flipped"})
	rows, omitted := 0, 0
	_, err = c.defs.Preview(ctx, id, draftID, days, c.now(), func(ch *backtest.Change) error {
		if rows == MaxPreviewCSVRows || b.Len() > maxPreviewCSVBytes {
			omitted++
			return nil
		}
		rows++
		return w.Write([]string{ch.Lead, ch.Company, string(ch.From), string(ch.To), strings.Join(ch.Flipped, "; ")})
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := w.Flush(); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp := edge.TextResponse(http.StatusOK, "text/csv; charset=utf-8", b.String())
	resp.Headers["Content-Disposition"] = `attachment; filename="` + id + "-" + draftID + `-preview.csv"`
	if omitted > 0 {
		resp.Headers["X-Leadgate-Rows-Omitted"] = strconv.Itoa(omitted)
	}
	return resp, nil
}

// SignedResponse answers a decision: the draft as it stands, and the
// version it became once both sides approved (with the job re-judging the
// campaign's leads, for a draft in mode rejudge).
type SignedResponse struct {
	Draft     DraftView           `json:"draft"`
	Published *campaign.Published `json:"published,omitempty"`
	Rejudge   *JobView            `json:"rejudgeJob,omitempty"`
	Warnings  []leadgate.Problem  `json:"warnings,omitempty"`
}

// decide records a signer's decision. The scopes decide the sides the
// caller may sign for; no other scope is needed.
func (c *Campaigns) decide(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	// Signing is reading first: the answer shows the draft.
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	who, err := scopes.AuthorizeAny(req, scopes.ApproveMarketing, scopes.ApproveSales)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	raw, err := edge.Body(req, 4*campaign.MaxNoteBytes)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var dec definitions.Decision
	if err := decodeStrictJSON(raw, &dec); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	s, err := c.defs.Decide(ctx, who.Signer(), req.PathParameters["campaignId"], req.PathParameters["draftId"], dec, c.now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := SignedResponse{Draft: DraftView{Draft: s.Draft, State: s.Draft.State(s.Policy), Policy: s.Policy, Changes: nonNil(s.Changes)}}
	if p := s.Published; p != nil {
		out.Published, out.Rejudge = p.Published, jobView(p.Rejudge)
		if p.RejudgeError != "" {
			out.Warnings = []leadgate.Problem{{Path: "mode", Message: p.RejudgeError}}
		}
		if p.AnnounceError != nil {
			c.log.ErrorContext(ctx, "definition.published not queued; the daily sweep announces it", "campaign", p.Definition.ID, "version", p.Version, "error", p.AnnounceError.Error())
		}
	}
	if s.Published != nil {
		out.Draft.State = "published as version " + strconv.Itoa(s.Published.Version)
		resp := edge.JSONResponse(http.StatusCreated, out)
		resp.Headers["Location"] = "/v1/campaigns/" + s.Published.Definition.ID + "/versions/" + strconv.Itoa(s.Published.Version)
		return resp, nil
	}
	return edge.JSONResponse(http.StatusOK, out), nil
}

// JobView is a re-judge job as the API shows it. Total is known once every
// slice of the campaign's index has been read.
type JobView struct {
	*rejudge.Job
	State string `json:"state"`
	Total *int   `json:"total"`
}

func jobView(j *rejudge.Job) *JobView {
	if j == nil {
		return nil
	}
	v := &JobView{Job: j, State: j.State()}
	if v.State == "done" {
		v.Total = &j.Done
	}
	return v
}

// startRejudge re-judges the campaign's open leads under the version in
// force, in the background; the answer is where to follow it.
func (c *Campaigns) startRejudge(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	// Applying a version to every open lead is part of what both sides
	// sign (the mode), so starting it by hand takes both signatures' scopes.
	who, err := scopes.Authorize(req, scopes.CampaignsWrite, scopes.ApproveMarketing, scopes.ApproveSales)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	j, err := c.defs.Rejudge(ctx, who.Signer(), req.PathParameters["campaignId"], c.now())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp := edge.JSONResponse(http.StatusAccepted, jobView(j))
	resp.Headers["Location"] = "/v1/campaigns/" + j.Campaign + "/rejudge-jobs/" + j.ID
	return resp, nil
}

func (c *Campaigns) rejudgeJob(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.CampaignsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	j, err := c.store.Job(ctx, req.PathParameters["campaignId"], req.PathParameters["jobId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, jobView(j)), nil
}
