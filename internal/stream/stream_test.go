package stream_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/route"
	"github.com/leadgate/leadgate/internal/stream"
)

type recordingSender struct {
	sent map[string][]string
	fail string // a message id to fail
}

func (s *recordingSender) Send(_ context.Context, queue string, msgs []*route.Message) ([]int, error) {
	var failed []int
	for i, m := range msgs {
		if m.ID == s.fail {
			failed = append(failed, i)
			continue
		}
		s.sent[queue] = append(s.sent[queue], m.ID)
	}
	if failed != nil {
		return failed, errors.New("throttled")
	}
	return nil, nil
}

// recordingHooks records the webhook events the router queues, failing
// those of one lead.
type recordingHooks struct {
	sent []string // type and subject
	fail string   // a lead id whose events fail
}

func (h *recordingHooks) SendEvents(_ context.Context, evs []*outbound.Event) ([]int, error) {
	var failed []int
	for i, e := range evs {
		if e.Subject == h.fail {
			failed = append(failed, i)
			continue
		}
		h.sent = append(h.sent, e.Type+" "+e.Subject)
	}
	if failed != nil {
		return failed, errors.New("throttled")
	}
	return nil, nil
}

func batch(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	b, err := os.ReadFile("testdata/stream-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// The fixture: a new MQL, a modify that keeps the stage, a counter item,
// a suspect becoming nurture, an unreadable lead record, and a new MQL
// after it.
func TestRouterStopsAtAnUnreadableRecord(t *testing.T) {
	s := &recordingSender{sent: map[string][]string{}}
	resp, err := stream.Router(route.NewRouter(s), &recordingHooks{}, quiet)(context.Background(), batch(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "100000000000000000005" {
		t.Errorf("failures = %+v, want the unreadable record's sequence number", resp.BatchItemFailures)
	}
	if got := s.sent[route.SalesReady]; len(got) != 1 || got[0] != "ld_new@1" {
		t.Errorf("sales-ready = %v", got)
	}
	if got := s.sent[route.Nurture]; len(got) != 1 || got[0] != "ld_up@2" {
		t.Errorf("nurture = %v", got)
	}
}

func TestRouterReportsTheFirstUnsentRecord(t *testing.T) {
	ev := batch(t)
	ev.Records = append(ev.Records[:4], ev.Records[5]) // drop the unreadable one
	s := &recordingSender{sent: map[string][]string{}, fail: "ld_up@2"}
	resp, _ := stream.Router(route.NewRouter(s), &recordingHooks{}, quiet)(context.Background(), ev)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "100000000000000000004" {
		t.Errorf("failures = %+v, want record 4's sequence number", resp.BatchItemFailures)
	}
}

// The webhook events go with the routing: the new MQL's lead.sales_ready is
// queued, and a lead whose events cannot be queued is the record reported,
// though its routing message went.
func TestRouterAnnouncesWebhookEvents(t *testing.T) {
	ev := batch(t)
	ev.Records = append(ev.Records[:4], ev.Records[5]) // drop the unreadable one
	s := &recordingSender{sent: map[string][]string{}}
	hooks := &recordingHooks{}
	resp, _ := stream.Router(route.NewRouter(s), hooks, quiet)(context.Background(), ev)
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures = %+v", resp.BatchItemFailures)
	}
	want := []string{"lead.sales_ready ld_new", "lead.sales_ready ld_after"}
	if !slices.Equal(hooks.sent, want) {
		t.Errorf("events = %v, want %v", hooks.sent, want)
	}
	hooks = &recordingHooks{fail: "ld_after"}
	resp, _ = stream.Router(route.NewRouter(&recordingSender{sent: map[string][]string{}}), hooks, quiet)(context.Background(), ev)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "100000000000000000006" {
		t.Errorf("failures = %+v, want the last record's sequence number", resp.BatchItemFailures)
	}
}
