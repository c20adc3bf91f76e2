package devstack_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/awsmeter"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/wiring"
)

// pipeline is leadgate's functions wired as Lambda wires them, each on a
// metered SDK configuration, with no pollers: the test hands each stream
// record and queue message on itself, so what every operation costs is
// counted whole and the same on every run, however busy the machine.
type pipeline struct {
	t      *testing.T
	res    *devstack.Resources
	meters map[string]*awsmeter.Meter // by function
	// invocations by function; records and messages handed to each.
	invocations, items map[string]int
	// busy is each function's time in its handler: logged for the
	// GB-second estimate, never asserted.
	busy             map[string]time.Duration
	intake, badges   func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	router, reporter func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
	queues           map[string]func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) // by queue
	consumers        map[string]string                                                                  // queue → function
	seen             int                                                                                // stream records handed on so far
	q                *sqs.Client
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	ctx := context.Background()
	tpl := mustTemplate(t)
	prefix := fmt.Sprintf("t%d-cap%d-", time.Now().UnixNano()%1e6, prefixes.Add(1))
	res, err := devstack.Provision(ctx, cfg, tpl, prefix)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	if err := devstack.PublishFolder(ctx, dynamo.NewCampaignStore(db, res.Tables["CampaignsTable"]), "../../campaigns", io.Discard); err != nil {
		t.Fatal(err)
	}
	reps := dynamo.NewSalesStore(db, dynamo.NewLeadStore(db, res.Tables["LeadsTable"]), res.Tables["RepsTable"])
	if _, _, err := reps.PutRep(ctx, &sales.Rep{ID: "na", Name: "NA", Territories: []string{"NA"}, Active: true, Capacity: 1000}); err != nil {
		t.Fatal(err)
	}
	p := &pipeline{t: t, res: res, meters: map[string]*awsmeter.Meter{}, invocations: map[string]int{}, items: map[string]int{}, busy: map[string]time.Duration{},
		queues: map[string]func(context.Context, events.SQSEvent) (events.SQSEventResponse, error){}, consumers: map[string]string{}, q: sqs.NewFromConfig(cfg)}
	wire := func(function string) (aws.Config, wiring.Env) {
		env, err := devstack.FunctionEnv(tpl, res, function)
		if err != nil {
			t.Fatal(err)
		}
		// The definitions cache outlives the test: a read of a definition
		// after its 30 s would depend on how fast this machine runs.
		env["DEFINITION_TTL"] = "1h"
		m := awsmeter.New(func(table string) string { return strings.TrimPrefix(table, prefix) })
		p.meters[function] = m
		return m.Config(cfg), func(k string) string { return env[k] }
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, env := wire("IntakeFunction")
	p.intake, err = wiring.Intake(c, env, quietLog())
	must(err)
	c, env = wire("BadgeScanFunction")
	p.badges, err = wiring.BadgeScans(c, env, quietLog())
	must(err)
	c, env = wire("RouterFunction")
	p.router, err = wiring.Router(c, env, quietLog())
	must(err)
	c, env = wire("ReporterFunction")
	p.reporter, err = wiring.Reporter(c, env, quietLog())
	must(err)
	for name, function := range map[string]string{"SalesReadyQueue": "AssignFunction", "NurtureQueue": "NurtureFunction", "WebhookQueue": "DeliverFunction"} {
		c, env = wire(function)
		build := map[string]func(aws.Config, wiring.Env, *slog.Logger) (queue.Handler, error){"AssignFunction": wiring.Assign, "NurtureFunction": wiring.Nurture, "DeliverFunction": wiring.Deliver}[function]
		h, err := build(c, env, quietLog())
		must(err)
		p.queues[name], p.consumers[name] = h, function
	}
	return p
}

// invoke counts an invocation of function with n records or messages.
func (p *pipeline) invoke(function string, n int) {
	p.invocations[function]++
	p.items[function] += n
}

// post hands a request to an HTTP function and wants status.
func (p *pipeline) post(function string, h func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), ev events.APIGatewayV2HTTPRequest, status int) string {
	p.t.Helper()
	p.invoke(function, 1)
	start := time.Now()
	resp, err := h(context.Background(), ev)
	p.busy[function] += time.Since(start)
	if err != nil || resp.StatusCode != status {
		p.t.Fatalf("%s: %v %d %s", function, err, resp.StatusCode, resp.Body)
	}
	return resp.Body
}

// settle hands every new stream record to the router and the reporter,
// and every queued message to its consumer, until nothing moves.
func (p *pipeline) settle() {
	p.t.Helper()
	ctx := context.Background()
	for round := 0; ; round++ {
		if round == 20 {
			p.t.Fatal("still moving after 20 rounds")
		}
		moved := false
		ev, err := devstack.StreamEvent(ctx, cfg, p.res.Resolver.Attrs["LeadsTable.StreamArn"])
		if err != nil {
			p.t.Fatal(err)
		}
		if fresh := ev.Records[p.seen:]; len(fresh) > 0 {
			p.seen, moved = len(ev.Records), true
			batch := events.DynamoDBEvent{Records: fresh}
			p.invoke("RouterFunction", len(fresh))
			start := time.Now()
			if resp, err := p.router(ctx, batch); err != nil || len(resp.BatchItemFailures) > 0 {
				p.t.Fatalf("router: %v %+v", err, resp.BatchItemFailures)
			}
			p.busy["RouterFunction"] += time.Since(start)
			p.invoke("ReporterFunction", len(fresh))
			start = time.Now()
			if resp, err := p.reporter(ctx, batch); err != nil || len(resp.BatchItemFailures) > 0 {
				p.t.Fatalf("reporter: %v %+v", err, resp.BatchItemFailures)
			}
			p.busy["ReporterFunction"] += time.Since(start)
		}
		for _, name := range slices.Sorted(maps.Keys(p.queues)) {
			url := p.res.Queues[name]
			out, err := p.q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
			if err != nil {
				p.t.Fatal(err)
			}
			if len(out.Messages) == 0 {
				continue
			}
			moved = true
			var batch events.SQSEvent
			for _, m := range out.Messages {
				batch.Records = append(batch.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
					Attributes: m.Attributes, EventSourceARN: p.res.Resolver.Attrs[name+".Arn"]})
			}
			p.invoke(p.consumers[name], len(batch.Records))
			start := time.Now()
			if resp, err := p.queues[name](ctx, batch); err != nil || len(resp.BatchItemFailures) > 0 {
				p.t.Fatalf("%s: %v %+v", p.consumers[name], err, resp.BatchItemFailures)
			}
			p.busy[p.consumers[name]] += time.Since(start)
			for _, m := range out.Messages {
				if _, err := p.q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
					p.t.Fatal(err)
				}
			}
		}
		if !moved {
			return
		}
	}
}

// cost is what one operation asked of AWS, over every function.
type cost struct {
	usage       awsmeter.Usage            // every function's, summed
	byFunction  map[string]awsmeter.Usage // each function's
	invocations map[string]int            // by function
	items       map[string]int            // records and messages handed to each function
	busy        map[string]time.Duration  // in each function's handler
}

// measure runs op and everything it sets moving, and returns what that
// cost.
func (p *pipeline) measure(op func()) cost {
	p.t.Helper()
	before := map[string]awsmeter.Usage{}
	for f, m := range p.meters {
		before[f] = m.Snapshot()
	}
	inv, items, busy := maps.Clone(p.invocations), maps.Clone(p.items), maps.Clone(p.busy)
	op()
	p.settle()
	c := cost{usage: awsmeter.Usage{Requests: map[string]int{}, Read: map[string]float64{}, Write: map[string]float64{}},
		byFunction: map[string]awsmeter.Usage{}, invocations: map[string]int{}, items: map[string]int{}, busy: map[string]time.Duration{}}
	for f, m := range p.meters {
		d := m.Snapshot().Sub(before[f])
		c.byFunction[f] = d
		for k, v := range d.Requests {
			c.usage.Requests[k] += v
		}
		for k, v := range d.Read {
			c.usage.Read[k] += v
		}
		for k, v := range d.Write {
			c.usage.Write[k] += v
		}
	}
	for f, n := range p.invocations {
		if d := n - inv[f]; d > 0 {
			c.invocations[f] = d
		}
	}
	for f, n := range p.items {
		if d := n - items[f]; d > 0 {
			c.items[f] = d
		}
	}
	for f, d := range p.busy {
		if d -= busy[f]; d > 0 {
			c.busy[f] = d
		}
	}
	return c
}

func (c cost) wcu(key string) float64 { return c.usage.Write[key] }

// per divides what n like operations cost into one's share, as a line of
// figures.
func (c cost) per(n int) string {
	var b strings.Builder
	d := float64(n)
	fmt.Fprintf(&b, "WCU %.2f (", awsmeter.Sum(c.usage.Write, func(string) bool { return true })/d)
	for _, k := range slices.Sorted(maps.Keys(c.usage.Write)) {
		fmt.Fprintf(&b, " %s %.2f", k, c.usage.Write[k]/d)
	}
	fmt.Fprintf(&b, " ) RCU %.2f (", awsmeter.Sum(c.usage.Read, func(string) bool { return true })/d)
	for _, k := range slices.Sorted(maps.Keys(c.usage.Read)) {
		fmt.Fprintf(&b, " %s %.2f", k, c.usage.Read[k]/d)
	}
	fmt.Fprintf(&b, " ) DynamoDB requests %.2f, SQS requests %.2f;", float64(c.usage.Service("DynamoDB"))/d, float64(c.usage.Service("SQS"))/d)
	for _, f := range slices.Sorted(maps.Keys(c.items)) {
		fmt.Fprintf(&b, " %s items %.2f", f, float64(c.items[f])/d)
	}
	for _, k := range slices.Sorted(maps.Keys(c.usage.Requests)) {
		fmt.Fprintf(&b, "; %s %.2f", k, float64(c.usage.Requests[k])/d)
	}
	return b.String()
}

// formRequest is events/intake-json.json posting fields to campaign.
func formRequest(t *testing.T, campaign string, fields map[string]any) events.APIGatewayV2HTTPRequest {
	ev := sample[events.APIGatewayV2HTTPRequest](t, "intake-json.json")
	ev.PathParameters["campaignId"] = campaign
	ev.RawPath = "/v1/campaigns/" + campaign + "/submissions"
	ev.RequestContext.HTTP.Path = ev.RawPath
	fields["_ts"] = renderedAt()
	ev.Body = string(jsonForm(fields))
	delete(ev.Headers, "idempotency-key")
	return ev
}

// capacityRun is how many like operations each case runs side by side,
// as one stream batch and full queue batches: what one costs is their
// cost divided by it.
const capacityRun = 10

// TestCapacityPerLead counts what each kind of work costs AWS, through
// DynamoDB Local and moto with the real SDK: DynamoDB write and read
// units by table and index (as DynamoDB reports them), DynamoDB and SQS
// requests, and the records and messages each function is handed, per
// form post (a new person, a returning one), per hand-raiser routed to a
// rep, per badge-scan row and per touch point. The bounds are the counts
// of today's code, so a change that makes a lead cost more fails here;
// SCALING.md and BENCHMARKS.md are computed from the figures it logs:
//
//	go test -count=1 -run TestCapacityPerLead -v ./internal/devstack/
func TestCapacityPerLead(t *testing.T) {
	p := newPipeline(t)
	email := func(kind string, i int) string { return fmt.Sprintf("%s%02d@company%02d.example", kind, i, i) }
	whitepaper := func(i int) map[string]any {
		return map[string]any{"email": email("reader", i), "firstName": "Ana", "lastName": "Silva", "company": fmt.Sprint("Company ", i), "jobTitle": "VP Engineering",
			"country": "US", "industry": "Healthcare", "employees": "1001-5000", "cloudSpend": "Unexpected overruns", "consent": true, "utm_source": "linkedin"}
	}
	demo := func(i int) map[string]any {
		return map[string]any{"email": email("raiser", i), "firstName": "Dee", "lastName": "Mo", "company": fmt.Sprint("Fleet ", i), "title": "CTO", "country": "US", "employees": "201-1000"}
	}
	badges := func(from int) events.APIGatewayV2HTTPRequest {
		ev := sample[events.APIGatewayV2HTTPRequest](t, "badge-scans-upload.json")
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"First Name", "Last Name", "Email Address", "Company Name", "Job Title", "Country", "Lead Rating", "Scan Time", "Device"})
		for i := from; i < from+capacityRun; i++ {
			_ = w.Write([]string{"Lena", "Fischer", email("visitor", i), fmt.Sprint("Kontor ", i), "Head of Platform", "Germany", "Hot", "2026-11-18 10:15", "iPad-3"})
		}
		w.Flush()
		ev.Body = b.String()
		return ev
	}
	touches := func(tag string) events.APIGatewayV2HTTPRequest {
		ev := sample[events.APIGatewayV2HTTPRequest](t, "touch-points-batch.json")
		var items []map[string]any
		for i := range capacityRun {
			items = append(items, map[string]any{"id": fmt.Sprint(tag, i), "type": "email-click", "email": email("reader", i), "campaign": "cloud-cost-whitepaper",
				"at": time.Now().UTC().Format(time.RFC3339), "source": "newsletter"})
		}
		body, _ := json.Marshal(map[string]any{"touchPoints": items})
		ev.Body = string(body)
		return ev
	}
	// Warm: each function has read its definitions and settings once, as a
	// warm Lambda has (a cold one reads them again: SCALING.md).
	p.measure(func() {
		p.post("IntakeFunction", p.intake, formRequest(t, "cloud-cost-whitepaper", whitepaper(99)), 202)
		p.post("IntakeFunction", p.intake, formRequest(t, "demo-request", demo(99)), 202)
		p.post("BadgeScanFunction", p.badges, badges(90), 200)
		p.post("BadgeScanFunction", p.badges, touches("warm"), 200)
	})

	// Bounds per operation: requests and the records and messages each
	// function is handed are exact counts; write units are today's
	// figure, which moves only when an item crosses a kilobyte.
	type bound struct {
		key string  // a table, "table/index", "DynamoDB", "SQS", or "items:<function>"
		max float64 // per operation
	}
	// The retired byCampaign index (deleted by the next deploy) is not
	// bounded: it goes.
	tests := []struct {
		name   string
		op     func()
		bounds []bound
	}{
		{"form post, new person", func() {
			for i := range capacityRun {
				p.post("IntakeFunction", p.intake, formRequest(t, "cloud-cost-whitepaper", whitepaper(i)), 202)
			}
		}, []bound{{"DynamoDB", 5.1}, {"SQS", 0.1}, {"LeadsTable", 11}, {"LeadsTable/byCampaignShard", 4}, {"FunnelTable", 0.4},
			{"items:IntakeFunction", 1}, {"items:RouterFunction", 2}, {"items:ReporterFunction", 2}, {"items:NurtureFunction", 1}}},
		{"form post, returning person", func() {
			for i := range capacityRun {
				p.post("IntakeFunction", p.intake, formRequest(t, "cloud-cost-whitepaper", whitepaper(i)), 202)
			}
		}, []bound{{"DynamoDB", 2}, {"SQS", 0}, {"LeadsTable", 6}, {"LeadsTable/byCampaignShard", 2},
			{"items:IntakeFunction", 1}, {"items:RouterFunction", 1}, {"items:ReporterFunction", 1}}},
		{"hand-raiser, form post to owner", func() {
			for i := range capacityRun {
				p.post("IntakeFunction", p.intake, formRequest(t, "demo-request", demo(i)), 202)
			}
		}, []bound{{"DynamoDB", 10.2}, {"SQS", 0.3}, {"LeadsTable", 20}, {"LeadsTable/byCampaignShard", 9}, {"LeadsTable/byOwner", 16},
			{"LeadsTable/byFollowUp", 4}, {"LeadsTable/byHeldDomain", 4}, {"RepsTable", 4}, {"FunnelTable", 0.8},
			{"items:IntakeFunction", 1}, {"items:RouterFunction", 2}, {"items:ReporterFunction", 2}, {"items:AssignFunction", 1}, {"items:DeliverFunction", 2}}},
		{"badge-scan row, new person", func() { p.post("BadgeScanFunction", p.badges, badges(0), 200) }, []bound{{"DynamoDB", 4.1}, {"SQS", 0.1}, {"LeadsTable", 8}, {"LeadsTable/byCampaignShard", 3}, {"FunnelTable", 0.4},
			{"items:BadgeScanFunction", 0.1}, {"items:RouterFunction", 2}, {"items:ReporterFunction", 2}, {"items:NurtureFunction", 1}}},
		{"touch point, known person", func() { p.post("BadgeScanFunction", p.badges, touches("t"), 200) }, []bound{{"DynamoDB", 2}, {"SQS", 0}, {"LeadsTable", 6}, {"LeadsTable/byCampaignShard", 2},
			{"items:BadgeScanFunction", 0.1}, {"items:RouterFunction", 1}, {"items:ReporterFunction", 1}}},
	}
	defer t.Run("export, per lead listed", func(t *testing.T) {
		// The keys-only index lists, the table reads the leads listed: what
		// an export, a preview or a re-judge page pays per lead.
		prefix := strings.TrimSuffix(p.res.Tables["LeadsTable"], "LeadsTable")
		m := awsmeter.New(func(table string) string { return strings.TrimPrefix(table, prefix) })
		db := dynamodb.NewFromConfig(m.Config(cfg))
		store := dynamo.NewLeadStore(db, p.res.Tables["LeadsTable"])
		n := 0
		if err := store.CampaignLeads(context.Background(), "cloud-cost-whitepaper", func(*lead.Record) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		u := m.Snapshot()
		t.Logf("%d leads listed: %s", n, u)
		// One query per shard (an empty one still costs a request) and one
		// BatchGetItem per shard that lists any.
		if got := u.Requests["DynamoDB Query"]; got != 32 {
			t.Errorf("%d queries, want one per shard (32)", got)
		}
		if got := u.Requests["DynamoDB BatchGetItem"]; got > min(n, 32) {
			t.Errorf("%d BatchGetItem for %d leads", got, n)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := p.measure(tt.op)
			t.Logf("per operation: %s", c.per(capacityRun))
			for _, f := range slices.Sorted(maps.Keys(c.byFunction)) {
				if u := c.byFunction[f]; len(u.Requests) > 0 || c.invocations[f] > 0 {
					t.Logf("  %s: %d invocations, %d items, %s in the handler here; %s", f, c.invocations[f], c.items[f], c.busy[f].Round(time.Millisecond), u)
				}
			}
			for _, b := range tt.bounds {
				var got float64
				switch {
				case b.key == "DynamoDB" || b.key == "SQS":
					got = float64(c.usage.Service(b.key))
				case strings.HasPrefix(b.key, "items:"):
					got = float64(c.items[strings.TrimPrefix(b.key, "items:")])
				default:
					got = c.wcu(b.key)
				}
				if got /= capacityRun; got > b.max {
					t.Errorf("%s: %.2f per operation, bound %.2f", b.key, got, b.max)
				}
			}
		})
	}
}
