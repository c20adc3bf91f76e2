package outbound_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/webhook/signing"
)

// ledger, subs and queue are in-memory stand-ins for the store and the
// queue (proven against DynamoDB Local and moto in internal/devstack's
// TestWebhooksOut); the receiver is a real HTTP server.
type memory struct {
	sub      *outbound.Subscription
	outcome  map[string]string
	leased   map[string]time.Time
	later    []time.Duration
	dead     []*outbound.Delivery
	queued   []*outbound.Delivery
	released int
}

func (m *memory) Subscriptions(context.Context) ([]outbound.Subscription, error) {
	return []outbound.Subscription{*m.sub}, nil
}

func (m *memory) Subscription(_ context.Context, id string) (*outbound.Subscription, error) {
	if m.sub == nil || id != m.sub.ID {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "no")
	}
	return m.sub, nil
}

func (m *memory) Claim(_ context.Context, sub, event string, now, leaseUntil, _ time.Time) (bool, bool, error) {
	k := sub + " " + event
	if m.outcome[k] != "" {
		return false, true, nil
	}
	if until, ok := m.leased[k]; ok && !until.Before(now) {
		return false, false, nil
	}
	m.leased[k] = leaseUntil
	return true, false, nil
}

func (m *memory) Release(_ context.Context, sub, event string) error {
	delete(m.leased, sub+" "+event)
	m.released++
	return nil
}

func (m *memory) Settle(_ context.Context, sub, event, outcome, _ string, _ time.Time) error {
	m.outcome[sub+" "+event] = outcome
	return nil
}

func (m *memory) Deliveries(_ context.Context, ds []*outbound.Delivery) ([]int, error) {
	m.queued = append(m.queued, ds...)
	return nil, nil
}

func (m *memory) Later(_ context.Context, _ *outbound.Delivery, delay time.Duration) error {
	m.later = append(m.later, delay)
	return nil
}

func (m *memory) DeadLetter(_ context.Context, d *outbound.Delivery) error {
	m.dead = append(m.dead, d)
	return nil
}

func TestDeliverSettlesRetriesOrDeadLetters(t *testing.T) {
	secret := outbound.NewSecret()
	ev := outbound.Derive(nil, next(mql(), func(r *lead.Record) { moveToMQL(r) }))[0]
	retry := outbound.Retry{Base: 30 * time.Second, Window: 24 * time.Hour}
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		attempt    int           // tries before this one
		sinceFirst time.Duration // since the first try
		outcome    string        // the ledger's, "" while it is retried
		later      time.Duration // the wait before the next try, if retried
		dead       bool
	}{
		{"a 2xx", 204, nil, 0, 0, outbound.Delivered, 0, false},
		{"a 404 is final", 404, nil, 0, 0, outbound.Refused, 0, false},
		{"a 410 is final", 410, nil, 2, time.Minute, outbound.Refused, 0, false},
		{"a redirect is not followed, and final", 302, map[string]string{"Location": "https://elsewhere.example/"}, 0, 0, outbound.Refused, 0, false},
		{"a 500, first", 500, nil, 0, 0, "", 30 * time.Second, false},
		{"a 503, third", 503, nil, 2, 90 * time.Second, "", 2 * time.Minute, false},
		{"a 408", 408, nil, 0, 0, "", 30 * time.Second, false},
		{"a 429 asks for longer", 429, map[string]string{"Retry-After": "600"}, 0, 0, "", 10 * time.Minute, false},
		{"a 429 asking for a day gets an hour", 429, map[string]string{"Retry-After": "86400"}, 0, 0, "", time.Hour, false},
		{"a 500 past the window", 500, nil, 25, 23*time.Hour + 30*time.Minute, outbound.DeadLettered, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var verified bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				verified = signing.Verify([]string{secret}, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body, time.Now()) == nil &&
					r.Header.Get("webhook-id") == ev.ID
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			m := &memory{sub: &outbound.Subscription{ID: "crm", URL: srv.URL, Events: []string{ev.Type}, Format: outbound.FormatStandard, Secret: secret},
				outcome: map[string]string{}, leased: map[string]time.Time{}}
			now := time.Now()
			d := outbound.NewDeliverer(m, m, m, outbound.NewClient(outbound.Targets{AllowLocal: true}), retry, func() time.Time { return now }, quiet)
			dl := &outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "crm", Event: ev, Attempt: tt.attempt}
			if tt.attempt > 0 {
				dl.FirstAttempt = now.Add(-tt.sinceFirst)
			}
			if err := d.Deliver(context.Background(), dl); err != nil {
				t.Fatal(err)
			}
			if !verified {
				t.Error("the receiver could not verify the delivery")
			}
			if got := m.outcome["crm "+ev.ID]; got != tt.outcome {
				t.Errorf("outcome %q, want %q", got, tt.outcome)
			}
			if tt.outcome == "" {
				if len(m.later) != 1 || m.later[0] != tt.later || !dl.NotBefore.Equal(now.Add(tt.later)) || dl.Attempt != tt.attempt+1 || m.released != 1 {
					t.Errorf("later %v (want %v), not before %s, attempt %d, released %d", m.later, tt.later, dl.NotBefore.Sub(now), dl.Attempt, m.released)
				}
			} else if len(m.later) != 0 {
				t.Errorf("retried after %v", m.later)
			}
			if tt.dead != (len(m.dead) == 1) || tt.dead && m.dead[0].LastError != "HTTP 500" {
				t.Errorf("dead-lettered: %+v", m.dead)
			}
		})
	}
}

// A receiver that does not answer within the client's timeout is retried;
// a delivery not due yet waits again; one settled, or held by another try,
// is not tried; one whose subscription is gone or no longer wants it is
// dropped.
func TestDeliverTimeoutsAndRepeats(t *testing.T) {
	secret := outbound.NewSecret()
	ev := outbound.Derive(nil, next(mql(), func(r *lead.Record) { moveToMQL(r) }))[0]
	hung := make(chan struct{})
	tries := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries++
		if r.URL.Path == "/slow" {
			select {
			case <-hung:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	defer close(hung)
	m := &memory{sub: &outbound.Subscription{ID: "crm", URL: srv.URL + "/slow", Events: []string{ev.Type}, Secret: secret},
		outcome: map[string]string{}, leased: map[string]time.Time{}}
	now := time.Now()
	client := outbound.NewClient(outbound.Targets{AllowLocal: true})
	client.Timeout = 200 * time.Millisecond
	d := outbound.NewDeliverer(m, m, m, client, outbound.Retry{Base: time.Second, Window: time.Hour}, func() time.Time { return now }, quiet)
	dl := &outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "crm", Event: ev}
	if err := d.Deliver(context.Background(), dl); err != nil {
		t.Fatal(err)
	}
	if len(m.later) != 1 || m.later[0] != time.Second || dl.LastError == "" || m.outcome["crm "+ev.ID] != "" {
		t.Fatalf("after a timeout: later %v, error %q, outcome %q", m.later, dl.LastError, m.outcome["crm "+ev.ID])
	}
	// Not due yet: queued again for what is left, not tried.
	tries = 0
	now = now.Add(400 * time.Millisecond)
	if err := d.Deliver(context.Background(), dl); err != nil || tries != 0 || len(m.later) != 2 || m.later[1] != 600*time.Millisecond {
		t.Fatalf("early: %v, tries %d, later %v", err, tries, m.later)
	}
	// Due, and the receiver answers now.
	m.sub.URL = srv.URL + "/fast"
	now = now.Add(time.Second)
	if err := d.Deliver(context.Background(), dl); err != nil || m.outcome["crm "+ev.ID] != outbound.Delivered || tries != 1 {
		t.Fatalf("due: %v, outcome %q, tries %d", err, m.outcome["crm "+ev.ID], tries)
	}
	// Settled: a copy of the message is not tried.
	if err := d.Deliver(context.Background(), &outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "crm", Event: ev}); err != nil || tries != 1 {
		t.Fatalf("settled copy: %v, tries %d", err, tries)
	}
	// Held by another try: looked at again later, not tried now.
	other := outbound.Derive(nil, next(mql(), func(r *lead.Record) { moveToMQL(r); r.Rev = 7 }))[0]
	m.sub.Events = []string{other.Type}
	m.leased["crm "+other.ID] = now.Add(time.Minute)
	later := len(m.later)
	if err := d.Deliver(context.Background(), &outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "crm", Event: other}); err != nil || tries != 1 || len(m.later) != later+1 {
		t.Fatalf("held: %v, tries %d, later %v", err, tries, m.later)
	}
	// Gone, or no longer wanted: dropped.
	m.sub.Events = []string{outbound.LeadFeedback}
	if err := d.Deliver(context.Background(), &outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "crm", Event: other}); err != nil || tries != 1 || len(m.later) != later+1 {
		t.Fatalf("unwanted: %v, tries %d", err, tries)
	}
	if err := d.Deliver(context.Background(), &outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "gone", Event: other}); err != nil || tries != 1 {
		t.Fatalf("gone: %v, tries %d", err, tries)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func moveToMQL(r *lead.Record) {
	r.Move(lead.Transition{At: r.UpdatedAt, To: lead.StageMQL, By: lead.ByEngine})
}

// Deployed, the client does not connect to a loopback or private address
// whatever name led to it; locally it may reach the loopback.
func TestClientDialsOnlyAllowedAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	localhost := "http://localhost:" + srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for _, url := range []string{srv.URL, localhost} {
		resp, err := outbound.NewClient(outbound.Targets{}).Get(url)
		if err == nil {
			resp.Body.Close()
			t.Errorf("deployed client reached %s", url)
		} else if !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("%s: %v", url, err)
		}
	}
	resp, err := outbound.NewClient(outbound.Targets{AllowLocal: true}).Get(srv.URL)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("local client: %v", err)
	}
	resp.Body.Close()
}
