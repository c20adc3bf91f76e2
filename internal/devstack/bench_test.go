package devstack_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkIntake posts submissions through the local HTTP server, each a
// new person (one conditional write), and in the same run times a bare
// UpdateItem round trip to the same DynamoDB Local: the floor no intake can
// beat. Iterations interleave the two so drift in the machine hits both.
// Reported: p50/p99 of each and the ratio of the p50s (target ≤ 1.3).
//
//	go test -run '^$' -bench Intake -benchtime 1000x ./internal/devstack/
func BenchmarkIntake(b *testing.B) {
	sys := startWith(b, "../../campaigns")
	db := dynamodb.NewFromConfig(cfg)
	table := sys.Resources.Tables["LeadsTable"]
	c := client{t: b, base: sys.URL}
	floor := make([]time.Duration, 0, b.N)
	intake := make([]time.Duration, 0, b.N)
	ctx := context.Background()
	run := fmt.Sprint(time.Now().UnixNano())
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &table,
			Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("FLOOR#%s-%d", run, i)},
				"sk": &types.AttributeValueMemberS{Value: "FLOOR"},
			},
			UpdateExpression:          aws.String("SET #n = :n"),
			ExpressionAttributeNames:  map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "1"}},
		})
		if err != nil {
			b.Fatal(err)
		}
		floor = append(floor, time.Since(start))

		f := ana()
		f["email"] = fmt.Sprintf("bench-%s-%d@acme-health.com", run, i)
		body := jsonForm(f)
		start = time.Now()
		r := c.do("POST", submissions, "application/json", body)
		intake = append(intake, time.Since(start))
		if r.status != 202 {
			b.Fatalf("submission %d: %d %s", i, r.status, r.body)
		}
	}
	b.StopTimer()
	fp50, fp99 := percentiles(floor)
	ip50, ip99 := percentiles(intake)
	b.ReportMetric(float64(ip50.Microseconds()), "intake-p50-µs")
	b.ReportMetric(float64(ip99.Microseconds()), "intake-p99-µs")
	b.ReportMetric(float64(fp50.Microseconds()), "floor-p50-µs")
	b.ReportMetric(float64(fp99.Microseconds()), "floor-p99-µs")
	b.ReportMetric(float64(ip50)/float64(fp50), "p50-ratio")
	b.ReportMetric(float64(ip99)/float64(fp99), "p99-ratio")
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*99/100)]
}
