package devstack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

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
