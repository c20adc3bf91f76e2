// Package privacy erases a person on request. The lead, its touch points,
// its history and its consents go; a tombstone keyed by the email's hash
// (the lead id) stays, so that a retried form, a re-uploaded badge-scan file
// or a queue message still in flight cannot bring the person back. Only
// something the person does after the erasure can.
package privacy

import (
	"context"
	"errors"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Store is what erasure needs from storage.
type Store interface {
	Lead(ctx context.Context, id string) (*lead.Record, error)
	// Erase replaces the lead by its tombstone if it is still at its
	// revision (lead.ErrChanged otherwise) and releases its owner.
	Erase(ctx context.Context, l *lead.Record, at time.Time) error
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
	for range 5 {
		l, err := store.Lead(ctx, id)
		if err != nil {
			return nil, err
		}
		err = store.Erase(ctx, l, at)
		if errors.Is(err, lead.ErrChanged) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r := &Report{LeadID: id, ErasedAt: at, TouchPoints: len(l.Touches), HistoryEntries: len(l.History), OwnerReleased: l.Owner}
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
	return nil, leadgate.Errorf(leadgate.ECONFLICT, "Lead %s kept changing while being erased; try again.", id)
}
