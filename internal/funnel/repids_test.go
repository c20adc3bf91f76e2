package funnel

import (
	"slices"
	"testing"
)

// TestRepIDsWithMarkerWords: a rep id may hold dots, so ".time." and
// ".sla." may be part of it (sales.ValidRepID); the reps a report lists
// are exactly those with a time or an SLA record, no prefix of one.
func TestRepIDsWithMarkerWords(t *testing.T) {
	tests := []struct {
		name string
		reps []string
	}{
		{"plain", []string{"anna", "ben"}},
		{"a dot", []string{"anna.k"}},
		{"time in the id", []string{"a.time.b"}},
		{"sla in the id", []string{"x.sla.y"}},
		{"a measure in the id", []string{"c.time.toOwner.5"}},
		{"both words", []string{"p.sla.met.time.q"}},
		{"ends like a word", []string{"time", "sla", "z.time", "z.sla"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, only := range []string{"times", "sla", "both"} {
				a := newAcc()
				for _, rep := range tt.reps {
					if only != "sla" {
						AddTime(a.counts, ToOwner, rep, 90)
					}
					if only != "times" {
						a.counts["sla.met"]++
						a.counts["rep."+rep+".sla.met"]++
					}
				}
				var got []string
				for _, r := range a.byRep() {
					got = append(got, r.Rep)
					if only != "sla" && r.SpeedToLead.ToOwner.N != 1 {
						t.Errorf("%s: rep %q has %d times, want 1", only, r.Rep, r.SpeedToLead.ToOwner.N)
					}
					if only != "times" && r.SLA.Met != 1 {
						t.Errorf("%s: rep %q met %d SLAs, want 1", only, r.Rep, r.SLA.Met)
					}
				}
				want := slices.Sorted(slices.Values(tt.reps))
				if !slices.Equal(got, want) {
					t.Errorf("%s: reps %q, want %q", only, got, want)
				}
			}
		})
	}
}
