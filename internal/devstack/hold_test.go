package devstack_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
)

// TestRecycledLeadIsHeld: a lead sales recycles does not bounce back on its
// next touch point: a download seconds later is recorded and scored, and
// the lead stays nurtured with the hold in its verdict; a demo request (a
// hand raised) brings it back to sales.
func TestRecycledLeadIsHeld(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	send := func(items ...map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"touchPoints": items})
		if r := c.do("POST", "/v1/touch-points", "application/json", body); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	touch := func(id, typ string) map[string]any {
		return map[string]any{"id": id, "type": typ, "email": "ivy@northwind.example", "campaign": "cloud-cost-whitepaper",
			"at": time.Now().UTC().Format(time.RFC3339Nano), "source": "test",
			"fields": map[string]string{"firstName": "Ivy", "lastName": "Q", "company": "Northwind", "title": "Head of FinOps", "country": "US",
				"employees": "1001-5000", "industry": "Software", "cloudSpend": "Idle resources", "consent": "yes"}}
	}
	// 15 + 20 + 15 points: an MQL, handed to sales.
	send(touch("i1", "content-download"), touch("i2", "webinar-attended"), touch("i3", "pricing-visit"))
	ivy := lead.IDFor("ivy@northwind.example")
	eventually(t, "Ivy assigned", func() bool { return c.lead(ivy).Owner != "" })
	if r := c.do("POST", "/v1/leads/"+ivy+"/feedback", "application/json", []byte(`{"action": "recycle", "reason": "not-ready", "note": "next budget cycle"}`)); r.status != 200 {
		t.Fatalf("recycle: %d %s", r.status, r.body)
	}
	eventually(t, "Ivy enrolled in nurture", func() bool { return c.lead(ivy).Nurture != nil })

	// A download seconds later: 65 points in all, but 15 since the recycle.
	send(touch("i4", "content-download"))
	var l httpapi.LeadView
	eventually(t, "the download recorded", func() bool { l = c.lead(ivy); return len(l.Touches) == 4 })
	hold := l.Verdict.Criterion("recycle.hold")
	if l.Stage != lead.StageNurture || l.Owner != "" || hold == nil || hold.Outcome != lead.Fail {
		t.Fatalf("after a download: %s, owner %q, hold %+v", l.Stage, l.Owner, hold)
	}
	t.Logf("held: saw %q, wanted %q", hold.Saw, hold.Want)

	// A demo request: a hand raised breaks the hold.
	send(touch("i5", "demo-request"))
	eventually(t, "Ivy back with sales", func() bool { l = c.lead(ivy); return l.Stage == lead.StageMQL && l.Owner != "" })
	if l.Verdict.Criterion("recycle.hold") != nil {
		t.Errorf("still held: %+v", l.Verdict.Criteria)
	}
}
