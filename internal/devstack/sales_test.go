package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/route"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/wiring"
)

// eventually polls check until it passes or a generous deadline ends the
// test: the flow is asynchronous; the deadline only bounds a broken run.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	eventuallyWithin(t, 60*time.Second, what, check)
}

func eventuallyWithin(t *testing.T, limit time.Duration, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func putRep(t testing.TB, c client, id, territories string, capacity int) {
	t.Helper()
	body := fmt.Sprintf("name: %s\nemail: %s@leadgate.example\nterritories: [%s]\nactive: true\ncapacity: %d\n", id, id, territories, capacity)
	if r := c.do("PUT", "/v1/reps/"+id, "application/yaml", []byte(body)); r.status != 201 && r.status != 200 {
		t.Fatalf("put rep %s: %d %s", id, r.status, r.body)
	}
}

func demoRequest(email, country string) []byte {
	return jsonForm(map[string]any{"email": email, "firstName": "Dee", "lastName": "Mo", "company": "Fleetworks",
		"title": "CTO", "country": country, "employees": "201-1000", "_ts": renderedAt()})
}

func (c client) rep(id string) sales.Rep {
	c.t.Helper()
	var r sales.Rep
	resp := c.do("GET", "/v1/reps/"+id, "", nil)
	if resp.status != 200 {
		c.t.Fatalf("get rep %s: %d %s", id, resp.status, resp.body)
	}
	resp.json(c.t, &r)
	return r
}

// storedRep reads a rep from its table, as the checks of the tests under
// faults read the leads: through the API, whose functions the faults
// reach, a read may still meet one (a 503, to be retried).
func storedRep(t *testing.T, sys *devstack.System, id string) *sales.Rep {
	t.Helper()
	db := dynamodb.NewFromConfig(cfg)
	r, err := dynamo.NewSalesStore(db, dynamo.NewLeadStore(db, sys.Resources.Tables["LeadsTable"]), sys.Resources.Tables["RepsTable"]).Rep(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestHandOverToSalesAndBack(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "emea-1", "EMEA", 5)
	putRep(t, c, "na-1", "NA", 5)

	// A fitting demo request from Germany reaches sales and an EMEA rep.
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest("dee@fleetworks.de", "DE")); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("dee@fleetworks.de")
	var l httpapi.LeadView
	eventually(t, "assignment", func() bool { l = c.lead(id); return l.Owner != "" })
	if l.Owner != "emea-1" || l.Stage != lead.StageMQL || l.AssignedAt == nil || l.History[len(l.History)-1].Reason != "territory DE → round robin → emea-1" {
		t.Errorf("lead = owner %q stage %s history %+v", l.Owner, l.Stage, l.History)
	}
	if r := c.rep("emea-1"); r.OpenLeads != 1 {
		t.Errorf("emea-1 holds %d leads", r.OpenLeads)
	}
	var held struct {
		Leads []httpapi.LeadView `json:"leads"`
	}
	c.do("GET", "/v1/reps/emea-1/leads", "", nil).json(t, &held)
	if len(held.Leads) != 1 || held.Leads[0].ID != id {
		t.Errorf("emea-1's leads = %+v", held.Leads)
	}

	// A weak whitepaper download is nurtured and enrolled.
	public.do("POST", submissions, "application/json", jsonForm(ana()))
	ana := lead.IDFor("ana.silva@acme-health.com")
	eventually(t, "enrollment", func() bool { return c.lead(ana).Nurture != nil })
	if n := c.lead(ana).Nurture; n.Track != "cloud-cost-education" || n.Campaign != "cloud-cost-whitepaper" {
		t.Errorf("enrollment = %+v", n)
	}

	// Sales' answers: illegal ones are refused with what is allowed.
	feedback := func(body string) response {
		return c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(body))
	}
	if r := feedback(`{"action":"won"}`); r.status != 409 || !strings.Contains(string(r.body), "Allowed: accept, qualify, reject, recycle") {
		t.Errorf("won on an MQL: %d %s", r.status, r.body)
	}
	if r := feedback(`{"action":"recycle","reason":"bored"}`); r.status != 422 || !strings.Contains(string(r.body), "not-ready") {
		t.Errorf("bad reason: %d %s", r.status, r.body)
	}
	if r := feedback(`{"action":"qualify","bant":{"budget":"approved"}}`); r.status != 422 || !strings.Contains(string(r.body), "bant.authority") {
		t.Errorf("qualify without BANT: %d %s", r.status, r.body)
	}
	if r := feedback(`{"action":"accept","note":"called, demo booked"}`); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	// Recycle: back to nurture through the router, owner released.
	if r := feedback(`{"action":"recycle","reason":"timing","note":"budget next year"}`); r.status != 200 {
		t.Fatalf("recycle: %d %s", r.status, r.body)
	}
	eventually(t, "recycled lead enrolled", func() bool { l = c.lead(id); return l.Nurture != nil })
	if l.Owner != "" || l.Stage != lead.StageNurture || l.Nurture.Track != "demo-no-show" {
		t.Errorf("recycled lead: owner %q stage %s nurture %+v", l.Owner, l.Stage, l.Nurture)
	}
	if r := c.rep("emea-1"); r.OpenLeads != 0 {
		t.Errorf("emea-1 still holds %d leads after the recycle", r.OpenLeads)
	}
	var steps []string
	for _, h := range l.History {
		steps = append(steps, fmt.Sprintf("%s>%s by %s (%s)", h.From, h.To, h.By, h.Reason))
	}
	want := []string{
		">mql by engine (meets the definition)", "mql>mql by assigner (territory DE → round robin → emea-1)",
		"mql>sal by local-operator ()", "sal>nurture by local-operator (timing)",
		"nurture>nurture by nurture (enrolled in track demo-no-show)",
	}
	if strings.Join(steps, " | ") != strings.Join(want, " | ") {
		t.Errorf("history:\n got  %s\n want %s", strings.Join(steps, " | "), strings.Join(want, " | "))
	}
	if h := l.History[3]; h.Note != "budget next year" || h.Version != 1 || h.Campaign != "demo-request" {
		t.Errorf("recycle entry = %+v", h)
	}
}

// TestCapacityHoldsUnderConcurrentAssigners runs five assigners at once on
// the same messages, twice over: a rep with room for three gets three, the
// rest go to the fallback owner, and no lead is assigned twice.
func TestCapacityHoldsUnderConcurrentAssigners(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "dach-1", "DE, AT, CH", 3)
	const n = 12
	for i := range n {
		if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(fmt.Sprintf("p%d@fleetworks.de", i), "DE")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	msgs := receive(t, sys, "SalesReadyQueue", n)
	assign, err := wiring.Assign(cfg, functionEnv(t, sys, "AssignFunction"), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	for i, m := range msgs {
		body, _ := json.Marshal(m)
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprint(i), Body: string(body)})
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := assign(context.Background(), ev)
			if err != nil || len(resp.BatchItemFailures) > 0 {
				t.Errorf("assigner: %v %+v", err, resp.BatchItemFailures)
			}
		}()
	}
	wg.Wait()
	owners := map[string]int{}
	for i := range n {
		l := c.lead(lead.IDFor(fmt.Sprintf("p%d@fleetworks.de", i)))
		owners[l.Owner]++
		assignments := 0
		for _, h := range l.History {
			if h.By == "assigner" {
				assignments++
			}
		}
		if assignments != 1 {
			t.Errorf("lead %d assigned %d times", i, assignments)
		}
	}
	if owners["dach-1"] != 3 || owners["sales-queue"] != n-3 {
		t.Errorf("owners = %v", owners)
	}
	if r := c.rep("dach-1"); r.OpenLeads != 3 {
		t.Errorf("dach-1 holds %d, capacity 3", r.OpenLeads)
	}
}

func TestFailingMessagesEndInTheDeadLetterQueue(t *testing.T) {
	sys := start(t, "../../campaigns")
	q := sqs.NewFromConfig(cfg)
	url := sys.Resources.Queues["SalesReadyQueue"]
	for _, body := range []string{`{"schema":"someone-else/v9"}`, `not json`} {
		if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	dlq := sys.Resources.Queues["SalesReadyDeadLetterQueue"]
	var got []string
	eventually(t, "redrive to the dead-letter queue", func() bool {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &dlq, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, aws.ToString(m.Body))
		}
		return len(got) == 2
	})
}

// TestCLIReadsTheDocumentedFormat reads the sales-ready queue with the aws
// CLI, as a CRM sync's operator would.
func TestCLIReadsTheDocumentedFormat(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the aws CLI is not installed")
	}
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	public := client{t, sys.URL, ""}
	public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest("cli@fleetworks.de", "DE"))
	var m route.Message
	eventually(t, "a message the CLI can read", func() bool {
		out, err := exec.Command("aws", "sqs", "receive-message", "--endpoint-url", os.Getenv("AWS_ENDPOINT_URL_SQS"), "--region", "us-east-1",
			"--queue-url", sys.Resources.Queues["SalesReadyQueue"], "--message-attribute-names", "All", "--wait-time-seconds", "1").Output()
		if err != nil {
			t.Fatalf("aws sqs receive-message: %v", err)
		}
		var res struct {
			Messages []struct {
				Body              string
				MessageAttributes map[string]struct{ StringValue string }
			}
		}
		if len(out) == 0 || json.Unmarshal(out, &res) != nil || len(res.Messages) == 0 {
			return false
		}
		if err := json.Unmarshal([]byte(res.Messages[0].Body), &m); err != nil {
			t.Fatalf("body is not JSON: %v", err)
		}
		if res.Messages[0].MessageAttributes["schema"].StringValue != route.SchemaV1 {
			t.Errorf("attributes = %+v", res.Messages[0].MessageAttributes)
		}
		return true
	})
	if m.Schema != route.SchemaV1 || m.Queue != route.SalesReady || m.Lead.Email != "cli@fleetworks.de" || m.Verdict.Grade != lead.GradeA {
		t.Errorf("message = %+v", m)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestManagerReassigns: a sales manager moves a lead to a named rep, to
// whoever the rules pick next, and to the shared queue; each move carries
// the open-lead counts with it and is in the history. A rep who cannot
// take it, a rep who does not exist and a lead not in sales' hands are
// refused.
func TestManagerReassigns(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "emea-1", "EMEA", 5)
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest("lea@fleetworks.de", "DE")); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("lea@fleetworks.de")
	eventually(t, "assignment", func() bool { return c.lead(id).Owner == "emea-1" })
	putRep(t, c, "emea-2", "EMEA", 5)
	if r := c.do("PUT", "/v1/reps/emea-off", "application/yaml", []byte("name: Off\nemail: off@leadgate.example\nterritories: [EMEA]\nactive: false\ncapacity: 5\n")); r.status != 201 {
		t.Fatalf("put rep: %d %s", r.status, r.body)
	}
	assign := func(body string) (response, httpapi.LeadView) {
		t.Helper()
		r := c.do("POST", "/v1/leads/"+id+"/assign", "application/json", []byte(body))
		var l httpapi.LeadView
		if r.status == 200 {
			r.json(t, &l)
		}
		return r, l
	}
	counts := func() string {
		return fmt.Sprintf("emea-1 %d, emea-2 %d", c.rep("emea-1").OpenLeads, c.rep("emea-2").OpenLeads)
	}

	r, l := assign(`{"rep": "emea-2", "note": "emea-1 is at a conference"}`)
	h := l.History[len(l.History)-1]
	if r.status != 200 || l.Owner != "emea-2" || h.Reason != "reassigned from emea-1 to emea-2" || h.By != "local-operator" || h.Note != "emea-1 is at a conference" {
		t.Fatalf("to emea-2: %d owner %q history %+v", r.status, l.Owner, h)
	}
	if got := counts(); got != "emea-1 0, emea-2 1" {
		t.Errorf("after the move to emea-2: %s", got)
	}
	if r, l = assign(`{"rep": "auto"}`); r.status != 200 || l.Owner != "emea-1" {
		t.Errorf("auto: %d owner %q (the rules pick the next rep who is not the owner)", r.status, l.Owner)
	}
	if got := counts(); got != "emea-1 1, emea-2 0" {
		t.Errorf("after auto: %s", got)
	}
	for body, status := range map[string]int{
		`{"rep": "emea-off"}`:     409, // inactive
		`{"rep": "emea-1"}`:       409, // holds it already
		`{"rep": "nobody"}`:       422,
		`{"rep": ""}`:             422,
		`{"rep": "auto", "x": 1}`: 400,
	} {
		if r, _ := assign(body); r.status != status {
			t.Errorf("%s: %d %s, want %d", body, r.status, r.body, status)
		}
	}
	if r, l = assign(`{"rep": "sales-queue"}`); r.status != 200 || l.Owner != "sales-queue" {
		t.Errorf("to the shared queue: %d owner %q", r.status, l.Owner)
	}
	if got := counts(); got != "emea-1 0, emea-2 0" {
		t.Errorf("after the move to the shared queue: %s", got)
	}

	// A lead not in sales' hands has no owner to change.
	public.do("POST", "/v1/campaigns/cloud-cost-whitepaper/submissions", "application/json", jsonForm(ana()))
	anaID := lead.IDFor("ana.silva@acme-health.com")
	eventually(t, "Ana judged", func() bool { return c.lead(anaID).Stage == lead.StageNurture })
	if r := c.do("POST", "/v1/leads/"+anaID+"/assign", "application/json", []byte(`{"rep": "emea-1"}`)); r.status != 409 {
		t.Errorf("a nurtured lead: %d %s", r.status, r.body)
	}
}

// TestAwayRepsGetNoNewLeads: a rep away (on leave until next week) is
// passed over by the assigner and cannot be handed a lead by a manager;
// once the period lies in the past, they take leads again.
func TestAwayRepsGetNoNewLeads(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(7*24*time.Hour).UTC().Format(time.RFC3339)
	away := fmt.Sprintf("name: Away\nemail: away@leadgate.example\nterritories: [EMEA]\nactive: true\ncapacity: 5\naway:\n  - {from: %s, to: %s, reason: parental leave}\n", from, to)
	if r := c.do("PUT", "/v1/reps/emea-away", "application/yaml", []byte(away)); r.status != 201 {
		t.Fatalf("put rep: %d %s", r.status, r.body)
	}
	putRep(t, c, "emea-here", "EMEA", 5)
	for i := range 3 {
		email := fmt.Sprintf("lead%d@fleetworks.de", i)
		if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(email, "DE")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		id := lead.IDFor(email)
		eventually(t, "assignment", func() bool { return c.lead(id).Owner != "" })
		if o := c.lead(id).Owner; o != "emea-here" {
			t.Errorf("lead %d went to %s while emea-away is on leave", i, o)
		}
	}
	id := lead.IDFor("lead0@fleetworks.de")
	if r := c.do("POST", "/v1/leads/"+id+"/assign", "application/json", []byte(`{"rep": "emea-away"}`)); r.status != 409 || !strings.Contains(string(r.body), "parental leave") {
		t.Errorf("a manager handing a lead to an away rep: %d %s", r.status, r.body)
	}
	if rep := c.rep("emea-away"); len(rep.Away) != 1 || rep.Away[0].Reason != "parental leave" {
		t.Errorf("the absence as read back: %+v", rep.Away)
	}

	// Back: the period is over.
	back := strings.Replace(away, to, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), 1)
	if r := c.do("PUT", "/v1/reps/emea-away", "application/yaml", []byte(back)); r.status != 200 {
		t.Fatalf("put rep: %d %s", r.status, r.body)
	}
	if r := c.do("POST", "/v1/leads/"+id+"/assign", "application/json", []byte(`{"rep": "emea-away"}`)); r.status != 200 {
		t.Errorf("the rep is back: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", "/v1/reps/emea-away", "application/yaml", []byte(strings.Replace(away, "to: "+to, "to: "+from, 1))); r.status != 422 {
		t.Errorf("an absence ending when it starts: %d %s", r.status, r.body)
	}
}

// TestRepLeadsComeInPages: a rep's leads are listed 25 at a time, most
// recently assigned first, each page leading on to the next; a cursor not
// given by the list is refused.
func TestRepLeadsComeInPages(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "big-desk", "EMEA", 40)
	for i := range 27 {
		if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(fmt.Sprintf("p%d@fleetworks.de", i), "DE")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	eventually(t, "27 leads assigned", func() bool { return c.rep("big-desk").OpenLeads == 27 })
	type page struct {
		Leads []httpapi.LeadView `json:"leads"`
		Next  string             `json:"next"`
	}
	var first, second page
	c.do("GET", "/v1/reps/big-desk/leads", "", nil).json(t, &first)
	if len(first.Leads) != 25 || first.Next == "" {
		t.Fatalf("first page: %d leads, next %q", len(first.Leads), first.Next)
	}
	c.do("GET", "/v1/reps/big-desk/leads?cursor="+first.Next, "", nil).json(t, &second)
	if len(second.Leads) != 2 || second.Next != "" {
		t.Fatalf("second page: %d leads, next %q", len(second.Leads), second.Next)
	}
	seen := map[string]bool{}
	for _, l := range append(first.Leads, second.Leads...) {
		seen[l.ID] = true
	}
	if len(seen) != 27 {
		t.Errorf("%d different leads over the two pages, want 27", len(seen))
	}
	for _, bad := range []string{"nonsense", first.Next + "x"} {
		if r := c.do("GET", "/v1/reps/big-desk/leads?cursor="+bad, "", nil); r.status != 400 {
			t.Errorf("cursor %q: %d %s", bad, r.status, r.body)
		}
	}
	putRep(t, c, "other-desk", "EMEA", 5)
	if r := c.do("GET", "/v1/reps/other-desk/leads?cursor="+first.Next, "", nil); r.status != 400 {
		t.Errorf("another rep's cursor: %d %s", r.status, r.body)
	}
}
