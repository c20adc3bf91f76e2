package funnel

import (
	"math"
	"slices"
	"testing"
)

// TestBucketsKeepTimesClose: a time read back from its bucket is within
// 4.6% of it, exact up to 8 seconds; buckets never go down as times go up;
// a year stays inside MaxBuckets.
func TestBucketsKeepTimesClose(t *testing.T) {
	var secs []int64
	for s := int64(0); s <= 20000; s++ {
		secs = append(secs, s)
	}
	for s := 20000.0; s < 3e7; s *= 1.0137 { // to the last bucket, about a year
		secs = append(secs, int64(s), int64(s)+1)
	}
	last := -1
	for _, s := range secs {
		b := bucketOf(s)
		if b < last {
			t.Fatalf("bucket of %d s is %d, below the %d of a shorter time", s, b, last)
		}
		last = b
		got := bucketTime(b)
		switch {
		case s <= 8 && got != float64(s):
			t.Errorf("%d s reads back as %v, want exactly %d", s, got, s)
		case math.Abs(got-float64(s)) > 0.046*float64(s):
			t.Errorf("%d s reads back as %v: off by %.1f%%", s, got, 100*math.Abs(got-float64(s))/float64(s))
		}
	}
	if year := bucketOf(366 * 24 * 3600); year >= MaxBuckets {
		t.Errorf("a year is bucket %d, past MaxBuckets %d", year, MaxBuckets)
	}
	if b := bucketOf(math.MaxInt64); b != MaxBuckets-1 {
		t.Errorf("the longest time is bucket %d, want the last, %d", b, MaxBuckets-1)
	}
}

func TestTimesSpread(t *testing.T) {
	counts := map[string]int{}
	for s := int64(1); s <= 100; s++ {
		AddTime(counts, ToOwner, "anna.k", s)
	}
	AddTime(counts, ToAccept, "ben", 600)
	tests := []struct {
		name, measure, rep string
		n                  int
		p50, p90           float64
	}{
		{"campaign", ToOwner, "", 100, 50, 90},
		{"a rep whose id has a dot", ToOwner, "anna.k", 100, 50, 90},
		{"one time", ToAccept, "ben", 1, 600, 600},
		{"none", ToAccept, "anna.k", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := timesOf(counts, tt.measure, tt.rep).spread()
			if sp.N != tt.n {
				t.Fatalf("n = %d, want %d", sp.N, tt.n)
			}
			if tt.n == 0 {
				if sp.P50 != nil || sp.P90 != nil {
					t.Errorf("no times, yet p50 %v p90 %v", sp.P50, sp.P90)
				}
				return
			}
			for _, q := range []struct {
				got  *float64
				want float64
			}{{sp.P50, tt.p50}, {sp.P90, tt.p90}} {
				if q.got == nil || math.Abs(*q.got-q.want) > 0.046*q.want {
					t.Errorf("quantile %v, want %v within 4.6%%", q.got, q.want)
				}
			}
		})
	}
	var reps []string
	for k := range counts {
		if rep, ok := RepOf(k); ok && !slices.Contains(reps, rep) {
			reps = append(reps, rep)
		}
	}
	if slices.Sort(reps); !slices.Equal(reps, []string{"anna.k", "ben"}) {
		t.Errorf("reps with times = %v", reps)
	}
}

// TestMedianMQLToSAL: the median from MQL to acceptance is the median it
// was before times were counted in buckets (the mean of the middle two of
// an even count), within the buckets' 4.6%, not the lower of the two.
func TestMedianMQLToSAL(t *testing.T) {
	tests := []struct {
		name  string
		secs  []int64
		hours float64
	}{
		{"one", []int64{3600}, 1},
		{"odd", []int64{3600, 7200, 36000}, 2},
		{"two", []int64{3600, 36000}, 5.5},
		{"four", []int64{3600, 3600, 7200, 36000}, 1.5},
		{"even, one bucket", []int64{7200, 7200}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAcc()
			for _, s := range tt.secs {
				AddTime(a.counts, MQLToSAL, "", s)
			}
			got := a.numbers(1).MedianMQLToSALHours
			if got == nil {
				t.Fatalf("no median, want %v h", tt.hours)
			}
			if math.Abs(*got-tt.hours) > 0.046*tt.hours {
				t.Errorf("median %v h, want %v h within 4.6%%", *got, tt.hours)
			}
		})
	}
}
