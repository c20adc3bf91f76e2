package backtest_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/backtest"
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/lead"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func hoursAgo(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }

// definitions returns the version in force (threshold 30) and a draft
// that asks for 50 points.
func definitions(t testing.TB) (*campaign.Published, *campaign.Definition) {
	t.Helper()
	doc, err := os.ReadFile("testdata/webinar.yaml")
	if err != nil {
		t.Fatal(err)
	}
	read := func(doc string) *campaign.Definition {
		d, err := authored.Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Validate(now); err != nil {
			t.Fatal(err)
		}
		return d
	}
	current := &campaign.Published{Version: 3, Definition: read(string(doc))}
	return current, read(strings.Replace(string(doc), "threshold: 30", "threshold: 50", 1))
}

// person is a lead of a fitting company with downloads at the given hours
// ago, and the history given.
func person(id string, downloads []int, history ...lead.Transition) *lead.Record {
	r := &lead.Record{Lead: lead.Lead{ID: id, Email: id + "@example.com", Company: "Co " + id, Fields: map[string]string{"employees": "200"}}, History: history}
	for _, h := range downloads {
		r.Touches = append(r.Touches, lead.TouchPoint{ID: id + "-" + string(rune('a'+len(r.Touches))), Type: lead.TouchContentDownload, At: hoursAgo(h)})
	}
	return r
}

func handed(h int) lead.Transition {
	return lead.Transition{At: hoursAgo(h), From: lead.StageNurture, To: lead.StageMQL, By: lead.ByEngine}
}

func answered(h int, to lead.Stage, reason string) lead.Transition {
	return lead.Transition{At: hoursAgo(h), From: lead.StageMQL, To: to, By: "anna.berg", Reason: reason}
}

// TestRun: a draft asking for 50 points instead of 30, against five
// leads; each expectation is worked out from the leads' touch points and
// sales' answers.
func TestRun(t *testing.T) {
	current, draft := definitions(t)
	erased := now
	leads := []*lead.Record{
		// 40 points, handed over and accepted: the draft would have kept
		// it (lost), and keeps it today (a stage change).
		person("l1", []int{30, 20}, handed(20), answered(10, lead.StageSAL, "")),
		// 60 points when handed over, rejected as spam: the draft would
		// still have handed it over.
		person("l2", []int{30, 20, 10}, handed(10), answered(5, lead.StageDisqualified, "spam")),
		// 40 points when handed over and accepted; a third download came
		// after. Today both hand it over, but at the time the draft would
		// not have: lost, judged as of the hand-over.
		person("l3", []int{30, 20, 2}, handed(20), answered(10, lead.StageSAL, "")),
		// An erased person's tombstone is not judged.
		{Lead: lead.Lead{ID: "l4"}, ErasedAt: &erased},
		// 20 points: nurtured by both, nothing from sales.
		person("l5", []int{5}),
	}
	run := backtest.New(current, "d1", draft, 30, now)
	var changes []string
	for _, l := range leads {
		if c := run.Add(l); c != nil {
			changes = append(changes, c.Lead+" "+string(c.From)+">"+string(c.To)+" "+strings.Join(c.Flipped, ", "))
		}
	}
	rep := run.Report()
	if want := []string{"l1 mql>nurture engagement.score: pass → fail"}; !slices.Equal(changes, want) {
		t.Errorf("changes %q, want %q", changes, want)
	}
	if rep.Leads != 4 || rep.Changes != 1 || rep.Version != 3 || rep.Draft != "d1" || !rep.Since.Equal(now.AddDate(0, 0, -30)) {
		t.Errorf("report: %d leads, %d changes, v%d, %s since %s", rep.Leads, rep.Changes, rep.Version, rep.Draft, rep.Since)
	}
	if rep.CurrentStages[lead.StageMQL] != 3 || rep.DraftStages[lead.StageMQL] != 2 || rep.DraftStages[lead.StageNurture] != 2 {
		t.Errorf("stages: current %v, draft %v", rep.CurrentStages, rep.DraftStages)
	}
	s := rep.Sales
	if s.Answered != 3 || s.Lost != 2 || !slices.Equal(s.LostLeads, []string{"l1", "l3"}) || s.StillAccepted != 0 ||
		s.KeptRejected != 1 || s.KeptByReason["spam"] != 1 || !slices.Equal(s.KeptLeads, []string{"l2"}) || s.HeldRejected != 0 {
		t.Errorf("sales: %+v", s)
	}
	// Decided: l2 only (the accepted are not decided yet), which leaked
	// under both.
	l := rep.Leakage
	if l.CurrentSample != 1 || *l.Current != 1 || l.DraftSample != 1 || *l.Draft != 1 || l.Verdict != "not-enough-data" || l.Bounds.Max != 0.5 {
		t.Errorf("leakage: %+v", l)
	}
	f := rep.Figures()
	if f.Leads != 4 || f.CurrentMQLs != 3 || f.DraftMQLs != 2 || f.StageChanges != 1 || f.LostAccepted != 2 || f.KeptRejected != 1 {
		t.Errorf("figures: %+v", f)
	}
}

// TestSalesAnswer: sales' last word decides, except that a lead that
// reached SQL stays a qualified one whatever came after.
func TestSalesAnswer(t *testing.T) {
	current, draft := definitions(t)
	tests := []struct {
		name    string
		history []lead.Transition
		// the count it lands in: lost (sales took it), kept (sales sent it
		// back, the draft still hands it over)
		lost, keptRejected, keptRecycled int
	}{
		{"accepted", []lead.Transition{handed(20), answered(10, lead.StageSAL, "")}, 1, 0, 0},
		{"qualified, then lost", []lead.Transition{handed(20), answered(10, lead.StageSQL, ""),
			{At: hoursAgo(5), From: lead.StageSQL, To: lead.StageOpportunity, By: "anna.berg"},
			{At: hoursAgo(4), From: lead.StageOpportunity, To: lead.StageNurture, By: "anna.berg", Reason: "price"}}, 1, 0, 0},
		{"accepted, then rejected", []lead.Transition{handed(20), answered(10, lead.StageSAL, ""),
			{At: hoursAgo(5), From: lead.StageSAL, To: lead.StageDisqualified, By: "anna.berg", Reason: "no-budget"}}, 0, 1, 0},
		{"recycled", []lead.Transition{handed(20), answered(10, lead.StageNurture, "timing")}, 0, 0, 1},
		{"assigned only", []lead.Transition{handed(20), {At: hoursAgo(19), From: lead.StageMQL, To: lead.StageMQL, By: lead.ByAssigner}}, 0, 0, 0},
		{"recycled, then handed over again and not yet answered", []lead.Transition{handed(20), answered(10, lead.StageNurture, "timing"),
			{At: hoursAgo(5), From: lead.StageNurture, To: lead.StageMQL, By: lead.ByEngine}}, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 100 points: the draft hands it over too, so a sales "yes"
			// is never lost and a "no" is always kept, if counted.
			run := backtest.New(current, "d1", draft, 30, now)
			run.Add(person("p", []int{30, 29, 28, 27, 26}, tt.history...))
			s := run.Report().Sales
			if s.StillAccepted != tt.lost || s.KeptRejected != tt.keptRejected || s.KeptRecycled != tt.keptRecycled {
				t.Errorf("still accepted %d (want %d), kept rejected %d (want %d), kept recycled %d (want %d)",
					s.StillAccepted, tt.lost, s.KeptRejected, tt.keptRejected, s.KeptRecycled, tt.keptRecycled)
			}
		})
	}
}

// TestJudgedAtTheAnsweredHandOver: a lead recycled at its first hand-over
// (40 points) and handed over again later (60 points, no answer yet) is
// judged as of the first: the draft (50 points) would have held it back,
// as sales did.
func TestJudgedAtTheAnsweredHandOver(t *testing.T) {
	current, draft := definitions(t)
	l := person("r", []int{30, 25, 5}, handed(20), answered(15, lead.StageNurture, "not-ready"),
		lead.Transition{At: hoursAgo(5), From: lead.StageNurture, To: lead.StageMQL, By: lead.ByEngine})
	run := backtest.New(current, "d1", draft, 30, now)
	run.Add(l)
	if s := run.Report().Sales; s.Answered != 1 || s.KeptRecycled != 0 || len(s.KeptByReason) != 0 {
		t.Errorf("sales: %+v", s)
	}
}

// BenchmarkRun measures the preview's own cost per lead re-judged: three
// evaluations (the version in force and the draft today, the draft at the
// hand-over) on a lead with five touch points and sales' answer. Reading
// the leads is DynamoDB's part, measured separately.
func BenchmarkRun(b *testing.B) {
	current, draft := definitions(b)
	l := person("bench", []int{300, 200, 100, 50, 10}, handed(100), answered(90, lead.StageSAL, ""))
	run := backtest.New(current, "d1", draft, 30, now)
	b.ReportAllocs()
	for b.Loop() {
		run.Add(l)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}
