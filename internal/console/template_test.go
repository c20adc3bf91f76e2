package console_test

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/document"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/sales"
)

// The renderer the hand-written pages replaced, kept as it was (but for
// where its templates are read from) as what TestRenderMatchesTemplates
// holds them to.

//go:embed testdata/templates/*.html
var templateFiles embed.FS

// templatePages parses the templates as the old renderer did on first use.
func templatePages() map[string]*template.Template {
	base := template.Must(template.New("layout").Funcs(templateFuncs()).ParseFS(templateFiles, "testdata/templates/layout.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{console.PageLogin, console.PageError, console.PageCampaigns, console.PageCampaign, console.PageLookup, console.PageLead, console.PageQueue} {
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "testdata/templates/"+name+".html"))
	}
	return pages
}

// templateRender is the old console.Render.
func templateRender(pages map[string]*template.Template, w *bytes.Buffer, page string, v console.View) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("console: no page %q", page)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return fmt.Errorf("console: render %s: %w", page, err)
	}
	_, err := b.WriteTo(w)
	return err
}

// reassignData is one reassignment form's data.
type reassignData struct {
	Lead, CSRF string
	Reps       []sales.Rep
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
		"datetime": func(t any) string {
			switch t := t.(type) {
			case time.Time:
				return t.UTC().Format("2006-01-02 15:04 UTC")
			case *time.Time:
				if t != nil {
					return t.UTC().Format("2006-01-02 15:04 UTC")
				}
			}
			return ""
		},
		"pct": func(f *float64) string {
			if f == nil {
				return "—"
			}
			return fmt.Sprintf("%.0f%%", *f*100)
		},
		"secs": func(f *float64) string {
			if f == nil {
				return "—"
			}
			return (time.Duration(*f) * time.Second).String()
		},
		"versionLabel": func(v int) string {
			if v == 0 {
				return "all versions"
			}
			return fmt.Sprintf("version %d", v)
		},
		"verdictClass": func(v string) string {
			switch v {
			case "within":
				return "good"
			case "too-high", "too-low":
				return "bad"
			}
			return ""
		},
		"outcomeClass": func(o lead.Outcome) string {
			if o.String() == "fail" {
				return "bad"
			}
			return ""
		},
		// The charts and the definition escape every value themselves.
		"stagesSVG": func(title string, n funnel.Numbers) template.HTML { return template.HTML(funnel.StagesSVG(title, n)) },
		"leakageSVG": func(title string, n funnel.Numbers, b *campaign.Leakage, verdict string) template.HTML {
			return template.HTML(funnel.LeakageSVG(title, n, b, verdict))
		},
		"definition": func(p *campaign.Published, history []*campaign.Published, now time.Time) (template.HTML, error) {
			var b strings.Builder
			err := document.Fragment(&b, p, history, now)
			return template.HTML(b.String()), err
		},
		"fullName": func(first, last string) string { return strings.TrimSpace(first + " " + last) },
		"isMQL": func(s lead.Stage) bool {
			return s == lead.StageMQL || s == lead.StageSAL || s == lead.StageSQL || s == lead.StageOpportunity || s == lead.StageCustomer
		},
		"answer": console.Answer,
		"seen":   func(c lead.Criterion) string { return c.Seen() },
		"join":   strings.Join,
		"newestFirst": func(ts []lead.TouchPoint) []lead.TouchPoint {
			out := slices.Clone(ts)
			slices.SortStableFunc(out, func(a, b lead.TouchPoint) int { return b.At.Compare(a.At) })
			return out
		},
		"sourceLabel": func(s lead.Source) string {
			switch s {
			case lead.SourceForm:
				return "public form"
			case lead.SourceVisitor:
				return "form, from the person's own browser"
			case lead.SourceBadgeScan:
				return "badge-scan upload"
			case lead.SourceAPI:
				return "a system, with its token"
			case "":
				return "not recorded"
			}
			return string(s)
		},
		"detail": func(d map[string]string) string {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(d)) {
				parts = append(parts, k+": "+d[k])
			}
			return strings.Join(parts, "; ")
		},
		"reassignForm": func(leadID string, reps []sales.Rep, csrf string) reassignData {
			return reassignData{Lead: leadID, CSRF: csrf, Reps: reps}
		},
	}
}
