package console

import (
	"slices"
	"strings"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/document"
	"github.com/leadgate/leadgate/internal/funnel"
)

// campaigns writes the list of campaigns, with their funnels over a period
// when the viewer may read leads.
func (w *writer) campaigns(v View) {
	p := pageOf[CampaignsPage](w, v)
	if p == nil {
		return
	}
	from, to := esc(date(p.Period.From)), esc(date(p.Period.To))
	w.put("<h1>Campaigns</h1>\n<p class=\"sub\">Funnel figures from ", from, " to ", to, ".</p>\n",
		"<form class=\"inline\" method=\"get\" action=\"/console\">\n")
	w.periodInputs(from, to)
	w.put("<button type=\"submit\" class=\"secondary\">Show</button>\n</form>\n")
	if len(p.Rows) == 0 {
		w.put("<p>No campaign is published yet: publish one with <code>leadgate apply</code>.</p>\n")
		return
	}
	leads := v.Viewer.LeadsRead
	w.put("<table>\n<caption>", itoa(len(p.Rows)), " campaign(s)</caption>\n<thead><tr>",
		th("Campaign"), th("Channel"), th("Funnel"), th("Version"), th("Review by"))
	if leads {
		w.put(th("MQLs in period"), th("MQL→SQL leakage"))
	}
	w.put(th("Drafts"), "</tr></thead>\n<tbody>")
	for _, r := range p.Rows {
		w.put("<tr>\n<td><a href=\"/console/campaigns/", escPath(r.ID), "\">", esc(r.Name), "</a><br><small>", esc(r.ID), "</small></td>\n",
			td(r.Channel), td(r.Funnel), td(itoa(r.Version)), "\n<td>", esc(r.ReviewBy))
		if r.Overdue {
			w.put(`<br><span class="flag">overdue for review</span>`)
		}
		w.put("</td>\n")
		if leads {
			w.put(td(itoa(r.MQLs)), "\n<td>", esc(r.Leakage.String()), "<br>", verdict(r.Verdict), "</td>")
		}
		drafts := "none"
		if r.Drafts != 0 {
			drafts = itoa(r.Drafts) + " waiting"
		}
		w.put("\n", td(drafts), "\n</tr>")
	}
	w.put("</tbody></table>\n\n")
}

// periodInputs are the from and to fields of a period's form, dates
// already escaped.
func (w *writer) periodInputs(from, to string) {
	w.put(`<label for="from">From<input id="from" name="from" type="date" value="`, from, "\"></label>\n",
		`<label for="to">To<input id="to" name="to" type="date" value="`, to, "\"></label>\n")
}

// verdict is a funnel verdict, coloured.
func verdict(v string) string {
	return `<span class="` + esc(verdictClass(v)) + `">` + esc(v) + "</span>"
}

// campaign writes a campaign's page: its funnel, its drafts, its versions
// and the agreed definition.
func (w *writer) campaign(v View) {
	p := pageOf[CampaignPage](w, v)
	switch {
	case p == nil:
		return
	case p.Current == nil || p.Current.Definition == nil:
		w.missing("definition")
		return
	case slices.Contains(p.Versions, nil):
		w.missing("version")
		return
	case slices.ContainsFunc(p.Drafts, func(d DraftView) bool { return d.Draft == nil }):
		w.missing("draft")
		return
	}
	d := p.Current.Definition
	reviewBy := esc(d.ReviewBy.String())
	w.put("\n<h1>", esc(d.Name), "</h1>\n<p class=\"sub\">", esc(d.ID), " · ", esc(d.Channel), " · ", esc(d.Funnel),
		" of the funnel · version ", itoa(p.Current.Version), ", published ", esc(date(p.Current.PublishedAt)),
		" by ", esc(p.Current.PublishedBy), " · review by ", reviewBy, "</p>\n")
	if p.Overdue {
		w.put(`<p class="flag">This definition is overdue for review (review by `, reviewBy, ").</p>")
	}
	w.put("\n\n<h2 id=\"funnel\">Funnel</h2>\n")
	if v.Viewer.LeadsRead {
		w.funnel(p, d.ID)
	} else {
		w.put("<p>The funnel's figures need the scope leadgate/leads.read, which your sign-in does not grant.</p>")
	}
	w.put("\n\n<h2 id=\"drafts\">Drafts</h2>\n")
	for _, dv := range p.Drafts {
		w.draft(p, dv, d.ID, v.Viewer)
	}
	if len(p.Drafts) == 0 {
		w.put("<p>No draft is waiting.</p>")
	}
	w.put("\n\n")
	w.versions(p, d.ID)
	w.put("\n\n<h2 id=\"definition\">The agreed definition</h2>\n")
	// The document escapes every value itself.
	var def strings.Builder
	if err := document.Fragment(&def, p.Current, p.Versions, v.Now); err != nil {
		w.fail(err)
	}
	w.put(def.String(), "\n")
}

// funnel writes the campaign's funnel over the chosen period and version:
// the charts, the stages, the rates with what they stand on, the speed to
// lead and why sales turned leads back.
func (w *writer) funnel(p *CampaignPage, id string) {
	q, f := p.Query, p.Funnel
	w.put("\n<form class=\"inline\" method=\"get\" action=\"/console/campaigns/", escPath(id), "#funnel\">\n")
	w.periodInputs(esc(date(q.Period.From)), esc(date(q.Period.To)))
	w.put(`<label for="version">Version<select id="version" name="version"><option value="0">all versions</option>`)
	for _, pub := range p.Versions {
		w.option(pub.Version, q.Version, "version "+itoa(pub.Version))
	}
	w.put("</select></label>\n<button type=\"submit\" class=\"secondary\">Show</button>\n</form>\n",
		"\n<div class=\"cols\">\n<div>",
		// The charts escape every value themselves.
		funnel.StagesSVG("Leads entering each stage, "+versionLabel(q.Version), f.Numbers), "\n",
		funnel.LeakageSVG("MQL to SQL leakage against the agreed band", f.Numbers, f.Report.Bounds, f.Report.Verdict), "</div>\n<div>\n")

	w.put("<table><caption>Stages</caption><thead><tr>", th("Stage"), th("Entries"), th("People"), "</tr></thead>\n<tbody>")
	for _, s := range f.Stages {
		w.put("<tr>", td(s.Stage), td(itoa(s.Entered)), td(itoa(s.People)), "</tr>")
	}
	w.put("</tbody></table>\n<table><caption>Rates, with the leads each stands on</caption><thead><tr>", th("Rate"), th("Figure"), "</tr></thead>\n<tbody>")
	for _, r := range f.Rates {
		w.put("<tr>", td(r.Label), td(r.Rate.String()), "</tr>")
	}
	w.put("</tbody></table>\n<p>", verdict(f.Report.Verdict), ": ", esc(f.Report.Advice), "</p>\n")

	speed := f.Numbers.SpeedToLead
	w.put("<table><caption>Speed to lead</caption><thead><tr>", th("Step"), th("Median"), th("90th percentile"), th("Leads"), "</tr></thead>\n<tbody>",
		spreadRow("MQL → first owner", speed.ToOwner), "\n", spreadRow("Owner → accepted", speed.ToAccept), "</tbody></table>\n")

	if len(f.Reasons) > 0 {
		w.put("<table><caption>Why sales turned leads back</caption><thead><tr>", th("Answer"), th("Reason"), th("Leads"), "</tr></thead>\n<tbody>")
		for _, r := range f.Reasons {
			w.put("<tr>", td(r.Kind), td(r.Code), td(itoa(r.N)), "</tr>")
		}
		w.put("</tbody></table>")
	} else {
		w.put("<p>Sales has turned no lead back in this period.</p>")
	}
	w.put("\n<p><a href=\"/console/campaigns/", escPath(id), "/leads.csv\">Export this campaign's leads (CSV)</a></p>\n</div></div>\n")
}

// spreadRow is a speed-to-lead row: the median, the 90th percentile and
// how many leads they stand on.
func spreadRow(step string, s funnel.Spread) string {
	return "<tr><td>" + step + "</td>" + td(secs(s.P50)) + td(secs(s.P90)) + td(itoa(s.N)) + "</tr>"
}

// option is a version in a select, selected when it is the one chosen.
func (w *writer) option(version, chosen int, label string) {
	w.put(`<option value="`, itoa(version), `"`)
	if version == chosen {
		w.put(" selected")
	}
	w.put(">", esc(label), "</option>")
}

// draft writes a draft's card: who proposed it, who signed, what it
// changes, its preview, and the forms to preview and to sign it.
func (w *writer) draft(p *CampaignPage, dv DraftView, campaignID string, viewer Viewer) {
	dr := dv.Draft
	id := esc(dr.ID)
	w.put(`<section class="card" aria-labelledby="draft-`, id, "\">\n",
		`<h3 id="draft-`, id, `">Draft `, id, ", revision ", itoa(dr.Revision), "</h3>\n",
		"<p>Proposed by ", esc(dr.CreatedBy), " on ", esc(date(dr.CreatedAt)))
	if dr.UpdatedBy != dr.CreatedBy {
		w.put(", last changed by ", esc(dr.UpdatedBy))
	}
	w.put(" · mode ", esc(dr.Mode), " · policy ", esc(dv.Policy), "</p>\n<p><strong>State:</strong> ", esc(dv.State), "</p>\n")
	if len(dr.Approvals) > 0 {
		w.put("<ul>")
		for _, a := range dr.Approvals {
			w.put("<li>", esc(a.Side), ": ", esc(a.Decision), " by ", esc(a.By), " on ", esc(datetime(a.At)))
			if a.Note != "" {
				w.put(" — “", esc(a.Note), "”")
			}
			w.put("</li>")
		}
		w.put("</ul>")
	}
	w.put("\n")
	if len(dv.Changes) > 0 {
		w.put("<table><caption>What it changes from version ", itoa(p.Current.Version), "</caption>")
		w.changes(dv.Changes)
	} else {
		w.put("<p>It changes nothing the two sides agreed.</p>")
	}
	w.put("\n")
	w.preview(dr.Preview)

	base := "/console/campaigns/" + escPath(campaignID) + "/drafts/" + escPath(dr.ID)
	w.put("\n<form class=\"inline\" method=\"post\" action=\"", base, "/preview\">\n",
		csrfInput(viewer.CSRF), `<button type="submit" class="secondary">Preview against recent leads</button></form>`, "\n")
	if viewer.Approver() {
		w.put(`<form class="inline" method="post" action="`, base, "/decision\">\n",
			csrfInput(viewer.CSRF), `<input type="hidden" name="revision" value="`, itoa(dr.Revision), "\">\n")
		if len(viewer.Sides) > 1 {
			w.put(`<label for="side-`, id, `">Side<select id="side-`, id, `" name="side">`)
			for _, side := range viewer.Sides {
				w.put("<option>", esc(side), "</option>")
			}
			w.put("</select></label>")
		}
		w.put("\n", `<label for="note-`, id, `">Note<input id="note-`, id, `" name="note" type="text" maxlength="500"></label>`, "\n",
			`<button type="submit" name="decision" value="approve">Approve</button>`, "\n",
			`<button type="submit" name="decision" value="reject" class="secondary">Reject</button>`, "\n</form>")
	}
	w.put("\n</section>")
}

// changes writes a table's body of changes, the table's head written.
func (w *writer) changes(cs []campaign.Change) {
	w.put("<tbody>")
	for _, c := range cs {
		w.put("<tr>", td(c.Summary), "</tr>")
	}
	w.put("</tbody></table>")
}

// preview writes a draft's figures against recent leads, if it has them.
func (w *writer) preview(f *campaign.Figures) {
	if f == nil {
		w.put("<p>Not previewed yet.</p>")
		return
	}
	row := func(label, figure string) string {
		return `<tr><th scope="row">` + label + "</th><td>" + figure + "</td></tr>\n"
	}
	w.put("<table><caption>Preview against the last ", itoa(f.Days), " days of leads (", esc(datetime(f.At)), ")</caption><tbody>\n",
		row("Leads re-judged", itoa(f.Leads)),
		row("MQLs now / under the draft", itoa(f.CurrentMQLs)+" / "+itoa(f.DraftMQLs)),
		row("Leads whose stage changes", itoa(f.StageChanges)),
		row("Accepted leads it would have held back", itoa(f.LostAccepted)),
		row("Rejected leads it would still hand over", itoa(f.KeptRejected)))
	leakage := esc(pct(f.Leakage)) + " over " + itoa(f.Sample) + " lead(s) sales decided on"
	if f.Sample < smallSample {
		leakage += ", too few to judge"
	}
	w.put(row("Expected leakage", leakage+" — "+esc(f.LeakageVerdict)), "</tbody></table>")
}

// versions writes the newest versions, the form comparing two of them and
// what changed between the two compared.
func (w *writer) versions(p *CampaignPage, campaignID string) {
	w.put("<h2 id=\"versions\">Versions</h2>\n<table><caption>The ", itoa(len(p.Versions)), " newest version(s)</caption><thead><tr>",
		th("Version"), th("Published"), th("By"), th("Mode"), "</tr></thead>\n<tbody>")
	for _, pub := range p.Versions {
		w.put("<tr>", td(itoa(pub.Version)), td(datetime(pub.PublishedAt)), td(pub.PublishedBy), td(pub.Mode), "</tr>")
	}
	w.put("</tbody></table>\n")
	if len(p.Versions) > 1 {
		w.put(`<form class="inline" method="get" action="/console/campaigns/`, escPath(campaignID), "#versions\">\n")
		w.versionSelect("diffFrom", "Compare version", p.Versions, p.Query.DiffFrom)
		w.put("\n")
		w.versionSelect("diffTo", "with version", p.Versions, p.Query.DiffTo)
		w.put("\n<button type=\"submit\" class=\"secondary\">Compare</button></form>")
	}
	w.put("\n")
	if diff := p.Diff; diff != nil {
		w.put("<table><caption>From version ", itoa(diff.From), " to version ", itoa(diff.To), "</caption>")
		if len(diff.Changes) == 0 {
			w.put("<tbody><tr><td>No difference.</td></tr></tbody></table>")
		} else {
			w.changes(diff.Changes)
		}
	}
}

// versionSelect is one of the two versions the diff form compares.
func (w *writer) versionSelect(name, label string, versions []*campaign.Published, chosen int) {
	w.put(`<label for="`, name, `">`, label, `<select id="`, name, `" name="`, name, `">`)
	for _, pub := range versions {
		w.option(pub.Version, chosen, itoa(pub.Version))
	}
	w.put("</select></label>")
}
