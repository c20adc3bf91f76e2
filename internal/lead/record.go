package lead

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
)

// ErrErased is what a store reports for a lead erased at the person's
// request: only something the person does after the erasure may bring them
// back, never a retry or a message still in flight.
var ErrErased = errors.New("the lead was erased")

// ErrChanged is what a store reports when a lead was written by someone else
// since it was read: read it again and redo the change.
var ErrChanged = errors.New("the lead changed since it was read")

// MaxTouches bounds the touch points kept on a lead. Past it, the oldest of
// the least trusted goes (see Source): public posts cannot push out what an
// upload or the person's own browser recorded.
const MaxTouches = 200

// MaxHistory bounds the history entries a lead keeps.
const MaxHistory = 50

// maxReason bounds the engine's reason kept in a history entry: it quotes
// what the lead said.
const maxReason = 200

// Record is a lead as stored: the person, their touch points, the stage and
// the verdict that set it.
type Record struct {
	Lead
	// Provenance says, per field, which source set it, with which touch
	// point and when: a value is replaced only by a newer one from a source
	// trusted as much (see Source), so an older file uploaded late or a form
	// posted in someone else's name does not overwrite it.
	Provenance map[string]Provenance `json:"provenance,omitempty"`
	// Proposed are values sources gave that they were not trusted to set.
	Proposed []Proposal `json:"proposed,omitempty"`
	// Visitors holds the key (VisitorKey) of the visitor token of the
	// browser that introduced the person.
	Visitors  []string     `json:"visitors,omitempty"`
	Touches   []TouchPoint `json:"touches"`
	Stage     Stage        `json:"stage"`
	Verdict   Verdict      `json:"verdict"`
	Rev       int64        `json:"rev"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`

	// Owner is the rep the lead is assigned to (or the fallback queue's
	// name); empty until assignment and again once sales lets it go.
	Owner      string     `json:"owner,omitempty"`
	AssignedAt *time.Time `json:"assignedAt,omitempty"`
	// FollowUp is the SLA's clock on the owner; see Clock.
	FollowUp *FollowUp `json:"followUp,omitempty"`
	// Nurture is the track a lead that is not ready yet is enrolled in.
	Nurture *Enrollment `json:"nurture,omitempty"`
	// History keeps the stage changes and hand-overs: who, when, why, and
	// the definition version in force, so "what happened to X?" has an
	// answer. It keeps the newest MaxHistory; HistoryDropped counts the
	// older ones let go, so an entry's place in the whole history
	// (HistoryDropped + its index) never changes.
	History        []Transition `json:"history,omitempty"`
	HistoryDropped int          `json:"historyDropped,omitempty"`
	// ExpiresAt is when an unqualified lead may be deleted under its
	// campaign's retention; nil for leads kept (qualified, or no retention).
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	// ErasedAt is set on the tombstone an erasure leaves in the lead's
	// place: nothing else of the person is kept.
	ErasedAt *time.Time `json:"erasedAt,omitempty"`
}

// Erased reports whether r is the tombstone of an erasure that covers the
// touch point: one recorded before (a retried form, a re-uploaded file),
// dated before it (an old scan uploaded late), or dated doubtfully or ahead
// of its arrival (a time a client chose cannot undo an erasure). The person
// coming back later, with a new touch point, is not covered.
func (r *Record) Erased(t TouchPoint) bool {
	ahead := !t.ReceivedAt.IsZero() && t.At.After(t.ReceivedAt) // stated to happen after it arrived
	return r != nil && r.ErasedAt != nil && (r.HasTouch(t.ID) || t.DoubtfulTime || ahead || !t.At.After(*r.ErasedAt))
}

// Retain sets when the lead expires: days after its last change while it
// has never qualified, never once it has.
func (r *Record) Retain(days int) {
	r.ExpiresAt = nil
	if days <= 0 || r.Qualified() {
		return
	}
	t := r.UpdatedAt.Add(time.Duration(days) * 24 * time.Hour)
	r.ExpiresAt = &t
}

// Qualified reports whether the lead ever reached mql.
func (r *Record) Qualified() bool {
	return r.Stage == StageMQL || r.Stage.SetBySales() ||
		slices.ContainsFunc(r.History, func(h Transition) bool { return h.To == StageMQL })
}

// Enrollment is a lead's place in a nurture track.
type Enrollment struct {
	Track    string    `json:"track"`
	Campaign string    `json:"campaign"`
	Since    time.Time `json:"since"`
}

// Transition is one entry of a lead's history.
type Transition struct {
	At     time.Time `json:"at"`
	From   Stage     `json:"from,omitempty"`
	To     Stage     `json:"to"`
	By     string    `json:"by"`               // "engine", a rep id, "assigner", "nurture"
	Reason string    `json:"reason,omitempty"` // a reason code or the engine's first reason
	Note   string    `json:"note,omitempty"`
	// Owner is whom a hand-over gave the lead to, or whose SLA clock a
	// reminder or breach is about.
	Owner    string `json:"owner,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Version  int    `json:"version,omitempty"`
}

// Submission is one normalized form post or badge scan: the fields it
// carried (empty ones left out) and the touch point it is.
type Submission struct {
	Fields map[string]string
	Touch  TouchPoint
	// Visitor is the VisitorKey of the token the post came with, or was
	// handed: a form post that introduces the person, or comes from a
	// browser that did, is trusted as the person's own (SourceVisitor).
	Visitor string
}

// IDFor returns the lead id of a normalized email. The same person is the
// same lead, and the id is known before anything is read; it is a hash so
// the id in a URL or a log line does not give the email away.
func IDFor(email string) string {
	sum := sha256.Sum256([]byte(email))
	return "ld_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}

// ValidID reports whether id is shaped like the ids IDFor makes.
func ValidID(id string) bool {
	rest, ok := strings.CutPrefix(id, "ld_")
	if !ok || len(rest) != 24 {
		return false
	}
	for _, c := range rest {
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// HasTouch reports whether the touch point id is already recorded.
func (r *Record) HasTouch(id string) bool {
	return slices.ContainsFunc(r.Touches, func(t TouchPoint) bool { return t.ID == id })
}

// Apply merges a submission into the record, field by field as merge's
// trust rules say, and adds its touch point. r may be nil for a person never
// seen before; the result is a new Record, r is not changed. duplicate is
// true, and next nil, when the touch point is already recorded.
func Apply(r *Record, s *Submission, now time.Time) (next *Record, duplicate bool) {
	if r != nil && r.ErasedAt != nil {
		// After an erasure the person starts afresh: nothing of the old
		// lead is left to merge, only the tombstone's revision.
		n, _ := Apply(nil, s, now)
		n.Rev = r.Rev
		return n, false
	}
	if r != nil && r.HasTouch(s.Touch.ID) {
		return nil, true
	}
	n := &Record{CreatedAt: now}
	if r != nil {
		*n = *r
		n.Lead.Fields = maps.Clone(r.Fields)
		n.Touches = slices.Clone(r.Touches)
	}
	n.Provenance = make(map[string]Provenance, len(n.Provenance)+len(s.Fields))
	if r != nil {
		maps.Copy(n.Provenance, r.Provenance)
	}
	touch := s.Touch
	if touch.Source == SourceForm && s.Visitor != "" {
		switch {
		case r == nil:
			// The browser that introduces a person is trusted as theirs
			// until an upload says otherwise; its token recognises it.
			n.Visitors = []string{s.Visitor}
			touch.Source = SourceVisitor
		case n.recognises(s.Visitor):
			touch.Source = SourceVisitor
		}
	}
	p := Provenance{Source: touch.Source, Touch: touch.ID, At: touch.statedAt()}
	for _, name := range slices.Sorted(maps.Keys(s.Fields)) {
		if v := s.Fields[name]; v != "" {
			n.merge(name, v, p)
		}
	}
	n.ID = IDFor(n.Email)
	n.Touches = append(n.Touches, touch)
	slices.SortStableFunc(n.Touches, func(a, b TouchPoint) int { return a.At.Compare(b.At) })
	for len(n.Touches) > MaxTouches {
		i := leastTrusted(n.Touches)[0]
		if n.Touches[i].ID == touch.ID {
			// The lead is full of touch points it trusts as much and that
			// are newer: this one would give way at once. It is as good
			// as recorded (and one that gave way before, sent again, is
			// recognised this way).
			return nil, true
		}
		n.Touches = slices.Delete(n.Touches, i, i+1)
	}
	n.UpdatedAt = now
	return n, false
}

// Judge sets the verdict and moves the stage by it. The engine may move a
// lead among suspect, nurture and disqualified as it learns more, and up to
// mql; it never moves a lead that is already an MQL or in sales' hands:
// only sales' answer (accept, reject, recycle) moves those. While sales
// owns a lead, the verdict that handed it over stands too.
func (r *Record) Judge(v Verdict) {
	if r.Stage.SetBySales() {
		return
	}
	moves := r.Moves(v)
	v.spell()
	r.Verdict = v
	if !moves {
		return
	}
	reason := "meets the definition"
	if rs := v.Reasons(); len(rs) > 0 {
		reason = rs[0]
	}
	if len(reason) > maxReason {
		reason = strings.ToValidUTF8(reason[:maxReason], "") + "…"
	}
	r.Move(Transition{At: v.At, To: v.Stage, By: ByEngine, Reason: reason, Campaign: v.Campaign, Version: v.Version})
}

// Moves reports whether Judge(v) would change the lead's stage: the engine
// moves no MQL, no lead in sales' hands and none sales disqualified.
func (r *Record) Moves(v Verdict) bool {
	return r.Open() && r.Stage != StageMQL && r.Stage != v.Stage
}

// Open reports whether the engine's verdict still governs the lead: it is
// not erased, not in sales' hands, and not disqualified by sales.
func (r *Record) Open() bool {
	return r.ErasedAt == nil && !r.Stage.SetBySales() && !r.disqualifiedBySales()
}

// Move changes the stage and records the change in the history.
func (r *Record) Move(t Transition) {
	t.From = r.Stage
	r.Stage = t.To
	r.Remember(t)
}

// Remember adds an entry to the history, letting the oldest go past
// MaxHistory.
func (r *Record) Remember(t Transition) {
	r.History = append(slices.Clip(r.History), t)
	if over := len(r.History) - MaxHistory; over > 0 {
		r.History = slices.Clone(r.History[over:])
		r.HistoryDropped += over
	}
}

// LastRecycle returns sales' latest recycle of the lead (back to nurture
// from MQL, SAL or SQL), if the lead has not been handed over again since.
func (r *Record) LastRecycle() (Transition, bool) {
	for i := len(r.History) - 1; i >= 0; i-- {
		h := r.History[i]
		switch {
		case h.To == StageMQL && h.From != StageMQL:
			return Transition{}, false // handed over again since
		case h.To == StageNurture && h.By != ByEngine && h.By != ByNurture && h.By != ByAssigner &&
			(h.From == StageMQL || h.From == StageSAL || h.From == StageSQL):
			return h, true
		}
	}
	return Transition{}, false
}

// disqualifiedBySales reports a disqualification sales made: a form the
// person fills in later does not overrule it.
func (r *Record) disqualifiedBySales() bool {
	if r.Stage != StageDisqualified || len(r.History) == 0 {
		return false
	}
	return r.History[len(r.History)-1].By != ByEngine
}
