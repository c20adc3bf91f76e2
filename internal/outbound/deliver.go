package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/webhook/signing"
)

// DeliverySchemaV1 names a delivery message on the webhook queue.
const DeliverySchemaV1 = "leadgate.webhook-delivery/v1"

// Delivery is one event on its way to one subscription: what the webhook
// queue carries between attempts.
type Delivery struct {
	Schema       string `json:"schema"`
	Subscription string `json:"subscription"`
	Event        Event  `json:"event"`
	// Attempt counts the tries so far; FirstAttempt starts the retry
	// window; NotBefore is when the next try is due (a queue delays a
	// message 15 minutes at most, so a longer wait is several hops).
	Attempt      int       `json:"attempt"`
	FirstAttempt time.Time `json:"firstAttempt,omitzero"`
	NotBefore    time.Time `json:"notBefore,omitzero"`
	// LastError is why the last try failed.
	LastError string `json:"lastError,omitempty"`
}

// Outcomes the ledger keeps for a (subscription, event).
const (
	Delivered    = "delivered"     // a 2xx answer
	Refused      = "refused"       // a final 4xx (or 3xx): retrying cannot help
	DeadLettered = "dead-lettered" // retried for the whole window
)

// Subscriptions is what delivery reads of the subscriptions.
type Subscriptions interface {
	Subscriptions(ctx context.Context) ([]Subscription, error)
	// Subscription returns the subscription with its secret; ENOTFOUND
	// when there is none.
	Subscription(ctx context.Context, id string) (*Subscription, error)
}

// Ledger remembers each (subscription, event) for a while, so that a
// delivery is made once however often its message or its stream record
// comes.
type Ledger interface {
	// Claim takes the delivery for one try until leaseUntil. When it is
	// not taken, settled says whether the delivery is over (an outcome is
	// recorded) or another try holds it (a lease not over at now). The
	// record lives until expiresAt.
	Claim(ctx context.Context, subscription, event string, now, leaseUntil, expiresAt time.Time) (claimed, settled bool, err error)
	// Release gives a claim back after a try that will be retried.
	Release(ctx context.Context, subscription, event string) error
	// Settle records the outcome; the delivery is not tried again.
	Settle(ctx context.Context, subscription, event, outcome, detail string, expiresAt time.Time) error
}

// Queue carries deliveries between attempts.
type Queue interface {
	// Deliveries queues new deliveries and returns the indexes that failed,
	// with an error whenever any did.
	Deliveries(ctx context.Context, ds []*Delivery) (failed []int, err error)
	// Later queues d again, received after delay (at most 15 minutes).
	Later(ctx context.Context, d *Delivery, delay time.Duration) error
	// DeadLetter puts d on the dead-letter queue, where the alarm sees it.
	DeadLetter(ctx context.Context, d *Delivery) error
}

// Retry is the backoff: Base after the first failure, doubling up to
// MaxDelay, for Window from the first try.
type Retry struct {
	Base   time.Duration
	Window time.Duration
}

// MaxDelay caps one wait between tries, so a receiver back after an
// outage of a day hears within the hour.
const MaxDelay = time.Hour

// After returns the wait after the attempt-th failed try (1 for the first).
func (r Retry) After(attempt int) time.Duration {
	d := r.Base
	for i := 1; i < attempt && d < MaxDelay; i++ {
		d *= 2
	}
	return min(d, max(MaxDelay, r.Base))
}

// Bounds of one try.
const (
	// Timeout bounds one request, connection to last byte: a receiver
	// should answer at once and work later.
	Timeout = 10 * time.Second
	// maxAnswer bounds how much of an answer is read (and then dropped):
	// enough to reuse the connection, never a receiver's whole stream.
	maxAnswer = 64 << 10
	// lease is how long a claim keeps other tries off: one try's Timeout
	// and the writes around it.
	lease = Timeout + 30*time.Second
	// keep is how long a settled delivery is remembered past the retry
	// window: longer than any redelivery of its stream record or message.
	keep = 7 * 24 * time.Hour
)

// NewClient returns the HTTP client deliveries use: bounded in time,
// never following a redirect (a 3xx is the receiver's answer, and would
// take the signed body elsewhere), and dialing only addresses t allows.
func NewClient(t Targets) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: dialControl(t)}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  Timeout,
		MaxResponseHeaderBytes: 16 << 10,
		IdleConnTimeout:        30 * time.Second,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Deliverer fans events out to their subscriptions and makes each
// delivery.
type Deliverer struct {
	subs   Subscriptions
	ledger Ledger
	queue  Queue
	client *http.Client
	retry  Retry
	now    func() time.Time
	log    *slog.Logger
}

// NewDeliverer returns a deliverer.
func NewDeliverer(subs Subscriptions, ledger Ledger, q Queue, client *http.Client, retry Retry, now func() time.Time, log *slog.Logger) *Deliverer {
	return &Deliverer{subs: subs, ledger: ledger, queue: q, client: client, retry: retry, now: now, log: log}
}

// Fan queues one delivery of ev per subscription that wants it. A failure
// fails the whole event, which comes again: the ledger drops the
// deliveries that were queued the first time.
func (d *Deliverer) Fan(ctx context.Context, ev *Event) error {
	subs, err := d.subs.Subscriptions(ctx)
	if err != nil {
		return fmt.Errorf("read subscriptions: %w", err)
	}
	var ds []*Delivery
	for _, s := range subs {
		if s.Wants(ev.Type) {
			ds = append(ds, &Delivery{Schema: DeliverySchemaV1, Subscription: s.ID, Event: *ev})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	if failed, err := d.queue.Deliveries(ctx, ds); err != nil || len(failed) > 0 {
		return fmt.Errorf("queue %d of %d deliveries of %s: %w", len(failed), len(ds), ev.ID, err)
	}
	d.log.InfoContext(ctx, "event fanned out", "event", ev.ID, "type", ev.Type, "subscriptions", len(ds))
	return nil
}

// Deliver makes one try of a delivery, if it is due and not yet settled,
// and then settles it or queues the next try.
func (d *Deliverer) Deliver(ctx context.Context, dl *Delivery) error {
	now := d.now()
	if wait := dl.NotBefore.Sub(now); wait > 0 {
		// Not due yet: another hop of at most 15 minutes.
		return d.queue.Later(ctx, dl, wait)
	}
	if dl.FirstAttempt.IsZero() {
		dl.FirstAttempt = now
	}
	expires := dl.FirstAttempt.Add(d.retry.Window + keep)
	attrs := []any{"subscription", dl.Subscription, "event", dl.Event.ID, "type", dl.Event.Type, "attempt", dl.Attempt + 1}
	sub, err := d.subs.Subscription(ctx, dl.Subscription)
	if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
		d.log.InfoContext(ctx, "delivery dropped: the subscription is gone", attrs...)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read subscription %s: %w", dl.Subscription, err)
	}
	if !sub.Wants(dl.Event.Type) {
		d.log.InfoContext(ctx, "delivery dropped: the subscription no longer wants it", attrs...)
		return nil
	}
	claimed, settled, err := d.ledger.Claim(ctx, sub.ID, dl.Event.ID, now, now.Add(lease), expires)
	if err != nil {
		return fmt.Errorf("claim delivery: %w", err)
	}
	if settled {
		d.log.InfoContext(ctx, "delivery dropped: already settled", attrs...)
		return nil
	}
	if !claimed {
		// Another try holds it: a copy of this message, or a try that
		// crashed before it settled or released. Look again once its
		// lease is over; dropping it could lose the delivery.
		d.log.InfoContext(ctx, "delivery under way elsewhere; looking again after its lease", attrs...)
		return d.queue.Later(ctx, dl, lease)
	}
	status, retryAfter, tryErr := d.try(ctx, sub, &dl.Event, now)
	dl.Attempt++
	switch {
	case tryErr == nil && status >= 200 && status < 300:
		d.log.InfoContext(ctx, "delivered", append(attrs, "status", status)...)
		metrics.Count(ctx, d.log, metrics.WebhookTries, 1, "outcome", Delivered, "type", dl.Event.Type)
		return d.ledger.Settle(ctx, sub.ID, dl.Event.ID, Delivered, strconv.Itoa(status), expires)
	case tryErr == nil && !retryable(status):
		d.log.WarnContext(ctx, "delivery refused", append(attrs, "status", status)...)
		metrics.Count(ctx, d.log, metrics.WebhookTries, 1, "outcome", Refused, "type", dl.Event.Type)
		return d.ledger.Settle(ctx, sub.ID, dl.Event.ID, Refused, strconv.Itoa(status), expires)
	}
	if tryErr != nil {
		dl.LastError = tryErr.Error()
	} else {
		dl.LastError = "HTTP " + strconv.Itoa(status)
	}
	wait := max(d.retry.After(dl.Attempt), min(retryAfter, MaxDelay))
	next := now.Add(wait)
	if next.After(dl.FirstAttempt.Add(d.retry.Window)) {
		d.log.ErrorContext(ctx, "delivery dead-lettered", append(attrs, "error", dl.LastError)...)
		metrics.Count(ctx, d.log, metrics.WebhookTries, 1, "outcome", DeadLettered, "type", dl.Event.Type)
		if err := d.queue.DeadLetter(ctx, dl); err != nil {
			return fmt.Errorf("dead-letter delivery: %w", err)
		}
		return d.ledger.Settle(ctx, sub.ID, dl.Event.ID, DeadLettered, dl.LastError, expires)
	}
	d.log.WarnContext(ctx, "delivery failed; will retry", append(attrs, "error", dl.LastError, "retry_in", wait.String())...)
	metrics.Count(ctx, d.log, metrics.WebhookTries, 1, "outcome", "retried", "type", dl.Event.Type)
	if err := d.ledger.Release(ctx, sub.ID, dl.Event.ID); err != nil {
		return fmt.Errorf("release delivery: %w", err)
	}
	dl.NotBefore = next
	return d.queue.Later(ctx, dl, wait)
}

// retryable says which answers may change if asked again: the server's
// errors, a timeout, too many requests.
func retryable(status int) bool {
	return status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
}

// try posts the event, signed, and returns the answer's status and any
// Retry-After it asked for.
func (d *Deliverer) try(ctx context.Context, sub *Subscription, ev *Event, now time.Time) (int, time.Duration, error) {
	body, err := Body(sub.Format, ev)
	if err != nil {
		return 0, 0, fmt.Errorf("encode event: %w", err)
	}
	h, err := Headers(sub.Secret, ev.ID, now, body)
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("request: %w", err)
	}
	req.Header = h
	resp, err := d.client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, 0, fmt.Errorf("no answer within %s", Timeout)
		}
		return 0, 0, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	var after time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	return resp.StatusCode, after, nil
}

// Headers are a delivery's Standard Webhooks headers: webhook-id (the
// event's id, the same on every retry, for the receiver to drop repeats),
// webhook-timestamp (this try's time, in seconds) and webhook-signature
// ("v1," and the base64 HMAC-SHA256 of "id.timestamp.body" keyed by the
// secret's bytes).
func Headers(secret, id string, at time.Time, body []byte) (http.Header, error) {
	key, err := signing.SecretKey(secret)
	if err != nil {
		return nil, fmt.Errorf("the subscription's secret: %w", err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	return http.Header{
		"Content-Type":      {"application/json"},
		"User-Agent":        {"leadgate-webhooks/1"},
		"Webhook-Id":        {id},
		"Webhook-Timestamp": {ts},
		"Webhook-Signature": {"v1," + signing.Sign(key, id, ts, body)},
	}, nil
}
