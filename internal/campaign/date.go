package campaign

import (
	"fmt"
	"time"
)

// Date is a calendar day, as people write review and end dates: 2027-05-01.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD day.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("want a date like 2027-05-01, got %q", s)
	}
	return Date{t}, nil
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// MarshalText writes the day as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD. YAML (package authored) reads a Date
// through it, the scalar as written: YAML would otherwise turn an unquoted
// 2027-05-01 into a timestamp with a time zone.
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// EndOfDay is the last instant of the day in UTC, the moment a campaign that
// "ends" on this day stops taking submissions.
func (d Date) EndOfDay() time.Time { return d.AddDate(0, 0, 1).Add(-time.Nanosecond) }

// MarshalJSON writes "2027-05-01"; without it the embedded time.Time would
// write a timestamp.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "2027-05-01".
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("want a date like \"2027-05-01\"")
	}
	return d.UnmarshalText(b[1 : len(b)-1])
}

// ReviewOverdue reports whether the definition is past the day marketing
// and sales agreed to review it by.
func (d *Definition) ReviewOverdue(now time.Time) bool {
	return d.ReviewBy.EndOfDay().Before(now)
}
