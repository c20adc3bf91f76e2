package sales

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/route"
)

// AssignStore is what the assigner needs from storage.
type AssignStore interface {
	Lead(ctx context.Context, id string) (*lead.Record, error)
	Reps(ctx context.Context) ([]Rep, error)
	// AccountFor returns the account holding the first of domains one
	// holds, and that domain; nil when none does. Key reads only.
	AccountFor(ctx context.Context, domains []string) (*Account, string, error)
	// Holders returns the owners of open leads from a company domain, most
	// recently assigned first, from a bounded read.
	Holders(ctx context.Context, domain string) ([]string, error)
	// Update changes a lead in one write, with the rep counts the change
	// moves; ErrRepFull when the rep it holds the lead for has no room.
	Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error)
}

// Campaigns reads the definition in force, for the follow-up SLA its
// sales side agreed to.
type Campaigns interface {
	Current(ctx context.Context, id string) (*campaign.Published, error)
}

// Assigner gives each sales-ready lead an owner, and another one when a
// manager or the SLA says so.
type Assigner struct {
	store     AssignStore
	campaigns Campaigns
	fallback  string
	now       func() time.Time
	log       *slog.Logger
}

// NewAssigner returns an assigner; leads no rep can take go to fallback
// (a shared queue sales works from, drained as reps get room).
func NewAssigner(store AssignStore, campaigns Campaigns, fallback string, now func() time.Time, log *slog.Logger) *Assigner {
	return &Assigner{store: store, campaigns: campaigns, fallback: fallback, now: now, log: log}
}

// Handle assigns the lead a message announces, once: a lead that has an
// owner keeps it, and one that is no longer an MQL is left alone, so a
// repeated message changes nothing.
func (a *Assigner) Handle(ctx context.Context, m *route.Message) error {
	l, err := a.store.Lead(ctx, m.LeadID)
	if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
		return nil // erased since: nothing to assign
	}
	if err != nil {
		return err
	}
	if !needsOwner(l) {
		a.log.InfoContext(ctx, "assignment not needed", "lead_id", l.ID, "owner", l.Owner, "stage", string(l.Stage))
		return nil
	}
	def, err := a.definition(ctx, l.Verdict.Campaign)
	if err != nil {
		return err
	}
	stored, err := a.assign(ctx, l, "", slaOf(def), nil, func(cur *lead.Record, c Choice) (lead.Transition, bool) {
		return lead.Transition{By: lead.ByAssigner, Reason: c.Reason}, needsOwner(cur)
	})
	switch {
	case errors.Is(err, errRaces):
		// Not the fallback owner: the reps have room, and the message is
		// retried (SQS redelivers it) rather than the lead parked.
		return fmt.Errorf("assign lead %s: %w", m.LeadID, err)
	case err != nil:
		return err
	case stored == nil:
		return nil // assigned, erased or moved on meanwhile: nothing to do
	}
	a.log.InfoContext(ctx, "lead assigned", "lead_id", stored.ID, "owner", stored.Owner, "reason", stored.History[len(stored.History)-1].Reason, "campaign", stored.Verdict.Campaign)
	metrics.Count(ctx, a.log, metrics.Assigned, 1, "campaign", stored.Verdict.Campaign)
	return nil
}

// errRaces is assign's answer when it lost the race for a rep every round.
var errRaces = fmt.Errorf("lost the race for a rep %d times; retried later", maxAssignRounds)

// assign gives l to the first owner the rules pick, passing over but, and
// starts the clock sla states (read once by the caller). A
// rep who filled up, or whose round-robin turn another assigner took,
// since the reps were read refuses the hold, and the reps are read again:
// going down a list read before another assigner's win would hand the
// second and third in line a lead each in a burst of concurrent
// assignments, whatever their weight. errNobody when the rules offer
// nobody (only the fallback owner, and the lead is leaving it).
func (a *Assigner) assign(ctx context.Context, l *lead.Record, but string, sla *campaign.SLA, breach func(cur *lead.Record) lead.Transition, entry func(cur *lead.Record, c Choice) (lead.Transition, bool)) (*lead.Record, error) {
	in, err := a.routing(ctx, l)
	if err != nil {
		return nil, err
	}
	for range maxAssignRounds {
		reps, err := a.store.Reps(ctx)
		if err != nil {
			return nil, err
		}
		choices := a.route(in, reps, l, but)
		if len(choices) == 0 {
			return nil, errNobody
		}
		stored, err := a.handOver(ctx, l, reps, choices[:1], sla, breach, entry)
		if errors.Is(err, errNobody) {
			continue
		}
		return stored, err
	}
	return nil, errRaces
}

// maxAssignRounds bounds how often one assignment reads the reps again
// after losing a race. Each lost race is another assigner's win; with the
// assigners capped at 5 at once (template.yaml: MaximumConcurrency), one
// loses 64 in a row with odds of 0.8^64, under one in a million, and then
// its message is retried.
const maxAssignRounds = 64

// routing reads what decides where l goes besides the reps: the account
// holding its domain, or else the colleagues holding leads of it.
func (a *Assigner) routing(ctx context.Context, l *lead.Record) (Routing, error) {
	in := Routing{Country: l.Country, Domain: CompanyDomain(&l.Lead), Fallback: a.fallback}
	var err error
	if in.Account, in.Matched, err = a.store.AccountFor(ctx, AccountDomains(&l.Lead)); err != nil {
		return in, err
	}
	if in.Account == nil && in.Domain != "" {
		if in.Holders, err = a.store.Holders(ctx, in.Domain); err != nil {
			return in, err
		}
	}
	return in, nil
}

// route is the owners l may go to now, in order (Route), passing over but
// (its owner, when it is to change hands) and every rep who let its SLA
// clock run out before.
func (a *Assigner) route(in Routing, reps []Rep, l *lead.Record, but string) []Choice {
	in.Reps, in.Now = reps, a.now()
	if l.FollowUp != nil {
		in.Passed = slices.Clone(l.FollowUp.Missed)
	}
	if but != "" {
		in.Passed = append(in.Passed, but)
	}
	// The fallback owner is passed over only when the lead is leaving it.
	return slices.DeleteFunc(Route(in), func(c Choice) bool { return c.Owner == but })
}

// errNobody is handOver's answer when every owner offered was full.
var errNobody = errors.New("no owner offered could take the lead")

// handOver is the one way a lead changes hands: to each choice in turn, in
// one write that sets the owner, starts sla's clock on a rep, records
// entry in the history, and holds the new owner's count (moving their
// round-robin turn) while releasing the old one's. breach, when given, is
// the SLA's entry recorded first: the owner let the clock run out, and is
// not given the lead again. entry says, on the lead as it is at the write,
// what to record and whether the hand-over still applies; when it does
// not, or someone else wrote it first, handOver returns nil. A rep found
// full at the write is passed over for the next; errNobody when every one
// was.
func (a *Assigner) handOver(ctx context.Context, l *lead.Record, reps []Rep, choices []Choice, sla *campaign.SLA, breach func(cur *lead.Record) lead.Transition, entry func(cur *lead.Record, c Choice) (lead.Transition, bool)) (*lead.Record, error) {
	for _, c := range choices {
		at := a.now()
		var wrote bool
		stored, err := a.store.Update(ctx, l.ID, func(cur *lead.Record) (lead.Change, error) {
			wrote = false
			if cur == nil || cur.ErasedAt != nil || cur.Owner == c.Owner {
				return lead.None, nil
			}
			t, ok := entry(cur, c)
			if !ok {
				return lead.None, nil
			}
			wrote = true
			n := *cur
			n.Owner, n.AssignedAt, n.UpdatedAt = c.Owner, &at, at
			n.FollowUp = a.clock(cur, c.Owner, reps, sla, at, breach != nil)
			stamp := func(t lead.Transition) lead.Transition {
				t.At, t.From, t.To, t.Campaign, t.Version = at, cur.Stage, cur.Stage, cur.Verdict.Campaign, cur.Verdict.Version
				return t
			}
			if breach != nil {
				n.Remember(stamp(breach(cur)))
			}
			t.Owner = c.Owner
			n.Remember(stamp(t))
			ch := lead.Change{Next: &n}
			if c.Owner != a.fallback {
				ch.Hold, ch.Turn = c.Owner, c.Turn
			}
			if cur.Owner != "" && cur.Owner != a.fallback {
				ch.Release = cur.Owner
			}
			return ch, nil
		})
		switch {
		case errors.Is(err, ErrRepFull):
			continue // filled up, or lost its turn, since read: the next one
		case err != nil:
			return nil, err
		case !wrote:
			// Someone else moved it first (another sweep, a redelivery):
			// theirs is the hand-over, not ours.
			return nil, nil
		}
		return stored, nil
	}
	return nil, errNobody
}

// clock is the follow-up of a lead handed to owner at: the SLA's clock on
// a rep for an MQL, and in any case the reps who missed it before.
func (a *Assigner) clock(cur *lead.Record, owner string, reps []Rep, sla *campaign.SLA, at time.Time, missed bool) *lead.FollowUp {
	f := &lead.FollowUp{Owner: owner, Since: at}
	if cur.FollowUp != nil {
		f.Missed = slices.Clone(cur.FollowUp.Missed)
	}
	if missed && !slices.Contains(f.Missed, cur.Owner) {
		f.Missed = append(f.Missed, cur.Owner)
		if over := len(f.Missed) - lead.MaxMissed; over > 0 {
			f.Missed = f.Missed[over:]
		}
	}
	if r, ok := repByID(reps, owner); ok && sla != nil && cur.Stage == lead.StageMQL {
		f.DueAt = r.After(at, sla.AcceptWithin.Duration, sla.WorkingHours)
		if sla.RemindAt > 0 {
			remind := r.After(at, time.Duration(float64(sla.AcceptWithin.Duration)*sla.RemindAt), sla.WorkingHours)
			f.RemindAt = &remind
		}
	}
	if f.DueAt.IsZero() && len(f.Missed) == 0 {
		return nil
	}
	return f
}

// definition is the campaign's definition in force, for the follow-up its
// sales side agreed to and who answers for it; nil when the lead names no
// campaign or the campaign is gone.
func (a *Assigner) definition(ctx context.Context, campaignID string) (*campaign.Definition, error) {
	if campaignID == "" {
		return nil, nil
	}
	p, err := a.campaigns.Current(ctx, campaignID)
	switch {
	case leadgate.ErrorCode(err) == leadgate.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read campaign %s for its SLA: %w", campaignID, err)
	}
	return p.Definition, nil
}

// slaOf is the follow-up a definition agrees, if any.
func slaOf(d *campaign.Definition) *campaign.SLA {
	if d == nil {
		return nil
	}
	return d.SLA
}

// needsOwner reports whether a lead waits for assignment: an MQL nobody
// holds.
func needsOwner(l *lead.Record) bool { return l.Owner == "" && l.Stage == lead.StageMQL }
