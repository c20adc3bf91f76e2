package qualify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/qualify"
)

// TestRecycleHold: a lead sales recycled stays nurtured within its hold,
// whatever its score, unless it earns the threshold again since the
// recycle or raises a hand; the hold ends on its own, and a hand-over
// since ends it too.
func TestRecycleHold(t *testing.T) {
	recycled := func(daysBack int, reason string) lead.Transition {
		return lead.Transition{At: daysAgo(daysBack), From: lead.StageSAL, To: lead.StageNurture, By: "anna.berg", Reason: reason}
	}
	touch := func(typ string, daysBack int) lead.TouchPoint {
		return lead.TouchPoint{ID: typ + string(rune('a'+daysBack)), Type: typ, At: daysAgo(daysBack)}
	}
	old := []lead.TouchPoint{touch("content-download", 50), touch("webinar-attended", 45)} // 40 points, before the recycle
	tests := []struct {
		name    string
		touches []lead.TouchPoint
		history []lead.Transition
		noBreak bool
		stage   lead.Stage
		held    string // what the hold criterion wants, "" for no hold
	}{
		{"never recycled", old, nil, false, lead.StageMQL, ""},
		{"recycled, nothing since", old, []lead.Transition{recycled(40, "not-ready")}, false, lead.StageNurture, "held until 2027-01-11"},
		{"recycled, a download since (20 < 30)", append(old, touch("content-download", 3)), []lead.Transition{recycled(40, "not-ready")}, false, lead.StageNurture, "held until"},
		{"recycled, 40 points earned since", append(old, touch("content-download", 3), touch("webinar-attended", 2)), []lead.Transition{recycled(40, "not-ready")}, false, lead.StageMQL, ""},
		{"recycled, a hand raised since", append(old, touch("demo-request", 1)), []lead.Transition{recycled(40, "not-ready")}, false, lead.StageMQL, ""},
		{"recycled, a hand raised, hands do not break holds", append(old, touch("demo-request", 1)), []lead.Transition{recycled(40, "not-ready")}, true, lead.StageNurture, "unless engagement since reaches 30 points"},
		{"the hold is over (14 days for no-response)", old, []lead.Transition{recycled(20, "no-response")}, false, lead.StageMQL, ""},
		{"a reason with no hold given: 30 days", old, []lead.Transition{recycled(20, "timing")}, false, lead.StageNurture, "held until 2026-12-02"},
		{"handed over again since", old, []lead.Transition{recycled(40, "not-ready"), {At: daysAgo(10), From: lead.StageNurture, To: lead.StageMQL, By: lead.ByEngine}}, false, lead.StageMQL, ""},
		{"lost, not recycled: no hold", old, []lead.Transition{{At: daysAgo(40), From: lead.StageOpportunity, To: lead.StageNurture, By: "anna.berg", Reason: "price"}}, false, lead.StageMQL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", "held.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.noBreak {
				doc = append(doc, "  handRaisersBreak: false\n"...)
			}
			d, err := authored.Parse(doc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Validate(now); err != nil {
				t.Fatal(err)
			}
			rb := qualify.Compile(&campaign.Published{Version: 1, Definition: d})
			r := &lead.Record{Lead: lead.Lead{Email: "a@example.com"}, Touches: tt.touches, History: tt.history, Stage: lead.StageNurture}
			var v lead.Verdict
			rb.Judge(&v, r, now)
			if v.Stage != tt.stage {
				t.Errorf("stage %s, want %s (%v)", v.Stage, tt.stage, v.Reasons())
			}
			c := v.Criterion("recycle.hold")
			switch {
			case tt.held == "" && c != nil:
				t.Errorf("held: %+v", c)
			case tt.held != "" && (c == nil || !strings.Contains(c.Want, tt.held) || !strings.HasPrefix(c.Saw, "recycled by anna.berg for ")):
				t.Errorf("hold criterion %+v, want one wanting %q", c, tt.held)
			}
		})
	}
}

// TestRecycleHoldsAreChecked: holds are keyed by the reasons sales gives,
// and bounded.
func TestRecycleHoldsAreChecked(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "held.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for doc, want := range map[string]string{
		strings.Replace(string(base), "no-response: P14D", "bored: 10d", 1):         "recycle.holds.bored",
		strings.Replace(string(base), "no-response: P14D", "no-response: 9999d", 1): "",
		strings.Replace(string(base), "no-response: P14D", "no-response: 1200d", 1): "recycle.holds.no-response",
		strings.Replace(string(base), "no-response: P14D", "no-response: soon", 1):  "want a duration like 90d",
	} {
		d, err := authored.Parse([]byte(doc))
		if err == nil {
			_, err = d.Validate(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
		}
		if err == nil || (want != "" && !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: %v, want a problem at %q", doc[strings.Index(doc, "recycle"):], err, want)
		}
	}
}
