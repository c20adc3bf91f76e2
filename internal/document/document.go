// Package document renders a published campaign definition as the document
// sales reads ("publish the ULD everywhere"): Markdown for wikis and pull
// requests, HTML for a browser. It is its own package so that the functions
// that only judge leads do not carry it.
package document

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
)

// The published definition is a document sales reads ("Publish the ULD
// everywhere"). Both renderings come from one outline so the Markdown and the
// HTML never say different things.

type outline struct {
	Title    string
	Subtitle string
	Notices  []string
	Facts    []item
	Sections []section
}

type section struct {
	Title string
	Intro string
	Items []item
	Table [][2]string // rows of a two-column table (label, value)
	Head  [2]string   // the table's column names
}

type item struct {
	Label string
	Text  string
}

// agreedBy says who signed the version for each side, and when: the
// definition is an agreement, and the document is where sales reads it.
func agreedBy(p *campaign.Published) string {
	var who []string
	var last time.Time
	oneStep := false
	for _, side := range campaign.Sides {
		for _, a := range p.Approvals {
			if a.Side == side && a.Decision == campaign.Approve {
				who = append(who, a.By+" ("+side+")")
				if a.At.After(last) {
					last = a.At
				}
				oneStep = oneStep || a.OneStep
			}
		}
	}
	if len(who) == 0 {
		return ""
	}
	s := "Agreed by " + strings.Join(who, " and ") + " on " + last.UTC().Format(time.DateOnly)
	switch {
	case oneStep:
		s += ", published in one step"
	case p.Policy == campaign.PolicySingle:
		s += ", under the single-approver policy"
	}
	return s + "."
}

// describe outlines the document of p; history is the versions up to p,
// newest first, whose changes make the change log.
func describe(p *campaign.Published, history []*campaign.Published, now time.Time) outline {
	d := p.Definition
	o := outline{
		Title:    d.Name,
		Subtitle: fmt.Sprintf("Campaign %s · version %d · published %s by %s", d.ID, p.Version, p.PublishedAt.UTC().Format("2006-01-02 15:04 MST"), cmp.Or(p.PublishedBy, "(none)")),
	}
	if agreed := agreedBy(p); agreed != "" {
		o.Notices = append(o.Notices, agreed)
	}
	if d.Status == campaign.StatusPaused {
		o.Notices = append(o.Notices, "This campaign is paused: it takes no new submissions.")
	}
	if d.ReviewOverdue(now) {
		o.Notices = append(o.Notices, fmt.Sprintf("Overdue for review: marketing and sales agreed to review it by %s.", d.ReviewBy))
	}
	if d.Ends != nil && d.Ends.EndOfDay().Before(now) {
		o.Notices = append(o.Notices, fmt.Sprintf("Ended on %s.", d.Ends))
	}
	runs := "open-ended"
	switch {
	case d.Starts != nil && d.Ends != nil:
		runs = d.Starts.String() + " to " + d.Ends.String()
	case d.Starts != nil:
		runs = "from " + d.Starts.String()
	case d.Ends != nil:
		runs = "until " + d.Ends.String()
	}
	o.Facts = []item{
		{"Channel", d.Channel}, {"Funnel position", d.Funnel + " of the funnel"},
		{"Marketing owner", d.Owner}, {"Sales owner", cmp.Or(d.SalesOwner, "(none)")},
		{"Review by", d.ReviewBy.String()}, {"Runs", runs}, {"Status", d.Status},
	}
	if d.Description != "" {
		o.Sections = append(o.Sections, section{Title: "About", Intro: strings.TrimSpace(d.Description)})
	}
	criteria := d.Rules.Criteria(d.Engagement)
	o.Sections = append(o.Sections, section{
		Title: "Who is a marketing-qualified lead",
		Intro: "A lead from this campaign is handed to sales when all of these hold:",
		Items: items(criteria, lead.GroupFit, lead.GroupRole, lead.GroupNeed, lead.GroupWillingness, lead.GroupEngagement),
	})
	if c, ok := d.HandRaiser(); ok {
		o.Sections = append(o.Sections, section{
			Title: "Hand-raisers go to sales at once",
			Intro: "A lead whose company fits and who sends " + c.Want + " is an MQL straight away, whatever the score.",
		})
	}
	suspects := section{Title: "Suspects", Intro: "A lead stays a suspect (too little known to judge) until it has:",
		Items: items(criteria, lead.GroupRequired, lead.GroupInterest)}
	if len(suspects.Items) == 0 {
		suspects.Intro = "No required fields: every lead can be judged at once."
	}
	never := section{Title: "Never a lead", Intro: "Disqualified outright, whatever else they say, unless it has:", Items: items(criteria, lead.GroupExclusion)}
	if len(never.Items) == 0 {
		never.Intro = "This definition excludes nobody outright."
	}
	o.Sections = append(o.Sections, suspects, never, engagementSection(d.Engagement))
	for _, g := range d.Geographies {
		where := campaign.OrList(slices.Concat(g.Countries, g.Regions))
		s := section{Title: "In " + g.Name + " (" + where + ")", Intro: "For leads from " + where + ", these rules replace the ones above:"}
		// Only what the geography sets: its own sections, and its
		// threshold where it has one.
		own := g.Rules.Criteria(g.Engagement(d.Engagement))
		if g.Threshold == nil {
			own = own[:len(own)-1]
		}
		s.Items = items(own)
		o.Sections = append(o.Sections, s)
	}
	if q := d.SQL; q != nil {
		s := section{Title: "Sales-qualified (BANT)", Intro: "Sales confirms these before a lead is an SQL:"}
		for _, f := range [][2]string{{"Budget", q.Budget}, {"Authority", q.Authority}, {"Need", q.Need}, {"Timeframe", q.Timeframe}} {
			if f[1] != "" {
				s.Items = append(s.Items, item{f[0], "field " + f[1]})
			}
		}
		o.Sections = append(o.Sections, s)
	}
	if l := d.Leakage; l != nil {
		o.Sections = append(o.Sections, section{
			Title: "Leakage we accept",
			Intro: fmt.Sprintf("Between %.0f%% and %.0f%% of MQLs may not become SQLs. More means marketing qualifies poorly or sales does not follow up; less means marketing is not pushing hard enough.", l.Min*100, l.Max*100),
		})
	}
	if d.SLA != nil {
		o.Sections = append(o.Sections, section{Title: "Follow-up",
			Intro: "A lead handed to a rep is " + d.SLA.Describe() + "."})
	}
	hold := section{Title: "Sent back by sales", Head: [2]string{"Recycled for", "Held"},
		Intro: "A lead sales recycles to nurture is held from sales for a while: its touch points still count, but within the hold it comes back only when engagement since the recycle reaches the threshold by itself"}
	if len(d.HandRaisers) > 0 && d.HandRaisersBreakHold() {
		hold.Intro += ", or it raises a hand"
	}
	hold.Intro += ". Held, by sales' reason:"
	for _, reason := range lead.RecycleReasons {
		hold.Table = append(hold.Table, [2]string{reason, campaign.Duration{Duration: d.RecycleHold(reason)}.String()})
	}
	o.Sections = append(o.Sections, hold)
	if n := d.Nurture; n != nil {
		o.Sections = append(o.Sections, section{Title: "Not ready yet", Intro: "Leads that are not sales-ready are enrolled in the nurture track " + n.Track + "."})
	}
	o.Sections = append(o.Sections, fieldsSection(d))
	if len(history) > 0 {
		o.Sections = append(o.Sections, changeLog(history))
	}
	return o
}

// changeLog lists what each version changed from the one before, newest
// first, in the words of the definition's diff.
func changeLog(history []*campaign.Published) section {
	s := section{Title: "Change log"}
	for i, v := range history {
		label := fmt.Sprintf("Version %d, %s by %s", v.Version, v.PublishedAt.UTC().Format("2006-01-02"), cmp.Or(v.PublishedBy, "(none)"))
		if i+1 == len(history) {
			if v.Version == 1 {
				s.Items = append(s.Items, item{label, "the first version"})
			} else {
				s.Intro = fmt.Sprintf("The last %d versions; the versions list has every one.", len(history)-1)
			}
			break
		}
		var changes []string
		for _, c := range campaign.Diff(history[i+1].Definition, v.Definition) {
			changes = append(changes, c.Summary)
		}
		s.Items = append(s.Items, item{label, cmp.Or(strings.Join(changes, "; "), "no change to the rules (republished)")})
	}
	return s
}

// items lists the criteria of the given groups (all, when none is given),
// each in the words the definition describes it with. The required fields,
// a criterion each, read as one line.
func items(criteria []campaign.Criterion, groups ...lead.Group) []item {
	var out []item
	var required []string
	for _, c := range criteria {
		switch {
		case len(groups) > 0 && !slices.Contains(groups, c.Group):
		case c.Group == lead.GroupRequired:
			if required == nil {
				out = append(out, item{Label: "Every required field"})
			}
			required = append(required, strings.TrimPrefix(c.Rule, "required."))
		default:
			out = append(out, item{c.Label, c.Want})
		}
	}
	for i := range out {
		if out[i].Label == "Every required field" {
			out[i].Text = strings.Join(required, ", ")
		}
	}
	return out
}

func engagementSection(e campaign.Engagement) section {
	s := section{Title: "Engagement score", Head: [2]string{"Touch point", "Points"}, Intro: fmt.Sprintf("Each touch point earns points; the MQL threshold is %g.", e.Threshold)}
	if e.HalfLifeDays > 0 {
		s.Intro += fmt.Sprintf(" Points halve every %g days.", e.HalfLifeDays)
	}
	if e.RatingBonus > 0 {
		s.Intro += fmt.Sprintf(" A rated booth visit earns %g more per rating step (1–5).", e.RatingBonus)
	}
	for _, t := range slices.Sorted(maps.Keys(e.Points)) {
		s.Table = append(s.Table, [2]string{t, fmt.Sprintf("%g", e.Points[t])})
	}
	for _, t := range slices.Sorted(maps.Keys(e.Outcomes)) {
		for _, o := range slices.Sorted(maps.Keys(e.Outcomes[t])) {
			s.Table = append(s.Table, [2]string{t + " (" + o + ")", fmt.Sprintf("%g", e.Outcomes[t][o])})
		}
	}
	return s
}

func fieldsSection(d *campaign.Definition) section {
	s := section{Title: "Fields captured", Intro: "Besides the contact fields (email, name, company, title, phone, country), this campaign stores only:"}
	for _, f := range d.Fields.Custom {
		text := f.Type
		if len(f.Options) > 0 {
			text += ": " + strings.Join(f.Options, " | ")
		}
		label := f.Name
		if f.Label != "" {
			label += ` ("` + f.Label + `")`
		}
		s.Items = append(s.Items, item{label, text})
	}
	if len(s.Items) == 0 {
		s.Intro = "Only the contact fields (email, name, company, title, phone, country)."
	}
	return s
}

// markdownEscaper escapes what Markdown would read as markup, so a campaign
// named "*Launch*" renders as written.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`,
)

// Markdown renders the published definition as a Markdown document, with
// the change log of history (the versions up to p, newest first; nil for
// none).
func Markdown(w io.Writer, p *campaign.Published, history []*campaign.Published, now time.Time) error {
	return write(w, describe(p, history, now).markdown)
}

// Fragment renders the published definition as HTML to embed in a page
// that has its own title: the console's campaign page.
func Fragment(w io.Writer, p *campaign.Published, history []*campaign.Published, now time.Time) error {
	return write(w, describe(p, history, now).definition)
}

// HTML renders the published definition as a standalone HTML page, with
// the change log of history.
func HTML(w io.Writer, p *campaign.Published, history []*campaign.Published, now time.Time) error {
	return write(w, describe(p, history, now).html)
}
