package devstack_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/devstack"
)

// importRows is the size of a big show's export.
const importRows = 20000

// importChunkRows is how many rows the bench sends in one request: about
// what fits in the 512 KB `leadgate import` cuts a file into, so that each
// request, like the CLI's, ends well inside API Gateway's 30 s (the local
// gateway holds the function to its 29 s timeout too).
const importChunkRows = 2500

// exportFile writes a lead-retrieval export of n distinct people.
func exportFile(n int, run string) []byte { return exportRows(0, n, run) }

// exportRows writes the export's people from to to-1, with its header.
func exportRows(from, to int, run string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"First Name", "Last Name", "Email Address", "Company Name", "Job Title", "Country", "Lead Rating", "Notes", "Scan Time", "What is your timeline?", "Device"})
	ratings := []string{"Hot", "Warm", "Cold", "4", "★★★"}
	for i := from; i < to; i++ {
		_ = w.Write([]string{
			"Visitor", fmt.Sprintf("Number%d", i), fmt.Sprintf("visitor%d.%s@company%d.example", i, run, i%997),
			fmt.Sprintf("Company %d GmbH", i%997), []string{"CTO", "Head of Platform", "Engineer", "VP Engineering"}[i%4],
			[]string{"Germany", "FR", "Spain", "Netherlands"}[i%4], ratings[i%len(ratings)],
			"Talked about cost overruns, wants a follow-up", fmt.Sprintf("2026-11-18 %02d:%02d", 9+i%9, i%60),
			[]string{"This quarter", "", "Next year"}[i%3], fmt.Sprintf("iPad-%d", i%5),
		})
	}
	w.Flush()
	return b.Bytes()
}

// BenchmarkBadgeScanImport uploads a 20,000-row export through the local
// HTTP server, in requests of importChunkRows as `leadgate import` sends it, then writes the same number of items straight to the same
// DynamoDB Local from as many goroutines as the importer uses: the floor.
// The floor's item is a lead item the import wrote (read back after a
// one-row upload of the same export), with only its keys and type changed
// for values of the same length: the same attributes, the same size, the
// same condition (attribute_not_exists). Its type would keep stream
// consumers from routing it.
//
// The system runs without the consumers of the leads stream (router,
// reporter) and of the queues behind it, as the floor has none: in AWS they
// run on their own compute and read the stream without taking the table's
// capacity, while here they would route, count and enroll (a second write
// of every lead) on the two cores DynamoDB Local needs, which the floor's
// writes never cause. BENCHMARKS.md has a run with them for comparison.
//
// Reported: rows/s of each, their ratio (target ≥ 0.8), the item's size,
// and the peak Go heap while importing.
//
//	go test -run '^$' -bench BadgeScanImport -benchtime 1x ./internal/devstack/
func BenchmarkBadgeScanImport(b *testing.B) {
	db := dynamodb.NewFromConfig(cfg)
	for i := range b.N {
		// Fresh tables each round, dropped after it: DynamoDB Local keeps
		// every item in its heap, and a full one measures the collector.
		sys := startOpts(b, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true, NoStreams: true})
		c := client{t: b, base: sys.URL, token: sys.Token}
		table := sys.Resources.Tables["LeadsTable"]
		run := fmt.Sprintf("r%d%d", time.Now().UnixNano(), i)
		var chunks [][]byte
		fileBytes := 0
		for from := 0; from < importRows; from += importChunkRows {
			chunks = append(chunks, exportRows(from, min(from+importChunkRows, importRows), run))
			fileBytes += len(chunks[len(chunks)-1])
		}
		item := leadItemOf(b, c, db, table, run)

		floorBefore := leadFloorWrites(b, db, table, item, 0)
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		peak := sampleHeap()
		start := time.Now()
		created := 0
		for _, ch := range chunks {
			r, rep := c.upload(ch)
			if r.status != 200 {
				b.Fatalf("import: %d %+v", r.status, rep)
			}
			created += rep.LeadsCreated
		}
		took := time.Since(start)
		heap := peak()
		if created != importRows {
			b.Fatalf("import created %d leads of %d rows", created, importRows)
		}

		// The floor runs before and after the import, so neither side gets
		// the warmer JVM or the emptier table; the faster of the two counts.
		floor := min(floorBefore, leadFloorWrites(b, db, table, item, importRows))

		importRate := float64(importRows) / took.Seconds()
		floorRate := float64(importRows) / floor.Seconds()
		b.ReportMetric(importRate, "import-rows/s")
		b.ReportMetric(floorRate, "floor-writes/s")
		b.ReportMetric(importRate/floorRate, "ratio")
		b.ReportMetric(float64(itemSize(item)), "item-bytes")
		b.ReportMetric(float64(len(item)), "item-attributes")
		b.ReportMetric(float64(heap-before.HeapInuse)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(fileBytes)/(1<<20), "file-MiB")
		b.ReportMetric(loadAverage(), "loadavg-1m")
		dropTables(b, db, sys)
	}
}

// leadItemOf uploads the first row of the export under another email (so
// the import proper still creates all of its leads) and returns the item
// it wrote.
func leadItemOf(b *testing.B, c client, db *dynamodb.Client, table, run string) map[string]types.AttributeValue {
	b.Helper()
	one := exportFile(1, run+"x")
	if r, rep := c.upload(one); r.status != 200 || rep.LeadsCreated != 1 {
		b.Fatalf("one-row import: %d %+v", r.status, rep)
	}
	email := fmt.Sprintf("visitor0.%sx@company0.example", run)
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &table, Key: leadKey(email)})
	if err != nil || out.Item == nil {
		b.Fatalf("read the imported lead %s: %v", email, err)
	}
	return out.Item
}

// itemSize is the item's size as DynamoDB counts it: names and values.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k)
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			n += len(x.Value)
		case *types.AttributeValueMemberN:
			n += len(x.Value)
		default:
			n += 8
		}
	}
	return n
}

// sampleHeap samples the Go heap until the returned func is called, which
// returns the peak seen.
func sampleHeap() func() uint64 {
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak
	}
}

// floorWrites writes importRows lead-sized items (a 2 KB record, three
// attributes) straight to the table from 16 goroutines, with the condition
// a new lead is written with.
func floorWrites(b *testing.B, db *dynamodb.Client, table, run string) time.Duration {
	record := strings.Repeat("x", 2048)
	return writeFloor(b, db, func(n int64) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk":     &types.AttributeValueMemberS{Value: fmt.Sprintf("FLOOR#%s-%d", run, n)},
			"sk":     &types.AttributeValueMemberS{Value: "LEAD"},
			"record": &types.AttributeValueMemberS{Value: record},
		}
	}, table)
}

// leadFloorWrites writes importRows copies of a lead item (floorCopy,
// numbered from first) straight to the table from 16 goroutines, with the
// condition a new lead is written with.
func leadFloorWrites(b *testing.B, db *dynamodb.Client, table string, item map[string]types.AttributeValue, first int64) time.Duration {
	return writeFloor(b, db, func(n int64) map[string]types.AttributeValue { return floorCopy(item, first+n) }, table)
}

// floorCopy is copy n of a lead item, for a floor to write: it differs
// from item only in its key and id (a numbered id of the same length) and
// its type (a value of the same length, which stream consumers skip).
func floorCopy(item map[string]types.AttributeValue, n int64) map[string]types.AttributeValue {
	id := item["id"].(*types.AttributeValueMemberS).Value
	typ := item["type"].(*types.AttributeValueMemberS).Value
	copied := maps.Clone(item)
	fid := fmt.Sprintf("fl_%0*d", len(id)-3, n)
	copied["pk"] = &types.AttributeValueMemberS{Value: "LEAD#" + fid}
	copied["id"] = &types.AttributeValueMemberS{Value: fid}
	copied["type"] = &types.AttributeValueMemberS{Value: strings.Repeat("f", len(typ))}
	return copied
}

// writeFloor puts importRows items, item(1) to item(importRows), from 16
// goroutines, each conditional on its key being new.
func writeFloor(b *testing.B, db *dynamodb.Client, item func(n int64) map[string]types.AttributeValue, table string) time.Duration {
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > importRows {
					return
				}
				_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{
					TableName: &table, Item: item(n),
					ConditionExpression: aws.String("attribute_not_exists(pk)"),
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func dropTables(b *testing.B, db *dynamodb.Client, sys *devstack.System) {
	for _, name := range sys.Resources.Tables {
		if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}); err != nil {
			b.Error(err)
		}
	}
}
