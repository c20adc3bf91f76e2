package outbound

import (
	"context"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// Store keeps the subscriptions.
type Store interface {
	Subscriptions
	// PutSubscription stores s: a new one (create) only while fewer than
	// MaxSubscriptions exist (else ECONFLICT), a replacement only of one
	// that still exists (else ECONFLICT: it changed meanwhile).
	PutSubscription(ctx context.Context, s *Subscription, create bool) error
	// DeleteSubscription removes one; ENOTFOUND when there is none.
	DeleteSubscription(ctx context.Context, id string) error
}

// Service manages subscriptions for the API.
type Service struct {
	store   Store
	targets Targets
}

// NewService returns the subscriptions service.
func NewService(store Store, t Targets) *Service { return &Service{store: store, targets: t} }

// Saved is a subscription as stored, and its secret when leadgate made it
// (shown this once).
type Saved struct {
	Subscription *Subscription
	Created      bool
	Secret       string
}

// Put creates or replaces a subscription. Without a secret, a new
// subscription gets one made for it and a replacement keeps its own, so
// changing the events does not break the receiver's verification.
func (s *Service) Put(ctx context.Context, sub *Subscription, now time.Time) (*Saved, error) {
	if err := sub.Validate(s.targets); err != nil {
		return nil, err
	}
	cur, err := s.store.Subscription(ctx, sub.ID)
	if err != nil && leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
		return nil, err
	}
	out := &Saved{Subscription: sub, Created: cur == nil}
	sub.CreatedAt, sub.UpdatedAt = now.UTC(), now.UTC()
	if cur != nil {
		sub.CreatedAt = cur.CreatedAt
		if sub.Secret == "" {
			sub.Secret = cur.Secret
		}
	}
	if sub.Secret == "" {
		sub.Secret = NewSecret()
		out.Secret = sub.Secret
	}
	if err := s.store.PutSubscription(ctx, sub, cur == nil); err != nil {
		return nil, err
	}
	return out, nil
}

// Get returns one subscription.
func (s *Service) Get(ctx context.Context, id string) (*Subscription, error) {
	return s.store.Subscription(ctx, id)
}

// List returns every subscription (at most MaxSubscriptions).
func (s *Service) List(ctx context.Context) ([]Subscription, error) {
	return s.store.Subscriptions(ctx)
}

// Delete removes a subscription; deliveries already queued for it are
// dropped when their turn comes.
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.store.DeleteSubscription(ctx, id)
}
