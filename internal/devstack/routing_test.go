package devstack_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/route"
)

// receive waits for n messages on a queue (deleting them), or fails after a
// generous deadline: routing is asynchronous, the deadline only bounds a
// broken run.
func receive(t *testing.T, sys *devstack.System, queueID string, n int) []route.Message {
	t.Helper()
	q := sqs.NewFromConfig(cfg)
	url := sys.Resources.Queues[queueID]
	var out []route.Message
	deadline := time.Now().Add(60 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		res, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Messages {
			var msg route.Message
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &msg); err != nil {
				t.Fatalf("message is not the documented format: %v\n%s", err, aws.ToString(m.Body))
			}
			out = append(out, msg)
			if _, err := q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(out) < n {
		t.Fatalf("%s: %d of %d messages arrived", queueID, len(out), n)
	}
	return out
}

func TestStageChangesAreRouted(t *testing.T) {
	// The consumers are off: this test reads the queues as a CRM sync would.
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	public := client{t, sys.URL, ""}
	demo := map[string]any{"email": "raj@fleetworks.co", "firstName": "Raj", "lastName": "Patel", "company": "Fleetworks",
		"title": "CTO", "country": "GB", "employees": "201-1000", "_ts": renderedAt()}
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", jsonForm(demo)); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := public.do("POST", submissions, "application/json", jsonForm(ana())); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	sales := receive(t, sys, "SalesReadyQueue", 1)[0]
	if sales.Schema != route.SchemaV1 || sales.LeadID != lead.IDFor("raj@fleetworks.co") || sales.Stage != lead.StageMQL ||
		sales.PreviousStage != "" || sales.Campaign.ID != "demo-request" || sales.Campaign.Version != 1 || sales.Lead.Email != "raj@fleetworks.co" ||
		sales.ID != sales.LeadID+"@1" || len(sales.Verdict.Criteria) == 0 {
		t.Errorf("sales-ready message = %+v", sales)
	}
	nurtured := receive(t, sys, "NurtureQueue", 1)[0]
	if nurtured.LeadID != lead.IDFor("ana.silva@acme-health.com") || nurtured.Stage != lead.StageNurture || len(nurtured.Reasons) == 0 {
		t.Errorf("nurture message = %+v", nurtured)
	}

	// A write that changes no stage sends nothing: Ana submits again and
	// stays nurtured; then another person is nurtured. The stream and each
	// batch are ordered, so a message for Ana's second write would come
	// before the other person's.
	again := ana()
	again["_ts"] = strconv.FormatInt(time.Now().Add(-90*time.Second).UnixMilli(), 10)
	if r := public.do("POST", submissions, "application/json", jsonForm(again)); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	other := ana()
	other["email"] = "lee@acme-health.com"
	if r := public.do("POST", submissions, "application/json", jsonForm(other)); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if next := receive(t, sys, "NurtureQueue", 1)[0]; next.LeadID != lead.IDFor("lee@acme-health.com") {
		t.Errorf("next nurture message is for %s, not the next person", next.LeadID)
	}
}
