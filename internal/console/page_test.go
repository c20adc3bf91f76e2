package console

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/funnel"
)

// pageStores is one campaign at version 3 whose page reads (versions,
// counters, drafts and the two versions compared) each wait until all
// pageReads have arrived: the page only comes back if they are made side
// by side. failing names a read that fails instead.
type pageStores struct {
	CampaignStore
	failing string

	mu       sync.Mutex
	arrived  []string
	together chan struct{}
}

const pageReads = 5

func (s *pageStores) meet(ctx context.Context, read string) error {
	s.mu.Lock()
	s.arrived = append(s.arrived, read)
	if len(s.arrived) == pageReads {
		close(s.together)
	}
	s.mu.Unlock()
	if read == s.failing {
		return errors.New(read + " unreadable")
	}
	select {
	case <-s.together:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func version(n int) *campaign.Published {
	return &campaign.Published{Version: n, Definition: &campaign.Definition{ID: "c", Name: "Campaign"}}
}

func (s *pageStores) Current(context.Context, string) (*campaign.Published, error) {
	return version(3), nil
}

func (s *pageStores) Versions(ctx context.Context, _ string, newest, _ int) ([]*campaign.Published, error) {
	if err := s.meet(ctx, "versions"); err != nil {
		return nil, err
	}
	return []*campaign.Published{version(newest), version(newest - 1)}, nil
}

func (s *pageStores) Version(ctx context.Context, _ string, n int) (*campaign.Published, error) {
	if err := s.meet(ctx, "version "+string(rune('0'+n))); err != nil {
		return nil, err
	}
	return version(n), nil
}

func (s *pageStores) Drafts(ctx context.Context, _ string) ([]*campaign.Draft, error) {
	return nil, s.meet(ctx, "drafts")
}

func (s *pageStores) Counters(ctx context.Context, _ string, _, _ time.Time) ([]funnel.Counter, error) {
	if err := s.meet(ctx, "counters"); err != nil {
		return nil, err
	}
	return nil, nil
}

// TestCampaignPageReadsSideBySide: after the version in force, the
// campaign page's reads (its versions, its funnel, the two versions it
// compares, its drafts) are made side by side, each once, and one that
// fails fails the page rather than leaving a part out.
func TestCampaignPageReadsSideBySide(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	q := CampaignQuery{Period: funnel.Period{From: now.AddDate(0, 0, -30), To: now}, DiffFrom: 1, DiffTo: 2, WithFunnel: true}
	stores := &pageStores{together: make(chan struct{})}
	s := &Service{Campaigns: stores, Funnel: stores}
	// Reads made one after another would wait for each other for ever:
	// the deadline turns that into a failure that says so.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	page, err := s.Campaign(ctx, "c", q, now)
	if err != nil {
		t.Fatalf("the page's reads were not made side by side (%d of %d arrived: %q): %v", len(stores.arrived), pageReads, stores.arrived, err)
	}
	if len(stores.arrived) != pageReads {
		t.Errorf("reads %q, want %d", stores.arrived, pageReads)
	}
	if len(page.Versions) != 2 || page.Diff == nil || page.Diff.From != 1 || page.Diff.To != 2 {
		t.Errorf("page has %d versions and diff %+v; want 2 and 1 → 2", len(page.Versions), page.Diff)
	}

	for _, read := range []string{"versions", "counters", "version 2", "drafts"} {
		t.Run(read+" fails", func(t *testing.T) {
			stores := &pageStores{failing: read, together: make(chan struct{})}
			s := &Service{Campaigns: stores, Funnel: stores}
			if page, err := s.Campaign(context.Background(), "c", q, now); err == nil {
				t.Errorf("the page came back (%+v) with its %s unread", page, read)
			}
		})
	}
}
