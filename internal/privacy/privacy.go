// Package privacy erases a person on request. The lead, its touch points,
// its history and its consents go; a tombstone keyed by the email's hash
// (the lead id) stays, so that a retried form, a re-uploaded badge-scan file
// or a queue message still in flight cannot bring the person back. Only
// something the person does after the erasure can.
package privacy

import (
	"context"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

// Store is what erasure needs from storage.
type Store interface {
	// Update changes a lead in one write, with the rep counts the change
	// moves: here, the lead's replacement by its tombstone.
	Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error)
}

// Report says what an erasure removed.
type Report struct {
	LeadID         string    `json:"leadId"`
	ErasedAt       time.Time `json:"erasedAt"`
	TouchPoints    int       `json:"touchPoints"`
	HistoryEntries int       `json:"historyEntries"`
	Fields         int       `json:"fields"`
	Consents       int       `json:"consents"`
	OwnerReleased  string    `json:"ownerReleased,omitempty"`
}

// Erase erases a lead.
func Erase(ctx context.Context, store Store, id string, at time.Time) (*Report, error) {
	var erased *lead.Record
	_, err := store.Update(ctx, id, func(cur *lead.Record) (lead.Change, error) {
		l, err := lead.Live(cur, id)
		if err != nil {
			return lead.None, err
		}
		erased = l
		return lead.Change{EraseAt: at, Release: l.Owner}, nil
	})
	if err != nil {
		return nil, err
	}
	l := erased
	r := &Report{LeadID: id, ErasedAt: at, TouchPoints: len(l.Touches), HistoryEntries: l.HistoryDropped + len(l.History), OwnerReleased: l.Owner}
	for _, f := range lead.BuiltinFields {
		if l.Field(f) != "" {
			r.Fields++
		}
	}
	r.Fields += len(l.Fields)
	for _, t := range l.Touches {
		r.Consents += len(t.Consents)
	}
	return r, nil
}
