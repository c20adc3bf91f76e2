package intake

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
type Definitions struct {
	store  CampaignReader
	expiry time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	published *campaign.Published
	rules     *qualify.Rulebook
	err       error
	at        time.Time
}

// NewDefinitions returns a cache in front of store.
func NewDefinitions(store CampaignReader, expiry time.Duration, now func() time.Time) *Definitions {
	return &Definitions{store: store, expiry: expiry, now: now, entries: map[string]cached{}}
}

// Get returns the current definition and its rulebook.
func (c *Definitions) Get(ctx context.Context, id string) (*campaign.Published, *qualify.Rulebook, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.expiry {
		return e.published, e.rules, e.err
	}
	p, err := c.store.Current(ctx, id)
	switch {
	case err == nil:
		e = cached{published: p, rules: qualify.Compile(p), at: now}
	case leadgate.ErrorCode(err) == leadgate.ENOTFOUND:
		e = cached{err: err, at: now}
	default:
		return nil, nil, err // a failure to read is not remembered
	}
	c.mu.Lock()
	c.entries[id] = e
	c.mu.Unlock()
	return e.published, e.rules, e.err
}
