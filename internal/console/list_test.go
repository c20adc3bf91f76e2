package console

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/funnel"
)

// listStores is a campaigns table of n campaigns and a funnel store whose
// first campaignReaders reads wait for one another: the list only comes
// back if that many campaigns are read side by side.
type listStores struct {
	CampaignStore
	n       int
	failing string // a campaign whose drafts cannot be read

	mu        sync.Mutex
	inFlight  int
	most      int
	arrived   int
	together  chan struct{}
	countedBy map[string]int
}

func (s *listStores) List(context.Context) ([]*campaign.Published, error) {
	var ps []*campaign.Published
	for i := s.n - 1; i >= 0; i-- { // the table's order is not the page's
		ps = append(ps, &campaign.Published{Version: 1, Definition: &campaign.Definition{ID: fmt.Sprintf("c%03d", i), Name: fmt.Sprint("Campaign ", i)}})
	}
	return ps, nil
}

func (s *listStores) Drafts(_ context.Context, id string) ([]*campaign.Draft, error) {
	if id == s.failing {
		return nil, errors.New("drafts unreadable")
	}
	return make([]*campaign.Draft, len(id)%3), nil
}

func (s *listStores) Counters(ctx context.Context, id string, _, _ time.Time) ([]funnel.Counter, error) {
	s.mu.Lock()
	s.inFlight++
	s.most = max(s.most, s.inFlight)
	s.arrived++
	if s.arrived == campaignReaders {
		close(s.together)
	}
	s.countedBy[id]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	select {
	case <-s.together:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return nil, nil
}

// TestCampaignListReadsSideBySide: the campaigns' reads go side by side,
// never more than campaignReaders at once, every campaign once, and the
// rows come back in the page's order; one campaign that cannot be read
// fails the list rather than leaving a row out.
func TestCampaignListReadsSideBySide(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	period := funnel.Period{From: now.AddDate(0, 0, -30), To: now}
	stores := &listStores{n: 40, together: make(chan struct{}), countedBy: map[string]int{}}
	s := &Service{Campaigns: stores, Funnel: stores}
	// Reads made one after another would wait for each other for ever:
	// the deadline turns that into a failure that says so.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := s.CampaignList(ctx, period, now, true)
	if err != nil {
		t.Fatalf("the campaigns were not read side by side (at most %d at once): %v", stores.most, err)
	}
	if len(rows) != 40 || stores.most != campaignReaders {
		t.Fatalf("%d rows, at most %d read at once; want 40 and %d", len(rows), stores.most, campaignReaders)
	}
	for i, r := range rows {
		id := fmt.Sprintf("c%03d", i)
		if r.ID != id || r.Name != fmt.Sprint("Campaign ", i) || r.Drafts != len(id)%3 || stores.countedBy[id] != 1 {
			t.Errorf("row %d is %s (%q, %d drafts), counted %d times; want %s once", i, r.ID, r.Name, r.Drafts, stores.countedBy[id], id)
		}
	}

	failing := &listStores{n: 40, failing: "c017", together: make(chan struct{}), countedBy: map[string]int{}}
	s = &Service{Campaigns: failing, Funnel: failing}
	if rows, err := s.CampaignList(context.Background(), period, now, true); err == nil {
		t.Errorf("a campaign whose drafts cannot be read gave %d rows and no error", len(rows))
	}
}
