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
	reps, err := a.store.Reps(ctx)
	if err != nil {
		return err
	}
	// Each candidate in turn, then the fallback owner (who holds no count).
	owners := []string{}
	for _, r := range Candidates(reps, l.Country, a.now()) {
		owners = append(owners, r.ID)
	}
	owners = append(owners, a.fallback)
	for _, owner := range owners {
		at := a.now()
		stored, err := a.store.Update(ctx, m.LeadID, func(cur *lead.Record) (lead.Change, error) {
			if cur == nil || cur.ErasedAt != nil || !needsOwner(cur) {
				return lead.None, nil
			}
			c := lead.Change{Next: assigned(cur, owner, at)}
			if owner != a.fallback {
				c.Hold = owner
			}
			return c, nil
		})
		if errors.Is(err, ErrRepFull) {
			continue // filled up since read: the next one
		}
		if err != nil {
			return err
		}
		if stored == nil || stored.Owner != owner {
			return nil // assigned, erased or moved on meanwhile: nothing to do
		}
		a.log.InfoContext(ctx, "lead assigned", "lead_id", stored.ID, "owner", owner, "campaign", stored.Verdict.Campaign)
		metrics.Count(ctx, a.log, metrics.Assigned, 1, "campaign", stored.Verdict.Campaign)
		return nil
	}
	return fmt.Errorf("assign lead %s: the fallback owner %s was refused", m.LeadID, a.fallback)
}

// needsOwner reports whether a lead waits for assignment: an MQL nobody
// holds.
func needsOwner(l *lead.Record) bool { return l.Owner == "" && l.Stage == lead.StageMQL }

// assigned is l with its owner set and the hand-over in its history.
func assigned(l *lead.Record, owner string, at time.Time) *lead.Record {
	n := *l
	n.Owner, n.AssignedAt, n.UpdatedAt = owner, &at, at
	n.Remember(lead.Transition{
		At: at, From: l.Stage, To: l.Stage, By: lead.ByAssigner, Reason: "assigned to " + owner,
		Campaign: l.Verdict.Campaign, Version: l.Verdict.Version,
	})
	return &n
}
