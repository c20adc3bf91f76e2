package devstack_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/lead"
)

// TestBackfillCampaignShards: leads stored before the campaign index was
// sharded (no campaignShard) are not listed by it; the backfill gives
// them their shard, once, and the export lists every one.
func TestBackfillCampaignShards(t *testing.T) {
	// No consumers: a nurture enrollment would write a lead, and its
	// shard, while the test takes the shard off.
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	c := client{t, sys.URL, ""}
	db := dynamodb.NewFromConfig(cfg)
	table := sys.Resources.Tables["LeadsTable"]
	const people = 12
	for i := range people {
		body := jsonForm(map[string]any{"email": fmt.Sprintf("old%02d@legacy%02d.example", i, i), "firstName": "Old", "lastName": "Lead", "company": "Legacy",
			"jobTitle": "CTO", "country": "US", "consent": true, "_ts": renderedAt()})
		if r := c.do("POST", submissions, "application/json", body); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	// As they were before the index: the shard taken off.
	for _, l := range scanLeads(t, db, table) {
		if _, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: &table,
			Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "LEAD#" + l.ID}, "sk": &types.AttributeValueMemberS{Value: "LEAD"}},
			UpdateExpression: aws.String("REMOVE campaignShard")}); err != nil {
			t.Fatal(err)
		}
	}
	store := dynamo.NewLeadStore(db, table)
	listed := func() int {
		n := 0
		if err := store.CampaignLeads(context.Background(), "cloud-cost-whitepaper", func(*lead.Record) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := listed(); n != 0 {
		t.Fatalf("before the backfill the index lists %d", n)
	}
	if n, err := store.BackfillCampaignShards(context.Background(), 3); err != nil || n != people {
		t.Fatalf("backfill: %d, %v; want %d", n, err, people)
	}
	if n := listed(); n != people {
		t.Errorf("after the backfill the index lists %d of %d", n, people)
	}
	if n, err := store.BackfillCampaignShards(context.Background(), 3); err != nil || n != 0 {
		t.Errorf("again: %d, %v; want 0", n, err)
	}
}
