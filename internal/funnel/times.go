package funnel

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Times (speed to lead, MQL to acceptance) are counted in buckets of a log
// scale, as counts like any other metric, not kept one by one: a counter
// holds a campaign's day, and a list of every time would grow with every
// lead until the item reached DynamoDB's 400 KB limit (at a few hundred
// assignments a second, within a minute), after which no count of that day
// could be written. A bucket count is a number that ADD increments, so a
// counter's size is bounded by the buckets a day's times fall in, not by how
// many leads there were.
//
// Eight buckets per doubling: a time read back is the middle of its
// bucket's whole seconds, within 4.6% of the time measured (exact up to 8
// seconds, where a bucket holds one whole second).
const bucketsPerDoubling = 8

// MaxBuckets bounds the buckets of one measure: bucket 0 holds no time at
// all, and a year (3.2e7 seconds, longer than any counter is kept) is
// bucket 200.
const MaxBuckets = 1 + bucketsPerDoubling*25

// MQLToSAL is the measure of the time from becoming an MQL to sales
// accepting the lead.
const MQLToSAL = "mqlToSal"

// bucketOf is the bucket of a time: 0 for none, then
// 1 + floor(8·log2(secs)).
func bucketOf(secs int64) int {
	if secs < 1 {
		return 0
	}
	return min(1+int(math.Floor(bucketsPerDoubling*math.Log2(float64(secs)))), MaxBuckets-1)
}

// bucketTime is the time a bucket stands for: the middle of the whole
// seconds it holds.
func bucketTime(b int) float64 {
	if b <= 0 {
		return 0
	}
	edge := func(b int) float64 { return math.Ceil(math.Pow(2, float64(b-1)/bucketsPerDoubling)) }
	lo, hi := edge(b), edge(b+1)-1
	return (lo + max(hi, lo)) / 2
}

// timeMetric names the count of one time: "time.<measure>.<bucket>", and
// "rep.<rep>.time.<measure>.<bucket>" for the rep's own.
func timeMetric(measure, rep string, secs int64) string {
	m := "time." + measure + "." + strconv.Itoa(bucketOf(secs))
	if rep != "" {
		return "rep." + rep + "." + m
	}
	return m
}

// AddTime counts one time of a measure in counts, for the campaign and, when
// rep is not empty, for the rep.
func AddTime(counts map[string]int, measure, rep string, secs int64) {
	counts[timeMetric(measure, "", secs)]++
	if rep != "" {
		counts[timeMetric(measure, rep, secs)]++
	}
}

// times is one measure's bucket counts, for the campaign (rep "") or a rep.
type times map[int]int

// timesOf gathers the bucket counts of measure for rep ("" for the
// campaign) from counts.
func timesOf(counts map[string]int, measure, rep string) times {
	prefix := "time." + measure + "."
	if rep != "" {
		prefix = "rep." + rep + "." + prefix
	}
	t := times{}
	for k, n := range counts {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			if b, err := strconv.Atoi(rest); err == nil && n > 0 {
				t[b] += n
			}
		}
	}
	return t
}

// RepOf is the rep a rep's own metric counts for: "rep.<rep>.sla.<outcome>"
// or "rep.<rep>.time.<measure>.<bucket>". A rep id may hold dots, and so
// ".sla." and ".time." (sales.ValidRepID): the rep is what is left once the
// metric's own ending, read from the end, is cut off.
func RepOf(k string) (string, bool) {
	rest, ok := strings.CutPrefix(k, "rep.")
	if !ok {
		return "", false
	}
	for _, outcome := range []string{".sla.met", ".sla.missed"} {
		if rep, ok := strings.CutSuffix(rest, outcome); ok {
			return rep, true
		}
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 || !allDigits(rest[i+1:]) {
		return "", false
	}
	rest = rest[:i] // rep.<rep>.time.<measure>
	j := strings.LastIndexByte(rest, '.')
	if j < 0 || rest[j+1:] == "" {
		return "", false
	}
	return strings.CutSuffix(rest[:j], ".time")
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// spread is the median and 90th percentile (nearest rank) of the times.
func (t times) spread() Spread {
	n := 0
	for _, c := range t {
		n += c
	}
	if n == 0 {
		return Spread{}
	}
	return Spread{N: n, P50: t.rank(0.5, n), P90: t.rank(0.9, n)}
}

// median is the median of the times, the mean of the middle two of an even
// count (as the median from MQL to acceptance always was), or nil for
// none.
func (t times) median() *float64 {
	n := 0
	for _, c := range t {
		n += c
	}
	if n == 0 {
		return nil
	}
	lo, hi := t.nth(n/2+n%2), t.nth(n/2+1)
	m := (lo + hi) / 2
	return &m
}

// nth is the time of the i-th shortest time (from 1), at most the longest.
func (t times) nth(i int) float64 {
	seen, v := 0, 0.0
	for _, b := range slices.Sorted(maps.Keys(t)) {
		v = bucketTime(b)
		if seen += t[b]; seen >= i {
			break
		}
	}
	return v
}

// rank is the time at quantile p of n times, nearest rank.
func (t times) rank(p float64, n int) *float64 {
	want := max(int(math.Ceil(p*float64(n))), 1)
	seen := 0
	for _, b := range slices.Sorted(maps.Keys(t)) {
		if seen += t[b]; seen >= want {
			v := bucketTime(b)
			return &v
		}
	}
	return nil // not reached: want ≤ n
}
