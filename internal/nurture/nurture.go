// Package nurture enrolls leads that are not sales-ready in the nurture
// track their campaign names. When new touch points lift such a lead over
// its campaign's threshold, intake makes it an MQL and the router sends it
// to sales like any other: the path through nurturing stays on the lead's
// history.
package nurture

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/route"
)

// DefaultTrack is where a lead goes when its campaign names no track.
const DefaultTrack = "general"

// Store is what enrollment needs from storage.
type Store interface {
	Lead(ctx context.Context, id string) (*lead.Record, error)
	// Save writes next if the lead is still at revision prev, else
	// lead.ErrChanged.
	Save(ctx context.Context, next *lead.Record, prev int64) error
}

// Campaigns reads a campaign's current definition.
type Campaigns interface {
	Current(ctx context.Context, id string) (*campaign.Published, error)
}

// Enroller records enrollments.
type Enroller struct {
	store     Store
	campaigns Campaigns
	now       func() time.Time
	log       *slog.Logger
}

// NewEnroller returns an enroller.
func NewEnroller(store Store, campaigns Campaigns, now func() time.Time, log *slog.Logger) *Enroller {
	return &Enroller{store: store, campaigns: campaigns, now: now, log: log}
}

// Handle enrolls the lead a message announces in its campaign's track,
// once: a lead already in that track, or no longer in nurture, is left
// alone.
func (e *Enroller) Handle(ctx context.Context, m *route.Message) error {
	track := DefaultTrack
	if p, err := e.campaigns.Current(ctx, m.Campaign.ID); err == nil && p.Definition.Nurture != nil {
		track = p.Definition.Nurture.Track
	} else if err != nil && leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
		return err
	}
	for range 10 {
		l, err := e.store.Lead(ctx, m.LeadID)
		if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if l.Stage != lead.StageNurture || (l.Nurture != nil && l.Nurture.Track == track) {
			return nil
		}
		at := e.now()
		n := *l
		n.Nurture = &lead.Enrollment{Track: track, Campaign: m.Campaign.ID, Since: at}
		n.Rev, n.UpdatedAt = l.Rev+1, at
		n.Remember(lead.Transition{
			At: at, From: l.Stage, To: l.Stage, By: "nurture", Reason: "enrolled in track " + track,
			Campaign: m.Campaign.ID, Version: m.Campaign.Version,
		})
		err = e.store.Save(ctx, &n, l.Rev)
		if errors.Is(err, lead.ErrChanged) {
			continue
		}
		if err == nil {
			e.log.InfoContext(ctx, "lead enrolled", "lead_id", l.ID, "track", track, "campaign", m.Campaign.ID)
		}
		return err
	}
	return leadgate.Errorf(leadgate.ECONFLICT, "Lead %s kept changing while being enrolled.", m.LeadID)
}
