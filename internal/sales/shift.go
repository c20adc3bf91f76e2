package sales

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// Shift is the hours a rep works, in their own time zone: they get new
// leads only on shift, and an SLA that counts working hours runs only
// then. A shift ends the day it starts (no overnight shifts).
type Shift struct {
	Zone string `json:"zone" yaml:"zone"` // IANA: Europe/Berlin
	// Days are the working weekdays (mon … sun); none means mon–fri.
	Days []string `json:"days,omitempty" yaml:"days,omitempty"`
	From string   `json:"from" yaml:"from"` // 09:00
	To   string   `json:"to" yaml:"to"`     // 17:30
}

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

var fullNames = map[string]string{"sunday": "sun", "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri", "saturday": "sat"}

// validate normalizes s and lists its problems under path.
func (s *Shift) validate(path string) []leadgate.Problem {
	var problems []leadgate.Problem
	fail := func(p, format string, args ...any) {
		problems = append(problems, leadgate.Problem{Path: path + p, Message: fmt.Sprintf(format, args...)})
	}
	s.Zone = strings.TrimSpace(s.Zone)
	if _, err := zone(s.Zone); err != nil || s.Zone == "" {
		fail(".zone", "%q is not a time zone: name one like Europe/Berlin or America/New_York", cut(s.Zone, 64))
	}
	for i, d := range s.Days {
		s.Days[i] = strings.ToLower(strings.TrimSpace(d))
		if day, ok := fullNames[s.Days[i]]; ok {
			s.Days[i] = day // monday → mon
		}
		if !slices.Contains(weekdays, s.Days[i]) {
			fail(fmt.Sprintf(".days[%d]", i), "%q: want mon, tue, wed, thu, fri, sat or sun", cut(d, 16))
		}
	}
	from, okFrom := clock(s.From)
	to, okTo := clock(s.To)
	if !okFrom {
		fail(".from", "%q: want a time of day like 09:00", cut(s.From, 16))
	}
	if !okTo {
		fail(".to", "%q: want a time of day like 17:30", cut(s.To, 16))
	}
	if okFrom && okTo && to <= from {
		fail(".to", "%s is not after from (%s): a shift ends the day it starts", s.To, s.From)
	}
	return problems
}

// On reports whether t falls in the shift.
func (s *Shift) On(t time.Time) bool {
	start, end, ok := s.day(t)
	return ok && !t.Before(start) && t.Before(end)
}

// Add returns the instant d of working time after t: the time off shift
// (evenings, weekends) does not count. A clock started off shift starts
// at the next shift.
func (s *Shift) Add(t time.Time, d time.Duration) time.Time {
	loc, err := zone(s.Zone)
	if err != nil {
		return t.Add(d) // validated on the way in; a wall clock rather than none
	}
	t = t.In(loc)
	// A year of days bounds the walk: an SLA is at most 30 days.
	for range 366 {
		if start, end, ok := s.day(t); ok && t.Before(end) {
			if t.Before(start) {
				t = start
			}
			if left := end.Sub(t); d <= left {
				return t.Add(d)
			} else {
				d -= left
			}
		}
		t = nextDay(t, loc)
	}
	return t.Add(d)
}

// nextDay is the first instant of the day after t's. Where clocks go
// forward at midnight (Santiago, Havana, the Azores) that day has no
// 00:00, and time.Date would answer 23:00 of the day before: then the day
// starts at 01:00.
func nextDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	next := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	if _, _, nd := next.Date(); nd == d {
		next = time.Date(y, m, d+1, 1, 0, 0, 0, loc)
	}
	return next
}

// day returns the shift's start and end on t's day in the rep's zone, and
// whether that day is a working day.
func (s *Shift) day(t time.Time) (start, end time.Time, ok bool) {
	loc, err := zone(s.Zone)
	from, okFrom := clock(s.From)
	to, okTo := clock(s.To)
	if err != nil || !okFrom || !okTo {
		return time.Time{}, time.Time{}, false
	}
	t = t.In(loc)
	days := s.Days
	if len(days) == 0 {
		days = weekdays[1:6]
	}
	if !slices.Contains(days, weekdays[t.Weekday()]) {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, from, 0, 0, loc), time.Date(y, m, d, 0, to, 0, 0, loc), true
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// zones caches loaded time zones: loading one parses the zone database,
// and the assigner asks for every rep's on each lead. There are about 600
// zone names, which bounds it.
var zones sync.Map

func zone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || len(name) > 64 {
		return nil, fmt.Errorf("no time zone %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

func cut(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
