package outbound

import (
	"context"
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
)

// EventSender queues events for fan-out and reports which failed, by
// their index, with an error whenever any did.
type EventSender interface {
	SendEvents(ctx context.Context, evs []*Event) (failed []int, err error)
}

// AnnounceWithin is how long after it happens a definition event is
// announced again by the daily sweep: a publish whose announcement was
// lost with the request's queue send is caught up the next day, and the
// delivery ledger (which keeps a delivery well past this) makes a repeat
// a no-op. Past it, nothing is announced again, so a definition left
// overdue for review is not announced every day.
const AnnounceWithin = 48 * time.Hour

// DefinitionEvent is the event of a version: typ is DefinitionPublished
// or DefinitionReviewDue. Its id names the campaign, the version and, for
// a review, the day it was due.
func DefinitionEvent(typ string, p *campaign.Published) Event {
	d := p.Definition
	data := Data{
		Campaign:   &Campaign{ID: d.ID, Version: p.Version},
		Definition: &DefinitionData{Name: d.Name, PublishedAt: p.PublishedAt.UTC(), PublishedBy: p.PublishedBy, ReviewBy: d.ReviewBy.String()},
	}
	occurrence, at := "version "+strconv.Itoa(p.Version), p.PublishedAt
	if typ == DefinitionReviewDue {
		occurrence += " review by " + d.ReviewBy.String()
		at = d.ReviewBy.EndOfDay()
	}
	return newEvent(typ, d.ID, occurrence, at, data)
}

// DefinitionEvents are what the daily sweep announces of a version in
// force at now: its publication, and its review falling due, each within
// AnnounceWithin of when it happened.
func DefinitionEvents(p *campaign.Published, now time.Time) []Event {
	var out []Event
	if since := now.Sub(p.PublishedAt); since >= 0 && since < AnnounceWithin {
		out = append(out, DefinitionEvent(DefinitionPublished, p))
	}
	if d := p.Definition; !d.ReviewBy.IsZero() && d.ReviewOverdue(now) && now.Sub(d.ReviewBy.EndOfDay()) < AnnounceWithin {
		out = append(out, DefinitionEvent(DefinitionReviewDue, p))
	}
	return out
}
