package devstack_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/touchpoint"
)

// BenchmarkTouchPointBatches sends 20,000 touch points for 20,000 people in
// batches of 500 through the local HTTP server, one batch after another as
// a sending system does, and writes as many lead-sized items straight to
// the same DynamoDB Local (the badge-scan import's floor). Reported: items/s
// of each and their ratio.
//
//	go test -run '^$' -bench TouchPointBatches -benchtime 1x ./internal/devstack/
func BenchmarkTouchPointBatches(b *testing.B) {
	db := dynamodb.NewFromConfig(cfg)
	for i := range b.N {
		sys := startWith(b, "../../campaigns")
		c := client{t: b, base: sys.URL, token: sys.Token}
		table := sys.Resources.Tables["LeadsTable"]
		run := fmt.Sprintf("r%d%d", time.Now().UnixNano(), i)
		at := time.Now().UTC().Format(time.RFC3339)
		var bodies [][]byte
		for batch := 0; batch < importRows/touchpoint.MaxItems; batch++ {
			var items []map[string]any
			for k := range touchpoint.MaxItems {
				n := batch*touchpoint.MaxItems + k
				items = append(items, map[string]any{"id": fmt.Sprint("e", n), "type": []string{"email-click", "telesales-call", "webinar-attended"}[n%3],
					"email": fmt.Sprintf("p%d.%s@company%d.example", n, run, n%997), "campaign": "cloud-cost-whitepaper", "at": at, "source": "bench",
					"fields": map[string]string{"firstName": "P", "company": fmt.Sprint("Company ", n%997)}})
			}
			body, _ := json.Marshal(map[string]any{"touchPoints": items})
			bodies = append(bodies, body)
		}

		floorBefore := floorWrites(b, db, table, run+"warm")
		start := time.Now()
		for _, body := range bodies {
			r := c.do("POST", "/v1/touch-points", "application/json", body)
			var ans touchpoint.Answer
			if r.status != 200 {
				b.Fatalf("%d %.300s", r.status, r.body)
			}
			r.json(b, &ans)
			if ans.Counts[touchpoint.Recorded] != touchpoint.MaxItems {
				b.Fatalf("counts %v", ans.Counts)
			}
		}
		took := time.Since(start)
		floor := min(floorBefore, floorWrites(b, db, table, run+"after"))

		rate := float64(importRows) / took.Seconds()
		floorRate := float64(importRows) / floor.Seconds()
		b.ReportMetric(rate, "items/s")
		b.ReportMetric(floorRate, "floor-writes/s")
		b.ReportMetric(rate/floorRate, "ratio")
		dropTables(b, db, sys)
	}
}
