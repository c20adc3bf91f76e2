package campaign

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a span people write in a definition: "90d", "12h", "30s"
// (Go's units, plus d for days) or ISO 8601 ("P90D", "PT12H", "P1DT30M").
// Seconds are allowed so that tests can shorten a hold to a blink.
type Duration struct{ time.Duration }

// isoDuration is compiled on first use (lazyRegexp): most functions that
// link this package never read a duration.
var isoDuration = lazyRegexp(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// ParseDuration reads a Duration.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if m := isoDuration().FindStringSubmatch(strings.ToUpper(s)); m != nil && s != "P" && !strings.HasSuffix(strings.ToUpper(s), "T") {
		var d time.Duration
		for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
			if m[i+1] != "" {
				n, _ := strconv.Atoi(m[i+1])
				d += time.Duration(n) * unit
			}
		}
		return Duration{d}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 && n <= 3650 {
			return Duration{time.Duration(n) * 24 * time.Hour}, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return Duration{}, fmt.Errorf("want a duration like 90d, 12h, 30s or P90D, got %q", cut(s))
	}
	return Duration{d}, nil
}

// String writes whole days as "90d", anything else as Go does without its
// zero tails ("4h", "1h30m", not "4h0m0s"): it is read back as written.
func (d Duration) String() string {
	if d.Duration > 0 && d.Duration%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d.Duration/(24*time.Hour))) + "d"
	}
	s := d.Duration.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// MarshalText writes the duration as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what ParseDuration reads; YAML (package authored)
// reads a Duration through it too.
func (d *Duration) UnmarshalText(b []byte) error {
	p, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
