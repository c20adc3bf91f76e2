package campaign

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/leadgate/leadgate/internal/lead"
)

// Criterion is one condition of a definition, described once: the engine's
// verdict names it by Rule and shows its Want, the definition document
// lists it, and the diff between two versions compares it, so the three
// never say different things.
type Criterion struct {
	Rule  string     // stable name: "fit.industry", "need.cloudSpend"
	Group lead.Group // the part of the definition it belongs to
	Label string     // what people call it: "Industry", "MQL threshold"
	Want  string     // what it wants, in words: "one of Software or Healthcare"

	// What the diff compares where a criterion is more than its words.
	Items  []string // a list criterion's values (industries, titles, …)
	Range  *Range   // a range criterion's bounds
	Number *float64 // a number criterion's value (the threshold)
}

// Criteria lists the conditions of rules r under engagement e, in the order
// the engine checks them. A criterion is present only where the definition
// sets it.
func (r Rules) Criteria(e Engagement) []Criterion {
	var cs []Criterion
	for _, f := range r.Required {
		cs = append(cs, Criterion{Rule: "required." + f, Group: lead.GroupRequired, Label: "Required: " + f, Want: "a value"})
	}
	if f := r.Fit; f != nil {
		if len(f.ExcludeDomains) > 0 {
			cs = append(cs, list("exclude.domain", lead.GroupExclusion, "Excluded domains", "an email domain other than ", f.ExcludeDomains))
		}
		if len(f.ExcludeTitles) > 0 {
			cs = append(cs, list("exclude.title", lead.GroupExclusion, "Excluded titles", "a title without ", f.ExcludeTitles))
		}
		if len(f.Industries) > 0 {
			cs = append(cs, list("fit.industry", lead.GroupFit, "Industry", "one of ", f.Industries))
		}
		if f.Employees != nil {
			cs = append(cs, Criterion{Rule: "fit.employees", Group: lead.GroupFit, Label: "Company size", Want: f.Employees.Describe("employees", false), Range: f.Employees})
		}
		if f.Revenue != nil {
			cs = append(cs, Criterion{Rule: "fit.revenue", Group: lead.GroupFit, Label: "Revenue", Want: f.Revenue.Describe("a year", true), Range: f.Revenue})
		}
		if places := slices.Concat(f.Countries, f.Regions); len(places) > 0 {
			cs = append(cs, list("fit.country", lead.GroupFit, "Country", "a country in ", places))
		}
		if f.BusinessEmailOnly {
			cs = append(cs, Criterion{Rule: "fit.business-email", Group: lead.GroupFit, Label: "Business email", Want: "a business email (not free mail)"})
		}
	}
	if ro := r.Role; ro != nil {
		if len(ro.Titles) > 0 {
			cs = append(cs, list("role.title", lead.GroupRole, "Title", "a title with ", ro.Titles))
		}
		if len(ro.Seniorities) > 0 {
			cs = append(cs, list("role.seniority", lead.GroupRole, "Seniority", "seniority ", ro.Seniorities))
		}
		if len(ro.Departments) > 0 {
			cs = append(cs, list("role.department", lead.GroupRole, "Department", "department ", ro.Departments))
		}
	}
	if n := r.Need; n != nil {
		cs = append(cs, list("need."+n.Field, lead.GroupNeed, "Need ("+n.Field+")", "an answer of ", n.ConfirmedBy))
	}
	if w := r.Willingness; w != nil {
		var ways []string
		if w.Field != "" {
			ways = append(ways, w.Field+" = yes")
		}
		if len(w.TouchPoints) > 0 {
			ways = append(ways, "a "+OrList(w.TouchPoints))
		}
		cs = append(cs, Criterion{Rule: "willingness", Group: lead.GroupWillingness, Label: "Willing to talk", Want: strings.Join(ways, ", or "),
			Items: slices.Concat(ifSet(w.Field), w.TouchPoints)})
	}
	if in := r.Interest; in != nil {
		var ways []string
		if len(in.Fields) > 0 {
			ways = append(ways, "an answer to "+OrList(in.Fields))
		}
		if in.MinRating > 0 {
			ways = append(ways, fmt.Sprintf("a rating of %d or more", in.MinRating))
		}
		if len(in.TouchPoints) > 0 {
			ways = append(ways, "a "+OrList(in.TouchPoints))
		}
		cs = append(cs, Criterion{Rule: "interest", Group: lead.GroupInterest, Label: "Interest shown", Want: strings.Join(ways, ", or "),
			Items: slices.Concat(in.Fields, in.TouchPoints)})
	}
	return append(cs, e.Criterion())
}

// Criterion describes the engagement score's condition.
func (e Engagement) Criterion() Criterion {
	want := "a score of at least " + strconv.FormatFloat(e.Threshold, 'f', -1, 64)
	if e.HalfLifeDays > 0 {
		want += fmt.Sprintf(" (points halve every %g days)", e.HalfLifeDays)
	}
	threshold := e.Threshold
	return Criterion{Rule: "engagement.score", Group: lead.GroupEngagement, Label: "MQL threshold", Want: want, Number: &threshold}
}

// HandRaiser describes the hand-raiser criterion, or returns false where
// the definition names no hand-raising touch points.
func (d *Definition) HandRaiser() (Criterion, bool) {
	if len(d.HandRaisers) == 0 {
		return Criterion{}, false
	}
	return list("hand-raiser", lead.GroupHandRaiser, "Hand-raiser", "a ", d.HandRaisers), true
}

// In applies a geography's sections over base, section by section: each
// section the geography sets replaces the base's whole.
func (g *Geography) In(base Rules) Rules {
	out := base
	if g.Required != nil {
		out.Required = g.Required
	}
	if g.Fit != nil {
		out.Fit = g.Fit
	}
	if g.Role != nil {
		out.Role = g.Role
	}
	if g.Need != nil {
		out.Need = g.Need
	}
	if g.Willingness != nil {
		out.Willingness = g.Willingness
	}
	if g.Interest != nil {
		out.Interest = g.Interest
	}
	return out
}

// Engagement is base with the geography's threshold, where it sets one.
func (g *Geography) Engagement(base Engagement) Engagement {
	if g.Threshold != nil {
		base.Threshold = *g.Threshold
	}
	return base
}

func list(rule string, g lead.Group, label, prefix string, items []string) Criterion {
	return Criterion{Rule: rule, Group: g, Label: label, Want: prefix + OrList(items), Items: items}
}

func ifSet(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
