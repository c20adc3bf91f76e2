package devstack_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/faults"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/outbound"
)

// retrying posts until the answer is not a 5xx, as a landing page's script
// or an ops person would; the same Idempotency-Key each time.
func retrying(t *testing.T, c client, path, contentType string, body []byte, header ...string) response {
	for attempt := 0; ; attempt++ {
		r := c.do("POST", path, contentType, body, header...)
		if r.status < 500 || attempt == 40 {
			return r
		}
	}
}

// TestNoLeadLostUnderFaults drives 2,000 form submissions, 900 badge-scan
// rows, 200 touch points through the API and 40 through signed webhooks for
// 300 people at once through leadgate local while 10% of the functions' AWS
// calls fail (throttling or 503, inside the SDK's retries) and 15% of
// consumer batches crash halfway. Then it accounts for everything.
func TestNoLeadLostUnderFaults(t *testing.T) {
	inj := faults.New(42, 0.10, 0.15)
	zoomSecret := whsec("zoom secret for the fault test")
	// The schedules stay quiet (a day): the follow-up sweep would drain
	// fallback leads to colleagues' reps at a moment of its own, between
	// the checks below. TestFollowUpUnderFaults runs it under faults.
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", Faults: inj, ScheduleEvery: 24 * time.Hour, WebhookSecrets: map[string]string{"zoom": zoomSecret},
		Parameters: map[string]string{"WebhookLocalTargets": "true", "WebhookRetryBase": "1s"}})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	// A webhook receiver hears of every hand-over, through the same faults.
	rcv := newReceiver(t)
	rcv.subscribe(t, c, "crm", "/crm", "", outbound.NewSecret(), outbound.LeadSalesReady, outbound.LeadAssigned)
	putRep(t, c, "dach", "DE, AT, CH", 30)
	putRep(t, c, "uk", "GB, IE", 25)
	putRep(t, c, "na", "NA", 1000)

	const people, forms = 300, 2000
	email := func(p int) string { return fmt.Sprintf("person%03d@company%02d.example", p, p%37) }
	countries := []string{"DE", "GB", "US", "AT", "BR", "IE"}
	var accepted atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := i % 250 // forms come from people 0–249
				body := map[string]any{"email": email(p), "firstName": "P", "lastName": fmt.Sprint(p), "company": fmt.Sprintf("Company %d", p%37),
					"title": []string{"CTO", "Engineer", "VP Engineering"}[p%3], "country": countries[p%len(countries)], "employees": "201-1000", "_ts": renderedAt()}
				path := submissions
				if i%3 == 0 {
					path = "/v1/campaigns/demo-request/submissions"
				}
				r := retrying(t, public, path, "application/json", jsonForm(body), "Idempotency-Key", fmt.Sprintf("form-%d", i))
				if r.status != 202 {
					t.Errorf("form %d: %d %s", i, r.status, r.body)
					continue
				}
				accepted.Add(1)
			}
		}()
	}
	// Three badge-scan files, 300 rows each, for people 150–299, uploaded
	// while the forms come in.
	var scanRows atomic.Int64
	for f := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			_ = w.Write([]string{"Email", "First Name", "Last Name", "Company", "Country", "Rating", "Scan Time", "Device"})
			for row := range 300 {
				p := 150 + (f*300+row)%150
				_ = w.Write([]string{email(p), "P", fmt.Sprint(p), "Company", countries[p%len(countries)], []string{"hot", "warm", "cold"}[row%3],
					fmt.Sprintf("2026-11-18 %02d:%02d:%02d", 9+f, row/60, row%60), fmt.Sprintf("scanner-%d", f)})
			}
			w.Flush()
			r := retrying(t, c, badgeScans, "text/csv", b.Bytes())
			if r.status != 200 {
				t.Errorf("scan file %d: %d %s", f, r.status, r.body)
				return
			}
			scanRows.Add(300)
		}()
	}
	// Ten batches of twenty calls and clicks through the API, for people
	// 0–199, retried whole until answered: each item once.
	var apiItems atomic.Int64
	for b := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var items []map[string]any
			for k := range 20 {
				p := b*20 + k
				item := map[string]any{"id": fmt.Sprintf("evt-%d-%d", b, k), "type": "email-click", "email": email(p), "campaign": "cloud-cost-whitepaper",
					"at": time.Now().UTC().Format(time.RFC3339), "source": "fault-test"}
				if k%2 == 0 {
					item["type"], item["detail"] = "telesales-call", map[string]string{"outcome": "connected"}
				}
				items = append(items, item)
			}
			body, _ := json.Marshal(map[string]any{"touchPoints": items})
			r := retrying(t, c, "/v1/touch-points", "application/json", body)
			var ans struct{ Counts map[string]int }
			if err := json.Unmarshal(r.body, &ans); r.status != 200 || err != nil || ans.Counts["recorded"]+ans.Counts["duplicate"] != len(items) {
				t.Errorf("touch-point batch %d: %d %s", b, r.status, r.body)
				return
			}
			apiItems.Add(int64(len(items)))
		}()
	}
	// Forty webinar registrations through signed webhooks, each re-signed on
	// every attempt as a sender does, with the same webhook id.
	var hookItems atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range 40 {
			p := 200 + k
			body := fmt.Appendf(nil, `{"event": "webinar.registration_created", "event_ts": %d, "payload": {"object": {"uuid": "w-fault", "id": "1", "topic": "Fault test",
				"registrant": {"id": "r-%d", "email": %q, "first_name": "P", "last_name": "%d"}}}}`, time.Now().UnixMilli(), p, email(p), p)
			var r response
			for attempt := 0; attempt <= 40; attempt++ {
				if r = public.signed("zoom", "?campaign=cloud-cost-whitepaper", zoomSecret, fmt.Sprintf("msg_fault_%d", k), time.Now(), body); r.status < 500 {
					break
				}
			}
			if r.status != 200 || !bytes.Contains(r.body, []byte(`"recorded": 1`)) && !bytes.Contains(r.body, []byte(`"duplicate": 1`)) {
				t.Errorf("webhook %d: %d %s", k, r.status, r.body)
				continue
			}
			hookItems.Add(1)
		}
	}()
	for i := range forms {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	// Quiet: every queue drained, every MQL with an owner, every nurtured
	// lead enrolled.
	q := sqs.NewFromConfig(cfg)
	db := dynamodb.NewFromConfig(cfg)
	var leads []*lead.Record
	why := ""
	defer func() {
		if t.Failed() {
			t.Logf("last unsettled state: %s", why)
		}
	}()
	eventuallyWithin(t, 3*time.Minute, "the system to settle", func() bool {
		for _, name := range []string{"SalesReadyQueue", "NurtureQueue"} {
			url := sys.Resources.Queues[name]
			out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url,
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
			if err != nil || out.Attributes["ApproximateNumberOfMessages"] != "0" || out.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
				why = fmt.Sprintf("%s: %v %v", name, err, out.Attributes)
				return false
			}
		}
		leads = scanLeads(t, db, sys.Resources.Tables["LeadsTable"])
		for _, l := range leads {
			if (l.Stage == lead.StageMQL && l.Owner == "") || (l.Stage == lead.StageNurture && l.Nurture == nil) {
				why = fmt.Sprintf("lead %s stage %s owner %q nurture %v rev %d", l.ID, l.Stage, l.Owner, l.Nurture, l.Rev)
				return false
			}
		}
		return true
	})

	// Every person is exactly one lead; every accepted submission one touch
	// point.
	touches := 0
	owned := map[string]int{}
	mqls, drained := 0, 0
	for _, l := range leads {
		touches += len(l.Touches)
		// One assignment each, however often its message came; a lead
		// parked with the fallback owner may since have been drained to a
		// rep (a colleague's, once one held a lead of its company), once.
		assignments, drains := 0, 0
		for _, h := range l.History {
			switch {
			case h.By == lead.ByAssigner && strings.HasPrefix(h.Reason, "from the fallback queue: "):
				drains++
			case h.By == lead.ByAssigner:
				assignments++
			}
		}
		if l.Stage == lead.StageMQL {
			mqls++
			if assignments != 1 || drains > 1 {
				t.Errorf("lead %s assigned %d times, drained %d times", l.ID, assignments, drains)
			}
			drained += drains
			owned[l.Owner]++
		}
	}
	if len(leads) != people {
		t.Errorf("%d leads for %d people", len(leads), people)
	}
	if want := int(accepted.Load() + scanRows.Load() + apiItems.Load() + hookItems.Load()); touches != want {
		t.Errorf("%d touch points for %d accepted submissions, scan rows, API items and webhook items", touches, want)
	}
	for rep, capacity := range map[string]int{"dach": 30, "uk": 25, "na": 1000} {
		r := storedRep(t, sys, rep)
		if r.OpenLeads != owned[rep] || r.OpenLeads > capacity {
			t.Errorf("rep %s counts %d open leads, holds %d, capacity %d", rep, r.OpenLeads, owned[rep], capacity)
		}
	}
	// Nothing may sit in a dead-letter or failure queue without a reason;
	// every lead above is already settled, so a message there would be a
	// lost hand-over.
	for _, name := range []string{"SalesReadyDeadLetterQueue", "NurtureDeadLetterQueue", "RoutingFailureQueue", "ReportingFailureQueue"} {
		url := sys.Resources.Queues[name]
		out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
		if err != nil {
			t.Fatal(err)
		}
		if n := out.Attributes["ApproximateNumberOfMessages"]; n != "0" {
			t.Errorf("%s holds %s message(s)", name, n)
		}
	}
	// Every hand-over reaches the webhook receiver: each move into mql a
	// lead.sales_ready, each assignment a lead.assigned, none lost. (The
	// wait is on what arrived, not on the webhook queue's counts: in one
	// run moto reported a message in flight for minutes after every
	// delivery had been made and every message handled, and the queue's
	// visibility timeout is 540 s.) At least once is the
	// contract: a try that posted and then failed to record it posts again
	// after its lease; the receiver's count of repeats says how often.
	// The histories are read afresh each time: the follow-up sweep may
	// drain a lead from the fallback queue meanwhile, a hand-over with its
	// own event.
	want := map[string]int{}
	got := map[string]int{}
	repeats, distinct := 0, 0
	var bad []string
	eventuallyWithin(t, 3*time.Minute, "every hand-over at the webhook receiver", func() bool {
		clear(want)
		for _, l := range scanLeads(t, db, sys.Resources.Tables["LeadsTable"]) {
			for _, h := range l.History {
				switch {
				case h.To == lead.StageMQL && h.From != lead.StageMQL:
					want[outbound.LeadSalesReady+" "+l.ID]++
				case h.By == lead.ByAssigner:
					want[outbound.LeadAssigned+" "+l.ID]++
				}
			}
		}
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		// Occurrences, not posts: a repeat of one id (at least once) is
		// counted among the repeats below, not as a second event.
		clear(got)
		seen := map[string]bool{}
		for _, e := range rcv.events["/crm"] {
			if !seen[e.ID] {
				seen[e.ID] = true
				got[e.Type+" "+e.Subject]++
			}
		}
		repeats, distinct = 0, len(rcv.got["/crm"])
		for _, n := range rcv.got["/crm"] {
			repeats += n - 1
		}
		bad = slices.Clone(rcv.bad)
		for k, n := range want {
			if got[k] < n {
				why = fmt.Sprintf("webhook %s: delivered %d times, want %d", k, got[k], n)
				return false
			}
		}
		for k, n := range got {
			if n > want[k] {
				why = fmt.Sprintf("webhook %s: delivered %d times, %d in the history", k, n, want[k])
				return false // a hand-over delivered before this scan saw it
			}
		}
		return true
	})
	url := sys.Resources.Queues["WebhookDeadLetterQueue"]
	if out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}}); err != nil || out.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("WebhookDeadLetterQueue: %v %v", err, out)
	}
	for k, n := range want {
		if got[k] < n {
			t.Errorf("webhook %s: delivered %d times, want %d", k, got[k], n)
		}
	}
	for k := range got {
		if want[k] == 0 {
			t.Errorf("webhook %s delivered, but no lead's history has it", k)
		}
	}
	if len(bad) > 0 {
		t.Errorf("webhooks failing verification: %v", bad)
	}
	wantEvents := 0
	for _, n := range want {
		wantEvents += n
	}
	if distinct != wantEvents {
		var extra []string
		for k, n := range got {
			if n > want[k] {
				extra = append(extra, fmt.Sprintf("%s: %d events, %d in the history", k, n, want[k]))
			}
		}
		slices.Sort(extra)
		t.Errorf("%d distinct webhook ids for %d events; more than the history has: %v", distinct, wantEvents, extra)
	}
	summary := fmt.Sprintf("faults: %d of %d AWS calls failed, %d of %d consumer batches crashed; %d forms, %d scan rows, %d API touch points and %d webhook touch points accepted; %d leads for %d people, %d touch points; %d MQLs assigned once each, %d drained from the fallback queue since (dach %d/30, uk %d/25, na %d, fallback %d); %d webhook events delivered (%d repeats); queues and dead-letter queues empty",
		inj.FailedCalls.Load(), inj.Calls.Load(), inj.CrashedBatches.Load(), inj.Batches.Load(), accepted.Load(), scanRows.Load(), apiItems.Load(), hookItems.Load(),
		len(leads), people, touches, mqls, drained, owned["dach"], owned["uk"], owned["na"], owned["sales-queue"], distinct, repeats)
	t.Log(summary)
	fmt.Println(summary)
	if inj.FailedCalls.Load() == 0 || inj.CrashedBatches.Load() == 0 {
		t.Errorf("the faults never fired: %s", summary)
	}
}

func scanLeads(t *testing.T, db *dynamodb.Client, table string) []*lead.Record {
	t.Helper()
	var out []*lead.Record
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true),
		FilterExpression: aws.String("#t = :lead"), ExpressionAttributeNames: map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":lead": &types.AttributeValueMemberS{Value: "lead"}}})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			var it struct {
				Record string `dynamodbav:"record"`
			}
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				t.Fatal(err)
			}
			var r lead.Record
			if err := json.Unmarshal([]byte(it.Record), &r); err != nil {
				t.Fatal(err)
			}
			out = append(out, &r)
		}
	}
	return out
}
