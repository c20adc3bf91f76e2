package sales_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

func berlin(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestWorkingHoursClock: an SLA counted in working hours stops over the
// evening and the weekend, starts at the next shift when the lead comes
// in off shift, and keeps the wall-clock hours across a change to summer
// time.
func TestWorkingHoursClock(t *testing.T) {
	rep := sales.Rep{WorkingHours: &sales.Shift{Zone: "Europe/Berlin", From: "09:00", To: "17:00"}}
	tests := []struct {
		name, start string
		within      time.Duration
		want        string
	}{
		{"inside one shift", "2026-12-01 10:00", 2 * time.Hour, "2026-12-01 12:00"},
		{"over the evening", "2026-12-01 16:00", 2 * time.Hour, "2026-12-02 10:00"},
		{"friday afternoon to monday", "2026-12-04 16:30", 4 * time.Hour, "2026-12-07 12:30"},
		{"in on a saturday", "2026-12-05 11:00", time.Hour, "2026-12-07 10:00"},
		{"in before the shift", "2026-12-01 06:00", 30 * time.Minute, "2026-12-01 09:30"},
		{"exactly a shift", "2026-12-01 09:00", 8 * time.Hour, "2026-12-01 17:00"},
		{"a week of shifts", "2026-12-01 09:00", 40 * time.Hour, "2026-12-07 17:00"},
		{"over the change to summer time", "2027-03-26 16:00", 2 * time.Hour, "2027-03-29 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rep.After(berlin(t, tt.start), tt.within, true)
			if want := berlin(t, tt.want); !got.Equal(want) {
				t.Errorf("%s + %s of working time = %s, want %s", tt.start, tt.within, got.In(want.Location()).Format("Mon 2006-01-02 15:04"), tt.want)
			}
		})
	}
	if got, want := rep.After(berlin(t, "2026-12-04 16:30"), 4*time.Hour, false), berlin(t, "2026-12-04 20:30"); !got.Equal(want) {
		t.Errorf("a wall-clock SLA: %s, want %s", got, want)
	}
	if got, want := (&sales.Rep{}).After(berlin(t, "2026-12-05 11:00"), time.Hour, true), berlin(t, "2026-12-05 12:00"); !got.Equal(want) {
		t.Errorf("a rep without hours: %s, want the wall clock's %s", got, want)
	}
}

// TestWorkingHoursWhereMidnightIsSkipped: where clocks go forward at
// midnight the day has no 00:00 (Santiago, Havana); the clock still steps
// to the next day and lands in the shift, not on a Sunday night.
func TestWorkingHoursWhereMidnightIsSkipped(t *testing.T) {
	for _, tc := range []struct{ zone, at, want string }{
		{"America/Santiago", "2026-09-04T16:00:00-04:00", "2026-09-07T10:00:00-03:00"},
		{"America/Havana", "2026-03-06T16:00:00-05:00", "2026-03-09T10:00:00-04:00"},
		{"Atlantic/Azores", "2027-03-26T16:00:00-01:00", "2027-03-29T10:00:00+00:00"},
		{"Europe/Berlin", "2026-03-27T16:00:00+01:00", "2026-03-30T10:00:00+02:00"}, // forward at 02:00
	} {
		t.Run(tc.zone, func(t *testing.T) {
			rep := sales.Rep{WorkingHours: &sales.Shift{Zone: tc.zone, From: "09:00", To: "17:00"}}
			at, _ := time.Parse(time.RFC3339, tc.at)
			want, _ := time.Parse(time.RFC3339, tc.want)
			if got := rep.After(at, 2*time.Hour, true); !got.Equal(want) {
				t.Errorf("due %s, want %s", got, want)
			}
		})
	}
}

func TestOnShift(t *testing.T) {
	rep := sales.Rep{WorkingHours: &sales.Shift{Zone: "America/New_York", Days: []string{"mon", "tue", "wed", "thu", "fri", "sat"}, From: "08:00", To: "12:00"}}
	for at, want := range map[string]bool{
		"2026-12-01T13:00:00Z": true,  // 08:00 in New York
		"2026-12-01T12:59:00Z": false, // 07:59
		"2026-12-01T17:00:00Z": false, // 12:00: the shift has ended
		"2026-12-05T14:00:00Z": true,  // a Saturday, listed
		"2026-12-06T14:00:00Z": false, // a Sunday
	} {
		tm, _ := time.Parse(time.RFC3339, at)
		if got := rep.OnShift(tm); got != want {
			t.Errorf("on shift at %s: %v, want %v", at, got, want)
		}
	}
	if !(&sales.Rep{}).OnShift(time.Now()) {
		t.Error("a rep who states no hours is always on")
	}
}

func TestWorkingHoursValidation(t *testing.T) {
	r := sales.Rep{ID: "a", Name: "A", Territories: []string{"DE"}, WorkingHours: &sales.Shift{Zone: "Mars/Olympus", Days: []string{"Monday", "monkey"}, From: "9", To: "08:00"}}
	var paths []string
	for _, p := range leadgate.ErrorProblems(r.Validate()) {
		paths = append(paths, p.Path)
	}
	if got := strings.Join(paths, " "); got != "workingHours.zone workingHours.days[1] workingHours.from" {
		t.Errorf("problems at %q", got)
	}
	if r.WorkingHours.Days[0] != "mon" {
		t.Errorf("Monday read as %q", r.WorkingHours.Days[0])
	}
	ok := sales.Rep{ID: "a", Name: "A", Territories: []string{"DE"}, WorkingHours: &sales.Shift{Zone: "Europe/Berlin", From: "17:00", To: "09:00"}}
	if p := leadgate.ErrorProblems(ok.Validate()); len(p) != 1 || p[0].Path != "workingHours.to" {
		t.Errorf("an overnight shift: %+v", p)
	}
}
