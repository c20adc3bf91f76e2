package lead

import (
	"strconv"
	"time"
)

// Outcome is what one criterion found.
type Outcome uint8

const (
	// Unknown means the lead did not give the value the criterion needs; it
	// does not pass, but it is not held against the lead as a "no" either.
	Unknown Outcome = iota
	Pass
	Fail
)

func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	}
	return "unknown"
}

// MarshalText writes the outcome as a word so stored verdicts read well.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads the word MarshalText wrote.
func (o *Outcome) UnmarshalText(b []byte) error {
	switch string(b) {
	case "pass":
		*o = Pass
	case "fail":
		*o = Fail
	default:
		*o = Unknown
	}
	return nil
}

// Group is the part of the lead definition a criterion belongs to. The groups
// are the parts of the agreed definition: required information, exclusions,
// fit (ideal customer profile), role, need, willingness, interest, engagement
// and hand-raising.
type Group string

const (
	GroupRequired    Group = "required"
	GroupExclusion   Group = "exclusion"
	GroupFit         Group = "fit"
	GroupRole        Group = "role"
	GroupNeed        Group = "need"
	GroupWillingness Group = "willingness"
	GroupInterest    Group = "interest"
	GroupEngagement  Group = "engagement"
	GroupHandRaiser  Group = "hand-raiser"
	// GroupHold is a recycle hold: sales sent the lead back, and it is
	// held from sales for a while.
	GroupHold Group = "hold"
)

// Criterion is one line of a verdict's explanation: what rule, what the lead
// had, what the definition wanted, and whether it passed.
type Criterion struct {
	Rule    string  `json:"rule"` // e.g. "fit.employees"
	Group   Group   `json:"group"`
	Outcome Outcome `json:"outcome"`
	Saw     string  `json:"saw"`
	// Measure holds a measured number (the engagement score) so the engine
	// need not format it while it judges (a preview judges every lead of a
	// campaign); Saw is empty until the verdict is kept (Record.Judge,
	// Verdict.spell).
	Measure float64 `json:"measure,omitempty"`
	Want    string  `json:"want"`
}

// Seen returns what the criterion saw, as text.
func (c *Criterion) Seen() string {
	switch {
	case c.Saw != "":
		return c.Saw
	case c.Measure != 0 || c.Group == GroupEngagement:
		return strconv.FormatFloat(c.Measure, 'f', 1, 64)
	}
	return "(none)"
}

// Grade is the fit grade: how well the company and person match the ideal
// customer profile, A (all of it) to D (little or none).
type Grade byte

const (
	GradeA Grade = 'A'
	GradeB Grade = 'B'
	GradeC Grade = 'C'
	GradeD Grade = 'D'
)

// String is the grade's letter; a lead never judged has none, and says so
// rather than printing a NUL byte.
func (g Grade) String() string {
	if g == 0 {
		return "none"
	}
	return string(rune(g))
}

// MarshalText writes the grade as its letter, and a lead never judged as
// an empty string.
func (g Grade) MarshalText() ([]byte, error) {
	if g == 0 {
		return nil, nil
	}
	return []byte{byte(g)}, nil
}

// UnmarshalText reads the letter MarshalText wrote (none for a lead never
// judged); anything else is the lowest grade.
func (g *Grade) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*g = 0
		return nil
	}
	if len(b) == 1 && b[0] >= 'A' && b[0] <= 'D' {
		*g = Grade(b[0])
		return nil
	}
	*g = GradeD
	return nil
}

// Verdict is what the campaign's definition says about a lead at one moment.
type Verdict struct {
	Stage    Stage   `json:"stage"`
	Grade    Grade   `json:"grade"`
	Score    float64 `json:"score"`
	Campaign string  `json:"campaign"`
	// Version is the definition version that judged the lead.
	Version int `json:"version"`
	// Geography names the geography override applied, "" for the base rules.
	Geography string      `json:"geography,omitempty"`
	At        time.Time   `json:"at"`
	Criteria  []Criterion `json:"criteria"`
}

// spell gives each engagement criterion its score as text, as readers of a
// kept verdict see it (Seen). It is done when a verdict is kept (Judge) or
// read back (Decode), not by a MarshalJSON: encoding/json re-scans whatever a MarshalJSON
// returns, which made a criterion's JSON cost twice the plain struct's and
// was the larger part of encoding a lead for its write.
func (v *Verdict) spell() {
	for i := range v.Criteria {
		if c := &v.Criteria[i]; c.Saw == "" && c.Group == GroupEngagement {
			c.Saw = c.Seen()
		}
	}
}

// Reasons explains the stage in sentences, one per criterion that kept the
// lead from the next stage (or that disqualified it).
func (v *Verdict) Reasons() []string {
	var out []string
	for i := range v.Criteria {
		c := &v.Criteria[i]
		if c.Outcome == Pass {
			continue
		}
		if c.Group == GroupHandRaiser {
			continue // not raising a hand is normal, not a reason
		}
		out = append(out, c.Rule+" "+c.Outcome.String()+": saw "+strconv.Quote(c.Seen())+", wanted "+c.Want)
	}
	return out
}

// Criterion returns the criterion with the given rule, or nil.
func (v *Verdict) Criterion(rule string) *Criterion {
	for i := range v.Criteria {
		if v.Criteria[i].Rule == rule {
			return &v.Criteria[i]
		}
	}
	return nil
}
