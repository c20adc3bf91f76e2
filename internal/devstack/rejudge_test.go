package devstack_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
)

// TestPublishForwardOrRejudge: a version published forward leaves the
// leads already judged alone; one published in mode rejudge re-judges the
// campaign's open leads in the background, and a nurtured lead it lifts to
// MQL reaches sales through the stream, the router and the assigner. A
// lead judged into the stage it has is not written, so a second job
// changes nothing.
func TestPublishForwardOrRejudge(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}

	// Nell fits every criterion of the whitepaper but has 15 points of the
	// 40 the threshold asks: nurtured. Otto's company is too small: nurtured
	// whatever the threshold.
	at := time.Now().UTC().Format(time.RFC3339)
	person := func(email, employees string) map[string]any {
		return map[string]any{"id": "dl-" + email, "type": "content-download", "email": email, "campaign": "cloud-cost-whitepaper", "at": at, "source": "test",
			"fields": map[string]string{"firstName": "N", "lastName": "Q", "company": "Northwind", "title": "Head of FinOps", "country": "US",
				"employees": employees, "industry": "Software", "cloudSpend": "Idle resources", "consent": "yes"}}
	}
	body, _ := json.Marshal(map[string]any{"touchPoints": []any{person("nell@northwind.example", "1001-5000"), person("otto@tiny.example", "51-200")}})
	if r := c.do("POST", "/v1/touch-points", "application/json", body); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	nell, otto := lead.IDFor("nell@northwind.example"), lead.IDFor("otto@tiny.example")
	eventually(t, "nurture enrollment", func() bool { return c.lead(nell).Nurture != nil && c.lead(otto).Nurture != nil })
	nellBefore, ottoBefore := c.lead(nell), c.lead(otto)
	if nellBefore.Stage != lead.StageNurture || ottoBefore.Stage != lead.StageNurture {
		t.Fatalf("seeded: Nell %s, Otto %s", nellBefore.Stage, ottoBefore.Stage)
	}

	doc := string(readExample(t, "cloud-cost-whitepaper"))
	if !strings.Contains(doc, "  threshold: 40\n") {
		t.Fatal("the example changed: no threshold 40 to edit")
	}

	// Forward: version 2 would make Nell an MQL, but only new touch points
	// are judged by it.
	var pub httpapi.PublishResponse
	r := c.do("PUT", "/v1/campaigns/cloud-cost-whitepaper?mode=forward", "application/yaml", []byte(strings.Replace(doc, "  threshold: 40\n", "  threshold: 15\n", 1)))
	r.json(t, &pub)
	if r.status != 201 || pub.Version != 2 || pub.Mode != "forward" || pub.Rejudge != nil {
		t.Fatalf("forward publish: %d %s", r.status, r.body)
	}
	if l := c.lead(nell); l.Rev != nellBefore.Rev || l.Stage != lead.StageNurture {
		t.Fatalf("a forward publish changed Nell: rev %d → %d, %s", nellBefore.Rev, l.Rev, l.Stage)
	}

	// Rejudge, through a draft both sides sign: version 3 lifts Nell.
	r = c.do("POST", "/v1/campaigns/cloud-cost-whitepaper/drafts?mode=rejudge", "application/yaml", []byte(strings.Replace(doc, "  threshold: 40\n", "  threshold: 14\n", 1)))
	var dr httpapi.DraftView
	r.json(t, &dr)
	if r.status != 201 || dr.Mode != "rejudge" {
		t.Fatalf("draft: %d %s", r.status, r.body)
	}
	c.do("POST", "/v1/campaigns/cloud-cost-whitepaper/drafts/"+dr.ID+"/approvals", "application/json", []byte(`{"decision": "approve", "side": "marketing"}`))
	r = c.do("POST", "/v1/campaigns/cloud-cost-whitepaper/drafts/"+dr.ID+"/approvals", "application/json", []byte(`{"decision": "approve", "side": "sales"}`))
	var signed httpapi.SignedResponse
	r.json(t, &signed)
	if r.status != 201 || signed.Published == nil || signed.Published.Version != 3 || signed.Rejudge == nil {
		t.Fatalf("publish in mode rejudge: %d %s", r.status, r.body)
	}
	job := waitForJob(t, c, "cloud-cost-whitepaper", signed.Rejudge.ID)
	if job.Version != 3 || job.Changed != 1 || job.Errors != 0 || job.Done < 2 || job.Total == nil || *job.Total != job.Done || job.FinishedAt == nil {
		t.Errorf("job: %+v", job)
	}
	var l httpapi.LeadView
	eventually(t, "Nell assigned", func() bool { l = c.lead(nell); return l.Owner != "" })
	if l.Stage != lead.StageMQL || l.Verdict.Version != 3 {
		t.Errorf("Nell: %s by version %d", l.Stage, l.Verdict.Version)
	}
	if last := l.History[len(l.History)-2]; last.To != lead.StageMQL || last.By != lead.ByEngine || last.Version != 3 {
		t.Errorf("Nell's history: %+v", l.History)
	}
	if o := c.lead(otto); o.Rev != ottoBefore.Rev {
		t.Errorf("Otto was written though his stage stands: rev %d → %d", ottoBefore.Rev, o.Rev)
	}

	// A second job: nothing to change, nothing written.
	nellNow := c.lead(nell)
	r = c.do("POST", "/v1/campaigns/cloud-cost-whitepaper/rejudge-jobs", "", nil)
	var again httpapi.JobView
	r.json(t, &again)
	if r.status != 202 || again.ID == job.ID || r.header.Get("Location") != "/v1/campaigns/cloud-cost-whitepaper/rejudge-jobs/"+again.ID {
		t.Fatalf("second job: %d %s", r.status, r.body)
	}
	second := waitForJob(t, c, "cloud-cost-whitepaper", again.ID)
	if second.Changed != 0 || second.Errors != 0 || second.Done != job.Done {
		t.Errorf("second job: %+v (first %+v)", second, job)
	}
	if l := c.lead(nell); l.Rev != nellNow.Rev {
		t.Errorf("the second job wrote Nell: rev %d → %d", nellNow.Rev, l.Rev)
	}
	if r := c.do("GET", "/v1/campaigns/cloud-cost-whitepaper/rejudge-jobs/j99", "", nil); r.status != 404 {
		t.Errorf("unknown job: %d", r.status)
	}
}

func waitForJob(t *testing.T, c client, campaignID, id string) httpapi.JobView {
	t.Helper()
	var j httpapi.JobView
	var last []byte
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("job %s as last read: %s", id, last)
		}
	})
	eventually(t, fmt.Sprintf("job %s done", id), func() bool {
		r := c.do("GET", "/v1/campaigns/"+campaignID+"/rejudge-jobs/"+id, "", nil)
		last = r.body
		r.json(t, &j)
		return j.State == "done"
	})
	return j
}

// TestDecaySweepRefreshesStaleVerdicts: the template's schedule, run every
// second here, puts the decay sweep on the re-judge queue; it starts a
// decay job per campaign whose points decay. Points here are made to
// decay faster by a version published forward: Mia, an MQL waiting for
// sales, sinks below the threshold and stays an MQL, with a fresh verdict
// and a note in her history; Nia, below the threshold either way, is not
// written. The sweep also counts definitions past their review date, for
// the alarm on them; a read of one says it is overdue.
func TestDecaySweepRefreshesStaleVerdicts(t *testing.T) {
	var logs syncBuffer
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", ScheduleEvery: time.Second, Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	c := client{t, sys.URL, sys.Token}
	overdue := strings.ReplaceAll(strings.Replace(minimalDefinition, "reviewBy: 2027-03-01", "reviewBy: 2026-11-01", 1), "ID", "old-webinar")
	if r := c.do("PUT", "/v1/campaigns/old-webinar", "application/yaml", []byte(overdue)); r.status != 201 || !strings.Contains(string(r.body), "overdue for review") {
		t.Fatalf("publish an overdue definition: %d %s", r.status, r.body)
	}
	var read httpapi.PublishedView
	c.do("GET", "/v1/campaigns/old-webinar", "", nil).json(t, &read)
	if !read.ReviewOverdue {
		t.Error("a read of a definition past its review date does not flag it")
	}
	eventually(t, "the overdue definition counted", func() bool {
		return strings.Contains(logs.String(), `"campaign":"old-webinar","_aws"`) && strings.Contains(logs.String(), `"ReviewOverdueCampaigns":1`)
	})
	twoDaysAgo := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	touch := func(id, email, typ string) map[string]any {
		return map[string]any{"id": id, "type": typ, "email": email, "campaign": "cloud-cost-whitepaper", "at": twoDaysAgo, "source": "test",
			"fields": map[string]string{"firstName": "M", "lastName": "Q", "company": "Northwind", "title": "Head of FinOps", "country": "US",
				"employees": "1001-5000", "industry": "Software", "cloudSpend": "Idle resources", "consent": "yes"}}
	}
	// Mia: 15 + 20 + 15 points two days ago, 47.6 after 30-day halving: an
	// MQL. Nia: 15 points, nurtured.
	body, _ := json.Marshal(map[string]any{"touchPoints": []any{
		touch("m1", "mia@northwind.example", "content-download"), touch("m2", "mia@northwind.example", "webinar-attended"),
		touch("m3", "mia@northwind.example", "pricing-visit"), touch("n1", "nia@northwind.example", "content-download"),
	}})
	if r := c.do("POST", "/v1/touch-points", "application/json", body); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	mia, nia := lead.IDFor("mia@northwind.example"), lead.IDFor("nia@northwind.example")
	eventually(t, "Mia assigned and Nia enrolled", func() bool { return c.lead(mia).Owner != "" && c.lead(nia).Nurture != nil })
	if l := c.lead(mia); l.Stage != lead.StageMQL {
		t.Fatalf("Mia is %s: %v", l.Stage, l.Reasons)
	}
	niaBefore := c.lead(nia)

	// Version 2, forward: points halve every 3 days. Mia's 50 points of two
	// days ago are worth 31.5 now, below 40.
	doc := string(readExample(t, "cloud-cost-whitepaper"))
	if r := c.do("PUT", "/v1/campaigns/cloud-cost-whitepaper", "application/yaml", []byte(strings.Replace(doc, "halfLifeDays: 30", "halfLifeDays: 3", 1))); r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	var l httpapi.LeadView
	eventually(t, "Mia's verdict refreshed", func() bool { l = c.lead(mia); return l.Verdict.Version == 2 })
	score := l.Verdict.Criterion("engagement.score")
	if l.Stage != lead.StageMQL || score == nil || score.Outcome != lead.Fail || l.Owner == "" {
		t.Errorf("Mia after the sweep: %s, score %+v, owner %q", l.Stage, score, l.Owner)
	}
	if h := l.History[len(l.History)-1]; h.From != lead.StageMQL || h.To != lead.StageMQL || h.By != lead.ByEngine || !strings.Contains(h.Reason, "below the threshold, while waiting for sales") {
		t.Errorf("Mia's last history entry: %+v", h)
	}

	// The job that refreshed Mia read every slice, Nia's included.
	eventually(t, "a finished decay job that changed Mia", func() bool {
		for n := 1; n <= 60; n++ {
			var j httpapi.JobView
			r := c.do("GET", fmt.Sprintf("/v1/campaigns/cloud-cost-whitepaper/rejudge-jobs/j%d", n), "", nil)
			if r.status == 404 {
				return false
			}
			r.json(t, &j)
			if j.Kind == "decay" && j.Version == 2 && j.Changed == 1 && j.State == "done" {
				return true
			}
		}
		return false
	})
	if l := c.lead(nia); l.Rev != niaBefore.Rev {
		t.Errorf("Nia was written though her score crossed nothing: rev %d → %d", niaBefore.Rev, l.Rev)
	}
}
