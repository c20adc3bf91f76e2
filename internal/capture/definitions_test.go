package capture

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// campaignsByID answers for the ids it holds and "not found" for any other,
// counting the reads that reach it.
type campaignsByID struct {
	published map[string]*campaign.Published
	reads     atomic.Int64
}

func (c *campaignsByID) Current(_ context.Context, id string) (*campaign.Published, error) {
	c.reads.Add(1)
	if p, ok := c.published[id]; ok {
		return p, nil
	}
	return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No campaign %s.", id)
}

// TestDefinitionsCacheIsBounded: a scan of made-up campaign ids fills the
// unknown side of the cache to its bound and no further, and does not push
// out the campaigns in use.
func TestDefinitionsCacheIsBounded(t *testing.T) {
	d, err := authored.Parse([]byte("id: t\nname: T\nchannel: landing-page\nfunnel: top\nowner: o@example.com\nsalesOwner: s@example.com\nreviewBy: 2027-03-01\nengagement: {threshold: 10, points: {form-submission: 5}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Validate(time.Now()); err != nil {
		t.Fatal(err)
	}
	p := &campaign.Published{Version: 1, Definition: d}
	store := &campaignsByID{published: map[string]*campaign.Published{"t": p}}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := NewDefinitions(store, 30*time.Second, func() time.Time { return now })
	ctx := context.Background()
	if _, _, err := c.Get(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 * MaxCachedUnknown {
		now = now.Add(time.Millisecond)
		if _, _, err := c.Get(ctx, fmt.Sprintf("probe-%d", i)); leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
			t.Fatalf("probe %d: %v", i, err)
		}
	}
	if n := c.Len(); n != MaxCachedUnknown+1 {
		t.Errorf("cache holds %d entries, want %d unknown and the one campaign", n, MaxCachedUnknown)
	}
	reads := store.reads.Load()
	if got, _, err := c.Get(ctx, "t"); err != nil || got != p || store.reads.Load() != reads {
		t.Errorf("the campaign in use was pushed out by the probes (%v)", err)
	}
	// The newest probes are still remembered as unknown.
	if _, _, _ = c.Get(ctx, fmt.Sprintf("probe-%d", 20*MaxCachedUnknown-1)); store.reads.Load() != reads {
		t.Error("the newest unknown id was not remembered")
	}
}
