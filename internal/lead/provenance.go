package lead

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// Source is where something leadgate knows about a person came from.
// Sources are trusted differently, and trust decides what each may change:
// anyone on the internet can post a form in anybody's name, while an upload
// needs a token.
type Source string

const (
	// SourceForm is a public form post from a browser leadgate does not
	// recognise as the person's.
	SourceForm Source = "form"
	// SourceVisitor is a public form post from the browser that
	// introduced the person: it carries the visitor token leadgate handed
	// to that browser (see Record.Visitors).
	SourceVisitor Source = "visitor"
	// SourceBadgeScan is a badge-scan file ops uploaded with their token.
	SourceBadgeScan Source = "badge-scan"
	// SourceAPI is a system that sent touch points with its token (a
	// calling tool, an email or webinar platform).
	SourceAPI Source = "api"
)

// trust ranks a source: a value may be replaced only by a source trusted at
// least as much as the one that set it. Values stored before provenance was
// kept rank lowest.
func (s Source) trust() int {
	switch s {
	case SourceForm:
		return 1
	case SourceVisitor:
		return 2
	case SourceBadgeScan, SourceAPI:
		return 3 // authenticated: trusted alike
	}
	return 0
}

// Public reports whether anyone on the internet can be this source.
func (s Source) Public() bool { return s == SourceForm || s == SourceVisitor }

// Provenance says where a stored value came from.
type Provenance struct {
	Source Source    `json:"source"`
	Touch  string    `json:"touch"` // the touch point that brought it
	At     time.Time `json:"at"`
}

// Proposal is a value a source gave for a field it may not change: a form
// post about a person an upload or the person's own browser described, or
// about a lead sales owns. It is kept for a person to review, never applied.
type Proposal struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Provenance
}

// MaxProposals bounds the proposals a lead keeps: the newest, one per field.
const MaxProposals = 10

// VisitorKey is what a lead stores of a visitor token: its hash, so that
// the stored lead cannot be used to act as the visitor.
func VisitorKey(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

// recognises reports whether key (a VisitorKey) is the token of the
// browser that introduced the person.
func (r *Record) recognises(key string) bool {
	return key != "" && slices.Contains(r.Visitors, key)
}

// propose records a value a source may not set; the newest per field is
// kept, and the oldest go once there are MaxProposals.
func (r *Record) propose(field, value string, p Provenance) {
	r.Proposed = slices.DeleteFunc(slices.Clone(r.Proposed), func(x Proposal) bool { return x.Field == field })
	r.Proposed = append(r.Proposed, Proposal{Field: field, Value: value, Provenance: p})
	if len(r.Proposed) > MaxProposals {
		r.Proposed = slices.Delete(r.Proposed, 0, len(r.Proposed)-MaxProposals)
	}
}

// merge applies one field of a submission by the trust rules:
//   - a lead sales owns (sal and later) is not changed by a public source:
//     what it says is proposed;
//   - a blank is filled;
//   - an older statement than the stored one changes nothing;
//   - a source trusted less than the one that set the value proposes;
//   - otherwise the value is replaced.
func (r *Record) merge(field, value string, p Provenance) {
	cur, had := r.Field(field), r.Provenance[field]
	switch {
	case r.Stage.SetBySales() && p.Source.Public():
		if cur != value {
			r.propose(field, value, p)
		}
	case cur == value:
		if p.Source.trust() >= had.Source.trust() && !had.At.After(p.At) {
			r.Provenance[field] = p // confirmed by an equal or better source
		}
	case cur == "":
		r.SetField(field, value)
		r.Provenance[field] = p
	case had.At.After(p.At):
		// stale: a late file describing the person as they were
	case p.Source.trust() < had.Source.trust():
		r.propose(field, value, p)
	default:
		r.SetField(field, value)
		r.Provenance[field] = p
	}
}
