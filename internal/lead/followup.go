package lead

import "time"

// FollowUp is the clock on a lead handed to a rep under the campaign's
// SLA: by when its owner should accept it, and when they are reminded.
type FollowUp struct {
	Owner string    `json:"owner"`
	Since time.Time `json:"since"`
	// RemindAt is nil when the SLA sends no reminder.
	RemindAt *time.Time `json:"remindAt,omitempty"`
	DueAt    time.Time  `json:"dueAt,omitzero"`
	Reminded bool       `json:"reminded,omitempty"`
	// Escalated is set when the owner missed the deadline and the SLA
	// escalates: the clock has stopped, the lead stays theirs.
	Escalated bool `json:"escalated,omitempty"`
	// Missed are the reps who let this lead's clock run out, newest last:
	// the lead is not given back to them. A follow-up with no DueAt only
	// remembers them (the lead waits with the fallback owner).
	Missed []string `json:"missed,omitempty"`
}

// MaxMissed bounds the reps a follow-up remembers: past it the oldest go.
const MaxMissed = 10

// Clock returns the lead's follow-up while it runs: the lead is an MQL
// still held by the rep the clock was started for, who has not answered,
// and the clock has not stopped. Accepting, answering or handing the lead
// to someone else stops it without anyone having to clear it.
func (r *Record) Clock() *FollowUp {
	f := r.FollowUp
	if f == nil || f.DueAt.IsZero() || f.Escalated || r.ErasedAt != nil || r.Stage != StageMQL || r.Owner != f.Owner {
		return nil
	}
	return f
}

// Next is when the clock needs looking at: the reminder while it is
// due, then the deadline.
func (f *FollowUp) Next() time.Time {
	if f.RemindAt != nil && !f.Reminded && f.RemindAt.Before(f.DueAt) {
		return *f.RemindAt
	}
	return f.DueAt
}
