package badgescan

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Rating reads a booth rating however the app wrote it and puts it on the
// common 1–5 scale the engine scores (0: unrated or unreadable):
// hot/warm/cold, A/B/C, 0–5 stars (digits or ★), "4/5", "8/10", and 1–10.
func Rating(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, true
	}
	switch s {
	case "hot", "a", "high", "very interested":
		return 5, true
	case "warm", "b", "medium", "interested":
		return 3, true
	case "cold", "c", "low", "not interested":
		return 1, true
	}
	if n := strings.Count(s, "★"); n > 0 {
		return min(n, 5), true
	}
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.ParseFloat(strings.TrimSpace(num), 64)
		d, err2 := strconv.ParseFloat(strings.TrimSpace(den), 64)
		// Written so NaN fails too (ParseFloat reads "nan" and "inf").
		if err1 != nil || err2 != nil || !(d > 0 && !math.IsInf(d, 1)) || !(n >= 0 && n <= d) {
			return 0, false
		}
		return int(n/d*5 + 0.5), true
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(s, " stars"), 64)
	switch {
	case err != nil || !(n >= 0 && n <= 10): // NaN too
		return 0, false
	case n > 5:
		return int(n/2 + 0.5), true // a 1–10 scale
	}
	return int(n + 0.5), true
}

// scanLayouts are the time formats lead-retrieval apps export, most
// specific first. Day-first and month-first dates are told apart by the
// separator: 02.01.2006 (Europe) versus 01/02/2006 (US apps).
var scanLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"02.01.2006 15:04:05", "02.01.2006 15:04", "02.01.2006",
	"01/02/2006 15:04:05", "01/02/2006 15:04", "01/02/2006 3:04 PM", "01/02/2006 3:04:05 PM", "01/02/2006",
	"Jan 2, 2006 3:04 PM", "Jan 2, 2006 3:04:05 PM", "Jan 2, 2006 15:04:05", "2 Jan 2006 15:04",
}

// ScanTime reads when a badge was scanned, a time without a zone as UTC.
func ScanTime(s string) (time.Time, bool) { return ScanTimeIn(s, time.UTC) }

// ScanTimeIn reads when a badge was scanned; a time without a zone (the apps
// write the show's local time and do not say which) is read in loc.
func ScanTimeIn(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range scanLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// SplitName splits one name column: "Silva, Ana" is last name first; "Ana
// Maria Silva" takes the last word as the last name.
func SplitName(full string) (first, last string) {
	full = strings.Join(strings.Fields(full), " ")
	if l, f, ok := strings.Cut(full, ","); ok {
		return strings.TrimSpace(f), strings.TrimSpace(l)
	}
	i := strings.LastIndexByte(full, ' ')
	if i < 0 {
		return "", full
	}
	return full[:i], full[i+1:]
}
