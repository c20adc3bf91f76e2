package sales

import (
	"context"
	"errors"
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
	// Assign writes next if the lead is still at revision prev and counts it
	// against repID ("" for the fallback owner) if the rep has room:
	// lead.ErrChanged or ErrRepFull otherwise.
	Assign(ctx context.Context, next *lead.Record, prev int64, repID string, at time.Time) error
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

// maxRounds bounds how often one message re-reads a lead that keeps
// changing under it before the message is retried later instead.
const maxRounds = 10

// Handle assigns the lead a message announces, once: a lead that has an
// owner keeps it, and one that is no longer an MQL is left alone, so a
// repeated message changes nothing.
func (a *Assigner) Handle(ctx context.Context, m *route.Message) error {
	for range maxRounds {
		l, err := a.store.Lead(ctx, m.LeadID)
		if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
			return nil // erased since: nothing to assign
		}
		if err != nil {
			return err
		}
		if l.Owner != "" || l.Stage != lead.StageMQL {
			a.log.InfoContext(ctx, "assignment not needed", "lead_id", l.ID, "owner", l.Owner, "stage", string(l.Stage))
			return nil
		}
		reps, err := a.store.Reps(ctx)
		if err != nil {
			return err
		}
		owner, err := a.assign(ctx, l, Candidates(reps, l.Country))
		if errors.Is(err, lead.ErrChanged) {
			continue
		}
		if err != nil {
			return err
		}
		a.log.InfoContext(ctx, "lead assigned", "lead_id", l.ID, "owner", owner, "campaign", l.Verdict.Campaign)
		metrics.Count(ctx, a.log, metrics.Assigned, 1, "campaign", l.Verdict.Campaign)
		return nil
	}
	return leadgate.Errorf(leadgate.ECONFLICT, "Lead %s kept changing while being assigned.", m.LeadID)
}

// assign tries each candidate in turn, then the fallback owner.
func (a *Assigner) assign(ctx context.Context, l *lead.Record, candidates []Rep) (string, error) {
	at := a.now()
	for _, rep := range candidates {
		err := a.store.Assign(ctx, assigned(l, rep.ID, at), l.Rev, rep.ID, at)
		if errors.Is(err, ErrRepFull) {
			continue // filled up since read: the next one
		}
		return rep.ID, err
	}
	return a.fallback, a.store.Assign(ctx, assigned(l, a.fallback, at), l.Rev, "", at)
}

// assigned is l with its owner set and the hand-over in its history.
func assigned(l *lead.Record, owner string, at time.Time) *lead.Record {
	n := *l
	n.Owner, n.AssignedAt, n.Rev, n.UpdatedAt = owner, &at, l.Rev+1, at
	n.Remember(lead.Transition{
		At: at, From: l.Stage, To: l.Stage, By: "assigner", Reason: "assigned to " + owner,
		Campaign: l.Verdict.Campaign, Version: l.Verdict.Version,
	})
	return &n
}
