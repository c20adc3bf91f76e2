package outbound_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/webhook/signing"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// mql is a lead the engine just made sales-ready.
func mql() *lead.Record {
	r := &lead.Record{
		Lead:  lead.Lead{ID: "ld_aaaaaaaaaaaaaaaaaaaaaaaa", Email: "dee@fleetworks.de", FirstName: "Dee", LastName: "Mo", Company: "Fleetworks", Country: "DE"},
		Stage: lead.StageNurture, Rev: 1, UpdatedAt: t0,
		Verdict: lead.Verdict{Score: 62, Campaign: "demo-request", Version: 3},
	}
	r.Move(lead.Transition{At: t0, To: lead.StageNurture, By: lead.ByEngine, Campaign: "demo-request", Version: 3})
	return r
}

// next is r after one more write: rev up, changed by f.
func next(r *lead.Record, f func(*lead.Record)) *lead.Record {
	n := *r
	n.History = slices.Clone(r.History)
	n.Rev++
	n.UpdatedAt = n.UpdatedAt.Add(time.Minute)
	f(&n)
	return &n
}

func types(evs []outbound.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestDerive(t *testing.T) {
	nurtured := mql()
	ready := next(nurtured, func(r *lead.Record) {
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageMQL, By: lead.ByEngine})
	})
	assigned := next(ready, func(r *lead.Record) {
		r.Owner = "emea-1"
		r.Remember(lead.Transition{At: r.UpdatedAt, From: lead.StageMQL, To: lead.StageMQL, By: lead.ByAssigner, Reason: "assigned to emea-1"})
	})
	due := assigned.UpdatedAt.Add(4 * time.Hour)
	reminded := next(assigned, func(r *lead.Record) {
		r.FollowUp = &lead.FollowUp{Owner: "emea-1", Since: r.UpdatedAt, DueAt: due, Reminded: true}
		r.Remember(lead.Transition{At: r.UpdatedAt, From: lead.StageMQL, To: lead.StageMQL, By: lead.BySLA, Reason: lead.ReasonSLAReminder, Owner: "emea-1"})
	})
	breached := next(reminded, func(r *lead.Record) {
		r.Owner = "emea-2"
		r.Remember(lead.Transition{At: r.UpdatedAt, From: lead.StageMQL, To: lead.StageMQL, By: lead.BySLA, Reason: lead.ReasonSLABreached, Note: "reassigned to emea-2"})
	})
	accepted := next(breached, func(r *lead.Record) {
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageSAL, By: "emea-2"})
	})
	recycled := next(accepted, func(r *lead.Record) {
		r.Owner = ""
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageNurture, By: "emea-2", Reason: "not-ready"})
	})
	reassigned := next(accepted, func(r *lead.Record) {
		r.Owner = "emea-3"
		r.Remember(lead.Transition{At: r.UpdatedAt, From: lead.StageSAL, To: lead.StageSAL, By: "maria", Reason: "reassigned from emea-2 to emea-3"})
	})
	// Two writes read as one record (a stream batch keeps only the last
	// image of each): both entries are new.
	twice := next(breached, func(r *lead.Record) {
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageSAL, By: "emea-2"})
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageNurture, By: "emea-2", Reason: "not-ready"})
	})
	// A full history lets the oldest entry go: the new one is still found
	// by its place in the whole history.
	full := mql()
	for len(full.History) < lead.MaxHistory {
		full.Remember(lead.Transition{At: t0, From: lead.StageNurture, To: lead.StageNurture, By: lead.ByEngine})
	}
	fullFeedback := next(full, func(r *lead.Record) {
		r.Stage = lead.StageSAL
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageNurture, By: "emea-1", Reason: "not-ready"})
	})
	erased := next(ready, func(r *lead.Record) { at := r.UpdatedAt; r.ErasedAt = &at })

	tests := []struct {
		name          string
		before, after *lead.Record
		want          []string
	}{
		{"a new lead judged nurture", nil, nurtured, nil},
		{"a new lead straight into mql", nil, ready, []string{outbound.LeadSalesReady}},
		{"nurture into mql", nurtured, ready, []string{outbound.LeadSalesReady}},
		{"assigned", ready, assigned, []string{outbound.LeadAssigned}},
		{"the same record again", assigned, assigned, nil},
		{"an SLA reminder", assigned, reminded, []string{outbound.LeadSLAReminder}},
		{"an SLA breach that reassigns", reminded, breached, []string{outbound.LeadAssigned, outbound.LeadSLABreached}},
		{"accepted by the rep", breached, accepted, []string{outbound.LeadFeedback}},
		{"recycled by the rep", accepted, recycled, []string{outbound.LeadFeedback, outbound.LeadRecycled}},
		{"reassigned by a manager", accepted, reassigned, []string{outbound.LeadAssigned}},
		{"two answers in one record", breached, twice, []string{outbound.LeadFeedback, outbound.LeadFeedback, outbound.LeadRecycled}},
		{"past the history's bound", full, fullFeedback, []string{outbound.LeadFeedback, outbound.LeadRecycled}},
		{"erased", ready, erased, nil},
		{"removed", ready, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := outbound.Derive(tt.before, tt.after)
			if !slices.Equal(types(got), tt.want) {
				t.Fatalf("events = %v, want %v", types(got), tt.want)
			}
			again := outbound.Derive(tt.before, tt.after)
			for i := range got {
				if got[i].ID != again[i].ID {
					t.Errorf("event %d: id %s, then %s: not the same for the same change", i, got[i].ID, again[i].ID)
				}
				if got[i].Subject != tt.after.ID || got[i].Schema != outbound.SchemaV1 {
					t.Errorf("event %d: subject %q schema %q", i, got[i].Subject, got[i].Schema)
				}
			}
		})
	}

	// Along one lead's life every occurrence has its own id: across
	// types, entries and revisions.
	life := []*lead.Record{nil, nurtured, ready, assigned, reminded, breached, accepted, recycled}
	ids := map[string]string{}
	for i := 1; i < len(life); i++ {
		for _, e := range outbound.Derive(life[i-1], life[i]) {
			if prev, ok := ids[e.ID]; ok {
				t.Errorf("%s and %s (rev %d) share id %s", prev, e.Type, life[i].Rev, e.ID)
			}
			ids[e.ID] = e.Type
		}
	}
	if len(ids) != 8 {
		t.Errorf("%d events along the life, want 8", len(ids))
	}
	// A reminder says whom to remind and by when.
	if tr := outbound.Derive(assigned, reminded)[0].Data.Transition; tr.Owner != "emea-1" || tr.DueAt == nil || !tr.DueAt.Equal(due) {
		t.Errorf("the reminder's entry: %+v", tr)
	}
	fb := outbound.Derive(full, fullFeedback)[0].Data.Transition
	if fb.Index != lead.MaxHistory || fb.By != "emea-1" || fb.From != lead.StageSAL {
		t.Errorf("the entry past the bound: %+v", fb)
	}
}

func TestTargets(t *testing.T) {
	deployed, local := outbound.Targets{}, outbound.Targets{AllowLocal: true}
	tests := []struct {
		url           string
		deployed, loc bool
	}{
		{"https://hooks.example.com/leadgate", true, true},
		{"https://hooks.example.com:8443/in?team=sales", true, true},
		{"http://hooks.example.com/leadgate", false, false},
		{"http://127.0.0.1:8080/hook", false, true},
		{"http://localhost:8080/hook", false, true},
		{"http://[::1]:8080/hook", false, true},
		{"https://127.0.0.1/hook", false, true},
		{"https://10.0.0.5/hook", false, false},
		{"https://192.168.1.1/hook", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://[fe80::1]/hook", false, false},
		{"https://100.64.0.1/hook", false, false},
		{"https://[::ffff:10.0.0.1]/hook", false, false},
		{"https://0.0.0.0/hook", false, false},
		{"https://intranet.localhost/hook", false, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"https://hooks.example.com/#frag", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"hooks.example.com/leadgate", false, false},
		{"https://hooks.example.com/" + strings.Repeat("a", outbound.MaxURL), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.url[:min(len(tt.url), 60)], func(t *testing.T) {
			if got := deployed.Check(tt.url) == ""; got != tt.deployed {
				t.Errorf("deployed: allowed %v, want %v (%s)", got, tt.deployed, deployed.Check(tt.url))
			}
			if got := local.Check(tt.url) == ""; got != tt.loc {
				t.Errorf("local: allowed %v, want %v (%s)", got, tt.loc, local.Check(tt.url))
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	s := &outbound.Subscription{
		ID: "Bad_ID", URL: "http://hooks.example.com/", Events: []string{"lead.sales_ready", "lead.won", "lead.sales_ready"},
		Format: "teams", Description: strings.Repeat("d", outbound.MaxDescription+1), Secret: "whsec_c2hvcnQ=",
	}
	err := s.Validate(outbound.Targets{})
	var e *leadgate.Error
	if !asError(err, &e) || e.Code != leadgate.EINVALID {
		t.Fatalf("err = %v", err)
	}
	var paths []string
	for _, p := range e.Problems {
		paths = append(paths, p.Path)
	}
	want := []string{"id", "url", "events[1]", "events[2]", "format", "description", "secret"}
	if !slices.Equal(paths, want) {
		t.Errorf("paths = %v, want %v", paths, want)
	}
	tooMany := &outbound.Subscription{ID: "ok", URL: "https://hooks.example.com/", Events: append(slices.Clone(outbound.EventTypes), "lead.feedback")}
	if err := tooMany.Validate(outbound.Targets{}); err == nil || !strings.Contains(err.(*leadgate.Error).Problems[0].Message, "at most") {
		t.Errorf("too many events: %v", err)
	}
	good := &outbound.Subscription{ID: "crm-sync", URL: "https://hooks.example.com/", Events: []string{outbound.LeadSalesReady}, Secret: outbound.NewSecret()}
	if err := good.Validate(outbound.Targets{}); err != nil || good.Format != outbound.FormatStandard {
		t.Errorf("a good subscription: %v, format %q", err, good.Format)
	}
}

func asError(err error, target **leadgate.Error) bool {
	e, ok := err.(*leadgate.Error)
	*target = e
	return ok
}

func TestRetryDoublesUpToAnHour(t *testing.T) {
	r := outbound.Retry{Base: 30 * time.Second, Window: 24 * time.Hour}
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {7, 32 * time.Minute}, {8, time.Hour}, {40, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			if got := r.After(tt.attempt); got != tt.want {
				t.Errorf("after attempt %d: %s, want %s", tt.attempt, got, tt.want)
			}
		})
	}
	// A day of retries is tens of tries, not thousands nor one.
	n, waited := 0, time.Duration(0)
	for waited < r.Window {
		n++
		waited += r.After(n)
	}
	if n < 20 || n > 40 {
		t.Errorf("%d tries in a day", n)
	}
}

// The example of the Standard Webhooks specification
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
// the headers leadgate sends carry the spec's signature for it.
func TestHeadersSignAsTheSpecSays(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		body   = `{"test": 2432232314}`
		sig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	at := time.Unix(1614265330, 0)
	h, err := outbound.Headers(secret, id, at, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("webhook-id") != id || h.Get("webhook-timestamp") != "1614265330" || h.Get("webhook-signature") != sig {
		t.Errorf("headers = %v", h)
	}
	// A fresh secret signs what a verifier accepts, and nothing else.
	fresh := outbound.NewSecret()
	if key, err := signing.SecretKey(fresh); err != nil || len(key) != 32 {
		t.Fatalf("secret %q: %v", fresh, err)
	}
	h, _ = outbound.Headers(fresh, "evt_1", t0, []byte(body))
	if err := signing.Verify([]string{fresh}, "evt_1", h.Get("webhook-timestamp"), h.Get("webhook-signature"), []byte(body), t0); err != nil {
		t.Errorf("own signature: %v", err)
	}
	if err := signing.Verify([]string{secret}, "evt_1", h.Get("webhook-timestamp"), h.Get("webhook-signature"), []byte(body), t0); err == nil {
		t.Error("verified under another secret")
	}
	if _, err := outbound.Headers("not-a-secret", id, at, nil); err == nil {
		t.Error("a secret without whsec_ signed")
	}
}

// Every event Derive makes, laid out in the standard format, is valid
// under schemas/webhook-event.v1.json; the Slack layout is {text, blocks}.
func TestPayloadsMatchTheSchema(t *testing.T) {
	b, err := os.ReadFile("../../schemas/webhook-event.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("webhook-event.v1.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("webhook-event.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	ready := next(mql(), func(r *lead.Record) { r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageMQL, By: lead.ByEngine}) })
	sal := next(ready, func(r *lead.Record) {
		r.Owner = "emea-1"
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageSAL, By: "emea-1", Note: "called"})
	})
	recycled := next(sal, func(r *lead.Record) {
		r.Owner = ""
		r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageNurture, By: "emea-1", Reason: "not-ready"})
	})
	sla := next(ready, func(r *lead.Record) {
		r.Remember(lead.Transition{At: r.UpdatedAt, From: lead.StageMQL, To: lead.StageMQL, By: lead.BySLA, Reason: lead.ReasonSLABreached, Note: "escalated"})
	})
	p := published(t)
	var evs []outbound.Event
	evs = append(evs, outbound.DefinitionEvents(p, p.PublishedAt.Add(time.Hour))...)
	evs = append(evs, outbound.DefinitionEvent(outbound.DefinitionReviewDue, p))
	evs = append(evs, outbound.Derive(nil, ready)...)
	evs = append(evs, outbound.Derive(ready, sal)...)
	evs = append(evs, outbound.Derive(sal, recycled)...)
	evs = append(evs, outbound.Derive(ready, sla)...)
	if got := types(evs); len(got) != 8 {
		t.Fatalf("events = %v", got)
	}
	for _, e := range evs {
		t.Run(e.Type, func(t *testing.T) {
			body, err := outbound.Body(outbound.FormatStandard, &e)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("%s\n%v", body, err)
			}
			slack, err := outbound.Body(outbound.FormatSlack, &e)
			if err != nil {
				t.Fatal(err)
			}
			var msg struct {
				Text   string            `json:"text"`
				Blocks []json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(slack, &msg); err != nil || msg.Text == "" || len(msg.Blocks) == 0 {
				t.Errorf("slack: %s (%v)", slack, err)
			}
		})
	}
	// The sample of events/, as the deliver function receives it.
	var sample struct {
		Records []struct {
			Body string `json:"body"`
		}
	}
	raw, err := os.ReadFile("../../events/webhook-event-message.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &sample); err != nil || len(sample.Records) != 1 {
		t.Fatalf("sample: %v", err)
	}
	if v, err := jsonschema.UnmarshalJSON(strings.NewReader(sample.Records[0].Body)); err != nil || schema.Validate(v) != nil {
		t.Errorf("events/webhook-event-message.json: %v %v", err, schema.Validate(v))
	}
	// The schema can fail.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"schema":"leadgate.webhook-event/v1","type":"lead.won"}`))
	if schema.Validate(bad) == nil {
		t.Error("a wrong event passed")
	}
	slack, _ := outbound.Body(outbound.FormatSlack, &evs[2])
	if !strings.Contains(string(slack), "New sales-ready lead: Dee Mo (Fleetworks), score 62, campaign demo-request.") {
		t.Errorf("slack text: %s", slack)
	}
}

func published(t *testing.T) *campaign.Published {
	t.Helper()
	d, err := authored.Parse([]byte("id: w\nname: Webinar\nchannel: webinar\nfunnel: middle\nowner: m@example.com\nsalesOwner: s@example.com\nreviewBy: 2027-03-01\n" +
		"engagement: {threshold: 10, points: {webinar-attended: 20}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &campaign.Published{Version: 4, Definition: d, PublishedAt: t0, PublishedBy: "maria.lopez@leadgate.example"}
}

func TestDefinitionEvents(t *testing.T) {
	p := published(t)
	due := time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC) // the review day has ended
	tests := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"just published", t0.Add(time.Minute), []string{outbound.DefinitionPublished}},
		{"published yesterday", t0.Add(30 * time.Hour), []string{outbound.DefinitionPublished}},
		{"published three days ago", t0.Add(72 * time.Hour), nil},
		{"the review day", due.Add(-time.Hour), nil},
		{"the review day has passed", due.Add(time.Hour), []string{outbound.DefinitionReviewDue}},
		{"two days overdue", due.Add(47 * time.Hour), []string{outbound.DefinitionReviewDue}},
		{"long overdue", due.Add(30 * 24 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := outbound.DefinitionEvents(p, tt.at)
			if !slices.Equal(types(got), tt.want) {
				t.Fatalf("events = %v, want %v", types(got), tt.want)
			}
			for _, e := range got {
				if e.ID != outbound.DefinitionEvent(e.Type, p).ID || e.Subject != "w" || e.Data.Campaign.Version != 4 {
					t.Errorf("%+v", e)
				}
			}
		})
	}
	next := *p
	next.Version = 5
	if outbound.DefinitionEvent(outbound.DefinitionReviewDue, p).ID == outbound.DefinitionEvent(outbound.DefinitionReviewDue, &next).ID {
		t.Error("two versions' reviews share an id")
	}
}
