// Package webhook takes in touch points that email, webinar and calling
// tools push as webhooks. A request is verified by the Standard Webhooks
// scheme (https://www.standardwebhooks.com), its payload mapped to touch
// points by the source's mapping (data, not code: mappings/*.yaml), and the
// touch points recorded through the touch-point service like any batch.
package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/touchpoint"
	"github.com/leadgate/leadgate/internal/webhook/signing"
)

// Secrets reads the signing secrets of a source ("whsec_…"; more than one
// while a secret is rotated).
type Secrets interface {
	Secrets(ctx context.Context, source string) ([]string, error)
}

// Replays remembers the webhook ids each source sent, so that a request is
// taken once: Seen says whether an id was taken already; Remember notes it
// taken, until the given time. An id is noted only once its touch points
// are recorded, so a sender's retry after a failure is taken; and since
// recording is idempotent, a replay racing the original records nothing
// twice.
type Replays interface {
	Seen(ctx context.Context, source, id string) (bool, error)
	Remember(ctx context.Context, source, id string, until time.Time) error
}

// maxIDBytes bounds a webhook id: it keys what leadgate remembers.
const maxIDBytes = 200

// Request is a webhook as it arrived.
type Request struct {
	Source    string
	ID        string // webhook-id
	Timestamp string // webhook-timestamp
	Signature string // webhook-signature
	Body      []byte
	// Campaign is the campaign named in the webhook's URL (?campaign=), for
	// tools whose events name none.
	Campaign string
}

// Answer is the account of a webhook: the touch points it carried, and the
// events that were not touch points (a delivery report, a bounce).
type Answer struct {
	touchpoint.Answer
	Skipped int `json:"skipped"`
}

// Service takes in webhooks.
type Service struct {
	touchpoints *touchpoint.Service
	secrets     Secrets
	replays     Replays
	log         *slog.Logger
}

// NewService returns the webhook service.
func NewService(touchpoints *touchpoint.Service, secrets Secrets, replays Replays, log *slog.Logger) *Service {
	return &Service{touchpoints: touchpoints, secrets: secrets, replays: replays, log: log}
}

// Receive verifies a webhook and records the touch points it carries. An
// unsigned, badly signed, stale or replayed request is EUNAUTHORIZED and
// writes nothing.
func (s *Service) Receive(ctx context.Context, r Request, now time.Time) (*Answer, error) {
	mappings, err := Mappings()
	if err != nil {
		return nil, err
	}
	m, ok := mappings[r.Source]
	if !ok {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No webhook source %s.", r.Source)
	}
	if r.Campaign != "" && !campaign.ValidID(r.Campaign) {
		return nil, leadgate.Invalid("The webhook URL names no campaign.", []leadgate.Problem{{Path: "campaign", Message: "a campaign id is lower-case letters, digits and dashes"}})
	}
	secrets, err := s.secrets.Secrets(ctx, r.Source)
	if err != nil {
		return nil, fmt.Errorf("secrets of %s: %w", r.Source, err)
	}
	if len(r.ID) > maxIDBytes {
		return nil, unverified()
	}
	if err := signing.Verify(secrets, r.ID, r.Timestamp, r.Signature, r.Body, now); err != nil {
		return nil, unverified()
	}
	seen, err := s.replays.Seen(ctx, r.Source, r.ID)
	if err != nil {
		return nil, err
	}
	if seen {
		s.log.WarnContext(ctx, "webhook replayed", "source", r.Source, "webhook_id", r.ID)
		return nil, unverified()
	}
	items, skipped, err := m.Items(r.Source, r.ID, r.Body, r.Campaign)
	if err != nil {
		return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The %s payload cannot be read: %v.", m.Name, err)
	}
	ans := &Answer{Skipped: skipped, Answer: touchpoint.Answer{Results: []touchpoint.Result{}, Counts: map[string]int{}}}
	from := lead.SourceAPI
	if m.Public {
		from = lead.SourceForm
	}
	// A tool decides how many events it sends at once; the body's bound
	// (1 MiB) bounds them, and they are recorded in batches of the API's
	// size.
	for start := 0; start < len(items); start += touchpoint.MaxItems {
		chunk := items[start:min(len(items), start+touchpoint.MaxItems)]
		tp, err := s.touchpoints.RecordAs(ctx, chunk, from, now)
		if tp != nil {
			for _, res := range tp.Results {
				res.Index += start
				ans.Results = append(ans.Results, res)
			}
			for k, n := range tp.Counts {
				ans.Counts[k] += n
			}
		}
		if err != nil {
			return ans, err // not remembered: the sender's retry is taken
		}
	}
	if err := s.replays.Remember(ctx, r.Source, r.ID, now.Add(2*signing.Tolerance)); err != nil {
		return ans, err
	}
	s.log.InfoContext(ctx, "webhook received", "source", r.Source, "webhook_id", r.ID, "items", len(items), "skipped", skipped)
	return ans, nil
}

func unverified() error {
	return leadgate.Errorf(leadgate.EUNAUTHORIZED, "The webhook is not signed by its source, or is stale or replayed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).")
}
