package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/document"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// Viewer is who a page is rendered for: what it may see and do decides the
// links and buttons shown (the adapter checks the same scopes again on
// every request).
type Viewer struct {
	Name string
	// CSRF is the token every form of the page sends back.
	CSRF      string
	LeadsRead bool
	Manager   bool
	// Sides are the sides the viewer may sign a definition for.
	Sides []string
}

// Approver reports whether the viewer may sign definitions.
func (v Viewer) Approver() bool { return len(v.Sides) > 0 }

// View is what every page is rendered from.
type View struct {
	Title  string
	Viewer Viewer
	// Flash is a one-line note of what the last action did.
	Flash string
	Now   time.Time
	Page  any
}

// Page names, each a file under templates/.
const (
	PageLogin     = "login"
	PageError     = "error"
	PageCampaigns = "campaigns"
	PageCampaign  = "campaign"
	PageLookup    = "lookup"
	PageLead      = "lead"
	PageQueue     = "queue"
)

//go:embed templates/*.html
var files embed.FS

// The templates are parsed on first use: a template parsed at init would
// cost every cold start, the login redirect's included.
var (
	pagesOnce sync.Once
	pages     map[string]*template.Template
)

func parsed() map[string]*template.Template {
	pagesOnce.Do(func() {
		base := template.Must(template.New("layout").Funcs(funcs()).ParseFS(files, "templates/layout.html"))
		pages = map[string]*template.Template{}
		for _, name := range []string{PageLogin, PageError, PageCampaigns, PageCampaign, PageLookup, PageLead, PageQueue} {
			pages[name] = template.Must(template.Must(base.Clone()).ParseFS(files, "templates/"+name+".html"))
		}
	})
	return pages
}

// Render writes page, laid out, to w. It renders into a buffer first, so a
// failing template never sends half a page.
func Render(w io.Writer, page string, v View) error {
	t, ok := parsed()[page]
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

// LoginPage is the sign-in page.
type LoginPage struct {
	// Local offers the token form of leadgate local; otherwise a link
	// starts the identity provider's sign-in.
	Local   bool
	LoginID string // binds the form to the cookie set with it
	Next    string
	Roles   []Role
	Error   string
}

// ErrorPage says what went wrong, in the words of the domain error.
type ErrorPage struct {
	Heading, Message string
	Problems         []leadgate.Problem
	Back             string
}

// CampaignsPage is the list of campaigns.
type CampaignsPage struct {
	Period funnel.Period
	Rows   []CampaignRow
}

// LookupPage is the lead search.
type LookupPage struct {
	Query  string
	Leads  []*lead.Record
	Capped bool
}

// reassignData is one reassignment form's data.
type reassignData struct {
	Lead, CSRF string
	Reps       []sales.Rep
}

// funcs are the pages' template functions, made when the pages are first
// parsed: a package-level map would be built at init, and would make the
// charts, the document and the template engine part of every binary that
// links this package, used or not.
func funcs() template.FuncMap {
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
		"answer": Answer,
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

// Answer says in one sentence whether the lead was a lead: the question
// marketing and sales fight over.
func Answer(r *lead.Record) string {
	who := strings.TrimSpace(r.FirstName + " " + r.LastName)
	if who == "" {
		who = r.Email
	}
	switch r.Stage {
	case lead.StageMQL, lead.StageSAL, lead.StageSQL, lead.StageOpportunity, lead.StageCustomer:
		return fmt.Sprintf("Yes: %s became a lead for sales (now %s, grade %s).", who, r.Stage, r.Verdict.Grade)
	}
	return fmt.Sprintf("No: %s is %s, not a lead for sales (grade %s); the criteria below say why.", who, r.Stage, r.Verdict.Grade)
}

// Role is a role the local sign-in offers.
type Role struct{ ID, Label string }
