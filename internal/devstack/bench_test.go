package devstack_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/lead"
)

// intakeTableSize is how many leads BenchmarkIntake puts in the table
// before it measures, and how many stay there while it does: DynamoDB
// Local slows as a table fills, so a table that grew during the run would
// measure that instead of leadgate.
const intakeTableSize = 2000

// BenchmarkIntake measures a submission through the local HTTP server
// against a bare UpdateItem round trip to the same DynamoDB Local (the
// floor no intake can beat), on a table held at a fixed size: it is filled
// with intakeTableSize leads first, each floor update rewrites one of a
// fixed set of floor items, and each new person's lead is deleted after it
// is timed. Each iteration times, interleaved in a random order so drift in
// the machine and DynamoDB Local's idle and busy spells hit all of them
// alike:
//   - the floor: one UpdateItem of a small item, no condition;
//   - the item floor: what a new person's post writes, straight to the
//     table (a copy of a stored lead, floorCopy, put on the condition a new
//     lead is put on, then deleted untimed), so its ratio is leadgate's own
//     share: the HTTP hop, decoding, the engine and the SDK;
//   - a new person: one conditional PutItem of the lead;
//   - a returning person (one of the pre-filled leads, each returns once
//     while b.N ≤ intakeTableSize): the new-person PutItem is refused with
//     the stored item (ReturnValuesOnConditionCheckFailure), which is the
//     read; the merged lead is written conditional on its revision. Two
//     writes, no read.
//
// Reported: p50/p99 of each and the p50 ratios to the floors (target for a
// new person ≤ 1.2).
//
//	go test -run '^$' -bench Intake -benchtime 1500x ./internal/devstack/
func BenchmarkIntake(b *testing.B) {
	// The stream's readers (the router, the reporter) and the queues'
	// consumers do not run: in AWS they run on their own compute, and here
	// they would route every timed post through moto on the two cores the
	// post and DynamoDB Local share, which the floor's writes never cause
	// (as BenchmarkBadgeScanImport).
	sys := startOpts(b, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true, NoStreams: true})
	defer dropTables(b, dynamodb.NewFromConfig(cfg), sys)
	db := dynamodb.NewFromConfig(cfg)
	table := sys.Resources.Tables["LeadsTable"]
	c := client{t: b, base: sys.URL}
	ctx := context.Background()
	run := fmt.Sprint(time.Now().UnixNano())
	person := func(kind string, i int) string { return fmt.Sprintf("bench-%s-%s-%d@acme-health.com", kind, run, i) }
	post := func(email string) time.Duration {
		f := ana()
		f["email"] = email
		body := jsonForm(f)
		start := time.Now()
		r := c.do("POST", submissions, "application/json", body)
		took := time.Since(start)
		if r.status != 202 {
			b.Fatalf("submission of %s: %d %s", email, r.status, r.body)
		}
		return took
	}
	floorKey := func(i int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("FLOOR#%s-%d", run, i%floorItems)},
			"sk": &types.AttributeValueMemberS{Value: "FLOOR"},
		}
	}
	updateFloor := func(i int) time.Duration {
		start := time.Now()
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &table, Key: floorKey(i),
			UpdateExpression:          aws.String("SET #n = :n"),
			ExpressionAttributeNames:  map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.Itoa(i)}},
		})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}

	// Fill the table: the leads that return, and the floor's items.
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Go(func() {
			for n := int(next.Add(1)); n <= intakeTableSize; n = int(next.Add(1)) {
				post(person("known", n-1))
			}
		})
	}
	wg.Wait()
	for i := range floorItems {
		updateFloor(i)
	}
	// The second floor writes what a new person's post writes: a copy of a
	// lead the intake stored, put with the same condition, then deleted
	// untimed like the new person's lead.
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: leadKey(person("known", 0))})
	if err != nil || item.Item == nil {
		b.Fatalf("read a stored lead: %v", err)
	}
	putItemFloor := func(i int) time.Duration {
		copied := floorCopy(item.Item, int64(i))
		start := time.Now()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &table, Item: copied, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.StopTimer()
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: map[string]types.AttributeValue{"pk": copied["pk"], "sk": copied["sk"]}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		return took
	}

	// The local gateway's own round trip: a CORS preflight on the same
	// route crosses the HTTP hop, the gateway and the edge, and stops
	// before DynamoDB. On AWS that hop is API Gateway's; it says how much
	// of a post's time over the floor is not the function's.
	hop := func() time.Duration {
		start := time.Now()
		r := c.do("OPTIONS", submissions, "", nil, "Origin", "https://www.leadgate.example", "Access-Control-Request-Method", "POST")
		took := time.Since(start)
		if r.status != 204 && r.status != 200 {
			b.Fatalf("preflight: %d %s", r.status, r.body)
		}
		return took
	}

	floor := make([]time.Duration, 0, b.N)
	hops := make([]time.Duration, 0, b.N)
	itemFloor := make([]time.Duration, 0, b.N)
	intake := make([]time.Duration, 0, b.N)
	returning := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		// Each in a fresh order: a write that follows another finds
		// DynamoDB Local's threads awake, one after a pause must wake them,
		// and the fixed order this bench had timed the floors right after
		// a write and a new person's post right after the hop, every time.
		email := person("new", i)
		for _, step := range rand.Perm(5) {
			switch step {
			case 0:
				floor = append(floor, updateFloor(i))
			case 1:
				itemFloor = append(itemFloor, putItemFloor(i))
			case 2:
				hops = append(hops, hop())
			case 3:
				intake = append(intake, post(email))
			case 4:
				returning = append(returning, post(person("known", i%intakeTableSize)))
			}
		}

		// Back to the fixed size, untimed.
		b.StopTimer()
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: leadKey(email)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	fp50, fp99 := percentiles(floor)
	gp50, gp99 := percentiles(itemFloor)
	ip50, ip99 := percentiles(intake)
	rp50, rp99 := percentiles(returning)
	hp50, _ := percentiles(hops)
	b.ReportMetric(float64(ip50.Microseconds()), "intake-p50-µs")
	b.ReportMetric(float64(ip99.Microseconds()), "intake-p99-µs")
	b.ReportMetric(float64(rp50.Microseconds()), "returning-p50-µs")
	b.ReportMetric(float64(rp99.Microseconds()), "returning-p99-µs")
	b.ReportMetric(float64(fp50.Microseconds()), "floor-p50-µs")
	b.ReportMetric(float64(fp99.Microseconds()), "floor-p99-µs")
	b.ReportMetric(float64(ip50)/float64(fp50), "p50-ratio")
	b.ReportMetric(float64(ip99)/float64(fp99), "p99-ratio")
	b.ReportMetric(float64(rp50)/float64(fp50), "returning-p50-ratio")
	b.ReportMetric(float64(gp50.Microseconds()), "item-floor-p50-µs")
	b.ReportMetric(float64(gp99.Microseconds()), "item-floor-p99-µs")
	b.ReportMetric(float64(ip50)/float64(gp50), "p50-ratio-to-item-floor")
	b.ReportMetric(float64(hp50.Microseconds()), "gateway-hop-p50-µs")
	b.ReportMetric(loadAverage(), "loadavg-1m")
}

// floorItems is how many items the intake floor rewrites in turn.
const floorItems = 100

// leadKey is the key of the lead of the person with email.
func leadKey(email string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "LEAD#" + lead.IDFor(email)},
		"sk": &types.AttributeValueMemberS{Value: "LEAD"},
	}
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	return quantile(d, 50), quantile(d, 99)
}

// quantile is the q-th percentile of d (q = 100: the largest).
func quantile(d []time.Duration, q int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*q/100)]
}

// loadAverage is the machine's 1-minute load average at the end of a run
// (0 where /proc/loadavg cannot be read): benchmarks report it so a figure
// taken while other work held the cores says so.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}
