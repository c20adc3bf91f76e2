package sales_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/sales"
)

// roundRobin hands n leads from DE out as the assigner does: the first
// candidate takes it and moves on by its stride. at gives the clock of the
// i-th lead; the order of owners is returned.
func roundRobin(reps []sales.Rep, n int, at func(i int) time.Time) []string {
	var owners []string
	for i := range n {
		c := sales.Candidates(reps, "DE", at(i))
		if len(c) == 0 {
			owners = append(owners, "")
			continue
		}
		for j := range reps {
			if reps[j].ID == c[0].ID {
				reps[j].Turn, reps[j].LastAssignedAt = c[0].Turn+c[0].Stride(), at(i)
			}
		}
		owners = append(owners, c[0].ID)
	}
	return owners
}

func rep(id string, weight int) sales.Rep {
	return sales.Rep{ID: id, Territories: []string{"EMEA"}, Active: true, Capacity: 1 << 20, Weight: weight}
}

func minutes(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

// TestWeightedRoundRobinSplitsByWeight: over 1,000 leads each rep's count
// is its weight's share within 2 leads (stride scheduling is off by at
// most one per rep; one more for integer strides).
func TestWeightedRoundRobinSplitsByWeight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights map[string]int
	}{
		{"equal", map[string]int{"a": 100, "b": 100, "c": 100}},
		{"a new rep at half", map[string]int{"anna": 100, "ben": 100, "new": 50}},
		{"mixed", map[string]int{"a": 150, "b": 100, "c": 50, "d": 1}},
		{"unset is a full share", map[string]int{"a": 0, "b": 100, "c": 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reps []sales.Rep
			total := 0
			for id, w := range tc.weights {
				reps = append(reps, rep(id, w))
				if w == 0 {
					w = sales.DefaultWeight
				}
				total += w
			}
			const n = 1000
			got := map[string]int{}
			for _, o := range roundRobin(reps, n, minutes) {
				got[o]++
			}
			for id, w := range tc.weights {
				if w == 0 {
					w = sales.DefaultWeight
				}
				want := float64(n*w) / float64(total)
				if d := float64(got[id]) - want; d > 2 || d < -2 {
					t.Errorf("%s (weight %d) got %d of %d, want %.1f ± 2", id, w, got[id], n, want)
				}
			}
			t.Logf("split %v", got)
		})
	}
}

// TestNoBurstAfterLeave: a rep back from two weeks away takes one lead and
// then their share, never the next leads in a row to catch up; the same
// for a new rep joining a team that has handed out hundreds.
func TestNoBurstAfterLeave(t *testing.T) {
	leave := sales.Absence{From: minutes(100), To: minutes(100).Add(14 * 24 * time.Hour)}
	for _, tc := range []struct {
		name string
		reps []sales.Rep
		back int // the lead at which the rep is there again
	}{
		{"back from leave", []sales.Rep{rep("a", 100), rep("b", 100), withAway(rep("c", 100), leave)}, 400},
		{"back at half weight", []sales.Rep{rep("a", 100), rep("b", 100), withAway(rep("c", 50), leave)}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Leads arrive a minute apart: 0-99 before the leave, 100 up
			// to tc.back during it, the rest after it ended.
			at := func(i int) time.Time {
				switch {
				case i < 100:
					return minutes(i)
				case i < tc.back:
					return leave.From.Add(time.Duration(i-100) * time.Minute)
				default:
					return leave.To.Add(time.Duration(i-tc.back) * time.Minute)
				}
			}
			owners := roundRobin(tc.reps, tc.back+60, at)
			for i, o := range owners[100:tc.back] {
				if o == "c" {
					t.Fatalf("lead %d went to c while away", 100+i)
				}
			}
			after := owners[tc.back:]
			run, longest, got := 0, 0, 0
			for _, o := range after {
				if o == "c" {
					run, got = run+1, got+1
				} else {
					run = 0
				}
				longest = max(longest, run)
			}
			w := tc.reps[2].Weight
			want := float64(len(after)*w) / float64(200+w)
			if longest > 1 || float64(got) > want+2 || float64(got) < want-2 {
				t.Errorf("after the leave c took %d of %d (want %.1f ± 2), at most %d in a row (want 1): %v", got, len(after), want, longest, after)
			}
			if after[0] != "c" {
				t.Errorf("the first lead after the leave went to %s: a returning rep is first in line once", after[0])
			}
		})
	}
	t.Run("a new rep joins late", func(t *testing.T) {
		reps := []sales.Rep{rep("a", 100), rep("b", 100)}
		roundRobin(reps, 500, minutes)
		reps = append(reps, rep("new", 100))
		after := roundRobin(reps, 30, func(i int) time.Time { return minutes(500 + i) })
		n := 0
		for i, o := range after {
			if o == "new" {
				n++
				if i > 0 && after[i-1] == "new" {
					t.Errorf("new took leads %d and %d in a row: %v", i-1, i, after)
				}
			}
		}
		if n < 9 || n > 11 {
			t.Errorf("new took %d of 30, want 10 ± 1: %v", n, after)
		}
	})
}

func withAway(r sales.Rep, a sales.Absence) sales.Rep { r.Away = []sales.Absence{a}; return r }

func TestWeightBounds(t *testing.T) {
	for _, tc := range []struct {
		weight, want int
		ok           bool
	}{{0, 100, true}, {1, 1, true}, {50, 50, true}, {200, 200, true}, {201, 201, false}, {-5, -5, false}} {
		t.Run(fmt.Sprint(tc.weight), func(t *testing.T) {
			r := sales.Rep{ID: "a", Name: "A", Territories: []string{"DE"}, Capacity: 1, Weight: tc.weight}
			err := r.Validate()
			if (err == nil) != tc.ok || r.Weight != tc.want {
				t.Errorf("weight %d: err %v, weight now %d", tc.weight, err, r.Weight)
			}
		})
	}
}
