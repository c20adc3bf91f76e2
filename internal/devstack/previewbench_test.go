package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/backtest"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/touchpoint"
)

// previewLeads is how many leads the preview benchmark re-judges.
const previewLeads = 10_000

// BenchmarkPreview previews a draft of the whitepaper campaign (threshold
// 40 → 15, so that two in three of the leads change stage) against 10,000
// of its leads through the local HTTP server, and reads the same index
// pages bare (its shards one after another), one reader, no decoding or judging,
// before and after (the faster one is the floor DynamoDB Local sets).
// Reported: leads/s of each and their ratio.
//
//	go test -run '^$' -bench Preview -benchtime 1x ./internal/devstack/
func BenchmarkPreview(b *testing.B) {
	db := dynamodb.NewFromConfig(cfg)
	for i := range b.N {
		// No consumers: the nurture enrollment of 10,000 leads would write
		// to the table while the preview reads it.
		sys := startOpts(b, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
		c := client{t: b, base: sys.URL, token: sys.Token}
		run := fmt.Sprintf("p%d%d", time.Now().UnixNano(), i)
		at := time.Now().UTC().Format(time.RFC3339)
		for batch := range previewLeads / touchpoint.MaxItems {
			var items []map[string]any
			for k := range touchpoint.MaxItems {
				n := batch*touchpoint.MaxItems + k
				items = append(items, map[string]any{"id": fmt.Sprint("e", n), "type": []string{"content-download", "webinar-attended", "pricing-visit"}[n%3],
					"email": fmt.Sprintf("p%d.%s@company%d.example", n, run, n%997), "campaign": "cloud-cost-whitepaper", "at": at, "source": "bench",
					"fields": map[string]string{"firstName": "P", "company": fmt.Sprint("Company ", n%997), "title": "Head of FinOps", "country": "US",
						"employees": []string{"51-200", "201-1000", "1001-5000"}[n%3], "industry": "Software",
						"lastName": "Q", "cloudSpend": "Idle resources", "consent": "yes"}})
			}
			body, _ := json.Marshal(map[string]any{"touchPoints": items})
			if r := c.do("POST", "/v1/touch-points", "application/json", body); r.status != 200 {
				b.Fatalf("%d %.300s", r.status, r.body)
			}
		}
		doc := readExample(b, "cloud-cost-whitepaper")
		draft := strings.Replace(string(doc), "threshold: 40", "threshold: 15", 1)
		if r := c.do("POST", "/v1/campaigns/cloud-cost-whitepaper/drafts", "application/yaml", []byte(draft)); r.status != 201 {
			b.Fatalf("draft: %d %s", r.status, r.body)
		}

		bareRead := func() (int, time.Duration) {
			start := time.Now()
			read := 0
			// The index's 32 shards (internal/dynamo/bycampaign.go), one
			// after another.
			for shard := range 32 {
				p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
					TableName: aws.String(sys.Resources.Tables["LeadsTable"]), IndexName: aws.String("byCampaignShard"),
					KeyConditionExpression:    aws.String("campaignShard = :c"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: fmt.Sprint("cloud-cost-whitepaper#", shard)}},
				})
				for p.HasMorePages() {
					page, err := p.NextPage(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					read += len(page.Items)
				}
			}
			return read, time.Since(start)
		}
		read, floor := bareRead()

		start := time.Now()
		r := c.do("GET", "/v1/campaigns/cloud-cost-whitepaper/drafts/d1/preview?days=1", "", nil)
		took := time.Since(start)
		var rep backtest.Report
		if r.status != 200 {
			b.Fatalf("preview: %d %.300s", r.status, r.body)
		}
		r.json(b, &rep)
		if rep.Leads < previewLeads {
			b.Fatalf("previewed %d leads, want %d", rep.Leads, previewLeads)
		}

		if _, again := bareRead(); again < floor {
			floor = again
		}

		rate := float64(rep.Leads) / took.Seconds()
		floorRate := float64(read) / floor.Seconds()
		b.ReportMetric(rate, "leads/s")
		b.ReportMetric(floorRate, "floor-items/s")
		b.ReportMetric(rate/floorRate, "ratio")
		b.Logf("preview of %d leads in %s (stages %v → %v, %d changes); bare read of %d items in %s", rep.Leads, took.Round(time.Millisecond), rep.CurrentStages, rep.DraftStages, rep.Changes, read, floor.Round(time.Millisecond))
	}
}
