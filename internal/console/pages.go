package console

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
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

// Page names, as Render takes them.
const (
	PageLogin     = "login"
	PageError     = "error"
	PageCampaigns = "campaigns"
	PageCampaign  = "campaign"
	PageLookup    = "lookup"
	PageLead      = "lead"
	PageQueue     = "queue"
)

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

// The pages' small formatters: what were the templates' functions.

func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func datetime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// pct and secs show a figure that may be missing (too few leads) as "—".
func pct(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *f*100)
}

func secs(f *float64) string {
	if f == nil {
		return "—"
	}
	return (time.Duration(*f) * time.Second).String()
}

func versionLabel(v int) string {
	if v == 0 {
		return "all versions"
	}
	return fmt.Sprintf("version %d", v)
}

// verdictClass and outcomeClass colour a verdict or a criterion's outcome.
func verdictClass(v string) string {
	switch v {
	case "within":
		return "good"
	case "too-high", "too-low":
		return "bad"
	}
	return ""
}

func outcomeClass(o lead.Outcome) string {
	if o.String() == "fail" {
		return "bad"
	}
	return ""
}

func fullName(first, last string) string { return strings.TrimSpace(first + " " + last) }

// orElse is the templates' or on strings: the first not empty.
func orElse(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}

func isMQL(s lead.Stage) bool {
	return s == lead.StageMQL || s == lead.StageSAL || s == lead.StageSQL || s == lead.StageOpportunity || s == lead.StageCustomer
}

func newestFirst(ts []lead.TouchPoint) []lead.TouchPoint {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b lead.TouchPoint) int { return b.At.Compare(a.At) })
	return out
}

// sourceLabel says in words where a touch point or a field came from.
func sourceLabel(s lead.Source) string {
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
}

// detail is a touch point's details on one line, in key order.
func detail(d map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(d)) {
		parts = append(parts, k+": "+d[k])
	}
	return strings.Join(parts, "; ")
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
