package badgescan

import (
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
)

func TestRating(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"Hot", 5, true}, {"warm", 3, true}, {"COLD", 1, true}, {"A", 5, true}, {"b", 3, true}, {"C", 1, true},
		{"4", 4, true}, {"0", 0, true}, {"5 stars", 5, true}, {"★★★", 3, true}, {"★★★★★★", 5, true},
		{"4/5", 4, true}, {"8/10", 4, true}, {"9", 5, true}, {"7", 4, true}, {"", 0, true},
		{"very", 0, false}, {"11", 0, false}, {"6/5", 0, false}, {"-1", 0, false},
		// ParseFloat reads NaN and Inf: no rating, not int(NaN).
		{"NaN", 0, false}, {"nan stars", 0, false}, {"nan/5", 0, false}, {"4/nan", 0, false}, {"inf/inf", 0, false}, {"1/inf", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Rating(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Rating(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestScanTime(t *testing.T) {
	want := time.Date(2026, 11, 18, 14, 5, 0, 0, time.UTC)
	for _, s := range []string{"2026-11-18T14:05:00Z", "2026-11-18T15:05:00+01:00", "2026-11-18 14:05", "18.11.2026 14:05", "11/18/2026 2:05 PM", "Nov 18, 2026 2:05 PM"} {
		if got, ok := ScanTime(s); !ok || !got.Equal(want) {
			t.Errorf("ScanTime(%q) = %v, %v", s, got, ok)
		}
	}
	if _, ok := ScanTime("yesterday"); ok {
		t.Error("read a time from \"yesterday\"")
	}
}

func TestSplitName(t *testing.T) {
	for in, want := range map[string][2]string{
		"Ana Silva": {"Ana", "Silva"}, "Ana  Maria Silva": {"Ana Maria", "Silva"}, "Silva, Ana": {"Ana", "Silva"},
		"Cher": {"", "Cher"}, "": {"", ""},
	} {
		if f, l := SplitName(in); f != want[0] || l != want[1] {
			t.Errorf("SplitName(%q) = %q, %q", in, f, l)
		}
	}
}

// TestColumnTableReads: columns.yaml parses, and an attendee export's
// headers map (a table that fails to parse would fail every upload).
func TestColumnTableReads(t *testing.T) {
	m := mapColumns(&campaign.Definition{}, []string{"Attended", "Email", "Time in Session (minutes)", "Registration Time", "Join Time", "Lead Rating"})
	for _, target := range []string{colAttended, "email", colMinutes, colRegisteredAt, colJoinedAt, colRating} {
		if !m.has(target) {
			t.Errorf("no column for %s: %+v", target, m.columns)
		}
	}
}
