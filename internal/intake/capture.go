package intake

import (
	"context"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/qualify"
)

// Outcome is what capturing one submission did to its lead.
type Outcome int

const (
	Created   Outcome = iota // a new lead
	Updated                  // a touch point added to a known lead
	Unchanged                // the touch point was already recorded (a retry)
)

// Capture records a submission on its lead and judges it, in one
// conditional write: the one path from a form post or a badge scan to a
// stored verdict. The person's erasure stands against retries and doubtful
// times (lead.ErrErased); fields merge by trust (lead.Apply); the lead is
// judged by the campaign's rules, kept or expired by its retention, and held
// to its byte budget.
func Capture(ctx context.Context, store LeadStore, d *campaign.Definition, rules *qualify.Rulebook, sub *lead.Submission, now time.Time) (*lead.Record, Outcome, error) {
	duplicate := false
	stored, created, err := store.Upsert(ctx, lead.IDFor(sub.Fields[lead.FieldEmail]), func(current *lead.Record) (*lead.Record, error) {
		if current.Erased(sub.Touch) {
			return nil, lead.ErrErased
		}
		next, dup := lead.Apply(current, sub, now)
		if duplicate = dup; dup {
			return nil, nil
		}
		var v lead.Verdict
		rules.Evaluate(&v, &next.Lead, next.Touches, now)
		next.Judge(v)
		next.Retain(retentionDays(d))
		return next, next.Fit()
	})
	switch {
	case err != nil:
		return nil, 0, err
	case duplicate:
		return stored, Unchanged, nil
	case created:
		return stored, Created, nil
	}
	return stored, Updated, nil
}

// retentionDays is how long the campaign keeps leads that never qualify.
func retentionDays(d *campaign.Definition) int {
	if d.Retention == nil {
		return 0
	}
	return d.Retention.UnqualifiedDays
}
