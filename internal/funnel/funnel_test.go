package funnel_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func step(from, to lead.Stage, by, reason string, at time.Duration, version int) lead.Transition {
	return lead.Transition{At: t0.Add(at), From: from, To: to, By: by, Reason: reason, Campaign: "c", Version: version}
}

// TestSpeedToLeadAndSLA: the first hand-over after a lead becomes an MQL
// times the wait for an owner; the owner's acceptance times the hand-over
// to the answer, for that owner. A breach counts against the rep who
// missed; the next owner's answer within their clock counts as met, and
// one after it (before the sweep saw it) as missed.
func TestSpeedToLeadAndSLA(t *testing.T) {
	mql := step("", lead.StageMQL, lead.ByEngine, "", 0, 1)
	first := step(lead.StageMQL, lead.StageMQL, lead.ByAssigner, "assigned to anna", 90*time.Second, 1)
	first.Owner = "anna"
	missed := step(lead.StageMQL, lead.StageMQL, lead.BySLA, lead.ReasonSLABreached, time.Hour+90*time.Second, 1)
	missed.Owner = "anna"
	second := step(lead.StageMQL, lead.StageMQL, lead.ByAssigner, "reassigned from anna to ben: SLA missed", time.Hour+90*time.Second, 1)
	second.Owner = "ben"
	accept := step(lead.StageMQL, lead.StageSAL, "ben", "", time.Hour+20*time.Minute, 1)
	before := &lead.Record{Lead: lead.Lead{ID: "ld_s"}, History: []lead.Transition{mql}}
	run := func(due time.Duration, entries ...lead.Transition) []funnel.Delta {
		after := *before
		after.History = append([]lead.Transition{mql}, entries...)
		after.FollowUp = &lead.FollowUp{Owner: "ben", Since: second.At, DueAt: t0.Add(due), Missed: []string{"anna"}}
		return funnel.Changes(before, &after)
	}
	ds := run(2*time.Hour, first, missed, second, accept)
	if len(ds) != 3 {
		t.Fatalf("deltas %+v", ds)
	}
	if ds[0].Counts["assigned"] != 1 || !countsTime(ds[0].Counts, funnel.ToOwner, "anna", 90) {
		t.Errorf("first hand-over: %+v", ds[0])
	}
	if ds[1].Counts["sla.missed"] != 1 || ds[1].Counts["rep.anna.sla.missed"] != 1 || len(ds[1].Counts) != 2 {
		t.Errorf("breach: %+v", ds[1])
	}
	// The hand-over after the breach is not a second assignment.
	if ds[2].Counts["sla.met"] != 1 || ds[2].Counts["rep.ben.sla.met"] != 1 || !countsTime(ds[2].Counts, funnel.ToAccept, "ben", 18*60+30) {
		t.Errorf("acceptance within the SLA: %+v", ds[2])
	}
	late := run(time.Hour+10*time.Minute, first, missed, second, accept)
	if d := late[2]; d.Counts["sla.missed"] != 1 || d.Counts["rep.ben.sla.missed"] != 1 || d.Counts["sla.met"] != 0 {
		t.Errorf("acceptance after the deadline: %+v", d)
	}
}

func TestChangesCountOnlyNewEntries(t *testing.T) {
	before := &lead.Record{Lead: lead.Lead{ID: "ld_a"}, History: []lead.Transition{
		step("", lead.StageNurture, lead.ByEngine, "", 0, 1),
		step(lead.StageNurture, lead.StageMQL, lead.ByEngine, "", time.Hour, 2),
	}}
	after := *before
	after.History = append(append([]lead.Transition{}, before.History...),
		step(lead.StageMQL, lead.StageMQL, "assigner", "territory DE → round robin → r", 2*time.Hour, 2),
		step(lead.StageMQL, lead.StageSAL, "r", "", 7*time.Hour, 2),
		step(lead.StageSAL, lead.StageNurture, "r", "timing", 30*time.Hour, 2),
		step(lead.StageNurture, lead.StageNurture, "nurture", "enrolled in track t", 31*time.Hour, 2),
	)
	ds := funnel.Changes(before, &after)
	if len(ds) != 3 {
		t.Fatalf("deltas = %+v, want assigned, sal and the recycle", ds)
	}
	if ds[0].Counts["assigned"] != 1 || ds[0].Mark != "ld_a#2" {
		t.Errorf("assignment delta = %+v", ds[0])
	}
	if ds[1].Counts["entered.sal"] != 1 || !countsTime(ds[1].Counts, funnel.MQLToSAL, "", 6*3600) || ds[1].Day != "2026-11-20" || ds[1].Version != 2 {
		t.Errorf("acceptance delta = %+v", ds[1])
	}
	if ds[2].Counts["entered.nurture"] != 1 || ds[2].Counts["reason.recycle.timing"] != 1 || ds[2].Day != "2026-11-21" {
		t.Errorf("recycle delta = %+v", ds[2])
	}
	if again := funnel.Changes(&after, &after); len(again) != 0 {
		t.Errorf("an unchanged history counted %d entries", len(again))
	}

	// A lead past MaxHistory lets its oldest entries go: the new ones are
	// still found, and keep the names their place in the whole history
	// gives them.
	full := &lead.Record{Lead: lead.Lead{ID: "ld_b"}}
	for i := range lead.MaxHistory {
		full.Remember(step(lead.StageNurture, lead.StageNurture, "nurture", "", time.Duration(i)*time.Minute, 1))
	}
	next := *full
	next.History = append([]lead.Transition{}, full.History...)
	next.Move(step("", lead.StageMQL, lead.ByEngine, "", time.Hour, 1))
	next.Remember(step(lead.StageMQL, lead.StageMQL, "assigner", "territory DE → round robin → r", 2*time.Hour, 1))
	ds = funnel.Changes(full, &next)
	if next.HistoryDropped != 2 || len(ds) != 2 || ds[0].Mark != fmt.Sprintf("ld_b#%d", lead.MaxHistory) || ds[1].Counts["assigned"] != 1 ||
		ds[1].Mark != fmt.Sprintf("ld_b#%d", lead.MaxHistory+1) {
		t.Errorf("past the bound: dropped %d, deltas %+v", next.HistoryDropped, ds)
	}
}

func TestBuildJudgesLeakage(t *testing.T) {
	bounds := &campaign.Leakage{Min: 0.2, Max: 0.6}
	counters := func(mql, sql int) []funnel.Counter {
		return []funnel.Counter{
			{Key: funnel.Key{Campaign: "c", Version: 1, Day: "2026-11-01"}, Counts: withTimes(map[string]int{"entered.mql": mql / 2, "entered.sql": sql / 2, "entered.sal": mql / 2}, 3600, 7200)},
			{Key: funnel.Key{Campaign: "c", Version: 2, Day: "2026-11-02"}, Counts: withTimes(map[string]int{"entered.mql": mql - mql/2, "entered.sql": sql - sql/2, "reason.reject.competitor": 2}, 36000)},
		}
	}
	tests := []struct {
		mql, sql int
		bounds   *campaign.Leakage
		verdict  string
	}{
		{10, 2, bounds, "too-high"}, // 80% leak
		{10, 9, bounds, "too-low"},  // 10%
		{10, 6, bounds, "within"},   // 40%
		{4, 0, bounds, "not-enough-data"},
		{10, 6, nil, "no-bounds"},
	}
	for _, tt := range tests {
		r := funnel.Build("c", t0, t0, counters(tt.mql, tt.sql), tt.bounds)
		if r.Verdict != tt.verdict {
			t.Errorf("mql %d sql %d: verdict %s, want %s", tt.mql, tt.sql, r.Verdict, tt.verdict)
		}
	}
	r := funnel.Build("c", t0, t0, counters(10, 6), bounds)
	if r.Total.Entered["mql"] != 10 || *r.Total.Leakage != 0.4 || len(r.ByVersion) != 2 || r.ByVersion[1].Version != 2 ||
		r.Total.Rejections["competitor"] != 2 || math.Abs(*r.Total.MedianMQLToSALHours-2) > 2*0.045 || *r.Total.Conversion[0].Rate != 0.5 {
		t.Errorf("report = %+v", r.Total)
	}
}

// TestEmptyPeriodAnswersLists: a period with nothing counted answers empty
// lists, as the API's description says, not null.
func TestEmptyPeriodAnswersLists(t *testing.T) {
	r := funnel.Build("demo-request", time.Now().AddDate(0, 0, -90), time.Now(), nil, nil)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"byVersion":[]`) || !strings.Contains(string(b), `"conversion":[`) {
		t.Errorf("%s", b)
	}
}

// TestPeopleCountOnce: a lead recycled and handed over again enters MQL
// twice, and is one person.
func TestPeopleCountOnce(t *testing.T) {
	r := &lead.Record{Lead: lead.Lead{ID: "ld_c"}, History: []lead.Transition{
		step("", lead.StageNurture, lead.ByEngine, "", 0, 1),
		step(lead.StageNurture, lead.StageMQL, lead.ByEngine, "", time.Hour, 1),
		step(lead.StageMQL, lead.StageNurture, "r", "not-ready", 2*time.Hour, 1),
		step(lead.StageNurture, lead.StageMQL, lead.ByEngine, "", 3*time.Hour, 1),
	}}
	var counters []funnel.Counter
	for _, d := range funnel.Changes(nil, r) {
		counters = append(counters, funnel.Counter{Key: d.Key, Counts: d.Counts})
	}
	n := funnel.Build("c", t0, t0, counters, nil).Total
	if n.Entered["mql"] != 2 || n.People["mql"] != 1 || n.Entered["nurture"] != 2 || n.People["nurture"] != 1 {
		t.Errorf("entered %v, people %v", n.Entered, n.People)
	}
}

// countsTime reports whether counts hold exactly the one time of measure
// AddTime counts (for the campaign and for rep).
func countsTime(counts map[string]int, measure, rep string, secs int64) bool {
	want := map[string]int{}
	funnel.AddTime(want, measure, rep, secs)
	for k, n := range want {
		if counts[k] != n {
			return false
		}
	}
	return true
}

// withTimes adds MQL-to-acceptance times to counts.
func withTimes(counts map[string]int, secs ...int64) map[string]int {
	for _, s := range secs {
		funnel.AddTime(counts, funnel.MQLToSAL, "", s)
	}
	return counts
}
