package sales

import (
	"cmp"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/geo"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Rep is a salesperson leads can be assigned to.
type Rep struct {
	ID    string `json:"id" yaml:"id"`
	Name  string `json:"name" yaml:"name"`
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	// Territories are ISO country codes and sales regions (NA, LATAM,
	// EMEA, APAC) whose leads the rep takes.
	Territories []string `json:"territories" yaml:"territories"`
	Active      bool     `json:"active" yaml:"active"`
	// Capacity is the most open leads the rep holds at once.
	Capacity int `json:"capacity" yaml:"capacity"`
	// Away are the periods the rep takes no new leads: leave, holidays, a
	// conference. The leads they hold stay theirs.
	Away []Absence `json:"away,omitempty" yaml:"away,omitempty"`
	// WorkingHours, when stated, are the only hours the rep gets new
	// leads, and the hours an SLA that counts working hours runs.
	WorkingHours *Shift `json:"workingHours,omitempty" yaml:"workingHours,omitempty"`
	// Weight is the rep's share of round robin, in percent of a full one:
	// 50 for a new rep at half, 150 for one who takes half again as many.
	// Unset (0) is DefaultWeight.
	Weight int `json:"weight,omitempty" yaml:"weight,omitempty"`

	// Kept by leadgate, not set by the caller.
	OpenLeads      int       `json:"openLeads" yaml:"-"`
	LastAssignedAt time.Time `json:"lastAssignedAt,omitzero" yaml:"-"`
	// Turn is the rep's place in the weighted round robin: the lowest turn
	// goes next, and each lead round robin gives a rep moves their turn on
	// by their stride (FullShare / weight).
	Turn int64 `json:"-" yaml:"-"`
}

// The bounds of a rep's weight, in percent of a full share.
const (
	MinWeight     = 1
	MaxWeight     = 200
	DefaultWeight = 100
	// FullShare is the distance between the turns of a rep at weight 1:
	// large enough that FullShare/weight loses nothing that matters to
	// integer division (1e6/150 = 6666, 0.01% short).
	FullShare = 1_000_000
)

// Stride is how far one lead moves the rep's turn: a rep at 50% moves twice
// as far as one at 100%, so takes every other turn.
func (r *Rep) Stride() int64 {
	return FullShare / int64(cmp.Or(r.Weight, DefaultWeight))
}

// Absence is one period a rep is away, from From up to To.
type Absence struct {
	From   time.Time `json:"from" yaml:"from"`
	To     time.Time `json:"to" yaml:"to"`
	Reason string    `json:"reason,omitempty" yaml:"reason,omitempty"`
}

// MaxAbsences bounds the periods a rep lists; past ones can go.
const MaxAbsences = 20

// AwayAt returns the absence the rep is in at t, if any.
func (r *Rep) AwayAt(t time.Time) (Absence, bool) {
	for _, a := range r.Away {
		if !t.Before(a.From) && t.Before(a.To) {
			return a, true
		}
	}
	return Absence{}, false
}

var repID = lazyRegexp(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate normalizes r (country names to codes, regions upper case) and
// lists every problem.
func (r *Rep) Validate() error {
	var problems []leadgate.Problem
	fail := func(path, format string, args ...any) {
		problems = append(problems, leadgate.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	r.ID, r.Name, r.Email = strings.TrimSpace(r.ID), strings.TrimSpace(r.Name), strings.ToLower(strings.TrimSpace(r.Email))
	if !ValidRepID(r.ID) {
		fail("id", "%q: use lower-case letters, digits, dots, dashes", r.ID)
	}
	if r.Name == "" {
		fail("name", "required")
	}
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
			fail("email", "%q is not an email address", r.Email)
		}
	}
	if len(r.Territories) == 0 {
		fail("territories", "name the countries or regions the rep covers")
	}
	for i, t := range r.Territories {
		switch code, ok := geo.Country(t); {
		case geo.IsRegion(t) && len(strings.TrimSpace(t)) > 2:
			r.Territories[i] = strings.ToUpper(strings.TrimSpace(t))
		case ok:
			r.Territories[i] = code
		default:
			fail(fmt.Sprintf("territories[%d]", i), "%q is neither a country nor a region (%s)", t, strings.Join(geo.Regions(), ", "))
		}
	}
	if r.Capacity < 0 {
		fail("capacity", "cannot be negative")
	}
	if r.Weight == 0 {
		r.Weight = DefaultWeight
	}
	if r.Weight < MinWeight || r.Weight > MaxWeight {
		fail("weight", "%d: a percentage of a full share from %d to %d (%d is a full share)", r.Weight, MinWeight, MaxWeight, DefaultWeight)
	}
	if len(r.Away) > MaxAbsences {
		fail("away", "%d periods: at most %d (past ones can go)", len(r.Away), MaxAbsences)
	}
	for i, a := range r.Away {
		r.Away[i].Reason = strings.TrimSpace(a.Reason)
		switch {
		case a.From.IsZero() || a.To.IsZero():
			fail(fmt.Sprintf("away[%d]", i), "give from and to (2026-12-24, or 2026-12-24T12:00:00+01:00)")
		case !a.To.After(a.From):
			fail(fmt.Sprintf("away[%d].to", i), "%s is not after from (%s)", a.To.Format(time.RFC3339), a.From.Format(time.RFC3339))
		case len(r.Away[i].Reason) > 200:
			fail(fmt.Sprintf("away[%d].reason", i), "at most 200 characters")
		}
	}
	if r.WorkingHours != nil {
		problems = append(problems, r.WorkingHours.validate("workingHours")...)
	}
	if len(problems) > 0 {
		return leadgate.Invalid(fmt.Sprintf("The rep has %d problem(s).", len(problems)), problems)
	}
	return nil
}

// OnShift reports whether t is in the rep's working hours; a rep who
// states none is always on.
func (r *Rep) OnShift(t time.Time) bool {
	return r.WorkingHours == nil || r.WorkingHours.On(t)
}

// After returns when d has passed from t on the rep's clock: their
// working hours when working is set and they state some, the wall clock
// otherwise.
func (r *Rep) After(t time.Time, d time.Duration, working bool) time.Time {
	if working && r.WorkingHours != nil {
		return r.WorkingHours.Add(t, d)
	}
	return t.Add(d)
}

// Covers reports whether the rep's territory holds the country. A lead with
// no country matches no territory: it goes to the fallback owner.
func (r *Rep) Covers(country string) bool {
	if country == "" {
		return false
	}
	if slices.Contains(r.Territories, country) {
		return true
	}
	region, ok := geo.Region(country)
	return ok && slices.Contains(r.Territories, region)
}

// Unavailable says why the rep can take no new lead at now (inactive, away,
// off shift, at capacity), and "" when they can. Every way a lead reaches a rep by
// rule (account, colleague, territory) asks it, so the reasons agree.
func (r *Rep) Unavailable(now time.Time) string {
	if !r.Active {
		return "inactive"
	}
	if a, away := r.AwayAt(now); away {
		return "away until " + a.To.UTC().Format(time.RFC3339)
	}
	if !r.OnShift(now) {
		h := r.WorkingHours
		return fmt.Sprintf("off shift (works %s–%s %s)", h.From, h.To, h.Zone)
	}
	if r.OpenLeads >= r.Capacity {
		return fmt.Sprintf("at capacity (%d)", r.Capacity)
	}
	return ""
}

// Candidates returns, in the order to try them, the reps who may take a
// lead from country at now: active, on shift and not away, covering it,
// with room. The
// lowest turn comes first, which makes assignment weighted round robin
// (stride scheduling); among equal turns the one assigned to longest ago.
//
// A rep who took no leads for a while (away, full, new) has a turn far
// behind the others': followed as is, it would win every lead until it
// caught up. Among reps who are taking leads, turns stay within one stride
// of each other, so no turn is taken as lower than the highest turn less
// the largest stride: the returning rep gets one lead first, then their
// share, never a burst. The returned reps carry that turn.
func Candidates(reps []Rep, country string, now time.Time) []Rep {
	var out []Rep
	for _, r := range reps {
		if r.Covers(country) && r.Unavailable(now) == "" {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	highest, stride := out[0].Turn, out[0].Stride()
	for _, r := range out[1:] {
		highest, stride = max(highest, r.Turn), max(stride, r.Stride())
	}
	for i := range out {
		out[i].Turn = max(out[i].Turn, highest-stride)
	}
	slices.SortStableFunc(out, func(a, b Rep) int {
		return cmp.Or(cmp.Compare(a.Turn, b.Turn), a.LastAssignedAt.Compare(b.LastAssignedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// ErrRepFull is what a store reports when the rep filled up or went
// inactive since they were read, or another assigner took the round-robin
// turn the hold would move: the assigner tries the next one.
var ErrRepFull = errors.New("the rep has no room")

// lazyRegexp compiles a pattern on first use: compiling at start-up would
// add to every function's cold start, used or not.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// ValidRepID reports whether id can be a rep's id.
func ValidRepID(id string) bool { return repID().MatchString(id) }
