package qualify

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
)

// Evaluate judges a lead against a published definition. It compiles the
// definition each call; hold a Rulebook to evaluate many leads.
func Evaluate(l *lead.Lead, touches []lead.TouchPoint, p *campaign.Published, now time.Time) lead.Verdict {
	var v lead.Verdict
	Compile(p).Evaluate(&v, l, touches, now)
	return v
}

// Evaluate writes the verdict on l into v, reusing v.Criteria's storage, so a
// caller that keeps v evaluates without allocating.
//
// The stage follows the definition in this order:
//  1. an exclusion (competitor domain, excluded title) disqualifies;
//  2. a missing required field, or no sign of interest, leaves a suspect;
//  3. a fitting lead that raised its hand is an MQL at once;
//  4. fit, role, need and willingness all met and the score at the
//     threshold make an MQL;
//  5. anything else is nurtured.
func (rb *Rulebook) Evaluate(v *lead.Verdict, l *lead.Lead, touches []lead.TouchPoint, now time.Time) {
	rs := rb.rulesFor(l.Country)
	v.Campaign, v.Version, v.Geography, v.At = rb.campaign, rb.version, rs.geography, now
	v.Criteria = v.Criteria[:0]
	e := evaluation{v: v}

	for _, r := range rs.required {
		val := l.Field(r.field)
		e.add(lead.GroupRequired, r.rule, outcome(present(val)), val, "a value")
	}

	domain := emailDomain(l.Email)
	if len(rs.excludeDomains) > 0 {
		e.add(lead.GroupExclusion, "exclude.domain", known(domain, !domainIn(domain, rs.excludeDomains)), domain, rs.excludeDomWant)
	}
	// The title's word starts are found once, for both phrase lists.
	var buf [maxWordStarts]int
	var titleStarts []int
	var titleFirsts wordFirsts
	if len(rs.excludeTitles) > 0 || len(rs.titles) > 0 {
		titleStarts = wordStarts(l.Title, buf[:0])
		titleFirsts = firstsOf(l.Title, titleStarts)
	}
	if len(rs.excludeTitles) > 0 {
		_, hit := matchAny(l.Title, titleStarts, &titleFirsts, rs.excludeTitles)
		e.add(lead.GroupExclusion, "exclude.title", known(l.Title, !hit), l.Title, rs.excludeTitWant)
	}

	if len(rs.industries) > 0 {
		ind := l.Fields[campaign.FieldIndustry]
		e.add(lead.GroupFit, "fit.industry", known(ind, equalAny(ind, rs.industries)), ind, rs.industriesWant)
	}
	if rs.employees != nil {
		e.addRange("fit.employees", l.Fields[campaign.FieldEmployees], rs.employees, rs.employeesWant)
	}
	if rs.revenue != nil {
		e.addRange("fit.revenue", l.Fields[campaign.FieldRevenue], rs.revenue, rs.revenueWant)
	}
	if rs.countries != nil {
		e.add(lead.GroupFit, "fit.country", known(l.Country, rs.inPlaces(l.Country)), l.Country, rs.countriesWant)
	}
	if rs.businessEmail {
		e.add(lead.GroupFit, "fit.business-email", known(domain, !freeMail[domain]), domain, rs.businessEmailWant)
	}

	roleOK := true
	if rs.hasRole {
		titleOK, seniorityOK := false, false
		if len(rs.titles) > 0 {
			_, titleOK = matchAny(l.Title, titleStarts, &titleFirsts, rs.titles)
			e.add(lead.GroupRole, "role.title", known(l.Title, titleOK), l.Title, rs.titlesWant)
		}
		if len(rs.seniorities) > 0 {
			s := l.Fields[campaign.FieldSeniority]
			seniorityOK = equalAny(s, rs.seniorities)
			e.add(lead.GroupRole, "role.seniority", known(s, seniorityOK), s, rs.senioritiesWant)
		}
		roleOK = titleOK || seniorityOK
		if len(rs.departments) > 0 {
			d := l.Fields[campaign.FieldDepartment]
			depOK := equalAny(d, rs.departments)
			e.add(lead.GroupRole, "role.department", known(d, depOK), d, rs.departmentsWant)
			roleOK = roleOK && depOK
		}
	}

	needOK := true
	if n := rs.need; n != nil {
		a := l.Fields[n.field]
		needOK = equalAny(a, n.confirmedBy)
		e.add(lead.GroupNeed, n.rule, known(a, needOK), a, n.want)
	}

	willing := true
	if rs.hasWillingness {
		consent := ""
		if rs.consentField != "" {
			consent = l.Fields[rs.consentField]
		}
		touch, asked := hasTouch(touches, rs.contactTouches)
		willing = yes(consent) || asked
		saw := consent
		if asked {
			saw = touch
		}
		out := lead.Fail
		switch {
		case willing:
			out = lead.Pass
		case consent == "":
			out = lead.Unknown
		}
		e.add(lead.GroupWillingness, "willingness", out, saw, rs.willingnessWant)
	}

	interested := true
	if rs.hasInterest {
		saw := ""
		interested = false
		for _, f := range rs.interestFields {
			if val := l.Field(f); present(val) {
				saw, interested = f, true
				break
			}
		}
		if !interested && rs.interestRating > 0 {
			for i := range touches {
				if touches[i].Rating >= rs.interestRating {
					saw, interested = touches[i].Type, true
					break
				}
			}
		}
		if !interested {
			saw, interested = hasTouch(touches, rs.interestTouches)
		}
		out := lead.Unknown
		if interested {
			out = lead.Pass
		}
		e.add(lead.GroupInterest, "interest", out, saw, rs.interestWant)
	}

	v.Score = rb.score(touches, now)
	scoreOK := v.Score >= rs.threshold
	e.addMeasure("engagement.score", v.Score, scoreOK, rs.thresholdWant)

	raised := false
	if len(rb.handRaisers) > 0 {
		var saw string
		saw, raised = hasTouch(touches, rb.handRaisers)
		e.add(lead.GroupHandRaiser, "hand-raiser", outcome(raised), saw, rb.handWant)
	}

	fitOK := e.fitMisses == 0
	switch {
	case e.excluded:
		v.Stage = lead.StageDisqualified
	case e.missing || !interested:
		v.Stage = lead.StageSuspect
	case fitOK && raised:
		v.Stage = lead.StageMQL
	case fitOK && roleOK && needOK && willing && scoreOK:
		v.Stage = lead.StageMQL
	default:
		v.Stage = lead.StageNurture
	}
	v.Grade = grade(e.excluded, e.fitMisses, rs.hasRole && !roleOK)
}

// grade counts how far the lead is from the ideal customer profile: each fit
// criterion not met, and the role not met, is one step down from A.
func grade(excluded bool, fitMisses int, roleMissed bool) lead.Grade {
	if excluded {
		return lead.GradeD
	}
	misses := fitMisses
	if roleMissed {
		misses++
	}
	switch misses {
	case 0:
		return lead.GradeA
	case 1:
		return lead.GradeB
	case 2:
		return lead.GradeC
	}
	return lead.GradeD
}

// evaluation accumulates criteria and what they add up to.
type evaluation struct {
	v         *lead.Verdict
	excluded  bool
	missing   bool
	fitMisses int
}

func (e *evaluation) add(g lead.Group, rule string, out lead.Outcome, saw, want string) {
	e.v.Criteria = append(e.v.Criteria, lead.Criterion{Rule: rule, Group: g, Outcome: out, Saw: saw, Want: want})
	if out == lead.Pass {
		return
	}
	switch g {
	case lead.GroupExclusion:
		e.excluded = e.excluded || out == lead.Fail
	case lead.GroupRequired:
		e.missing = true
	case lead.GroupFit:
		e.fitMisses++
	}
}

func (e *evaluation) addRange(rule, val string, r *campaign.Range, want string) {
	out := lead.Unknown
	if lo, ok := lowerBound(val); ok {
		out = outcome(lo >= r.Min && (r.Max == 0 || lo <= r.Max))
	}
	e.add(lead.GroupFit, rule, out, val, want)
}

func (e *evaluation) addMeasure(rule string, m float64, ok bool, want string) {
	e.v.Criteria = append(e.v.Criteria, lead.Criterion{Rule: rule, Group: lead.GroupEngagement, Outcome: outcome(ok), Measure: m, Want: want})
}

func outcome(ok bool) lead.Outcome {
	if ok {
		return lead.Pass
	}
	return lead.Fail
}

// known is outcome(ok), except that a value the lead never gave is Unknown.
func known(val string, ok bool) lead.Outcome {
	if !present(val) {
		return lead.Unknown
	}
	return outcome(ok)
}

// present is strings.TrimSpace(s) != "", decided on the first byte when it
// is ASCII and not white space.
func present(s string) bool {
	return s != "" && asciiNonSpace(s[0]) || presentTrimmed(s)
}

// presentTrimmed is kept out of line so that present, the common case, is
// inlined at each criterion.
//
//go:noinline
func presentTrimmed(s string) bool { return strings.TrimSpace(s) != "" }

func (rs *ruleset) inPlaces(country string) bool {
	if rs.countries[country] {
		return true
	}
	region, ok := regionOf(country)
	return ok && rs.regions[region]
}

// score sums each touch point's points (plus its rating bonus), halved for
// every half-life of age, rounded to one decimal so that what people see is
// what was compared.
func (rb *Rulebook) score(touches []lead.TouchPoint, now time.Time) float64 {
	var s float64
	for i := range touches {
		t := &touches[i]
		p := rb.points.of(t.Type)
		if t.Outcome != "" {
			if o, ok := rb.outcomes[t.Type][t.Outcome]; ok {
				p = o
			}
		}
		if t.Rating > 0 {
			p += float64(t.Rating) * rb.ratingBonus
		}
		if p == 0 {
			continue
		}
		if age := now.Sub(t.At); rb.decayPerHour > 0 && age > 0 {
			// exp(-λt) with λ = ln2/half-life: math.Exp has an assembly
			// fast path that math.Exp2 lacks, and this is the hot loop.
			p *= math.Exp(-age.Hours() * rb.decayPerHour)
		}
		s += p
	}
	return math.Round(s*10) / 10
}

// hasTouch returns the first touch point whose type is in types.
func hasTouch(touches []lead.TouchPoint, types []string) (string, bool) {
	for i := range touches {
		if slices.Contains(types, touches[i].Type) {
			return touches[i].Type, true
		}
	}
	return "", false
}
