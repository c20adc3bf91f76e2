package lead

import "slices"

// Stage is where a lead stands in the funnel. A lead only moves forward,
// except when sales explicitly recycles it to nurture.
type Stage string

const (
	StageSuspect      Stage = "suspect"      // raw inquiry: too little known to judge
	StageNurture      Stage = "nurture"      // known, not ready: keep warming
	StageMQL          Stage = "mql"          // meets the campaign's agreed definition
	StageSAL          Stage = "sal"          // sales accepted it
	StageSQL          Stage = "sql"          // sales confirmed budget and authority
	StageOpportunity  Stage = "opportunity"  // in the forecast
	StageCustomer     Stage = "customer"     // won
	StageDisqualified Stage = "disqualified" // never a fit: competitor, student, spam
)

// Stages lists every stage in funnel order, side exits last.
var Stages = []Stage{StageSuspect, StageMQL, StageSAL, StageSQL, StageOpportunity, StageCustomer, StageNurture, StageDisqualified}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return slices.Contains(Stages, s) }

// SetBySales reports whether only sales can put a lead in this stage; the
// qualification engine never produces these.
func (s Stage) SetBySales() bool {
	switch s {
	case StageSAL, StageSQL, StageOpportunity, StageCustomer:
		return true
	}
	return false
}

// RejectReasons, RecycleReasons and LostReasons are the fixed reason codes
// sales gives; free text goes in the note. They are what reports count and
// what a definition's recycle holds are keyed by, so they are few.
var (
	RejectReasons  = []string{"not-a-fit", "competitor", "student", "spam", "duplicate", "bad-contact-data", "no-budget", "no-authority"}
	RecycleReasons = []string{"not-ready", "no-response", "timing", "no-budget", "no-authority", "wrong-contact"}
	LostReasons    = []string{"lost-to-competitor", "no-decision", "price", "timing", "no-budget"}
)
