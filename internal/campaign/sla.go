package campaign

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SLA is the follow-up sales agreed to: how soon the owner of a lead
// handed over accepts it, when they are reminded, and what happens to a
// lead nobody accepted in time.
type SLA struct {
	AcceptWithin Duration `yaml:"acceptWithin" json:"acceptWithin"`
	// RemindAt is the share of AcceptWithin after which the owner is
	// reminded (0.5: halfway); 0 sends no reminder.
	RemindAt float64 `yaml:"remindAt,omitempty" json:"remindAt,omitempty"`
	// OnBreach is BreachReassign (the default) or BreachEscalate.
	OnBreach string `yaml:"onBreach,omitempty" json:"onBreach,omitempty"`
	// WorkingHours counts only the owner's working hours (a rep without
	// stated hours is counted by the clock on the wall).
	WorkingHours bool `yaml:"workingHours,omitempty" json:"workingHours,omitempty"`
}

// What happens to a lead whose owner did not accept it within the SLA.
const (
	// BreachReassign gives it to the next eligible rep, never one who let
	// its clock run out before.
	BreachReassign = "reassign"
	// BreachEscalate leaves it with its owner and tells the campaign's
	// sales owner.
	BreachEscalate = "escalate"
)

// MaxAcceptWithin bounds an SLA: a follow-up agreed in months is not one.
const MaxAcceptWithin = 30 * 24 * time.Hour

// Breach is what the SLA does at breach, its default filled in.
func (s *SLA) Breach() string {
	if s == nil || s.OnBreach == "" {
		return BreachReassign
	}
	return s.OnBreach
}

// Describe says the SLA in a sentence, for the document and the diff.
func (s *SLA) Describe() string {
	if s == nil {
		return ""
	}
	clock := ""
	if s.WorkingHours {
		clock = " of the owner's working hours"
	}
	out := fmt.Sprintf("accepted within %s%s", s.AcceptWithin, clock)
	if s.RemindAt > 0 {
		out += fmt.Sprintf(", owner reminded at %s%%", strconv.FormatFloat(s.RemindAt*100, 'f', -1, 64))
	}
	if s.Breach() == BreachEscalate {
		return out + ", then escalated to the sales owner"
	}
	return out + ", then reassigned to the next rep"
}

// sla checks the follow-up: seconds are allowed, so tests can run an SLA
// in a blink.
func (v *validator) sla() {
	s := v.d.SLA
	if s == nil {
		return
	}
	s.OnBreach = strings.ToLower(strings.TrimSpace(s.OnBreach))
	switch {
	case s.AcceptWithin.Duration < time.Second:
		v.fail("sla.acceptWithin", "required: how soon the owner accepts a lead (2h, 1d, PT30M; at least 1s)")
	case s.AcceptWithin.Duration > MaxAcceptWithin:
		v.fail("sla.acceptWithin", "%s: at most %s", s.AcceptWithin, Duration{MaxAcceptWithin})
	}
	if s.RemindAt < 0 || s.RemindAt >= 1 {
		v.fail("sla.remindAt", "%v: a share of acceptWithin from 0 (no reminder) up to, not including, 1", s.RemindAt)
	}
	switch s.OnBreach {
	case "", BreachReassign, BreachEscalate:
	default:
		v.fail("sla.onBreach", "%q: want reassign or escalate", cut(s.OnBreach))
	}
	if s.OnBreach == BreachEscalate && v.d.SalesOwner == "" {
		v.fail("salesOwner", "required by sla.onBreach escalate: the person a missed SLA is escalated to")
	}
}
