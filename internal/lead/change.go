package lead

import (
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// Change is what one update does to a stored lead, in one write: its next
// state (or its erasure), and the rep counts that move with it. The store
// sets the revision; the change need not.
type Change struct {
	// Next is the lead as it is to be; nil (and no erasure) writes nothing.
	Next *Record
	// EraseAt, when set, replaces the lead by its tombstone instead.
	EraseAt time.Time
	// Hold counts the lead against this rep's open leads, if the rep is
	// active and has room (the store reports the rep full otherwise).
	Hold string
	// Turn, with Hold, moves the rep's round-robin turn to this, only if
	// it is behind it: two assigners who read the same turn cannot both
	// take it (the store reports the rep full to the second). 0 leaves
	// the turn alone (an account's or a colleague's lead).
	Turn int64
	// Release takes the lead off this rep's open leads.
	Release string
}

// None is a change that writes nothing: the lead is as it should be.
var None = Change{}

// Live returns r if it is a lead that exists, and "not found" for none or
// a tombstone: what every change of an existing lead checks first.
func Live(r *Record, id string) (*Record, error) {
	if r == nil || r.ErasedAt != nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No lead %s.", id)
	}
	return r, nil
}

// Who changes a lead, as its history names them besides reps and managers.
const (
	ByEngine   = "engine"   // the qualification engine
	ByAssigner = "assigner" // the built-in assigner
	ByNurture  = "nurture"  // nurture enrollment
	BySLA      = "sla"      // the follow-up clock: reminders and breaches
)

// The reasons the follow-up clock gives in a history entry (By BySLA).
const (
	// ReasonSLAReminder: the owner has not answered by the reminder point.
	ReasonSLAReminder = "sla-reminder"
	// ReasonSLABreached: the owner did not accept within the SLA; the
	// entry's note says what followed (reassigned to whom, or escalated).
	ReasonSLABreached = "sla-breached"
)
