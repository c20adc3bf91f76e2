// Package funnel counts how leads move through the funnel, per campaign,
// definition version and day, from the transitions in their history; and
// turns the counts into the report that keeps the agreed definition honest:
// leads at each stage, conversion, time to acceptance, the reasons sales
// gives, and the leakage between MQL and SQL against the campaign's agreed
// bounds.
package funnel

import (
	"cmp"
	"fmt"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

// Key locates a counter: one campaign, definition version and day.
type Key struct {
	Campaign string
	Version  int
	Day      string // YYYY-MM-DD, UTC
}

// Delta is what one history entry adds to a counter.
type Delta struct {
	Key
	// Mark names the history entry, so replaying it counts nothing twice.
	Mark string
	// Counts are metric -> increment: "entered.mql",
	// "reason.reject.competitor", and the times the entry ends counted in
	// their buckets (AddTime): "time.toOwner.52", "rep.anna.time.toOwner.52".
	Counts map[string]int
}

// Speed-to-lead measures.
const (
	// ToOwner runs from becoming an MQL to its first hand-over.
	ToOwner = "toOwner"
	// ToAccept runs from the last hand-over to the owner accepting.
	ToAccept = "toAccept"
)

// Changes returns what a lead's change adds to the funnel: one delta per new
// history entry. History only grows (a lead keeps its newest entries and
// counts the ones it let go), so the entries past the old total are the new
// ones, and an entry's place in the whole history names it.
func Changes(before, after *lead.Record) []Delta {
	if after == nil {
		return nil
	}
	total := func(r *lead.Record) int { return r.HistoryDropped + len(r.History) }
	start := after.HistoryDropped
	if before != nil {
		start = max(start, min(total(before), total(after)))
	}
	var out []Delta
	for n := start; n < total(after); n++ {
		i := n - after.HistoryDropped
		h := after.History[i]
		d := Delta{
			Key:    Key{Campaign: h.Campaign, Version: h.Version, Day: h.At.UTC().Format(time.DateOnly)},
			Mark:   fmt.Sprintf("%s#%d", after.ID, n),
			Counts: map[string]int{},
		}
		d.Campaign = cmp.Or(d.Campaign, after.Verdict.Campaign)
		switch {
		case h.By == lead.BySLA && h.Reason == lead.ReasonSLABreached:
			d.Counts["sla.missed"], d.Counts["rep."+h.Owner+".sla.missed"] = 1, 1
		case isHandOver(h):
			// A hand-over: the first since the lead became an MQL is
			// its assignment, and ends the wait for an owner.
			at, ok := BecameMQL(after.History[:i])
			if !ok || handedOverSince(after.History[:i]) {
				continue
			}
			d.Counts["assigned"] = 1
			AddTime(d.Counts, ToOwner, h.Owner, seconds(h.At.Sub(at)))
		case h.From == h.To:
			continue // an enrollment, a reminder: no movement
		default:
			d.Counts["entered."+string(h.To)] = 1
			if !enteredBefore(after.History[:i], h.To) {
				d.Counts["people."+string(h.To)] = 1
			}
		}
		switch {
		case h.To == lead.StageDisqualified && h.By != lead.ByEngine:
			d.Counts["reason.reject."+h.Reason] = 1
		case h.To == lead.StageNurture && h.By != lead.ByEngine:
			d.Counts["reason.recycle."+h.Reason] = 1 // a recycle or a lost deal
		case h.To == lead.StageSAL:
			if at, ok := BecameMQL(after.History[:i]); ok && h.At.After(at) {
				AddTime(d.Counts, MQLToSAL, "", seconds(h.At.Sub(at)))
			}
			if o, ok := lastHandOver(after.History[:i]); ok {
				AddTime(d.Counts, ToAccept, o.Owner, seconds(h.At.Sub(o.At)))
			}
		}
		if h.From == lead.StageMQL && h.To != lead.StageMQL && h.By != lead.ByEngine {
			// Sales answered: within the SLA, or late but before the
			// sweep saw it (which then has nothing to do).
			if f, ok := clockAt(after, i); ok {
				outcome := "met"
				if h.At.After(f.DueAt) {
					outcome = "missed"
				}
				d.Counts["sla."+outcome], d.Counts["rep."+f.Owner+".sla."+outcome] = 1, 1
			}
		}
		out = append(out, d)
	}
	return out
}

// enteredBefore reports whether history shows the lead entering stage
// already: a lead recycled and handed over again is a second MQL entry but
// the same person. Only the history a lead keeps is looked at (its newest
// lead.MaxHistory entries), so a lead with a longer past may count again.
func enteredBefore(history []lead.Transition, stage lead.Stage) bool {
	for _, h := range history {
		if h.To == stage && h.From != stage {
			return true
		}
	}
	return false
}

// BecameMQL finds when the lead last became an MQL in history: the moment
// it was handed to sales.
func BecameMQL(history []lead.Transition) (time.Time, bool) {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].To == lead.StageMQL && history[i].From != lead.StageMQL {
			return history[i].At, true
		}
	}
	return time.Time{}, false
}

// isHandOver reports a history entry that gave the lead to an owner (a
// lead's entries from before hand-overs named their owner are the
// assigner's).
func isHandOver(h lead.Transition) bool {
	return h.From == h.To && h.By != lead.BySLA && (h.Owner != "" || h.By == lead.ByAssigner)
}

// lastHandOver returns the latest hand-over since the lead last became an
// MQL.
func lastHandOver(history []lead.Transition) (lead.Transition, bool) {
	for i := len(history) - 1; i >= 0; i-- {
		switch h := history[i]; {
		case h.To == lead.StageMQL && h.From != lead.StageMQL:
			return lead.Transition{}, false
		case isHandOver(h):
			return h, true
		}
	}
	return lead.Transition{}, false
}

func handedOverSince(history []lead.Transition) bool {
	_, ok := lastHandOver(history)
	return ok
}

// clockAt returns the SLA clock that ran when history entry i was
// written: the lead's follow-up, started on the owner of the hand-over
// before it, not stopped by an escalation. An answer does not touch the
// follow-up, so the record after it still holds the clock it stopped.
func clockAt(r *lead.Record, i int) (*lead.FollowUp, bool) {
	f := r.FollowUp
	o, ok := lastHandOver(r.History[:i])
	if f == nil || f.DueAt.IsZero() || f.Escalated || !ok || o.Owner != f.Owner {
		return nil, false
	}
	return f, true
}

func seconds(d time.Duration) int64 { return max(int64(d.Seconds()), 0) }

// Counter is the stored total for one key.
type Counter struct {
	Key
	Counts map[string]int
}
