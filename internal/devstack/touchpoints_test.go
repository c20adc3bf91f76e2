package devstack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/touchpoint"
	"github.com/leadgate/leadgate/internal/wiring"
)

func (c client) touchPoints(items ...map[string]any) (response, touchpoint.Answer) {
	c.t.Helper()
	b, err := json.Marshal(map[string]any{"touchPoints": items})
	if err != nil {
		c.t.Fatal(err)
	}
	r := c.do("POST", "/v1/touch-points", "application/json", b)
	var ans touchpoint.Answer
	if r.status == 200 {
		r.json(c.t, &ans)
	}
	return r, ans
}

func outcomes(ans touchpoint.Answer) string {
	var out []string
	for _, r := range ans.Results {
		out = append(out, r.Outcome)
	}
	return strings.Join(out, " ")
}

// TestTouchPointBatches: every type in one batch, the same batch again, and
// a batch with bad items among good ones.
func TestTouchPointBatches(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	var every []map[string]any
	for i, typ := range lead.TouchPointTypes {
		item := map[string]any{"id": fmt.Sprint("evt-", i), "type": typ, "email": "Tia.Types@Fleetworks.co", "campaign": "cloud-cost-whitepaper", "at": at, "source": "crm"}
		if typ == lead.TouchTelesalesCall {
			item["detail"] = map[string]string{"outcome": "connected", "notes": "Asked for pricing"}
		}
		every = append(every, item)
	}
	every[0]["fields"] = map[string]string{"first_name": "Tia", "company": "Fleetworks", "job title": "CFO"}
	r, ans := c.touchPoints(every...)
	if r.status != 200 || ans.Counts[touchpoint.Recorded] != len(every) {
		t.Fatalf("every type: %d %s", r.status, r.body)
	}
	v := c.lead(lead.IDFor("tia.types@fleetworks.co"))
	if len(v.Touches) != len(every) || v.Title != "CFO" || v.Provenance["title"].Source != lead.SourceAPI || v.Verdict.Campaign != "cloud-cost-whitepaper" {
		t.Errorf("lead: %d touches, title %q (%+v), judged by %s", len(v.Touches), v.Title, v.Provenance["title"], v.Verdict.Campaign)
	}
	for _, tp := range v.Touches {
		if tp.Type == lead.TouchTelesalesCall && (tp.Outcome != "connected" || tp.Detail["notes"] != "Asked for pricing" || tp.System != "crm") {
			t.Errorf("the call: %+v", tp)
		}
	}
	if ans.Results[0].Campaign != "cloud-cost-whitepaper" || ans.Results[0].Version != 1 || ans.Results[0].LeadID != v.ID {
		t.Errorf("result names no definition: %+v", ans.Results[0])
	}

	r, again := c.touchPoints(every...)
	if r.status != 200 || again.Counts[touchpoint.Duplicate] != len(every) {
		t.Errorf("the same batch again: %s", outcomes(again))
	}
	if v := c.lead(lead.IDFor("tia.types@fleetworks.co")); len(v.Touches) != len(every) {
		t.Errorf("the repeat added touch points: %d", len(v.Touches))
	}

	mixed := []map[string]any{
		{"id": "m1", "type": "email-click", "leadId": v.ID, "at": at},                      // no campaign: the lead's own
		{"id": "m2", "type": "smoke-signal", "email": "tia.types@fleetworks.co", "at": at}, // unknown type
		{"id": "m3", "type": "email-click", "email": "tia.types@fleetworks.co", "at": "yesterday"},
		{"type": "email-click", "email": "tia.types@fleetworks.co", "at": at}, // no id
		{"id": "m5", "type": "email-click", "leadId": lead.IDFor("nobody@x.co"), "at": at},
		{"id": "m6", "type": "email-click", "email": "new.person@x.co", "at": at}, // new, no campaign
		{"id": "m7", "type": "telesales-call", "email": "tia.types@fleetworks.co", "at": at, "detail": map[string]string{"outcome": "shouted"}},
		{"id": "m8", "type": "email-click", "email": "tia.types@fleetworks.co", "at": at, "fields": map[string]string{"isAdmin": "true"}},
		{"id": "m9", "type": "email-click", "email": "tia.types@fleetworks.co", "at": at, "surprise": 1},
		{"id": "m10", "type": "email-click", "email": "tia.types@fleetworks.co", "campaign": "no-such-campaign", "at": at},
		{"id": "m11", "type": "content-download", "email": "tia.types@fleetworks.co", "campaign": "cloud-cost-whitepaper", "at": at},
	}
	r, ans = c.touchPoints(mixed...)
	want := "recorded rejected rejected rejected unknown-lead rejected rejected rejected rejected rejected recorded"
	if r.status != 200 || outcomes(ans) != want {
		t.Fatalf("mixed batch: %d\n got %s\nwant %s\n%s", r.status, outcomes(ans), want, r.body)
	}
	if ans.Counts[touchpoint.Recorded] != 2 || ans.Counts[touchpoint.Rejected] != 8 || ans.Counts[touchpoint.UnknownLead] != 1 {
		t.Errorf("counts = %v", ans.Counts)
	}
	for _, res := range ans.Results {
		if res.Outcome == touchpoint.Rejected && res.Reason == "" {
			t.Errorf("item %d rejected without a reason", res.Index)
		}
	}

	// Refused as a whole: too many items, no token, the wrong scope.
	var many []map[string]any
	for i := range touchpoint.MaxItems + 1 {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "type": "email-open", "email": "a@b.co", "at": at})
	}
	if r, _ := c.touchPoints(many...); r.status != 422 {
		t.Errorf("%d items: %d", len(many), r.status)
	}
	if r, _ := (client{t, sys.URL, ""}).touchPoints(mixed[0]); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

// TestTouchPointsMoveLeads: a telesales call that books a meeting lifts a
// nurtured lead to MQL and it reaches sales; a webinar registered for and
// missed does not score as one attended.
func TestTouchPointsMoveLeads(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	if r := public.do("POST", submissions, "application/json", jsonForm(ana())); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("ana.silva@acme-health.com")
	if v := c.lead(id); v.Stage != lead.StageNurture {
		t.Fatalf("before the call: %s", v.Stage)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	r, ans := c.touchPoints(map[string]any{"id": "call-1", "type": "telesales-call", "leadId": id, "at": now, "source": "dialer",
		"detail": map[string]string{"outcome": "meeting-booked", "notes": "Demo on Tuesday"}})
	if r.status != 200 || ans.Counts[touchpoint.Recorded] != 1 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	v := c.lead(id)
	if v.Stage != lead.StageMQL || v.Verdict.Score < 60 {
		t.Fatalf("after the call: %s, score %v; reasons %q", v.Stage, v.Verdict.Score, v.Reasons)
	}
	eventually(t, "the lead reaching sales", func() bool { return c.lead(id).Owner != "" })

	// Registered, then missed: 10 points, not the 20 of attending.
	items := []map[string]any{
		{"id": "reg-1", "type": "webinar-registered", "email": "nora.noshow@fleetworks.co", "campaign": "cloud-cost-whitepaper", "at": now},
		{"id": "miss-1", "type": "webinar-missed", "email": "nora.noshow@fleetworks.co", "campaign": "cloud-cost-whitepaper", "at": now},
	}
	if r, ans := c.touchPoints(items...); r.status != 200 || ans.Counts[touchpoint.Recorded] != 2 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if v := c.lead(lead.IDFor("nora.noshow@fleetworks.co")); v.Verdict.Score != 10 {
		t.Errorf("registered and missed scored %v", v.Verdict.Score)
	}
}

// TestTouchPointSampleEvent feeds events/touch-points-batch.json to the
// function's handler as Lambda would: a call, a click and a registration.
func TestTouchPointSampleEvent(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	if r := public.do("POST", submissions, "application/json", jsonForm(ana())); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	env := map[string]string{"CAMPAIGNS_TABLE": sys.Resources.Tables["CampaignsTable"], "LEADS_TABLE": sys.Resources.Tables["LeadsTable"]}
	h, err := wiring.BadgeScans(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp := invokeSample(t, h, "touch-points-batch.json")
	var ans touchpoint.Answer
	if err := json.Unmarshal([]byte(resp.Body), &ans); err != nil || resp.StatusCode != 200 || ans.Counts[touchpoint.Recorded] != 3 {
		t.Errorf("%d %s", resp.StatusCode, resp.Body)
	}
}
