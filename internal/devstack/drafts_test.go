package devstack_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/backtest"
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
)

// signer calls the campaigns function as one person holding the given
// scopes, the way API Gateway hands it a verified token: the local server
// has one token that may do everything, and sign-off needs two people.
type signer struct {
	t      *testing.T
	h      httpapi.Handler
	email  string
	scopes []string
}

func (s signer) do(method, path, body string) events.APIGatewayV2HTTPResponse {
	s.t.Helper()
	ev := events.APIGatewayV2HTTPRequest{
		RouteKey: method + " " + routeOf(path), RawPath: path, Body: body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: map[string]string{},
	}
	parts := strings.Split(strings.Trim(path, "/"), "/") // v1 campaigns {id} drafts {draftId} approvals
	ev.PathParameters["campaignId"], ev.PathParameters["draftId"] = parts[2], parts[4]
	ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"sub": s.email, "email": s.email, "scope": strings.Join(s.scopes, " ")},
		},
	}
	resp, err := s.h(context.Background(), ev)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp
}

func routeOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	parts[2], parts[4] = "{campaignId}", "{draftId}"
	return "/" + strings.Join(parts, "/")
}

// TestDraftPreviewSignOffPublish follows a change to the demo page's
// definition from draft to published version: refused while invalid,
// compared, previewed against leads sales has already answered for (the
// expected figures worked out here by hand), signed by marketing (still a
// draft) and by sales (published, with both signatures and the figures
// they saw).
func TestDraftPreviewSignOffPublish(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}

	// Four demo requests. Under version 1 (companies from 51 people) the
	// first three are MQLs; the fourth, 1-50 people, is nurtured. Sales
	// accepts Ada's and Cy's and rejects Bo's.
	people := []struct{ email, employees, answer string }{
		{"ada@fleetworks.de", "51-200", `{"action":"accept"}`},
		{"bo@fleetworks.de", "51-200", `{"action":"reject","reason":"no-budget"}`},
		{"cy@logistik-nord.de", "201-1000", `{"action":"accept"}`},
		{"dee@kleinbetrieb.de", "1-50", ""},
	}
	for _, p := range people {
		form := jsonForm(map[string]any{"email": p.email, "firstName": "A", "lastName": "B", "company": "Fleetworks",
			"title": "CTO", "country": "DE", "employees": p.employees, "_ts": renderedAt()})
		if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
			t.Fatalf("%s: %d %s", p.email, r.status, r.body)
		}
	}
	for _, p := range people[:3] {
		id := lead.IDFor(p.email)
		eventually(t, p.email+" handed over", func() bool { return c.lead(id).Owner != "" })
		if r := c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(p.answer)); r.status != 200 {
			t.Fatalf("%s: %d %s", p.email, r.status, r.body)
		}
	}

	current := readExample(t, "demo-request")
	draftDoc := strings.Replace(string(current), "employees: {min: 51}", "employees: {min: 201}", 1)
	if draftDoc == string(current) {
		t.Fatal("the example changed: no employees minimum to edit")
	}

	// Invalid: every problem, and nothing stored.
	bad := strings.Replace(draftDoc, "channel: landing-page", "channel: radio", 1) + "approvers: {policy: anyone}\n"
	r := c.do("POST", "/v1/campaigns/demo-request/drafts", "application/yaml", []byte(bad))
	if r.status != 422 || !strings.Contains(string(r.body), `"channel"`) || !strings.Contains(string(r.body), `"approvers.policy"`) {
		t.Fatalf("invalid draft: %d %s", r.status, r.body)
	}
	var list struct{ Drafts []httpapi.DraftSummary }
	c.do("GET", "/v1/campaigns/demo-request/drafts", "", nil).json(t, &list)
	if len(list.Drafts) != 0 {
		t.Fatalf("an invalid draft was stored: %+v", list.Drafts)
	}

	// Valid: a draft, compared with version 1.
	r = c.do("POST", "/v1/campaigns/demo-request/drafts?mode=forward", "application/yaml", []byte(draftDoc))
	if r.status != 201 {
		t.Fatalf("draft: %d %s", r.status, r.body)
	}
	var dr httpapi.DraftView
	r.json(t, &dr)
	wantChange := []string{"Company size min 51 → 201"}
	if dr.ID != "d1" || dr.Revision != 1 || dr.BasedOn != 1 || dr.State != "awaiting marketing and sales" || !slices.Equal(summaries(dr.Changes), wantChange) {
		t.Fatalf("draft = %s %d on v%d, %q, changes %q", dr.ID, dr.Revision, dr.BasedOn, dr.State, summaries(dr.Changes))
	}
	if loc := r.header.Get("Location"); loc != "/v1/campaigns/demo-request/drafts/d1" {
		t.Errorf("Location = %q", loc)
	}
	// The same file proposed again is the same draft, not a second one.
	var again httpapi.DraftView
	r = c.do("POST", "/v1/campaigns/demo-request/drafts?mode=forward", "application/yaml", []byte(draftDoc))
	r.json(t, &again)
	if r.status != 200 || again.ID != "d1" {
		t.Errorf("the same proposal again: %d, draft %s", r.status, again.ID)
	}
	var diff httpapi.DraftDiffResponse
	c.do("GET", "/v1/campaigns/demo-request/drafts/d1/diff", "", nil).json(t, &diff)
	if diff.From != 1 || !slices.Equal(summaries(diff.Changes), wantChange) {
		t.Errorf("diff = %+v", diff)
	}

	// Preview. Worked out by hand: Ada and Bo (51-200) fall below 201 and
	// are nurtured under the draft; Cy stays an MQL; Dee stays nurtured.
	// Ada was accepted (lost), Bo rejected for no-budget (held back, the
	// draft agrees with sales), Cy accepted and still handed over.
	var rep backtest.Report
	r = c.do("GET", "/v1/campaigns/demo-request/drafts/d1/preview?days=30", "", nil)
	if r.status != 200 {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	r.json(t, &rep)
	ada, bo, cy := lead.IDFor(people[0].email), lead.IDFor(people[1].email), lead.IDFor(people[2].email)
	changed := map[string]string{}
	for _, ch := range rep.Changed {
		changed[ch.Lead] = string(ch.From) + ">" + string(ch.To) + " " + strings.Join(ch.Flipped, ",")
	}
	if _, ok := changed[cy]; ok {
		t.Errorf("Cy's stage changed: %s", changed[cy])
	}
	if rep.Leads != 4 || rep.Version != 1 || rep.Changes != 2 ||
		changed[ada] != "mql>nurture fit.employees: pass → fail" || changed[bo] != "mql>nurture fit.employees: pass → fail" {
		t.Errorf("preview: %d leads against v%d, %d changes %v", rep.Leads, rep.Version, rep.Changes, changed)
	}
	// Stages today: Ada, Bo and Cy are in sales' hands or rejected, but the
	// engine still judges them; Bo's rejection does not change his fit.
	if rep.CurrentStages[lead.StageMQL] != 3 || rep.DraftStages[lead.StageMQL] != 1 || rep.DraftStages[lead.StageNurture] != 3 {
		t.Errorf("stages: current %v draft %v", rep.CurrentStages, rep.DraftStages)
	}
	s := rep.Sales
	if s.Answered != 3 || s.Lost != 1 || !slices.Equal(s.LostLeads, []string{ada}) || s.HeldRejected != 1 || s.StillAccepted != 1 || s.KeptRejected != 0 {
		t.Errorf("sales: %+v", s)
	}
	// Leakage: decided leads are Bo only (accepted is not yet decided): 1
	// of 1 leaked under v1; the draft hands over none of the decided.
	if rep.Leakage.CurrentSample != 1 || *rep.Leakage.Current != 1 || rep.Leakage.DraftSample != 0 || rep.Leakage.Draft != nil ||
		rep.Leakage.Verdict != "not-enough-data" {
		t.Errorf("leakage: %+v", rep.Leakage)
	}
	csv := c.do("GET", "/v1/campaigns/demo-request/drafts/d1/preview?days=30", "", nil, "Accept", "text/csv")
	if lines := strings.Split(strings.TrimSpace(string(csv.body)), "\n"); csv.status != 200 || len(lines) != 3 || !strings.HasPrefix(lines[0], "lead_id,company,current_stage,draft_stage,flipped") {
		t.Errorf("preview CSV: %d %q", csv.status, csv.body)
	}

	// Sign-off: marketing first. Still a draft; the version stays 1.
	h := httpHandlers(t, sys)["CampaignsFunction"]
	maria := signer{t, h, "maria.lopez@leadgate.example", []string{scopes.CampaignsRead, scopes.ApproveMarketing}}
	daniel := signer{t, h, "daniel.osei@leadgate.example", []string{scopes.CampaignsRead, scopes.ApproveSales}}
	nobody := signer{t, h, "eve@leadgate.example", []string{scopes.CampaignsRead}}
	if resp := nobody.do("POST", "/v1/campaigns/demo-request/drafts/d1/approvals", `{"decision":"approve"}`); resp.StatusCode != 403 {
		t.Errorf("approval without an approval scope: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := maria.do("POST", "/v1/campaigns/demo-request/drafts/d1/approvals", `{"decision":"approve","side":"sales"}`); resp.StatusCode != 403 {
		t.Errorf("marketing signing for sales: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := maria.do("POST", "/v1/campaigns/demo-request/drafts/d1/approvals", `{"decision":"approve","revision":7}`); resp.StatusCode != 409 {
		t.Errorf("approving a revision not read: %d %s", resp.StatusCode, resp.Body)
	}
	resp := maria.do("POST", "/v1/campaigns/demo-request/drafts/d1/approvals", `{"decision":"approve","note":"fewer, better leads","revision":1}`)
	var signed httpapi.SignedResponse
	if err := json.Unmarshal([]byte(resp.Body), &signed); err != nil || resp.StatusCode != 200 {
		t.Fatalf("marketing approval: %d %s", resp.StatusCode, resp.Body)
	}
	if signed.Published != nil || signed.Draft.State != "approved by marketing, awaiting sales" || !slices.Equal(summaries(signed.Draft.Changes), wantChange) {
		t.Errorf("after marketing: published %v, state %q, changes %q", signed.Published, signed.Draft.State, summaries(signed.Draft.Changes))
	}
	var cur campaign.Published
	c.do("GET", "/v1/campaigns/demo-request", "", nil).json(t, &cur)
	if cur.Version != 1 {
		t.Fatalf("one approval published version %d", cur.Version)
	}

	// Sales: published as version 2, with both signatures and the figures.
	resp = daniel.do("POST", "/v1/campaigns/demo-request/drafts/d1/approvals", `{"decision":"approve"}`)
	if err := json.Unmarshal([]byte(resp.Body), &signed); err != nil || resp.StatusCode != 201 || signed.Published == nil {
		t.Fatalf("sales approval: %d %s", resp.StatusCode, resp.Body)
	}
	c.do("GET", "/v1/campaigns/demo-request", "", nil).json(t, &cur)
	if cur.Version != 2 || cur.Draft != "d1" || cur.Policy != campaign.PolicyBoth || cur.Mode != campaign.ModeForward ||
		cur.Definition.Fit.Employees.Min != 201 || cur.PublishedBy != daniel.email {
		t.Fatalf("published: v%d from %q policy %q mode %q by %q", cur.Version, cur.Draft, cur.Policy, cur.Mode, cur.PublishedBy)
	}
	var sides []string
	for _, a := range cur.Approvals {
		sides = append(sides, a.Side+" "+a.By)
		if a.Preview == nil || a.Preview.LostAccepted != 1 || a.Preview.StageChanges != 2 {
			t.Errorf("%s signed without the preview's figures: %+v", a.Side, a.Preview)
		}
	}
	if !slices.Equal(sides, []string{"marketing maria.lopez@leadgate.example", "sales daniel.osei@leadgate.example"}) {
		t.Errorf("approvals: %q", sides)
	}
	if r := c.do("GET", "/v1/campaigns/demo-request/drafts/d1", "", nil); r.status != 404 {
		t.Errorf("a published draft is still open: %d", r.status)
	}
	doc := c.do("GET", "/v1/campaigns/demo-request/definition", "", nil)
	if !strings.Contains(string(doc.body), "Agreed by maria.lopez@leadgate.example (marketing) and daniel.osei@leadgate.example (sales)") {
		t.Errorf("the document does not say who agreed:\n%s", doc.body)
	}

	// A replaced draft starts its approvals over; a draft whose campaign
	// moved on must be replaced before it can publish.
	second := strings.Replace(draftDoc, "threshold: 50", "threshold: 45", 1)
	c.do("POST", "/v1/campaigns/demo-request/drafts", "application/yaml", []byte(second)).json(t, &dr)
	if dr.ID != "d2" || dr.BasedOn != 2 {
		t.Fatalf("second draft: %s on v%d", dr.ID, dr.BasedOn)
	}
	maria.do("POST", "/v1/campaigns/demo-request/drafts/d2/approvals", `{"decision":"approve"}`)
	third := strings.Replace(second, "threshold: 45", "threshold: 40", 1)
	c.do("PUT", "/v1/campaigns/demo-request/drafts/d2", "application/yaml", []byte(third)).json(t, &dr)
	if dr.Revision != 2 || len(dr.Approvals) != 0 || dr.State != "awaiting marketing and sales" {
		t.Errorf("replaced: revision %d approvals %+v state %q", dr.Revision, dr.Approvals, dr.State)
	}
	if r := c.do("PUT", "/v1/campaigns/demo-request", "application/yaml", []byte(strings.Replace(draftDoc, "reviewBy: 2027-04-30", "reviewBy: 2027-04-29", 1))); r.status != 201 {
		t.Fatalf("one-step publish: %d %s", r.status, r.body)
	}
	maria.do("POST", "/v1/campaigns/demo-request/drafts/d2/approvals", `{"decision":"approve"}`)
	resp = daniel.do("POST", "/v1/campaigns/demo-request/drafts/d2/approvals", `{"decision":"approve"}`)
	if resp.StatusCode != 409 || !strings.Contains(resp.Body, "moved on to version 3") {
		t.Errorf("a stale draft: %d %s", resp.StatusCode, resp.Body)
	}
	if r := c.do("DELETE", "/v1/campaigns/demo-request/drafts/d2", "", nil); r.status != 204 {
		t.Errorf("discard: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/v1/campaigns/demo-request/drafts/d2", "", nil); r.status != 404 {
		t.Errorf("discarded draft: %d", r.status)
	}
}

func summaries(cs []campaign.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Summary)
	}
	return out
}
