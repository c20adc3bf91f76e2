package funnel

import (
	"fmt"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// DefaultDays is the period a report covers when none is chosen.
const DefaultDays = 90

// Period is a funnel's date range, both days included.
type Period struct{ From, To time.Time }

// ParsePeriod reads a period from dates like 2026-11-01; an empty one takes
// the DefaultDays up to now.
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	p := Period{To: now.UTC().Truncate(24 * time.Hour)}
	p.From = p.To.AddDate(0, 0, -DefaultDays)
	var problems []leadgate.Problem
	for _, f := range []struct {
		name, v string
		dst     *time.Time
	}{{"from", from, &p.From}, {"to", to, &p.To}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, f.v)
		if err != nil {
			problems = append(problems, leadgate.Problem{Path: f.name, Message: fmt.Sprintf("%q: want a date like 2026-11-01", clipped(f.v))})
			continue
		}
		*f.dst = t
	}
	if len(problems) == 0 && p.To.Before(p.From) {
		problems = append(problems, leadgate.Problem{Path: "to", Message: "is before from"})
	}
	if len(problems) > 0 {
		return p, leadgate.Invalid("The period is not readable.", problems)
	}
	return p, nil
}

func clipped(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
