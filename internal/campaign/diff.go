package campaign

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/leadgate/leadgate/internal/lead"
)

// Change is one difference between two versions of a definition, said in
// the domain's words ("MQL threshold 50 → 45", "DACH: Company size min 51
// → 20", "Title: + Head of Platform"), not as a text diff.
type Change struct {
	// Where is the geography the change is in; "" for the campaign's own
	// rules and settings.
	Where string `json:"where,omitempty"`
	// Rule names the criterion or setting: "fit.employees",
	// "engagement.points.webinar-attended", "reviewBy".
	Rule  string `json:"rule"`
	Label string `json:"label"`
	// From and To are the criterion or setting in words, before and after;
	// "" where it did not exist.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Added and Removed are the values a list criterion gained and lost.
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Summary is the change in one line.
	Summary string `json:"summary"`
}

// Diff lists what changed from one definition to the next: every criterion
// (the campaign's and each geography's own), the points, and the settings
// both teams agreed on. Identical definitions give none.
func Diff(from, to *Definition) []Change {
	var out []Change
	out = append(out, diffCriteria("", withHandRaiser(from, from.Rules.Criteria(from.Engagement)), withHandRaiser(to, to.Rules.Criteria(to.Engagement)))...)
	out = append(out, diffPoints(from.Engagement, to.Engagement)...)
	out = append(out, diffGeographies(from, to)...)
	out = append(out, diffSettings(from, to)...)
	return out
}

func withHandRaiser(d *Definition, cs []Criterion) []Criterion {
	if c, ok := d.HandRaiser(); ok {
		cs = append(cs, c)
	}
	return cs
}

// diffCriteria compares two lists of criteria by rule, in the order of the
// newer list (then what was removed).
func diffCriteria(where string, from, to []Criterion) []Change {
	before := map[string]Criterion{}
	for _, c := range from {
		before[c.Rule] = c
	}
	var out []Change
	seen := map[string]bool{}
	for _, c := range to {
		seen[c.Rule] = true
		b, ok := before[c.Rule]
		switch {
		case !ok:
			out = append(out, change(where, c.Rule, c.Label, "", c.Want, "added: "+c.Want))
		case b.Want != c.Want:
			if ch, ok := changed(where, b, c); ok {
				out = append(out, ch)
			}
		}
	}
	for _, c := range from {
		if !seen[c.Rule] {
			out = append(out, change(where, c.Rule, c.Label, c.Want, "", "removed (was "+c.Want+")"))
		}
	}
	return out
}

// changed says how a criterion changed: the values a list gained and lost,
// a range's bounds, a number; in words where it is none of these. A number
// criterion whose number stayed is unchanged: its words changed with a
// setting the diff reports on its own (the threshold's half-life).
func changed(where string, b, c Criterion) (Change, bool) {
	ch := change(where, c.Rule, c.Label, b.Want, c.Want, "")
	var parts []string
	if b.Items != nil || c.Items != nil {
		ch.Added, ch.Removed = listDiff(b.Items, c.Items)
		for _, v := range ch.Added {
			parts = append(parts, "+ "+v)
		}
		for _, v := range ch.Removed {
			parts = append(parts, "− "+v)
		}
	}
	if b.Range != nil && c.Range != nil {
		if b.Range.Min != c.Range.Min {
			parts = append(parts, "min "+bound(b.Range.Min)+" → "+bound(c.Range.Min))
		}
		if b.Range.Max != c.Range.Max {
			parts = append(parts, "max "+bound(b.Range.Max)+" → "+bound(c.Range.Max))
		}
	}
	if b.Number != nil && c.Number != nil {
		if *b.Number == *c.Number {
			return Change{}, false
		}
		parts = append(parts, number(*b.Number)+" → "+number(*c.Number))
	}
	if len(parts) == 0 { // the words changed and nothing else says how
		parts = append(parts, b.Want+" → "+c.Want)
	}
	ch.Summary = prefix(where) + c.Label + " " + strings.Join(parts, ", ")
	return ch, true
}

func change(where, rule, label, from, to, what string) Change {
	return Change{Where: where, Rule: rule, Label: label, From: from, To: to, Summary: prefix(where) + label + ": " + what}
}

func prefix(where string) string {
	if where == "" {
		return ""
	}
	return where + ": "
}

// listDiff returns the values of b not in a, and of a not in b, in order.
func listDiff(a, b []string) (added, removed []string) {
	for _, v := range b {
		if !slices.Contains(a, v) {
			added = append(added, v)
		}
	}
	for _, v := range a {
		if !slices.Contains(b, v) {
			removed = append(removed, v)
		}
	}
	return added, removed
}

func bound(v int64) string {
	if v == 0 {
		return "none"
	}
	return humanNumber(v)
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// diffPoints compares what each touch point earns.
func diffPoints(from, to Engagement) []Change {
	var out []Change
	pts := func(rule, label string, a, b map[string]float64) {
		for _, k := range slices.Sorted(maps.Keys(b)) {
			was, ok := a[k]
			switch {
			case !ok:
				out = append(out, change("", rule+k, label+k, "", number(b[k]), "added: "+number(b[k])+" points"))
			case was != b[k]:
				out = append(out, Change{Rule: rule + k, Label: label + k, From: number(was), To: number(b[k]),
					Summary: label + k + " " + number(was) + " → " + number(b[k])})
			}
		}
		for _, k := range slices.Sorted(maps.Keys(a)) {
			if _, ok := b[k]; !ok {
				out = append(out, change("", rule+k, label+k, number(a[k]), "", "removed (was "+number(a[k])+" points)"))
			}
		}
	}
	pts("engagement.points.", "Points for ", from.Points, to.Points)
	for _, t := range slices.Sorted(maps.Keys(mergeKeys(from.Outcomes, to.Outcomes))) {
		pts("engagement.outcomes."+t+".", "Points for "+t+" ", from.Outcomes[t], to.Outcomes[t])
	}
	if from.RatingBonus != to.RatingBonus {
		out = append(out, Change{Rule: "engagement.ratingBonus", Label: "Rating bonus", From: number(from.RatingBonus), To: number(to.RatingBonus),
			Summary: "Rating bonus " + number(from.RatingBonus) + " → " + number(to.RatingBonus) + " points per step"})
	}
	return out
}

func mergeKeys[V any](a, b map[string]V) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

// diffGeographies compares geographies by name: where each applies, and
// the rules and threshold it sets of its own.
func diffGeographies(from, to *Definition) []Change {
	own := func(d *Definition, g *Geography) []Criterion {
		cs := g.Rules.Criteria(g.Engagement(d.Engagement))
		if g.Threshold == nil {
			cs = cs[:len(cs)-1]
		}
		return cs
	}
	before := map[string]*Geography{}
	for i := range from.Geographies {
		before[from.Geographies[i].Name] = &from.Geographies[i]
	}
	var out []Change
	seen := map[string]bool{}
	for i := range to.Geographies {
		g := &to.Geographies[i]
		seen[g.Name] = true
		places := OrList(slices.Concat(g.Countries, g.Regions))
		b, ok := before[g.Name]
		if !ok {
			out = append(out, change(g.Name, "geography", "Geography", "", places, "added, for leads from "+places))
			continue
		}
		if was := OrList(slices.Concat(b.Countries, b.Regions)); was != places {
			c, _ := changed(g.Name, Criterion{Label: "Applies to", Want: was, Items: slices.Concat(b.Countries, b.Regions)},
				Criterion{Rule: "geography", Label: "Applies to", Want: places, Items: slices.Concat(g.Countries, g.Regions)})
			out = append(out, c)
		}
		out = append(out, diffCriteria(g.Name, own(from, b), own(to, g))...)
	}
	for _, g := range from.Geographies {
		if !seen[g.Name] {
			out = append(out, change(g.Name, "geography", "Geography", OrList(slices.Concat(g.Countries, g.Regions)), "", "removed"))
		}
	}
	return out
}

// diffSettings compares what the definition says besides its criteria.
func diffSettings(from, to *Definition) []Change {
	type setting struct {
		rule, label string
		a, b        string
	}
	dateOf := func(d *Date) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	leakage := func(l *Leakage) string {
		if l == nil {
			return ""
		}
		return fmt.Sprintf("%.0f%%–%.0f%%", l.Min*100, l.Max*100)
	}
	track := func(n *Nurture) string {
		if n == nil {
			return ""
		}
		return n.Track
	}
	retention := func(r *Retention) string {
		if r == nil {
			return ""
		}
		return strconv.Itoa(r.UnqualifiedDays) + " days"
	}
	halfLife := func(e Engagement) string {
		if e.HalfLifeDays == 0 {
			return ""
		}
		return number(e.HalfLifeDays) + " days"
	}
	settings := []setting{
		{"name", "Name", from.Name, to.Name},
		{"channel", "Channel", from.Channel, to.Channel},
		{"funnel", "Funnel position", from.Funnel, to.Funnel},
		{"owner", "Marketing owner", from.Owner, to.Owner},
		{"salesOwner", "Sales owner", from.SalesOwner, to.SalesOwner},
		{"approvers.policy", "Approval policy", from.Policy(), to.Policy()},
		{"reviewBy", "Review by", from.ReviewBy.String(), to.ReviewBy.String()},
		{"status", "Status", from.Status, to.Status},
		{"starts", "Starts", dateOf(from.Starts), dateOf(to.Starts)},
		{"ends", "Ends", dateOf(from.Ends), dateOf(to.Ends)},
		{"engagement.halfLifeDays", "Points halve every", halfLife(from.Engagement), halfLife(to.Engagement)},
		{"leakage", "Leakage we accept", leakage(from.Leakage), leakage(to.Leakage)},
		{"nurture.track", "Nurture track", track(from.Nurture), track(to.Nurture)},
		{"retention", "Unqualified leads kept for", retention(from.Retention), retention(to.Retention)},
		{"sla", "Follow-up SLA", from.SLA.Describe(), to.SLA.Describe()},
		{"recycle.handRaisersBreak", "A hand raised ends a recycle hold", yesNo(from.HandRaisersBreakHold()), yesNo(to.HandRaisersBreakHold())},
		{"intake.touchPoint", "A submission counts as", from.Intake.TouchPoint, to.Intake.TouchPoint},
		{"intake.thankYouUrl", "Thank-you page", from.Intake.ThankYouURL, to.Intake.ThankYouURL},
		{"intake.timeZone", "Files' time zone", from.Intake.TimeZone, to.Intake.TimeZone},
		{"description", "Description", strings.TrimSpace(from.Description), strings.TrimSpace(to.Description)},
	}
	for _, reason := range lead.RecycleReasons {
		settings = append(settings, setting{"recycle.holds." + reason, "Recycle hold for " + reason,
			Duration{from.RecycleHold(reason)}.String(), Duration{to.RecycleHold(reason)}.String()})
	}
	if from.SQL != nil || to.SQL != nil {
		var a, b SQL
		if from.SQL != nil {
			a = *from.SQL
		}
		if to.SQL != nil {
			b = *to.SQL
		}
		settings = append(settings,
			setting{"sql.budget", "BANT budget field", a.Budget, b.Budget},
			setting{"sql.authority", "BANT authority field", a.Authority, b.Authority},
			setting{"sql.need", "BANT need field", a.Need, b.Need},
			setting{"sql.timeframe", "BANT timeframe field", a.Timeframe, b.Timeframe})
	}
	var out []Change
	for _, s := range settings {
		switch {
		case s.a == s.b:
		case s.a == "":
			out = append(out, change("", s.rule, s.label, "", s.b, "set to "+s.b))
		case s.b == "":
			out = append(out, change("", s.rule, s.label, s.a, "", "removed (was "+s.a+")"))
		case s.rule == "description":
			out = append(out, change("", s.rule, s.label, s.a, s.b, "rewritten"))
		default:
			out = append(out, Change{Rule: s.rule, Label: s.label, From: s.a, To: s.b, Summary: s.label + " " + s.a + " → " + s.b})
		}
	}
	lists := []struct {
		rule, label string
		a, b        []string
	}{
		{"intake.allowedOrigins", "Allowed origins", from.Intake.AllowedOrigins, to.Intake.AllowedOrigins},
		{"intake.hiddenFields", "Hidden fields", from.Intake.HiddenFields, to.Intake.HiddenFields},
		{"fields.custom", "Custom fields", fieldNames(from), fieldNames(to)},
		{"approvers.marketing", "Marketing approvers", approvers(from, SideMarketing), approvers(to, SideMarketing)},
		{"approvers.sales", "Sales approvers", approvers(from, SideSales), approvers(to, SideSales)},
	}
	for _, l := range lists {
		if slices.Equal(l.a, l.b) {
			continue
		}
		c, _ := changed("", Criterion{Label: l.label, Want: strings.Join(l.a, ", "), Items: l.a},
			Criterion{Rule: l.rule, Label: l.label, Want: strings.Join(l.b, ", "), Items: l.b})
		out = append(out, c)
	}
	for _, f := range to.Fields.Custom {
		for _, g := range from.Fields.Custom {
			if f.Name == g.Name && (f.Type != g.Type || !slices.Equal(f.Options, g.Options) || f.Label != g.Label) {
				c, _ := changed("", Criterion{Label: "Field " + f.Name, Want: describeField(g), Items: g.Options},
					Criterion{Rule: "fields.custom." + f.Name, Label: "Field " + f.Name, Want: describeField(f), Items: f.Options})
				out = append(out, c)
			}
		}
	}
	return out
}

func fieldNames(d *Definition) []string {
	names := make([]string, len(d.Fields.Custom))
	for i, f := range d.Fields.Custom {
		names[i] = f.Name
	}
	return names
}

func describeField(f Field) string {
	s := f.Type
	if f.Label != "" {
		s = `"` + f.Label + `" ` + s
	}
	if len(f.Options) > 0 {
		s += ": " + strings.Join(f.Options, " | ")
	}
	return s
}

// approvers are the people named to sign for side, if any.
func approvers(d *Definition, side string) []string {
	switch {
	case d.Approvers == nil:
		return nil
	case side == SideSales:
		return d.Approvers.Sales
	}
	return d.Approvers.Marketing
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
