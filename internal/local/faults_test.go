package local_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
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

	"github.com/leadgate/leadgate/internal/faults"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/local"
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

// TestNoLeadLostUnderFaults drives 2,000 form submissions and 900 badge-scan
// rows for 300 people at once through leadgate local while 10% of the
// functions' AWS calls fail (throttling or 503, inside the SDK's retries)
// and 15% of consumer batches crash halfway. Then it accounts for
// everything.
func TestNoLeadLostUnderFaults(t *testing.T) {
	inj := faults.New(42, 0.10, 0.15)
	sys := startOpts(t, local.Options{Campaigns: "../../campaigns", Faults: inj})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
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
	mqls := 0
	for _, l := range leads {
		touches += len(l.Touches)
		assignments := 0
		for _, h := range l.History {
			if h.By == "assigner" {
				assignments++
			}
		}
		if l.Stage == lead.StageMQL {
			mqls++
			if assignments != 1 {
				t.Errorf("lead %s assigned %d times", l.ID, assignments)
			}
			owned[l.Owner]++
		}
	}
	if len(leads) != people {
		t.Errorf("%d leads for %d people", len(leads), people)
	}
	if want := int(accepted.Load() + scanRows.Load()); touches != want {
		t.Errorf("%d touch points for %d accepted submissions and scan rows", touches, want)
	}
	for rep, capacity := range map[string]int{"dach": 30, "uk": 25, "na": 1000} {
		r := c.rep(rep)
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
	summary := fmt.Sprintf("faults: %d of %d AWS calls failed, %d of %d consumer batches crashed; %d forms and %d scan rows accepted; %d leads for %d people, %d touch points; %d MQLs assigned once each (dach %d/30, uk %d/25, na %d, fallback %d); queues and dead-letter queues empty",
		inj.FailedCalls.Load(), inj.Calls.Load(), inj.CrashedBatches.Load(), inj.Batches.Load(), accepted.Load(), scanRows.Load(),
		len(leads), people, touches, mqls, owned["dach"], owned["uk"], owned["na"], owned["sales-queue"])
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
