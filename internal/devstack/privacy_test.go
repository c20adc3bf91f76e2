package devstack_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/privacy"
	"github.com/leadgate/leadgate/internal/route"
)

func TestErasureLeavesATombstoneNothingBringsBack(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "dach-7", "DE", 5)
	oldTS := strconv.FormatInt(time.Now().Add(-time.Minute).UnixMilli(), 10)
	form := jsonForm(map[string]any{"email": "zelda.q@fleetworks.de", "firstName": "Zelda", "lastName": "Q", "company": "Fleetworks",
		"title": "CTO", "country": "DE", "employees": "201-1000", "_ts": oldTS})
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("zelda.q@fleetworks.de")
	eventually(t, "assignment", func() bool { return c.lead(id).Owner == "dach-7" })

	// Consent is on record with the words shown, for a whitepaper form.
	public.do("POST", submissions, "application/json", jsonForm(ana()))
	ana := c.lead(lead.IDFor("ana.silva@acme-health.com"))
	if cs := ana.Touches[0].Consents; len(cs) != 1 || !cs[0].Given || cs[0].Text != "I would like a specialist to contact me" {
		t.Errorf("consents = %+v", cs)
	}
	// An unqualified lead expires under its campaign's retention (365 days).
	if ana.ExpiresAt == nil || ana.ExpiresAt.Sub(ana.UpdatedAt) != 365*24*time.Hour {
		t.Errorf("whitepaper lead expires at %v", ana.ExpiresAt)
	}
	if z := c.lead(id); z.ExpiresAt != nil {
		t.Errorf("a qualified lead expires at %v", z.ExpiresAt)
	}

	r := c.do("POST", "/v1/erasures", "application/json", []byte(`{"email": " Zelda.Q@Fleetworks.de "}`))
	var rep privacy.Report
	r.json(t, &rep)
	if r.status != 200 || rep.LeadID != id || rep.TouchPoints != 1 || rep.HistoryEntries != 2 || rep.Fields != 7 || rep.OwnerReleased != "dach-7" {
		t.Fatalf("erasure: %d %+v", r.status, rep)
	}
	if got := c.do("GET", "/v1/leads/"+id, "", nil); got.status != 404 {
		t.Errorf("erased lead still served: %d", got.status)
	}
	if n := c.rep("dach-7").OpenLeads; n != 0 {
		t.Errorf("the rep still counts the erased lead: %d", n)
	}

	// A retried form from before the erasure does not bring Zelda back.
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
		t.Errorf("retry: %d %s", r.status, r.body)
	}
	// Nor does a message still in flight.
	q := sqs.NewFromConfig(cfg)
	body, _ := json.Marshal(route.Message{Schema: route.SchemaV1, ID: id + "@1", Queue: route.SalesReady, LeadID: id, Rev: 1, Stage: lead.StageMQL})
	url := sys.Resources.Queues["SalesReadyQueue"]
	if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the in-flight message to be consumed", func() bool {
		out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		return err == nil && out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
	})
	if got := c.do("GET", "/v1/leads/"+id, "", nil); got.status != 404 {
		t.Errorf("the lead came back: %d %s", got.status, got.body)
	}
	if n := c.rep("dach-7").OpenLeads; n != 0 {
		t.Errorf("the in-flight message assigned the erased lead: %d", n)
	}
	if got := c.do("DELETE", "/v1/leads/"+id, "", nil); got.status != 404 {
		t.Errorf("erasing twice: %d", got.status)
	}

	// Zelda filling in a form after the erasure starts afresh.
	later := jsonForm(map[string]any{"email": "zelda.q@fleetworks.de", "firstName": "Zelda", "lastName": "Q", "company": "Fleetworks", "country": "DE", "employees": "201-1000"})
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", later, "Idempotency-Key", "after-erasure"); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if z := c.lead(id); len(z.Touches) != 1 || z.Title != "" || len(z.History) == 0 {
		t.Errorf("the fresh lead carries old data: %+v", z.Record)
	}

	// Scope and input checks.
	if r := c.do("POST", "/v1/erasures", "application/json", []byte(`{"email": "not-an-email"}`)); r.status != 422 {
		t.Errorf("bad email: %d", r.status)
	}
	if r := c.do("POST", "/v1/erasures", "application/json", []byte(`{"mail": "a@b.co"}`)); r.status != 400 {
		t.Errorf("unknown key: %d", r.status)
	}
}
