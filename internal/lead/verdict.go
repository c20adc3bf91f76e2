package lead

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
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
	// need not format it; Saw is empty then.
	Measure float64 `json:"measure,omitempty"`
	Want    string  `json:"want"`
}

// MarshalJSON writes the criterion with what it saw as text, the measured
// score included: the engine keeps the number apart so as not to format it.
//
// It appends the fields by hand: a verdict holds a dozen or more criteria,
// every lead write encodes them, and a nested json.Marshal per criterion
// was about half of encoding a badge-scan row's record. The output is the one json.Marshal gives the plain struct
// (TestCriterionJSONIsThePlainEncoding); a value the fast path does not
// cover exactly (a control character, invalid UTF-8, a number json would
// write with an exponent) takes json.Marshal.
func (c Criterion) MarshalJSON() ([]byte, error) {
	saw := c.Saw
	if saw == "" && c.Group == GroupEngagement {
		saw = c.Seen()
	}
	b := make([]byte, 0, 64+len(c.Rule)+len(c.Group)+len(saw)+len(c.Want))
	b = append(b, `{"rule":`...)
	b, ok := appendPlainString(b, c.Rule)
	b = append(b, `,"group":`...)
	b, ok2 := appendPlainString(b, string(c.Group))
	b = append(b, `,"outcome":`...)
	b, ok3 := appendPlainString(b, c.Outcome.String())
	b = append(b, `,"saw":`...)
	b, ok4 := appendPlainString(b, saw)
	ok5 := true
	if c.Measure != 0 {
		abs := math.Abs(c.Measure)
		ok5 = abs >= 1e-6 && abs < 1e21 && !math.IsInf(c.Measure, 0)
		b = append(b, `,"measure":`...)
		b = strconv.AppendFloat(b, c.Measure, 'f', -1, 64)
	}
	b = append(b, `,"want":`...)
	b, ok6 := appendPlainString(b, c.Want)
	if !(ok && ok2 && ok3 && ok4 && ok5 && ok6) {
		type plain Criterion
		p := plain(c)
		p.Saw = saw
		return json.Marshal(p)
	}
	return append(b, '}'), nil
}

// appendPlainString appends s as a JSON string when it holds nothing json
// would escape but a quote or a backslash (control characters, invalid
// UTF-8, and the HTML and line-separator characters json.Marshal escapes);
// false when it holds such a thing.
func appendPlainString(b []byte, s string) ([]byte, bool) {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '<', c == '>', c == '&':
			return b, false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return b, false
			}
			b = append(b, s[i:i+size]...)
			i += size - 1
		case c == '"', c == '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"'), true
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
