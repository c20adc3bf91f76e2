package sales

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
)

// Clocks is what the follow-up sweep reads besides the assigner's store.
type Clocks interface {
	// DueFollowUps returns the ids of leads whose SLA clock is due at or
	// before t: at most limit per part of the index.
	DueFollowUps(ctx context.Context, t time.Time, limit int) ([]string, error)
	// OldestLeads returns one page of an owner's leads, longest held first.
	OldestLeads(ctx context.Context, owner, cursor string) ([]*lead.Record, string, error)
}

// FollowUpTick is the schema of the schedule's tick that starts a sweep.
const FollowUpTick = "leadgate.follow-up.v1"

// Bounds of one sweep: what is left waits for the next, a minute later.
const (
	sweepPage   = 100 // due clocks read at once, per part of the index
	sweepRounds = 10  // pages of due clocks per sweep
	drainPages  = 40  // pages of the fallback queue (25 leads each) looked at per sweep
	drainTries  = 100 // leads of it routed (account, colleagues, reps read) per sweep
	// A sweep starts nothing new this close to its deadline, and leaves
	// the drain its share: a function cut off mid-sweep reports nothing.
	clocksMargin = 20 * time.Second
	drainMargin  = 5 * time.Second
)

// Sweep is what one sweep did. Failed counts leads a step failed on: they
// are still due, and the next sweep tries them again.
type Sweep struct {
	Reminded, Reassigned, Escalated, Drained, Failed int
}

// FollowUp keeps sales' follow-through on a schedule: it reminds owners,
// acts on missed SLAs, and gives the leads waiting with the fallback owner
// to reps who have room again.
type FollowUp struct {
	a      *Assigner
	clocks Clocks
}

// NewFollowUp returns the sweep over the assigner's leads.
func NewFollowUp(a *Assigner, clocks Clocks) *FollowUp {
	return &FollowUp{a: a, clocks: clocks}
}

// Sweep does what is due at now. Every step is one conditional change of
// a lead that checks, on the lead as it is, that it is still due: two
// sweeps at once, or one run again, remind once and act on a breach once.
// A step that fails on one lead is logged and counted, not fatal: the lead
// stays due. Only a sweep that cannot read what is due fails.
func (f *FollowUp) Sweep(ctx context.Context) (Sweep, error) {
	var done Sweep
	// Definitions are read once a sweep, not once a lead: a launch's
	// breaches are mostly one campaign's.
	defs := map[string]*campaign.Definition{}
	failed := func(what, id string, err error) {
		done.Failed++
		f.a.log.ErrorContext(ctx, "follow-up step failed", "step", what, "lead_id", id, "error", err.Error())
	}
	for range sweepRounds {
		if !timeLeft(ctx, clocksMargin) {
			break
		}
		ids, err := f.clocks.DueFollowUps(ctx, f.a.now(), sweepPage)
		if err != nil {
			return done, err
		}
		moved := 0
		for _, id := range ids {
			if !timeLeft(ctx, clocksMargin) {
				break
			}
			what, err := f.due(ctx, id, defs)
			if err != nil {
				failed("clock", id, err)
				continue
			}
			switch what {
			case reminded:
				done.Reminded++
			case reassigned:
				done.Reassigned++
			case escalated:
				done.Escalated++
			}
			if what != nothing {
				moved++
			}
		}
		if len(ids) < sweepPage || moved == 0 {
			break
		}
	}
	drained, err := f.drain(ctx, failed, defs)
	done.Drained = drained
	return done, err
}

// timeLeft reports whether ctx leaves more than margin before its deadline.
func timeLeft(ctx context.Context, margin time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ctx.Err() == nil && (!ok || time.Until(deadline) > margin)
}

// step is what the sweep did to one lead.
type step int

const (
	nothing step = iota // answered, handed on, not yet due, or done by another sweep
	reminded
	reassigned
	escalated
)

// due does what the lead's clock calls for, if it still does: the
// reminder, or at the deadline the SLA's breach. It returns what it did.
func (f *FollowUp) due(ctx context.Context, id string, defs map[string]*campaign.Definition) (step, error) {
	a := f.a
	l, err := a.store.Lead(ctx, id)
	if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
		return nothing, nil
	}
	if err != nil {
		return nothing, err
	}
	clock := l.Clock()
	if clock == nil || clock.Next().After(a.now()) {
		return nothing, nil // answered, handed on, or not yet due
	}
	def, err := f.definition(ctx, l.Verdict.Campaign, defs)
	if err != nil {
		return nothing, err
	}
	sla := slaOf(def)
	if sla == nil {
		// The SLA was dropped from the definition since: the clock holds
		// as it was started.
		sla = &campaign.SLA{AcceptWithin: campaign.Duration{Duration: clock.DueAt.Sub(clock.Since)}}
	}
	if clock.DueAt.After(a.now()) {
		return f.remind(ctx, l, sla)
	}
	if sla.Breach() == campaign.BreachEscalate {
		return f.escalate(ctx, l, sla, def)
	}
	return f.reassign(ctx, l, sla, slaOf(def))
}

// definition is Assigner.definition once a sweep per campaign.
func (f *FollowUp) definition(ctx context.Context, campaignID string, defs map[string]*campaign.Definition) (*campaign.Definition, error) {
	if d, ok := defs[campaignID]; ok {
		return d, nil
	}
	d, err := f.a.definition(ctx, campaignID)
	if err == nil {
		defs[campaignID] = d
	}
	return d, err
}

// remind records the reminder on the owner; it goes out with the lead's
// events (lead.sla_reminder).
func (f *FollowUp) remind(ctx context.Context, l *lead.Record, sla *campaign.SLA) (step, error) {
	stored, err := f.step(ctx, l, func(n *lead.Record, c *lead.FollowUp) (lead.Transition, bool) {
		if c.Reminded || !c.DueAt.After(f.a.now()) {
			return lead.Transition{}, false
		}
		c.Reminded = true
		return lead.Transition{Reason: lead.ReasonSLAReminder, Note: fmt.Sprintf("%s reminded: accept by %s", n.Owner, c.DueAt.UTC().Format(time.RFC3339))}, true
	})
	if stored == nil || err != nil {
		return nothing, err
	}
	f.a.log.InfoContext(ctx, "follow-up reminder", "lead_id", l.ID, "owner", stored.Owner, "due_at", stored.FollowUp.DueAt)
	return reminded, nil
}

// escalate stops the clock and leaves the lead with its owner; the
// breach, and who it is escalated to, go out as lead.sla_breached.
func (f *FollowUp) escalate(ctx context.Context, l *lead.Record, sla *campaign.SLA, def *campaign.Definition) (step, error) {
	to := "the sales owner"
	if def != nil && def.SalesOwner != "" {
		to = def.SalesOwner
	}
	stored, err := f.step(ctx, l, func(n *lead.Record, c *lead.FollowUp) (lead.Transition, bool) {
		if c.DueAt.After(f.a.now()) {
			return lead.Transition{}, false
		}
		c.Escalated = true
		return lead.Transition{Reason: lead.ReasonSLABreached, Note: fmt.Sprintf("%s did not accept within %s: escalated to %s", n.Owner, sla.AcceptWithin, to)}, true
	})
	if stored == nil || err != nil {
		return nothing, err
	}
	f.breached(ctx, stored, l.Owner)
	return escalated, nil
}

// reassign hands the lead to the next eligible rep, never its owner nor
// one who missed it before, and to the fallback owner when nobody can:
// sla is the clock that ran out, next the one the new owner gets (none
// when the definition has dropped its SLA since).
func (f *FollowUp) reassign(ctx context.Context, l *lead.Record, sla, next *campaign.SLA) (step, error) {
	a, was := f.a, l.Owner
	breach := func(cur *lead.Record) lead.Transition {
		return lead.Transition{By: lead.BySLA, Reason: lead.ReasonSLABreached, Owner: was, Note: fmt.Sprintf("%s did not accept within %s", was, sla.AcceptWithin)}
	}
	stored, err := a.assign(ctx, l, was, next, breach, func(cur *lead.Record, c Choice) (lead.Transition, bool) {
		clock := cur.Clock()
		if clock == nil || cur.Owner != was || clock.DueAt.After(a.now()) {
			return lead.Transition{}, false
		}
		return lead.Transition{By: lead.ByAssigner, Reason: "reassigned from " + was + " to " + c.Owner + ": SLA missed"}, true
	})
	if stored == nil || err != nil {
		return nothing, err
	}
	f.breached(ctx, stored, was)
	return reassigned, nil
}

// step changes the lead's running clock in place and records entry (by
// the SLA) in its history, if still called for.
func (f *FollowUp) step(ctx context.Context, l *lead.Record, apply func(n *lead.Record, c *lead.FollowUp) (lead.Transition, bool)) (*lead.Record, error) {
	at := f.a.now()
	var wrote bool
	stored, err := f.a.store.Update(ctx, l.ID, func(cur *lead.Record) (lead.Change, error) {
		wrote = false
		if cur == nil || cur.Clock() == nil {
			return lead.None, nil
		}
		n := *cur
		c := *cur.Clock()
		t, ok := apply(&n, &c)
		if !ok {
			return lead.None, nil
		}
		n.FollowUp, n.UpdatedAt = &c, at
		t.At, t.From, t.To, t.By, t.Owner, t.Campaign, t.Version = at, cur.Stage, cur.Stage, lead.BySLA, cur.Owner, cur.Verdict.Campaign, cur.Verdict.Version
		n.Remember(t)
		wrote = true
		return lead.Change{Next: &n}, nil
	})
	if err != nil || !wrote {
		return nil, err
	}
	return stored, nil
}

func (f *FollowUp) breached(ctx context.Context, l *lead.Record, owner string) {
	f.a.log.InfoContext(ctx, "follow-up missed", "lead_id", l.ID, "owner", owner, "now_owner", l.Owner, "campaign", l.Verdict.Campaign)
	metrics.Count(ctx, f.a.log, metrics.SLABreached, 1, "campaign", l.Verdict.Campaign)
}

// drain gives the leads waiting with the fallback owner, longest waiting
// first, to the reps who can take them now: capacity freed, a rep back
// from leave or on shift, a new rep. It stops when no rep has room. A lead
// no rep with room covers, and no account or colleague could claim (no
// company domain), is passed over without a read, so a queue headed by
// leads nobody covers does not hide the ones behind it; the rest cost a
// routing each, at most drainTries a sweep.
func (f *FollowUp) drain(ctx context.Context, failed func(what, id string, err error), defs map[string]*campaign.Definition) (int, error) {
	a := f.a
	reps, err := a.store.Reps(ctx)
	if err != nil {
		return 0, err
	}
	room := func() bool {
		return slices.ContainsFunc(reps, func(r Rep) bool { return r.Unavailable(a.now()) == "" })
	}
	drained, tries, cursor := 0, 0, ""
	for range drainPages {
		if !room() || tries >= drainTries || !timeLeft(ctx, drainMargin) {
			break
		}
		page, next, err := f.clocks.OldestLeads(ctx, a.fallback, cursor)
		if err != nil {
			return drained, err
		}
		for _, l := range page {
			if l.Stage != lead.StageMQL || !f.mayGo(l, reps) {
				continue
			}
			if tries++; tries > drainTries || !timeLeft(ctx, drainMargin) {
				break
			}
			def, err := f.definition(ctx, l.Verdict.Campaign, defs)
			if err != nil {
				failed("drain", l.ID, err)
				continue
			}
			stored, err := a.assign(ctx, l, a.fallback, slaOf(def), nil, func(cur *lead.Record, c Choice) (lead.Transition, bool) {
				return lead.Transition{By: lead.ByAssigner, Reason: "from the fallback queue: " + c.Reason}, cur.Owner == a.fallback && cur.Stage == lead.StageMQL
			})
			switch {
			case errors.Is(err, errNobody) || errors.Is(err, errRaces) || stored == nil && err == nil:
				continue
			case err != nil:
				failed("drain", l.ID, err)
				continue
			}
			drained++
			metrics.Count(ctx, a.log, metrics.Assigned, 1, "campaign", stored.Verdict.Campaign)
			if reps, err = a.store.Reps(ctx); err != nil {
				return drained, err
			}
			if !room() {
				break
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return drained, nil
}

// mayGo reports, from the reps as read, whether a lead waiting with the
// fallback owner could go anywhere: a rep with room covers its country, or
// it has a company domain an account or a colleague might claim.
func (f *FollowUp) mayGo(l *lead.Record, reps []Rep) bool {
	if CompanyDomain(&l.Lead) != "" {
		return true
	}
	var missed []string
	if l.FollowUp != nil {
		missed = l.FollowUp.Missed
	}
	return slices.ContainsFunc(Candidates(reps, l.Country, f.a.now()), func(r Rep) bool { return !slices.Contains(missed, r.ID) })
}
