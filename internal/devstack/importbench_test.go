package devstack_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
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

// exportFile writes a lead-retrieval export of n distinct people.
func exportFile(n int, run string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"First Name", "Last Name", "Email Address", "Company Name", "Job Title", "Country", "Lead Rating", "Notes", "Scan Time", "What is your timeline?", "Device"})
	ratings := []string{"Hot", "Warm", "Cold", "4", "★★★"}
	for i := range n {
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
// HTTP server, then writes the same number of lead-sized items straight to
// the same DynamoDB Local from as many goroutines as the importer uses: the
// floor. Reported: rows/s of each, their ratio (target ≥ 0.8), and the
// peak Go heap while importing.
//
//	go test -run '^$' -bench BadgeScanImport -benchtime 1x ./internal/devstack/
func BenchmarkBadgeScanImport(b *testing.B) {
	db := dynamodb.NewFromConfig(cfg)
	for i := range b.N {
		// Fresh tables each round, dropped after it: DynamoDB Local keeps
		// every item in its heap, and a full one measures the collector.
		sys := startWith(b, "../../campaigns")
		c := client{t: b, base: sys.URL, token: sys.Token}
		table := sys.Resources.Tables["LeadsTable"]
		run := fmt.Sprintf("r%d%d", time.Now().UnixNano(), i)
		file := exportFile(importRows, run)

		floorBefore := floorWrites(b, db, table, run+"warm")
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		peak := sampleHeap()
		start := time.Now()
		r, rep := c.upload(file)
		took := time.Since(start)
		heap := peak()
		if r.status != 200 || rep.LeadsCreated != importRows {
			b.Fatalf("import: %d %+v", r.status, rep)
		}

		// The floor runs before and after the import, so neither side gets
		// the warmer JVM or the emptier table; the faster of the two counts.
		floor := min(floorBefore, floorWrites(b, db, table, run+"after"))

		importRate := float64(importRows) / took.Seconds()
		floorRate := float64(importRows) / floor.Seconds()
		b.ReportMetric(importRate, "import-rows/s")
		b.ReportMetric(floorRate, "floor-writes/s")
		b.ReportMetric(importRate/floorRate, "ratio")
		b.ReportMetric(float64(heap-before.HeapInuse)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(len(file))/(1<<20), "file-MiB")
		dropTables(b, db, sys)
	}
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

// floorWrites writes importRows lead-sized items straight to the table from
// 16 goroutines, with the same condition a new lead is written with.
func floorWrites(b *testing.B, db *dynamodb.Client, table, run string) time.Duration {
	record := strings.Repeat("x", 2048)
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
					TableName: &table,
					Item: map[string]types.AttributeValue{
						"pk":     &types.AttributeValueMemberS{Value: fmt.Sprintf("FLOOR#%s-%d", run, n)},
						"sk":     &types.AttributeValueMemberS{Value: "LEAD"},
						"record": &types.AttributeValueMemberS{Value: record},
					},
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
