package capture

import (
	"context"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/qualify"
)

// CampaignReader reads the current definition of a campaign.
type CampaignReader interface {
	Current(ctx context.Context, id string) (*campaign.Published, error)
}

// Definitions caches compiled definitions between invocations: a Lambda
// container serves many submissions, and a definition changes rarely. An
// edit is picked up within the expiry; an unknown campaign is remembered as
// unknown for as long, so probing for campaigns does not reach the table.
// Both are bounded (MaxCachedCampaigns, MaxCachedUnknown): ids come from
// URLs anyone can type.
type Definitions struct {
	store  CampaignReader
	expiry time.Duration
	now    func() time.Time

	mu      sync.Mutex
	known   map[string]cached
	unknown map[string]cached
}

// Bounds of the definitions cache: far more campaigns than a team runs at
// once, and enough unknown ids to absorb a scan of the API; past them the
// oldest entry goes.
const (
	MaxCachedCampaigns = 256
	MaxCachedUnknown   = 1024
)

type cached struct {
	published *campaign.Published
	rules     *qualify.Rulebook
	err       error
	at        time.Time
}

// NewDefinitions returns a cache in front of store.
func NewDefinitions(store CampaignReader, expiry time.Duration, now func() time.Time) *Definitions {
	return &Definitions{store: store, expiry: expiry, now: now, known: map[string]cached{}, unknown: map[string]cached{}}
}

// Get returns the current definition and its rulebook.
func (c *Definitions) Get(ctx context.Context, id string) (*campaign.Published, *qualify.Rulebook, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.known[id]
	if !ok {
		e, ok = c.unknown[id]
	}
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.expiry {
		return e.published, e.rules, e.err
	}
	p, err := c.store.Current(ctx, id)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err == nil:
		e = cached{published: p, rules: qualify.Compile(p), at: now}
		delete(c.unknown, id)
		put(c.known, id, e, MaxCachedCampaigns)
	case leadgate.ErrorCode(err) == leadgate.ENOTFOUND:
		e = cached{err: err, at: now}
		delete(c.known, id)
		put(c.unknown, id, e, MaxCachedUnknown)
	default:
		return nil, nil, err // a failure to read is not remembered
	}
	return e.published, e.rules, e.err
}

// Len returns how many campaigns, known and unknown, the cache holds.
func (c *Definitions) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.known) + len(c.unknown)
}

// put stores e under id, first making room by dropping the oldest entry
// when m holds bound entries.
func put(m map[string]cached, id string, e cached, bound int) {
	if _, ok := m[id]; !ok && len(m) >= bound {
		oldest := ""
		for k, v := range m {
			if oldest == "" || v.at.Before(m[oldest].at) {
				oldest = k
			}
		}
		delete(m, oldest)
	}
	m[id] = e
}
