package console

import (
	"slices"

	"github.com/leadgate/leadgate/internal/sales"
)

// queue writes the sales queue: the leads waiting on the fallback owner,
// and per rep the clocks near or past their deadline.
func (w *writer) queue(v View) {
	p := pageOf[QueuePage](w, v)
	if p == nil {
		return
	}
	if slices.Contains(p.Waiting, nil) || slices.ContainsFunc(p.ByRep, func(q RepQueue) bool {
		return slices.ContainsFunc(q.Leads, func(c ClockedLead) bool { return c.Lead == nil || c.Clock == nil })
	}) {
		w.missing("lead or clock")
		return
	}
	manager := v.Viewer.Manager
	reassignHead := ""
	if manager {
		reassignHead = th("Reassign")
	}
	// endRow ends a lead's row, with a manager's form to reassign it.
	endRow := func(id string) {
		w.put("\n")
		if manager {
			w.put("<td>")
			w.reassignForm(id, p.Reps, v.Viewer.CSRF)
			w.put("</td>")
		}
		w.put("</tr>")
	}
	w.put("\n<h1>Sales queue</h1>\n<p class=\"sub\">As of ", esc(datetime(p.Now)), ".</p>\n<h2>Waiting on ", esc(p.Fallback), "</h2>\n",
		"<p>Leads no rep could take, oldest first: they go to the first rep with room, back from leave or on shift.</p>\n")
	if len(p.Waiting) > 0 {
		more := ""
		if p.MoreWaiting {
			more = "+"
		}
		w.put("<table><caption>", itoa(len(p.Waiting)), more, " lead(s) waiting</caption><thead><tr>",
			th("Lead"), th("Campaign"), th("Country"), th("Waiting since"), reassignHead, "</tr></thead>\n<tbody>")
		for _, l := range p.Waiting {
			w.put("<tr><td>", leadLink(l.ID, orElse(fullName(l.FirstName, l.LastName), l.Email)))
			if l.Company != "" {
				w.put("<br><small>", esc(l.Company), "</small>")
			}
			since := ""
			if l.AssignedAt != nil {
				since = datetime(*l.AssignedAt)
			}
			w.put("</td>", td(l.Verdict.Campaign), td(l.Country), td(since))
			endRow(l.ID)
		}
		w.put("</tbody></table>\n")
	} else {
		w.put("<p>Nothing is waiting.</p>")
	}
	w.put("\n<h2>Near or past the SLA, per rep</h2>\n")
	for _, q := range p.ByRep {
		w.put("<table><caption>", esc(q.Rep), ": ", itoa(len(q.Leads)), " lead(s)</caption><thead><tr>",
			th("Lead"), th("Campaign"), th("Due"), th("State"), reassignHead, "</tr></thead>\n<tbody>")
		for _, c := range q.Leads {
			l := c.Lead
			state := "due within the hour"
			if c.Late {
				state = `<span class="bad">past due</span>`
			}
			if c.Clock.Reminded {
				state += ", reminded"
			}
			w.put("<tr><td>", leadLink(l.ID, orElse(fullName(l.FirstName, l.LastName), l.Email)), "</td>",
				td(l.Verdict.Campaign), td(datetime(c.Clock.DueAt)), "<td>", state, "</td>")
			endRow(l.ID)
		}
		w.put("</tbody></table>\n")
	}
	if len(p.ByRep) == 0 {
		w.put("<p>No clock is near its deadline.</p>")
	}
	w.put("\n")
}

// reassignForm is a manager's form giving a queued lead to another rep.
func (w *writer) reassignForm(leadID string, reps []sales.Rep, csrf string) {
	id := esc(leadID)
	w.put(`<form class="inline" method="post" action="/console/leads/`, escPath(leadID), "/assign\">\n",
		csrfInput(csrf), `<input type="hidden" name="back" value="/console/queue">`, "\n",
		`<label for="rep-`, id, `">To<select id="rep-`, id, `" name="rep"><option value="auto">next by the rules</option>`)
	for _, r := range reps {
		w.put(`<option value="`, esc(r.ID), `">`, esc(r.Name), "</option>")
	}
	w.put("</select></label>\n<button type=\"submit\">Reassign</button></form>")
}
