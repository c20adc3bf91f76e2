package sales

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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

// Assigner gives each sales-ready lead an owner.
type Assigner struct {
	store    AssignStore
	fallback string
	now      func() time.Time
	log      *slog.Logger
}

// NewAssigner returns an assigner; leads no rep can take go to fallback
// (a shared queue sales works from).
func NewAssigner(store AssignStore, fallback string, now func() time.Time, log *slog.Logger) *Assigner {
	return &Assigner{store: store, fallback: fallback, now: now, log: log}
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
	in := Routing{Country: l.Country, Domain: CompanyDomain(&l.Lead), Fallback: a.fallback}
	if in.Account, in.Matched, err = a.store.AccountFor(ctx, AccountDomains(&l.Lead)); err != nil {
		return err
	}
	if in.Account == nil && in.Domain != "" {
		if in.Holders, err = a.store.Holders(ctx, in.Domain); err != nil {
			return err
		}
	}
	// The first choice is tried. A rep who filled up, or whose round-robin
	// turn another assigner took, since the reps were read refuses the
	// hold, and the reps are read again: going down a list read before
	// another assigner's win would hand the second and third in line a
	// lead each in a burst of concurrent assignments, whatever their
	// weight.
	for range maxAssignRounds {
		if in.Reps, err = a.store.Reps(ctx); err != nil {
			return err
		}
		in.Now = a.now()
		c := Route(in)[0]
		stored, err := a.store.Update(ctx, m.LeadID, func(cur *lead.Record) (lead.Change, error) {
			if cur == nil || cur.ErasedAt != nil || !needsOwner(cur) {
				return lead.None, nil
			}
			ch := lead.Change{Next: assigned(cur, c, a.now())}
			if c.Owner != a.fallback {
				ch.Hold, ch.Turn = c.Owner, c.Turn
			}
			return ch, nil
		})
		if errors.Is(err, ErrRepFull) {
			continue
		}
		if err != nil {
			return err
		}
		if stored == nil || stored.Owner != c.Owner {
			return nil // assigned, erased or moved on meanwhile: nothing to do
		}
		a.log.InfoContext(ctx, "lead assigned", "lead_id", stored.ID, "owner", c.Owner, "reason", c.Reason, "campaign", stored.Verdict.Campaign)
		metrics.Count(ctx, a.log, metrics.Assigned, 1, "campaign", stored.Verdict.Campaign)
		return nil
	}
	// Not the fallback owner: the reps have room, and the message is
	// retried (SQS redelivers it) rather than the lead parked.
	return fmt.Errorf("assign lead %s: lost the race for a rep %d times; retried later", m.LeadID, maxAssignRounds)
}

// maxAssignRounds bounds how often one assignment reads the reps again
// after losing a race. Each lost race is another assigner's win; with the
// assigners capped at 5 at once (template.yaml: MaximumConcurrency), one
// loses 64 in a row with odds of 0.8^64, under one in a million, and then
// its message is retried.
const maxAssignRounds = 64

// needsOwner reports whether a lead waits for assignment: an MQL nobody
// holds.
func needsOwner(l *lead.Record) bool { return l.Owner == "" && l.Stage == lead.StageMQL }

// assigned is l with its owner set and the hand-over, with the rule that
// chose the owner, in its history.
func assigned(l *lead.Record, c Choice, at time.Time) *lead.Record {
	n := *l
	n.Owner, n.AssignedAt, n.UpdatedAt = c.Owner, &at, at
	n.Remember(lead.Transition{
		At: at, From: l.Stage, To: l.Stage, By: lead.ByAssigner, Reason: c.Reason,
		Campaign: l.Verdict.Campaign, Version: l.Verdict.Version,
	})
	return &n
}
