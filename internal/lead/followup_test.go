package lead_test

import (
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

// TestClockRunsOnlyWhileTheOwnerOwesAnAnswer: the SLA's clock stops by
// itself when the lead is accepted or answered, changes hands, is erased,
// or was escalated; a follow-up that only remembers who missed it never
// runs.
func TestClockRunsOnlyWhileTheOwnerOwesAnAnswer(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	remind, due := at.Add(time.Hour), at.Add(2*time.Hour)
	running := func() *lead.Record {
		return &lead.Record{Stage: lead.StageMQL, Owner: "anna", FollowUp: &lead.FollowUp{Owner: "anna", Since: at, RemindAt: &remind, DueAt: due}}
	}
	tests := []struct {
		name   string
		change func(r *lead.Record)
		runs   bool
	}{
		{"handed over", func(*lead.Record) {}, true},
		{"accepted", func(r *lead.Record) { r.Stage = lead.StageSAL }, false},
		{"recycled", func(r *lead.Record) { r.Stage, r.Owner = lead.StageNurture, "" }, false},
		{"reassigned by hand", func(r *lead.Record) { r.Owner = "ben" }, false},
		{"escalated", func(r *lead.Record) { r.FollowUp.Escalated = true }, false},
		{"erased", func(r *lead.Record) { r.ErasedAt = &at }, false},
		{"only remembers", func(r *lead.Record) { r.FollowUp.DueAt = time.Time{} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := running()
			tt.change(r)
			if got := r.Clock() != nil; got != tt.runs {
				t.Errorf("clock runs: %v, want %v", got, tt.runs)
			}
		})
	}
	f := running().FollowUp
	if !f.Next().Equal(remind) {
		t.Errorf("next before the reminder: %s", f.Next())
	}
	f.Reminded = true
	if !f.Next().Equal(due) {
		t.Errorf("next after the reminder: %s", f.Next())
	}
}
