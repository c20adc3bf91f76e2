package console

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/leadgate/leadgate/internal/lead"
)

// lookup writes the lead search and what it found.
func (w *writer) lookup(v View) {
	p := pageOf[LookupPage](w, v)
	if p == nil {
		return
	}
	w.put("<h1>Lead lookup</h1>\n",
		"<p class=\"sub\">Was someone a lead, and why not? Search by email address, or by name (last name, or first and last).</p>\n",
		"<form class=\"inline\" method=\"get\" action=\"/console/leads\" role=\"search\">\n",
		`<label for="q">Email or name<input id="q" name="q" type="search" value="`, esc(p.Query), `" maxlength="200" size="40"></label>`, "\n",
		"<button type=\"submit\">Search</button>\n</form>\n")
	switch {
	case p.Query == "":
	case len(p.Leads) == 0:
		w.put("<p>No lead matches “", esc(p.Query), "”.</p>")
	default:
		n := itoa(len(p.Leads))
		w.put("<table><caption>", n, " lead(s) found")
		if p.Capped {
			w.put(" (the first ", n, ": narrow the search)")
		}
		w.put("</caption>\n<thead><tr>", th("Name"), th("Email"), th("Company"), th("Campaign"), th("Stage"), th("Owner"), "</tr></thead>\n<tbody>")
		for _, l := range p.Leads {
			if l == nil {
				w.missing("lead")
				return
			}
			w.put("<tr><td>", leadLink(l.ID, orElse(fullName(l.FirstName, l.LastName), "(no name)")), "</td>",
				td(l.Email), td(l.Company), td(l.Verdict.Campaign), td(string(l.Stage)), td(orElse(l.Owner, "—")), "</tr>")
		}
		w.put("</tbody></table>\n")
	}
	w.put("\n")
}

// leadLink links to a lead's page.
func leadLink(id, text string) string {
	return `<a href="/console/leads/` + escPath(id) + `">` + esc(text) + "</a>"
}

// lead writes a lead's page: whether it was a lead and why, who holds it
// and its clock, the verdict criterion by criterion, its touch points and
// its history.
func (w *writer) lead(v View) {
	p := pageOf[LeadPage](w, v)
	if p == nil {
		return
	}
	l := p.Lead
	if l == nil {
		w.missing("lead")
		return
	}
	w.put("\n<h1>", esc(orElse(fullName(l.FirstName, l.LastName), l.Email)), "</h1>\n<p class=\"sub\">", esc(l.Email))
	for _, s := range []string{l.Company, l.Title, l.Country} {
		if s != "" {
			w.put(" · ", esc(s))
		}
	}
	class := "bad"
	if isMQL(l.Stage) {
		class = "good"
	}
	w.put("</p>\n<p class=\"", class, "\">", esc(Answer(l)), "</p>\n")
	if len(p.Reasons) > 0 {
		w.put("<p>Why:</p><ul>")
		for _, r := range p.Reasons {
			w.put("<li>", esc(r), "</li>")
		}
		w.put("</ul>")
	}
	w.put("\n\n<h2>Owner and follow-up</h2>\n")
	w.owner(p, v.Viewer)
	w.put("\n\n<h2>The verdict, criterion by criterion</h2>\n")
	w.criteria(l.Verdict)
	w.put("\n\n<h2>Touch points</h2>\n")
	w.touches(l)
	w.put("\n\n<h2>History</h2>\n")
	w.history(l)
	w.put("\n")
}

// owner writes who holds the lead, its SLA clock, and a manager's form to
// give it to another rep.
func (w *writer) owner(p *LeadPage, viewer Viewer) {
	l := p.Lead
	if l.Owner != "" {
		w.put("<p>Held by <strong>", esc(l.Owner), "</strong>")
		if l.AssignedAt != nil {
			w.put(" since ", esc(datetime(*l.AssignedAt)))
		}
		w.put(".</p>")
	} else {
		w.put("<p>No one holds this lead.</p>")
	}
	w.put("\n")
	if c := p.Clock; c != nil {
		w.put("<p>SLA clock: due ", esc(datetime(c.DueAt)))
		if c.RemindAt != nil {
			w.put(", reminder at ", esc(datetime(*c.RemindAt)))
		}
		if c.Reminded {
			w.put(" (reminded)")
		}
		w.put(".\n")
		if p.Late {
			w.put(`<span class="bad">Past its deadline.</span>`)
		}
		w.put("</p>")
	} else {
		w.put("<p>No SLA clock is running.</p>")
	}
	w.put("\n")
	if l.FollowUp != nil && len(l.FollowUp.Missed) > 0 {
		w.put("<p>Missed the SLA on this lead: ", esc(strings.Join(l.FollowUp.Missed, ", ")), ".</p>")
	}
	w.put("\n")
	if !viewer.Manager || len(p.Reps) == 0 {
		return
	}
	w.put(`<form class="inline" method="post" action="/console/leads/`, escPath(l.ID), "/assign\">\n",
		csrfInput(viewer.CSRF), `<input type="hidden" name="back" value="/console/leads/`, esc(l.ID), "\">\n",
		`<label for="rep">Reassign to<select id="rep" name="rep"><option value="auto">the next rep the rules pick</option>`)
	for _, r := range p.Reps {
		w.put(`<option value="`, esc(r.ID), `">`, esc(r.Name), " (", esc(r.ID), ")</option>")
	}
	w.put("</select></label>\n", `<label for="note">Note<input id="note" name="note" type="text" maxlength="500"></label>`, "\n",
		`<button type="submit">Reassign</button></form>`)
}

// criteria writes how the lead was judged, criterion by criterion.
func (w *writer) criteria(vd lead.Verdict) {
	w.put("<p>Judged ", esc(datetime(vd.At)), " under ", esc(vd.Campaign), " version ", itoa(vd.Version))
	if vd.Geography != "" {
		w.put(" (", esc(vd.Geography), ")")
	}
	w.put(": grade ", esc(vd.Grade.String()), ", score ", esc(fmt.Sprintf("%.1f", vd.Score)), ".</p>\n",
		"<table><caption>Criteria</caption><thead><tr>", th("Criterion"), th("Group"), th("Outcome"), th("Saw"), th("Wanted"), "</tr></thead>\n<tbody>")
	for _, c := range vd.Criteria {
		w.put("<tr>", td(c.Rule), td(string(c.Group)),
			`<td><span class="`, esc(outcomeClass(c.Outcome)), `">`, esc(c.Outcome.String()), "</span></td>",
			td(c.Seen()), td(c.Want), "</tr>")
	}
	w.put("</tbody></table>")
}

// touches writes the lead's touch points, newest first, and who set each
// of its fields.
func (w *writer) touches(l *lead.Record) {
	w.put("<table><caption>", itoa(len(l.Touches)), " touch point(s), newest first</caption><thead><tr>",
		th("When"), th("What"), th("Campaign"), th("Came from"), th("Detail"), "</tr></thead>\n<tbody>")
	for _, t := range newestFirst(l.Touches) {
		w.put("<tr><td>", esc(datetime(t.At)))
		if t.DoubtfulTime {
			w.put(` <span class="flag">time doubtful</span>`)
		}
		w.put("</td><td>", esc(t.Type))
		if t.Outcome != "" {
			w.put(" (", esc(t.Outcome), ")")
		}
		if t.Rating != 0 {
			w.put(", rated ", itoa(t.Rating), "/5")
		}
		w.put("</td><td>", esc(t.Campaign))
		if t.Version != 0 {
			w.put(" v", itoa(t.Version))
		}
		w.put("</td><td>", esc(sourceLabel(t.Source)))
		if t.System != "" {
			w.put(" (", esc(t.System), ")")
		}
		w.put("</td>", td(detail(t.Detail)), "</tr>")
	}
	w.put("</tbody></table>\n")
	if len(l.Provenance) == 0 {
		return
	}
	w.put("<table><caption>Who set each field</caption><thead><tr>", th("Field"), th("Source"), th("When"), "</tr></thead>\n<tbody>")
	for _, field := range slices.Sorted(maps.Keys(l.Provenance)) {
		pv := l.Provenance[field]
		w.put("<tr>", td(field), td(sourceLabel(pv.Source)), td(datetime(pv.At)), "</tr>")
	}
	w.put("</tbody></table>")
}

// history writes the lead's moves from stage to stage.
func (w *writer) history(l *lead.Record) {
	entries := "entries"
	if len(l.History) == 1 {
		entries = "entry"
	}
	w.put("<table><caption>", itoa(len(l.History)), " ", entries)
	if l.HistoryDropped != 0 {
		w.put(" (", itoa(l.HistoryDropped), " older ones dropped)")
	}
	w.put("</caption><thead><tr>", th("When"), th("Stage"), th("By"), th("Reason"), th("Owner"), th("Note"), "</tr></thead>\n<tbody>")
	for _, t := range l.History {
		w.put("<tr>", td(datetime(t.At)), "<td>")
		if t.From != "" {
			w.put(esc(string(t.From)), " → ")
		}
		w.put(esc(string(t.To)), "</td>", td(t.By), td(t.Reason), td(t.Owner), td(t.Note), "</tr>")
	}
	w.put("</tbody></table>")
}
