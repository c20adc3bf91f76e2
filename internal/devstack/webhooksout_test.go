package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/webhook/signing"
	"github.com/leadgate/leadgate/internal/wiring"
)

// receiver is a webhook receiver on 127.0.0.1, as a subscriber runs one:
// it verifies every delivery's signature with its subscription's secret
// and counts deliveries by path and webhook-id. /flaky answers 500 to the
// first try of each event, /down answers 503 to every try.
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	secrets map[string]string         // path -> secret
	got     map[string]map[string]int // path -> webhook-id -> 2xx deliveries
	tries   map[string]map[string]int // path -> webhook-id -> requests
	events  map[string][]outbound.Event
	slack   []string
	bad     []string // what failed verification
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, secrets: map[string]string{}, got: map[string]map[string]int{}, tries: map[string]map[string]int{}, events: map[string][]outbound.Event{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	defer r.mu.Unlock()
	path := req.URL.Path
	if err := signing.Verify([]string{r.secrets[path]}, id, req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body, time.Now()); err != nil {
		r.bad = append(r.bad, path+" "+id)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.tries[path] == nil {
		r.tries[path], r.got[path] = map[string]int{}, map[string]int{}
	}
	r.tries[path][id]++
	switch {
	case path == "/down", path == "/flaky" && r.tries[path][id] == 1:
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case path == "/slack":
		var msg struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(body, &msg)
		r.slack = append(r.slack, msg.Text)
	default:
		var ev outbound.Event
		if err := json.Unmarshal(body, &ev); err != nil || ev.ID != id {
			r.bad = append(r.bad, path+" body "+string(body))
		}
		r.events[path] = append(r.events[path], ev)
	}
	r.got[path][id]++
	w.WriteHeader(http.StatusNoContent)
}

// types counts the event types path received, and reports any event
// delivered more than once.
func (r *receiver) types(path string) (map[string]int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := map[string]int{}
	for _, e := range r.events[path] {
		n[e.Type]++
	}
	var twice []string
	for id, k := range r.got[path] {
		if k > 1 {
			twice = append(twice, fmt.Sprintf("%s ×%d", id, k))
		}
	}
	return n, twice
}

// subscribe subscribes path of the receiver. Without a secret, leadgate
// makes one and must show it in the 201; with one (the fault test's), a
// 5xx is retried, and the same body again is safe.
func (r *receiver) subscribe(t *testing.T, c client, id, path, format, secret string, types ...string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"url": r.srv.URL + path, "events": types, "format": format, "secret": secret})
	var resp response
	for attempt := 0; attempt < 20; attempt++ {
		if resp = c.do("PUT", "/v1/webhooks/subscriptions/"+id, "application/json", body); resp.status < 500 || secret == "" {
			break
		}
	}
	var view struct {
		outbound.Subscription
		Secret string `json:"secret"`
	}
	resp.json(t, &view)
	switch {
	case secret == "" && (resp.status != 201 || !strings.HasPrefix(view.Secret, "whsec_")):
		t.Fatalf("subscribe %s: %d %s", id, resp.status, resp.body)
	case secret != "" && (resp.status != 201 && resp.status != 200 || view.Secret != ""):
		t.Fatalf("subscribe %s: %d %s", id, resp.status, resp.body)
	case secret == "":
		secret = view.Secret
	}
	r.mu.Lock()
	r.secrets[path] = secret
	r.mu.Unlock()
}

// drained waits until the webhook queue holds nothing, visible, delayed
// or in flight: every event and delivery on it was handled.
func drained(t *testing.T, sys *devstack.System) {
	t.Helper()
	q := sqs.NewFromConfig(cfg)
	url := sys.Resources.Queues["WebhookQueue"]
	eventually(t, "the webhook queue drained", func() bool {
		out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"} {
			if n, _ := strconv.Atoi(out.Attributes[a]); n > 0 {
				return false
			}
		}
		return true
	})
}

func TestWebhooksOut(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", Parameters: map[string]string{
		"WebhookLocalTargets": "true", "WebhookRetryBase": "1s", "WebhookRetryWindow": "4s",
	}})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	rcv := newReceiver(t)
	leadEvents := []string{outbound.LeadSalesReady, outbound.LeadAssigned, outbound.LeadSLAReminder, outbound.LeadSLABreached, outbound.LeadRecycled, outbound.LeadFeedback}
	rcv.subscribe(t, c, "crm", "/crm", "", "", leadEvents...)
	rcv.subscribe(t, c, "flaky", "/flaky", "standard", "", outbound.LeadSalesReady)
	rcv.subscribe(t, c, "down", "/down", "standard", "", outbound.LeadSalesReady)
	rcv.subscribe(t, c, "sales-channel", "/slack", "slack", "", outbound.LeadSalesReady)
	rcv.subscribe(t, c, "definitions", "/defs", "", "", outbound.DefinitionPublished, outbound.DefinitionReviewDue)

	// The API: the secret is shown once, never read back; bad input is
	// refused with every problem.
	if r := c.do("GET", "/v1/webhooks/subscriptions/crm", "", nil); r.status != 200 || strings.Contains(string(r.body), "whsec_") || !strings.Contains(string(r.body), `"lead.sla_breached"`) {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	var list struct {
		Subscriptions []outbound.Subscription `json:"subscriptions"`
	}
	if r := c.do("GET", "/v1/webhooks/subscriptions", "", nil); r.status != 200 || strings.Contains(string(r.body), "whsec_") {
		t.Errorf("list: %d %s", r.status, r.body)
	} else if r.json(t, &list); len(list.Subscriptions) != 5 {
		t.Errorf("list: %s", r.body)
	}
	if r := c.do("PUT", "/v1/webhooks/subscriptions/crm", "application/json", []byte(`{"url":"https://10.0.0.1/x","events":["lead.won"],"format":"teams"}`)); r.status != 422 ||
		!strings.Contains(string(r.body), `"url"`) || !strings.Contains(string(r.body), `"events[0]"`) || !strings.Contains(string(r.body), `"format"`) {
		t.Errorf("bad subscription: %d %s", r.status, r.body)
	}
	// A replacement without a secret keeps the subscription's own.
	if r := c.do("PUT", "/v1/webhooks/subscriptions/crm", "application/json", []byte(`{"url":"`+rcv.srv.URL+`/crm","events":`+mustJSON(leadEvents)+`}`)); r.status != 200 || strings.Contains(string(r.body), "whsec_") {
		t.Errorf("replace: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", "/v1/webhooks/subscriptions/gone", "application/json", []byte(`{"url":"`+rcv.srv.URL+`/gone","events":["lead.feedback"]}`)); r.status != 201 {
		t.Errorf("create gone: %d %s", r.status, r.body)
	}
	if r := c.do("DELETE", "/v1/webhooks/subscriptions/gone", "", nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/v1/webhooks/subscriptions/gone", "", nil); r.status != 404 {
		t.Errorf("get deleted: %d %s", r.status, r.body)
	}

	// A lead's life: sales-ready, assigned, reminded and breached by the
	// follow-up clock (written as the SLA sweep writes them), accepted,
	// recycled.
	putRep(t, c, "emea-1", "EMEA", 5)
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest("dee@fleetworks.de", "DE")); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("dee@fleetworks.de")
	eventually(t, "assignment", func() bool { return c.lead(id).Owner != "" })
	db := dynamodb.NewFromConfig(cfg)
	leads := dynamo.NewLeadStore(db, sys.Resources.Tables["LeadsTable"])
	for _, reason := range []string{lead.ReasonSLAReminder, lead.ReasonSLABreached} {
		if _, err := leads.Update(context.Background(), id, func(cur *lead.Record) (lead.Change, error) {
			n := *cur
			n.History = slices.Clone(cur.History)
			n.UpdatedAt = time.Now().UTC()
			n.Remember(lead.Transition{At: n.UpdatedAt, From: n.Stage, To: n.Stage, By: lead.BySLA, Reason: reason, Campaign: n.Verdict.Campaign, Version: n.Verdict.Version})
			return lead.Change{Next: &n}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if r := c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(`{"action":"accept","note":"called"}`)); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if r := c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(`{"action":"recycle","reason":"not-ready"}`)); r.status != 200 {
		t.Fatalf("recycle: %d %s", r.status, r.body)
	}
	want := map[string]int{
		outbound.LeadSalesReady: 1, outbound.LeadAssigned: 1, outbound.LeadSLAReminder: 1, outbound.LeadSLABreached: 1,
		outbound.LeadFeedback: 2, outbound.LeadRecycled: 1,
	}
	eventually(t, "every lead event at /crm", func() bool {
		got, _ := rcv.types("/crm")
		return fmt.Sprint(got) == fmt.Sprint(want)
	})

	// A new version of a definition is announced where it is published.
	if r := c.do("PUT", "/v1/campaigns/q3-webinar", "application/yaml", []byte(strings.ReplaceAll(minimalDefinition, "ID", "q3-webinar"))); r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	eventually(t, "definition.published at /defs", func() bool {
		got, _ := rcv.types("/defs")
		return got[outbound.DefinitionPublished] == 1
	})
	rcv.mu.Lock()
	if e := rcv.events["/defs"][0]; e.Subject != "q3-webinar" || e.Data.Campaign == nil || e.Data.Campaign.Version != 1 || e.Data.Definition == nil {
		t.Errorf("definition.published: %+v", e)
	}
	rcv.mu.Unlock()

	// /flaky's first try failed with a 503; the retry got through.
	eventually(t, "the retry to /flaky", func() bool {
		got, _ := rcv.types("/flaky")
		return got[outbound.LeadSalesReady] == 1
	})
	// /down answered 503 for the whole (shortened) window: the delivery
	// is on the dead-letter queue, and the ledger says so.
	q := sqs.NewFromConfig(cfg)
	dlq := sys.Resources.Queues["WebhookDeadLetterQueue"]
	var dead outbound.Delivery
	eventually(t, "the delivery to /down dead-lettered", func() bool {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			if json.Unmarshal([]byte(aws.ToString(m.Body)), &dead) == nil && dead.Subscription == "down" {
				return true
			}
		}
		return false
	})
	webhooks := dynamo.NewWebhookStore(db, sys.Resources.Tables["WebhooksTable"])
	// The ledger is settled just after the message is dead-lettered.
	eventually(t, "the ledger's dead-lettered outcome", func() bool {
		state, err := webhooks.Outcome(context.Background(), "down", dead.Event.ID)
		if err != nil {
			t.Fatal(err)
		}
		return state == outbound.DeadLettered
	})
	if dead.Attempt < 2 || dead.LastError != "HTTP 503" {
		t.Errorf("dead-lettered after %d tries (%s)", dead.Attempt, dead.LastError)
	}
	rcv.mu.Lock()
	downTries := rcv.tries["/down"][dead.Event.ID]
	slack := slices.Clone(rcv.slack)
	rcv.mu.Unlock()
	if downTries != dead.Attempt {
		t.Errorf("/down was tried %d times, the delivery says %d", downTries, dead.Attempt)
	}
	if len(slack) != 1 || !strings.HasPrefix(slack[0], "New sales-ready lead: Dee Mo (Fleetworks)") {
		t.Errorf("slack = %q", slack)
	}

	// Everything again: the stream's every record handed to the router a
	// second time, and one of the webhook queue's events and deliveries
	// handed to the deliverer twice more. Nothing is delivered twice.
	drained(t, sys)
	before, _ := rcv.types("/crm")
	ev, err := devstack.StreamEvent(context.Background(), cfg, sys.Resources.Resolver.Attrs["LeadsTable.StreamArn"])
	if err != nil {
		t.Fatal(err)
	}
	router := wired(t, sys, "RouterFunction", wiring.Router)
	if resp, err := router(context.Background(), ev); err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("router again: %v %+v", err, resp.BatchItemFailures)
	}
	rcv.mu.Lock()
	first := rcv.events["/crm"][0]
	rcv.mu.Unlock()
	eventBody := mustJSON(first)
	deliveryBody := mustJSON(outbound.Delivery{Schema: outbound.DeliverySchemaV1, Subscription: "crm", Event: first})
	deliver := wired(t, sys, "DeliverFunction", wiring.Deliver)
	resp, err := deliver(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: eventBody}, {MessageId: "m2", Body: eventBody},
		{MessageId: "m3", Body: deliveryBody}, {MessageId: "m4", Body: deliveryBody},
	}})
	if err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("deliver again: %v %+v", err, resp.BatchItemFailures)
	}
	drained(t, sys)
	after, twice := rcv.types("/crm")
	if fmt.Sprint(after) != fmt.Sprint(before) || len(twice) > 0 {
		t.Errorf("after the repeats: %v (before %v); delivered more than once: %v", after, before, twice)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bad) > 0 {
		t.Errorf("failed verification: %v", rcv.bad)
	}
	for _, e := range rcv.events["/crm"] {
		if e.Subject != id || e.Data.Lead == nil || e.Data.Lead.Email != "dee@fleetworks.de" {
			t.Errorf("event %s: %+v", e.Type, e)
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// wired builds a function's handler with the environment the template
// gives it in sys, as Lambda would.
func wired[H any](t *testing.T, sys *devstack.System, function string, wire func(aws.Config, wiring.Env, *slog.Logger) (H, error)) H {
	t.Helper()
	env, err := devstack.FunctionEnv(mustTemplate(t), sys.Resources, function)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wire(cfg, func(k string) string { return env[k] }, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestDeliverSampleEvent feeds events/webhook-event-message.json (a
// lead.sales_ready event as the router queues it) to the deliver
// function's handler as Lambda would: it fans the event out, and the
// receiver subscribed to it gets it, signed, once.
func TestDeliverSampleEvent(t *testing.T) {
	sys := startOpts(t, devstack.Options{Parameters: map[string]string{"WebhookLocalTargets": "true"}})
	c := client{t, sys.URL, sys.Token}
	rcv := newReceiver(t)
	rcv.subscribe(t, c, "crm", "/crm", "", "", outbound.LeadSalesReady)
	rcv.subscribe(t, c, "assignments", "/assignments", "", "", outbound.LeadAssigned)
	ev := sample[events.SQSEvent](t, "webhook-event-message.json")
	deliver := wired(t, sys, "DeliverFunction", wiring.Deliver)
	if resp, err := deliver(context.Background(), ev); err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("err %v, failures %+v", err, resp.BatchItemFailures)
	}
	eventually(t, "the sample event at /crm", func() bool {
		got, _ := rcv.types("/crm")
		return got[outbound.LeadSalesReady] == 1
	})
	drained(t, sys)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if e := rcv.events["/crm"][0]; e.ID != "evt_1cc499160bd18a515861377ab3658c0b" || e.Subject != "ld_opwqkqqm7tnf4eq7q65fbra7" || len(rcv.bad) > 0 {
		t.Errorf("received %+v; failed verification: %v", e, rcv.bad)
	}
	if len(rcv.events["/assignments"]) != 0 {
		t.Errorf("/assignments, subscribed to lead.assigned only, got %+v", rcv.events["/assignments"])
	}
}

// TestReviewDueIsAnnouncedOnce: a definition whose review day has passed
// is announced by the daily sweep (events/rejudge-sweep.json, handed to
// the re-judge function as the schedule does), once, however often the
// sweep runs.
func TestReviewDueIsAnnouncedOnce(t *testing.T) {
	sys := startOpts(t, devstack.Options{Parameters: map[string]string{"WebhookLocalTargets": "true"}})
	c := client{t, sys.URL, sys.Token}
	rcv := newReceiver(t)
	rcv.subscribe(t, c, "definitions", "/defs", "", "", outbound.DefinitionReviewDue)
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	doc := strings.ReplaceAll(strings.Replace(minimalDefinition, "reviewBy: 2027-03-01", "reviewBy: "+yesterday, 1), "ID", "q3-webinar")
	if r := c.do("PUT", "/v1/campaigns/q3-webinar", "application/yaml", []byte(doc)); r.status != 201 || !strings.Contains(string(r.body), "overdue for review") {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	sweep := sample[events.SQSEvent](t, "rejudge-sweep.json")
	rejudge := wired(t, sys, "RejudgeFunction", wiring.Rejudge)
	for range 3 {
		if resp, err := rejudge(context.Background(), sweep); err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("sweep: %v %+v", err, resp.BatchItemFailures)
		}
	}
	eventually(t, "definition.review_due at /defs", func() bool {
		got, _ := rcv.types("/defs")
		return got[outbound.DefinitionReviewDue] == 1
	})
	drained(t, sys)
	got, twice := rcv.types("/defs")
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	e := rcv.events["/defs"][0]
	if got[outbound.DefinitionReviewDue] != 1 || len(twice) > 0 || e.Subject != "q3-webinar" || e.Data.Definition.ReviewBy != yesterday || len(rcv.bad) > 0 {
		t.Errorf("received %v (%v twice): %+v; failed verification %v", got, twice, e, rcv.bad)
	}
}

// TestSubscriptionsAreBounded: thirty subscriptions asked for at once make
// exactly the 25 there may be; deleting one makes room for one.
func TestSubscriptionsAreBounded(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	var wg sync.WaitGroup
	statuses := make([]int, 30)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"url": "https://hooks.example.com/%d", "events": ["lead.sales_ready"]}`, i)
			statuses[i] = c.do("PUT", fmt.Sprintf("/v1/webhooks/subscriptions/s%d", i), "application/json", []byte(body)).status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	full := -1
	for i, s := range statuses {
		count[s]++
		if s == 409 {
			full = i
		}
	}
	if count[201] != outbound.MaxSubscriptions || count[409] != 30-outbound.MaxSubscriptions {
		t.Fatalf("statuses %v", count)
	}
	var list struct {
		Subscriptions []outbound.Subscription `json:"subscriptions"`
	}
	c.do("GET", "/v1/webhooks/subscriptions", "", nil).json(t, &list)
	if len(list.Subscriptions) != outbound.MaxSubscriptions {
		t.Errorf("%d listed", len(list.Subscriptions))
	}
	retry := fmt.Sprintf(`{"url": "https://hooks.example.com/%d", "events": ["lead.sales_ready"]}`, full)
	if r := c.do("PUT", fmt.Sprintf("/v1/webhooks/subscriptions/s%d", full), "application/json", []byte(retry)); r.status != 409 || !strings.Contains(string(r.body), "delete one first") {
		t.Errorf("the 26th: %d %s", r.status, r.body)
	}
	if r := c.do("DELETE", "/v1/webhooks/subscriptions/"+list.Subscriptions[0].ID, "", nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", fmt.Sprintf("/v1/webhooks/subscriptions/s%d", full), "application/json", []byte(retry)); r.status != 201 {
		t.Errorf("after a delete: %d %s", r.status, r.body)
	}
	// A replacement is not a new one: it fits when the list is full.
	if r := c.do("PUT", fmt.Sprintf("/v1/webhooks/subscriptions/s%d", full), "application/json", []byte(retry)); r.status != 200 {
		t.Errorf("a replacement when full: %d %s", r.status, r.body)
	}
}
