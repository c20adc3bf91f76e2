package console_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// nasty holds every character an escaper in play touches, in text, in
// attributes and in URLs: markup, both quotes, & and +, NUL, an invalid
// UTF-8 byte, non-ASCII, a scheme, percent escapes valid and not, URL
// delimiters, spaces and control characters.
const nasty = "<script>alert('x')</script> & \"q\" + \x00 \xff é — 😀 javascript:x %41 %zz %4 ?a=b&c#f /p\\q ( ) * ! $ , ; : @ [ ] ~ ` ^ { | } \t\r\n\x7f"

var (
	now  = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	long = strings.Repeat("a long text <b>& \"+' ", 400)
)

func ptr[T any](v T) *T { return &v }

// TestRenderMatchesTemplates renders every page both ways, by hand and by
// the templates it replaced, with data taking every branch and values
// holding what the escapers touch, and wants the same bytes; and where
// the templates failed (a nil the page needs, data for another page), an
// error from both.
func TestRenderMatchesTemplates(t *testing.T) {
	pages := templatePages()
	for _, tt := range renderCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			var got, want bytes.Buffer
			err := console.Render(&got, tt.page, tt.view)
			wantErr := templateRender(pages, &want, tt.page, tt.view)
			switch {
			case err != nil || wantErr != nil:
				if err == nil || wantErr == nil {
					t.Fatalf("Render: %v, the templates: %v", err, wantErr)
				}
				if got.Len() != 0 {
					t.Errorf("Render failed (%v) but wrote %d bytes", err, got.Len())
				}
			case got.String() != want.String():
				t.Errorf("Render differs from the templates %s", firstDifference(got.String(), want.String()))
			case got.Len() == 0:
				t.Error("both rendered nothing")
			}
		})
	}
}

// firstDifference shows where two pages part, with some of what comes
// before.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-200, 0)
	return fmt.Sprintf("at byte %d:\n got: …%q\nwant: …%q", i, got[from:min(len(got), i+200)], want[from:min(len(want), i+200)])
}

type renderCase struct {
	name string
	page string
	view console.View
}

// viewers are the people pages are rendered for, from no one signed in to
// one who may do everything.
var viewers = map[string]console.Viewer{
	"nobody":    {},
	"reader":    {Name: "Rita Reader", CSRF: "tok-1"},
	"leads":     {Name: "Lee", CSRF: "tok-2", LeadsRead: true},
	"marketing": {Name: "maria@example.com", CSRF: "tok-3", LeadsRead: true, Sides: []string{campaign.SideMarketing}},
	"operator":  {Name: "Ops", CSRF: "tok+4/=", LeadsRead: true, Manager: true, Sides: []string{campaign.SideMarketing, campaign.SideSales}},
	"nasty":     {Name: nasty, CSRF: nasty, LeadsRead: true, Manager: true, Sides: []string{nasty, "sales", ""}},
}

func renderCases(t *testing.T) []renderCase {
	var cases []renderCase
	add := func(name, page string, v console.View) {
		cases = append(cases, renderCase{name: page + "/" + name, page: page, view: v})
	}
	for who, viewer := range viewers {
		add("layout as "+who, console.PageLogin, console.View{Title: "Sign in", Viewer: viewer, Page: console.LoginPage{}})
		add("layout with flash as "+who, console.PageError, console.View{Title: nasty, Viewer: viewer, Flash: nasty, Page: console.ErrorPage{Heading: "h", Back: "/console"}})
	}

	// Sign-in.
	roles := []console.Role{{ID: "operator", Label: "Operator (every scope)"}, {ID: nasty, Label: nasty}}
	add("local", console.PageLogin, console.View{Title: "Sign in", Page: console.LoginPage{Local: true, LoginID: "login-1", Next: "/console/leads?q=a+b", Roles: roles}})
	add("local with an error", console.PageLogin, console.View{Title: "Sign in", Page: console.LoginPage{Local: true, LoginID: nasty, Next: nasty, Roles: roles, Error: nasty}})
	add("local without roles", console.PageLogin, console.View{Title: "Sign in", Page: &console.LoginPage{Local: true}})
	add("signed out", console.PageLogin, console.View{Title: "Sign in", Flash: "You are signed out.", Page: console.LoginPage{}})
	for _, next := range []string{"/console", "/console/campaigns/demo-request?from=2026-11-01&to=2026-12-01#funnel", nasty, long, "/é/%e9/ü?x=1+1"} {
		add("provider, next "+next[:min(len(next), 20)], console.PageLogin, console.View{Title: "Sign in", Page: console.LoginPage{Next: next, Error: "The sign-in expired."}})
	}

	// Errors: Back is a whole URL, and html/template filters its scheme.
	for _, back := range []string{"/console", "", "/console/campaigns/demo-request", "javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "data:text/html,<b>",
		"http://example.com/a b", "HTTPS://example.com/?q='\"<>", "mailto:a@example.com", "tel:+1", "/a:b", "a/b:c", "//example.com", "?x=1&y=2+3", "#frag", nasty, long} {
		add("back "+back[:min(len(back), 20)], console.PageError, console.View{Title: "Not found", Viewer: viewers["operator"],
			Page: console.ErrorPage{Heading: "Not found", Message: "No campaign " + back, Back: back}})
	}
	add("problems", console.PageError, console.View{Title: "Invalid", Page: console.ErrorPage{Heading: nasty, Message: long,
		Problems: []leadgate.Problem{{Path: "q", Message: "at most 200 characters"}, {Path: nasty, Message: nasty}, {}}, Back: "/console/leads"}})
	add("no problems", console.PageError, console.View{Title: "Invalid", Page: &console.ErrorPage{Heading: "x", Problems: []leadgate.Problem{}}})

	// The campaign list.
	period := funnel.Period{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 23, 0, 0, 0, time.FixedZone("x", 5*3600))}
	rows := []console.CampaignRow{
		{ID: "demo-request", Name: "Book a demo", Channel: "landing-page", Funnel: "bottom", Version: 3, ReviewBy: "2027-04-30", Verdict: "within", Advice: "fine", Leakage: console.Rate{Num: 3, Den: 10}, MQLs: 10, Drafts: 2},
		{ID: "booth", Name: "Booth", Channel: "event", Funnel: "top", Version: 1, ReviewBy: "2026-01-01", Overdue: true, Verdict: "too-high", Leakage: console.Rate{Num: 1, Den: 1}, MQLs: 1},
		{ID: nasty, Name: nasty, Channel: nasty, Funnel: nasty, Version: -1, ReviewBy: nasty, Overdue: true, Verdict: nasty, Advice: nasty, MQLs: 0, Drafts: -2},
		{ID: "low", Name: long, Verdict: "too-low"},
		{},
	}
	for _, who := range []string{"reader", "leads"} {
		add("rows as "+who, console.PageCampaigns, console.View{Title: "Campaigns", Viewer: viewers[who], Page: console.CampaignsPage{Period: period, Rows: rows}})
	}
	add("none", console.PageCampaigns, console.View{Title: "Campaigns", Viewer: viewers["leads"], Page: &console.CampaignsPage{Period: period}})
	add("empty list", console.PageCampaigns, console.View{Title: "Campaigns", Page: console.CampaignsPage{Rows: []console.CampaignRow{}}})

	// A campaign.
	for name, p := range campaignPages(t) {
		for _, who := range []string{"reader", "leads", "marketing", "operator", "nasty"} {
			add(name+" as "+who, console.PageCampaign, console.View{Title: "Campaign", Viewer: viewers[who], Flash: "Approved.", Now: now, Page: p})
		}
	}

	// The lead lookup.
	found := []*lead.Record{
		{Lead: lead.Lead{ID: "ld_1", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Company: "Engines"}, Stage: lead.StageMQL, Owner: "rep-1", Verdict: lead.Verdict{Campaign: "demo-request"}},
		{Lead: lead.Lead{ID: "ld_2", Email: "x@example.com"}, Stage: lead.StageNurture},
		{Lead: lead.Lead{ID: nasty, Email: nasty, FirstName: nasty, LastName: "", Company: nasty}, Stage: lead.Stage(nasty), Owner: nasty, Verdict: lead.Verdict{Campaign: nasty}},
		{Lead: lead.Lead{FirstName: " ", LastName: " "}},
	}
	add("nothing asked", console.PageLookup, console.View{Title: "Lead lookup", Viewer: viewers["leads"], Page: &console.LookupPage{}})
	add("nothing asked, leads anyway", console.PageLookup, console.View{Title: "Lead lookup", Viewer: viewers["leads"], Page: &console.LookupPage{Leads: found}})
	add("nothing found", console.PageLookup, console.View{Title: "Lead lookup", Viewer: viewers["leads"], Page: &console.LookupPage{Query: nasty}})
	add("found", console.PageLookup, console.View{Title: "Lead lookup", Viewer: viewers["leads"], Page: &console.LookupPage{Query: "ada", Leads: found}})
	add("found, capped", console.PageLookup, console.View{Title: "Lead lookup", Viewer: viewers["nasty"], Page: console.LookupPage{Query: long, Leads: found, Capped: true}})

	// A lead.
	for name, p := range leadPages() {
		for _, who := range []string{"leads", "operator", "nasty"} {
			add(name+" as "+who, console.PageLead, console.View{Title: "Lead", Viewer: viewers[who], Flash: "Reassigned.", Now: now, Page: p})
		}
	}

	// The sales queue.
	for name, p := range queuePages() {
		for _, who := range []string{"leads", "operator", "nasty"} {
			add(name+" as "+who, console.PageQueue, console.View{Title: "Sales queue", Viewer: viewers[who], Now: now, Page: p})
		}
	}

	// What the templates failed on.
	add("nil page", console.PageLead, console.View{Title: "x"})
	add("nil pointer page", console.PageLead, console.View{Title: "x", Page: (*console.LeadPage)(nil)})
	add("no lead", console.PageLead, console.View{Title: "x", Page: &console.LeadPage{}})
	add("another page's data", console.PageCampaigns, console.View{Title: "x", Page: console.LoginPage{}})
	add("no definition", console.PageCampaign, console.View{Title: "x", Page: &console.CampaignPage{}})
	add("no definition in the version", console.PageCampaign, console.View{Title: "x", Page: &console.CampaignPage{Current: &campaign.Published{Version: 1}}})
	add("a nil version", console.PageCampaign, console.View{Title: "x", Viewer: viewers["leads"], Page: &console.CampaignPage{Current: published(t, 1), Versions: []*campaign.Published{published(t, 1), nil}}})
	add("a nil draft", console.PageCampaign, console.View{Title: "x", Page: &console.CampaignPage{Current: published(t, 1), Drafts: []console.DraftView{{}}}})
	add("a nil lead found", console.PageLookup, console.View{Title: "x", Page: &console.LookupPage{Query: "a", Leads: []*lead.Record{found[0], nil}}})
	add("a nil lead waiting", console.PageQueue, console.View{Title: "x", Page: &console.QueuePage{Waiting: []*lead.Record{nil}}})
	add("a nil clock", console.PageQueue, console.View{Title: "x", Page: &console.QueuePage{ByRep: []console.RepQueue{{Rep: "r", Leads: []console.ClockedLead{{Lead: found[0]}}}}}})
	add("no such page", "nope", console.View{Title: "x", Page: console.LoginPage{}})
	return cases
}

// published is the demo-request campaign's version v, as published.
func published(t *testing.T, v int) *campaign.Published {
	t.Helper()
	doc, err := os.ReadFile("../../campaigns/demo-request.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := authored.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &campaign.Published{Version: v, PublishedAt: now.Add(-time.Duration(10-v) * 24 * time.Hour), PublishedBy: "maria@example.com", Definition: d, Mode: campaign.ModeForward,
		Approvals: []campaign.Approval{{Side: campaign.SideMarketing, Decision: "approve", By: "maria", At: now}}}
}

func campaignPages(t *testing.T) map[string]*console.CampaignPage {
	cur := published(t, 3)
	versions := []*campaign.Published{cur, published(t, 2), published(t, 1)}
	versions[1].Mode = campaign.ModeRejudge
	versions[2].PublishedBy = nasty

	hostile := published(t, 7)
	d := *hostile.Definition
	d.ID, d.Name, d.Channel, d.Funnel, d.Owner = nasty, nasty, nasty, nasty, nasty
	hostile.Definition, hostile.PublishedBy = &d, nasty

	numbers := funnel.Numbers{
		Entered:    map[string]int{"suspect": 40, "nurture": 20, "mql": 12, "sal": 8, "sql": 5},
		People:     map[string]int{"suspect": 38, "nurture": 19, "mql": 11, "sal": 8, "sql": 4},
		Leakage:    ptr(7.0 / 12),
		Rejections: map[string]int{"not-a-fit": 2},
		SpeedToLead: funnel.Speed{
			ToOwner:  funnel.Spread{N: 12, P50: ptr(90.5), P90: ptr(7260.0)},
			ToAccept: funnel.Spread{N: 8, P50: ptr(86400.0)},
		},
	}
	full := console.FunnelView{
		Report:  funnel.Report{Campaign: "demo-request", Total: numbers, Bounds: &campaign.Leakage{Min: 0.2, Max: 0.5}, Verdict: "too-high", Advice: "Leakage above the agreed band: " + nasty},
		Numbers: numbers,
		Stages:  []console.StageRow{{Stage: "suspect", Entered: 40, People: 38}, {Stage: "mql", Entered: 12, People: 11}, {Stage: nasty}},
		Rates:   []console.RateRow{{Label: "suspect → mql", Rate: console.Rate{Num: 12, Den: 40}}, {Label: "MQL → SQL leakage", Rate: console.Rate{Num: 7, Den: 12}}, {Label: nasty, Rate: console.Rate{Num: 1, Den: 2}}, {Label: "SLA met"}},
		Reasons: []console.ReasonRow{{Kind: "rejected", Code: "not-a-fit", N: 2}, {Kind: "recycled", Code: nasty, N: 1}},
	}
	changes := []campaign.Change{{Rule: "fit.employees", Summary: "Company size: at least 51 → at least 201"}, {Summary: nasty}}
	draft := func(id string, rev int, by string, approvals []campaign.Approval, preview *campaign.Figures) *campaign.Draft {
		return &campaign.Draft{ID: id, Campaign: "demo-request", Revision: rev, BasedOn: 3, Mode: campaign.ModeRejudge, CreatedBy: "maria", CreatedAt: now.Add(-48 * time.Hour),
			UpdatedBy: by, UpdatedAt: now, Approvals: approvals, Preview: preview}
	}
	drafts := []console.DraftView{
		{Draft: draft("dr_1", 2, "daniel", []campaign.Approval{
			{Side: "marketing", Decision: "approve", By: "maria", At: now.Add(-time.Hour), Note: "Fine by marketing & co."},
			{Side: "sales", Decision: "reject", By: nasty, At: now, Note: nasty},
			{Side: "sales", Decision: "approve", By: "daniel", At: time.Date(2026, 12, 1, 23, 59, 0, 0, time.FixedZone("y", -8*3600))},
		}, &campaign.Figures{At: now, Days: 30, Leads: 120, CurrentMQLs: 12, DraftMQLs: 9, StageChanges: 4, LostAccepted: 1, KeptRejected: 2, Leakage: ptr(0.345), Sample: 9, LeakageVerdict: "within"}),
			State: "waiting for sales", Policy: "both", Changes: changes, Waiting: []string{"sales"}},
		{Draft: draft("dr_2", 1, "maria", nil, &campaign.Figures{Days: 7, Sample: 4, LeakageVerdict: nasty}), State: nasty, Policy: nasty},
		{Draft: draft(nasty, 0, nasty, []campaign.Approval{}, nil), State: "draft", Changes: []campaign.Change{}},
	}
	return map[string]*console.CampaignPage{
		"everything": {Current: cur, Versions: versions, Overdue: true, Funnel: full, Drafts: drafts,
			Query: console.CampaignQuery{Period: funnel.Period{From: now.AddDate(0, -1, 0), To: now}, Version: 2, DiffFrom: 1, DiffTo: 3},
			Diff:  &console.VersionDiff{From: 1, To: 3, Changes: changes}},
		"first version": {Current: published(t, 1), Versions: []*campaign.Published{published(t, 1)},
			Diff: &console.VersionDiff{From: 1, To: 1}},
		"empty funnel, unchosen versions": {Current: cur, Versions: versions, Query: console.CampaignQuery{Version: 9, DiffFrom: 3}},
		"hostile": {Current: hostile, Versions: []*campaign.Published{hostile, cur}, Funnel: full, Drafts: drafts[1:], Overdue: true,
			Diff: &console.VersionDiff{From: -1, To: 0, Changes: []campaign.Change{}}},
	}
}

func leadPages() map[string]*console.LeadPage {
	at := now.Add(-3 * time.Hour)
	full := &lead.Record{
		Lead:  lead.Lead{ID: "ld_ada", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines", Title: "CTO", Country: "GB"},
		Stage: lead.StageSQL, Owner: "rep-1", AssignedAt: &at,
		FollowUp: &lead.FollowUp{Owner: "rep-1", Since: at, DueAt: now.Add(time.Hour), RemindAt: &at, Reminded: true, Missed: []string{"rep-0", nasty}},
		Provenance: map[string]lead.Provenance{
			"title": {Source: lead.SourceBadgeScan, At: at}, "company": {Source: lead.SourceForm, At: at}, nasty: {Source: lead.Source(nasty), At: now}, "country": {},
		},
		Touches: []lead.TouchPoint{
			{ID: "t1", Type: "demo-request", At: at, Source: lead.SourceForm, Campaign: "demo-request", Version: 3},
			{ID: "t2", Type: "telesales-call", At: now, Outcome: "connected", Rating: 4, Source: lead.SourceAPI, System: "crm", Detail: map[string]string{"notes": nasty, "agent": "Bo"}, DoubtfulTime: true},
			{ID: "t3", Type: nasty, At: at, Outcome: nasty, Rating: -1, Source: lead.SourceVisitor, System: nasty, Campaign: nasty, Detail: map[string]string{}},
			{ID: "t4", Type: "email-open", At: at.Add(-time.Hour), Source: lead.SourceBadgeScan},
			{ID: "t5", Type: "webinar-attended"},
		},
		History: []lead.Transition{
			{At: at, To: lead.StageMQL, By: "engine", Reason: "score 72 ≥ 50"},
			{At: now, From: lead.StageMQL, To: lead.StageSQL, By: "rep-1", Reason: nasty, Owner: "rep-1", Note: nasty},
		},
		HistoryDropped: 12,
		Verdict: lead.Verdict{Stage: lead.StageMQL, Grade: lead.GradeA, Score: 72.25, Campaign: "demo-request", Version: 3, Geography: "EMEA", At: at,
			Criteria: []lead.Criterion{
				{Rule: "fit.employees", Group: lead.GroupFit, Outcome: lead.Pass, Saw: "201-1000", Want: "at least 51"},
				{Rule: "fit.title", Group: lead.GroupFit, Outcome: lead.Fail, Saw: nasty, Want: nasty},
				{Rule: "engagement", Group: lead.GroupEngagement, Outcome: lead.Unknown, Measure: 72.5, Want: "≥ 50"},
			}},
	}
	bare := &lead.Record{Lead: lead.Lead{ID: "ld_bare", Email: "x@example.com"}, Stage: lead.StageSuspect,
		History: []lead.Transition{{At: now, To: lead.StageSuspect, By: "engine"}}, Verdict: lead.Verdict{Score: math.Inf(1)}}
	hostile := &lead.Record{
		Lead:  lead.Lead{ID: nasty, Email: nasty, FirstName: nasty, LastName: long, Company: nasty, Title: nasty, Country: nasty},
		Stage: lead.Stage(nasty), Owner: nasty, FollowUp: &lead.FollowUp{Missed: []string{}},
		Verdict: lead.Verdict{Grade: lead.Grade('<'), Score: math.NaN(), Campaign: nasty, Geography: nasty, Version: -3},
	}
	reps := []sales.Rep{{ID: "rep-1", Name: "Bo Rep"}, {ID: nasty, Name: nasty}}
	return map[string]*console.LeadPage{
		"full": {Lead: full, Reasons: []string{"title is CTO", nasty}, Clock: full.FollowUp, Reps: reps},
		"late": {Lead: full, Clock: &lead.FollowUp{DueAt: at}, Late: true, Reps: []sales.Rep{}},
		"bare": {Lead: bare},
		"hostile": {Lead: hostile, Reasons: []string{}, Clock: &lead.FollowUp{Owner: nasty}, Reps: reps,
			Late: true},
		"no name": {Lead: &lead.Record{Lead: lead.Lead{ID: "ld_x", FirstName: " ", LastName: ""}}, Reps: reps},
	}
}

func queuePages() map[string]*console.QueuePage {
	at := now.Add(-26 * time.Hour)
	waiting := []*lead.Record{
		{Lead: lead.Lead{ID: "ld_1", Email: "a@example.com", FirstName: "Ann", Company: "Acme", Country: "DE"}, AssignedAt: &at, Verdict: lead.Verdict{Campaign: "demo-request"}},
		{Lead: lead.Lead{ID: "ld_2", Email: "b@example.com"}},
		{Lead: lead.Lead{ID: nasty, Email: nasty, LastName: nasty, Company: nasty, Country: nasty}, Verdict: lead.Verdict{Campaign: nasty}},
	}
	byRep := []console.RepQueue{
		{Rep: "rep-1", Leads: []console.ClockedLead{
			{Lead: waiting[0], Clock: &lead.FollowUp{DueAt: now.Add(-time.Minute), Reminded: true}, Late: true},
			{Lead: waiting[1], Clock: &lead.FollowUp{DueAt: now.Add(30 * time.Minute)}},
		}},
		{Rep: nasty, Leads: []console.ClockedLead{{Lead: waiting[2], Clock: &lead.FollowUp{Reminded: true}}}},
		{Rep: "rep-3"},
	}
	reps := []sales.Rep{{ID: "rep-1", Name: "Bo"}, {ID: nasty, Name: nasty}}
	return map[string]*console.QueuePage{
		"busy":    {Fallback: "unassigned", Waiting: waiting, MoreWaiting: true, ByRep: byRep, Reps: reps, Now: now},
		"calm":    {Fallback: nasty, Waiting: waiting[:1], ByRep: byRep[:1], Now: now},
		"empty":   {Fallback: "unassigned", Waiting: []*lead.Record{}, ByRep: []console.RepQueue{}, Reps: reps},
		"no reps": {Waiting: waiting, ByRep: byRep},
	}
}
