package dynamo

import (
	"fmt"
	"testing"

	"github.com/leadgate/leadgate/internal/funnel"
)

// TestChunkSizeBoundsTheUpdate: a transaction holds at most 100 items (a
// marker per entry, the campaign's counter and one per rep) and at most
// maxMetrics metrics, so an update expression stays inside DynamoDB's 4 KB;
// the chunks still take every entry, in order.
func TestChunkSizeBoundsTheUpdate(t *testing.T) {
	alike := func(n int) []funnel.Delta {
		var ds []funnel.Delta
		for range n {
			ds = append(ds, funnel.Delta{Counts: map[string]int{"entered.mql": 1, "people.mql": 1}})
		}
		return ds
	}
	distinct := func(n int) []funnel.Delta {
		var ds []funnel.Delta
		for i := range n {
			d := funnel.Delta{Counts: map[string]int{"entered.sal": 1, "people.sal": 1}}
			funnel.AddTime(d.Counts, funnel.ToAccept, fmt.Sprintf("rep-%d", i), int64(1+i*i))
			ds = append(ds, d)
		}
		return ds
	}
	tests := []struct {
		name   string
		ds     []funnel.Delta
		chunks []int
	}{
		{"few", alike(3), []int{3}},
		{"many alike", alike(250), []int{99, 99, 52}},
		// Each acceptance adds a rep's time; the campaign's times share
		// buckets as the times grow apart.
		{"many distinct", distinct(120), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for ds := tt.ds; len(ds) > 0; {
				n := chunkSize(ds)
				metrics, reps := map[string]bool{}, map[string]bool{}
				for _, d := range ds[:n] {
					for m := range d.Counts {
						metrics[m] = true
						if rep, ok := funnel.RepOf(m); ok {
							reps[rep] = true
						}
					}
				}
				// A marker per entry, the campaign's counter, a counter per rep.
				if items := n + 1 + len(reps); n < 1 || items > maxTransact || len(metrics) > maxMetrics {
					t.Fatalf("a chunk of %d entries, %d items and %d metrics", n, items, len(metrics))
				}
				got = append(got, n)
				ds = ds[n:]
			}
			if tt.chunks != nil && fmt.Sprint(got) != fmt.Sprint(tt.chunks) {
				t.Errorf("chunks %v, want %v", got, tt.chunks)
			}
			if tt.chunks == nil && len(got) < 2 {
				t.Errorf("%d distinct entries in chunks %v: the metrics' bound split nothing", len(tt.ds), got)
			}
		})
	}
}
