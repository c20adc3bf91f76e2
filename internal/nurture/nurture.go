// Package nurture enrolls leads that are not sales-ready in the nurture
// track their campaign names. When new touch points lift such a lead over
// its campaign's threshold, intake makes it an MQL and the router sends it
// to sales like any other: the path through nurturing stays on the lead's
// history.
package nurture

import (
	"context"
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
	// Update changes a lead in one write.
	Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error)
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
	at := e.now()
	enrolled := false
	_, err := e.store.Update(ctx, m.LeadID, func(l *lead.Record) (lead.Change, error) {
		enrolled = false
		if l == nil || l.ErasedAt != nil || l.Stage != lead.StageNurture || (l.Nurture != nil && l.Nurture.Track == track) {
			return lead.None, nil // erased, moved on, or enrolled already
		}
		n := *l
		n.Nurture = &lead.Enrollment{Track: track, Campaign: m.Campaign.ID, Since: at}
		n.UpdatedAt = at
		n.Remember(lead.Transition{
			At: at, From: l.Stage, To: l.Stage, By: lead.ByNurture, Reason: "enrolled in track " + track,
			Campaign: m.Campaign.ID, Version: m.Campaign.Version,
		})
		enrolled = true
		return lead.Change{Next: &n}, nil
	})
	if err == nil && enrolled {
		e.log.InfoContext(ctx, "lead enrolled", "lead_id", m.LeadID, "track", track, "campaign", m.Campaign.ID)
	}
	return err
}
