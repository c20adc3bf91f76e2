// Package capture is the one way a touch point becomes part of a lead,
// whatever door it came in by: the campaign definitions (cached), the rule
// for when a campaign takes touch points, field names and values read the
// same way for every source, the consent record, and the judge-and-store
// step. Forms, badge scans and the rest are translators into a
// lead.Submission; they know their own formats, and nothing of this.
package capture

import (
	"context"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/qualify"
)

// LeadStore keeps leads. Upsert hands change the stored record (nil when
// the person is new) and writes what it returns in one conditional write; a
// nil return writes nothing. Concurrent upserts of one lead never lose an
// update: the loser is handed the winner's record and tries again.
type LeadStore interface {
	Upsert(ctx context.Context, id string, change func(current *lead.Record) (*lead.Record, error)) (stored *lead.Record, created bool, err error)
}

// When is when a touch point happened, as far as the campaign's dates go.
type When struct {
	At time.Time
	// Stated says At is known: a live post happens when it arrives, and a
	// record of the past (a scan, a list) says when it happened. A record
	// that states no time, or a doubtful one, is not held to the dates.
	Stated bool
}

// Open says whether the campaign takes a touch point: the one rule for
// every source. A paused campaign takes nothing. Otherwise a touch point is
// taken if it happened while the campaign ran, from its start to the end
// of its last day, however late it arrives: a badge-scan file uploaded after
// the show is taken for the scans it dates within the show, and a form
// posted after the end is refused. A touch point whose time is not stated
// is taken while the campaign is not paused.
func Open(d *campaign.Definition, w When) error {
	switch {
	case d.Status == campaign.StatusPaused:
		return leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s is paused and takes nothing.", d.ID)
	case !w.Stated:
		return nil
	case d.Ends != nil && w.At.After(d.Ends.EndOfDay()):
		return leadgate.Errorf(leadgate.EGONE, "Campaign %s ended on %s.", d.ID, d.Ends)
	case d.Starts != nil && w.At.Before(d.Starts.Time):
		return leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s opens on %s.", d.ID, d.Starts)
	}
	return nil
}

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
		rules.Judge(&v, next, now)
		next.Judge(v)
		next.Retain(retentionDays(d))
		// The store fits it to its byte budget as it encodes it for the
		// write (lead.Record.Encode): measured once, not twice.
		return next, nil
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
