package httpapi

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/export"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
)

// ReportStore is what reports read.
type ReportStore interface {
	Counters(ctx context.Context, campaignID string, from, to time.Time) ([]funnel.Counter, error)
	Current(ctx context.Context, id string) (*campaign.Published, error)
	List(ctx context.Context) ([]*campaign.Published, error)
	CampaignLeads(ctx context.Context, campaignID string, each func(*lead.Record) error) error
}

// Reports serves the funnel reports.
type Reports struct {
	store ReportStore
	now   func() time.Time
}

// NewReports returns the reports API as a Handler.
func NewReports(store ReportStore, log *slog.Logger, now func() time.Time) Handler {
	r := &Reports{store: store, now: now}
	rt := &edge.Router{Log: log, IDs: idRules, Routes: map[string]edge.Route{
		"GET /v1/campaigns/{campaignId}/funnel":    r.funnel,
		"GET /v1/campaigns/{campaignId}/leads.csv": r.csv,
		"GET /v1/reports":                          r.page,
		"GET /v1/reports/{campaignId}/funnel.svg":  r.svg,
	}}
	return rt.Handle
}

func (h *Reports) period(req *events.APIGatewayV2HTTPRequest) (time.Time, time.Time, error) {
	p, err := funnel.ParsePeriod(req.QueryStringParameters["from"], req.QueryStringParameters["to"], h.now())
	return p.From, p.To, err
}

func (h *Reports) report(ctx context.Context, id string, from, to time.Time) (funnel.Report, *campaign.Published, error) {
	p, err := h.store.Current(ctx, id)
	if err != nil {
		return funnel.Report{}, nil, err
	}
	counters, err := h.store.Counters(ctx, id, from, to)
	if err != nil {
		return funnel.Report{}, nil, err
	}
	return funnel.Build(id, from, to, counters, p.Definition.Leakage), p, nil
}

func (h *Reports) funnel(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	from, to, err := h.period(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, _, err := h.report(ctx, req.PathParameters["campaignId"], from, to)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, r), nil
}

func (h *Reports) svg(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	from, to, err := h.period(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, _, err := h.report(ctx, req.PathParameters["campaignId"], from, to)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.TextResponse(http.StatusOK, "image/svg+xml", funnel.SVG(r)), nil
}

// reportPageHead is the report page up to its campaigns.
const reportPageHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>leadgate — funnel report</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1c2430}
section{border-top:1px solid #dde2ea;padding:1rem 0}h2{margin:.2rem 0}.sub{color:#5b6575}
.flag{background:#fff4d6;border-left:4px solid #e0a100;padding:.2rem .6rem;display:inline-block}
.too-high,.too-low{color:#c0392b;font-weight:600}.within{color:#1e824c;font-weight:600}
table{border-collapse:collapse}td,th{padding:.15rem .8rem .15rem 0;text-align:left}
.cols{display:flex;gap:2rem;flex-wrap:wrap}
</style></head><body>
<h1>Funnel report</h1>
`

// writeReportPage writes the report page by hand, every value escaped: a
// template's execution would make the linker keep every exported method
// of every type in the reports binary (about 3.7 MiB; BENCHMARKS.md).
func writeReportPage(b *strings.Builder, from, to string, sections []campaignSection) {
	h := html.EscapeString
	pct := func(f *float64) string {
		if f == nil {
			return "—"
		}
		return fmt.Sprintf("%.0f%%", *f*100)
	}
	b.WriteString(reportPageHead)
	fmt.Fprintf(b, "<p class=\"sub\">%s to %s · %d campaign(s)</p>\n", h(from), h(to), len(sections))
	for _, c := range sections {
		r := c.Report
		fmt.Fprintf(b, "<section>\n<h2>%s</h2>\n<p class=\"sub\">%s · version %d · %s of the funnel · review by %s</p>\n", h(c.Name), h(c.ID), c.Version, h(c.Funnel), h(c.ReviewBy))
		if c.Overdue {
			fmt.Fprintf(b, "<p class=\"flag\">Definition overdue for review (review-by %s)</p>\n", h(c.ReviewBy))
		}
		b.WriteString(`<div class="cols"><div>` + funnel.SVG(r) + "</div>\n") // funnel.SVG escapes every value
		fmt.Fprintf(b, "<div><p>MQL→SQL leakage: <strong>%s</strong>", pct(r.Total.Leakage))
		if r.Bounds != nil {
			fmt.Fprintf(b, " (agreed %.0f–%.0f%%)", r.Bounds.Min*100, r.Bounds.Max*100)
		}
		fmt.Fprintf(b, "\n<br><span class=\"%s\">%s</span>: %s</p>\n", h(r.Verdict), h(r.Verdict), h(r.Advice))
		b.WriteString("<table><tr><th>Conversion</th><th></th></tr>")
		for _, cv := range r.Total.Conversion {
			fmt.Fprintf(b, "<tr><td>%s → %s</td><td>%s</td></tr>", h(string(cv.From)), h(string(cv.To)), pct(cv.Rate))
		}
		b.WriteString("</table>\n")
		if len(c.Reasons) > 0 {
			b.WriteString("<p>Recent rejection and recycle reasons:</p><ul>")
			for _, reason := range c.Reasons {
				b.WriteString("<li>" + h(reason) + "</li>")
			}
			b.WriteString("</ul>")
		}
		b.WriteString("\n</div></div>\n</section>")
	}
	b.WriteString("\n</body></html>\n")
}

type campaignSection struct {
	ID, Name, Funnel, ReviewBy string
	Version                    int
	Overdue                    bool
	Report                     funnel.Report
	Reasons                    []string
}

func (h *Reports) page(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	from, to, err := h.period(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	ps, err := h.store.List(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	slices.SortFunc(ps, func(a, b *campaign.Published) int { return strings.Compare(a.Definition.ID, b.Definition.ID) })
	data := struct {
		From, To  string
		Campaigns []campaignSection
	}{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	now := h.now()
	for _, p := range ps {
		d := p.Definition
		counters, err := h.store.Counters(ctx, d.ID, from, to)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		r := funnel.Build(d.ID, from, to, counters, d.Leakage)
		sec := campaignSection{ID: d.ID, Name: d.Name, Funnel: d.Funnel, ReviewBy: d.ReviewBy.String(), Version: p.Version,
			Overdue: d.ReviewOverdue(now), Report: r}
		for code, n := range r.Total.Rejections {
			sec.Reasons = append(sec.Reasons, fmt.Sprintf("rejected, %s: %d", code, n))
		}
		for code, n := range r.Total.Recycles {
			sec.Reasons = append(sec.Reasons, fmt.Sprintf("recycled, %s: %d", code, n))
		}
		slices.Sort(sec.Reasons)
		data.Campaigns = append(data.Campaigns, sec)
	}
	var b strings.Builder
	writeReportPage(&b, data.From, data.To, data.Campaigns)
	return edge.TextResponse(http.StatusOK, "text/html; charset=utf-8", b.String()), nil
}

// csv exports a campaign's leads (see export.Leads).
func (h *Reports) csv(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := req.PathParameters["campaignId"]
	if _, err := h.store.Current(ctx, id); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	body, err := export.Answer(func(each func(*lead.Record) error) error { return h.store.CampaignLeads(ctx, id, each) })
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.Attachment("text/csv; charset=utf-8", id+"-leads.csv", body), nil
}
