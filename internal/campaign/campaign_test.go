package campaign_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/leadgate"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// examples returns the definitions shipped in campaigns/, parsed and
// validated: they are what `leadgate local` loads and what the README tours.
func examples(t testing.TB) map[string]*campaign.Definition {
	t.Helper()
	files, err := filepath.Glob("../../campaigns/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least three example definitions, got %v (%v)", files, err)
	}
	out := map[string]*campaign.Definition{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := authored.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := d.Validate(now); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[d.ID] = d
	}
	return out
}

func TestExamplesAreValid(t *testing.T) {
	ex := examples(t)
	funnels := map[string]bool{}
	again := examples(t)
	for id, d := range ex {
		funnels[d.Funnel] = true
		if d.Digest() != again[id].Digest() {
			t.Errorf("%s: the same file gives two digests", id)
		}
	}
	for _, f := range []string{campaign.FunnelTop, campaign.FunnelMiddle, campaign.FunnelBottom} {
		if !funnels[f] {
			t.Errorf("no example campaign at the %s of the funnel", f)
		}
	}
	if got := ex["cloud-cost-whitepaper"].Geographies[0].Countries; !slices.Equal(got, []string{"DE", "AT", "CH"}) {
		t.Errorf("DACH countries = %v", got)
	}
}

func TestValidateNormalizes(t *testing.T) {
	d := mustParse(t, minimal+`
intake:
  allowedOrigins: [HTTPS://WWW.Example.COM/]
fit:
  countries: [Germany, usa, fr]
  regions: [emea]
  excludeDomains: ["@Rival.EXAMPLE "]
`)
	if _, err := d.Validate(now); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Fit.Countries, []string{"DE", "US", "FR"}) {
		t.Errorf("countries = %v", d.Fit.Countries)
	}
	if !slices.Equal(d.Fit.Regions, []string{"EMEA"}) {
		t.Errorf("regions = %v", d.Fit.Regions)
	}
	if d.Fit.ExcludeDomains[0] != "rival.example" {
		t.Errorf("excluded domain = %q", d.Fit.ExcludeDomains[0])
	}
	if d.Intake.AllowedOrigins[0] != "https://www.example.com" {
		t.Errorf("origin = %q", d.Intake.AllowedOrigins[0])
	}
	if d.Intake.TouchPoint != "form-submission" || d.Status != campaign.StatusActive {
		t.Errorf("defaults not filled: touch point %q status %q", d.Intake.TouchPoint, d.Status)
	}
}

const minimal = `id: spring-webinar
name: Spring webinar
channel: landing-page
funnel: top
owner: ops@example.com
salesOwner: sales@example.com
reviewBy: 2027-03-01
engagement:
  threshold: 30
  points: {webinar-attended: 20}
`

func mustParse(t *testing.T, doc string) *campaign.Definition {
	t.Helper()
	d, err := authored.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%q: %d", fmt.Sprint("k", i), i)
	}
	return strings.Join(keys, ", ")
}

func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		label := "Question"
		if i == 0 {
			label = strings.Repeat("long ", 61)
		}
		fmt.Fprintf(&b, "    - {name: q%d, label: %q}\n", i, label)
	}
	return b.String()
}

func TestValidateListsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // "path: substring of message"
	}{
		{"identity", `id: Bad Id
channel: radio
funnel: side
engagement: {threshold: 0, points: {}}
`, []string{
			"id: \"Bad Id\": use lower-case letters",
			"name: required",
			"channel: \"radio\"",
			"funnel: \"side\"",
			"owner: required",
			"salesOwner: required: who in sales signs",
			"reviewBy: required",
			"engagement.threshold: set the MQL score threshold",
			"engagement.points: give points",
		}},
		{"fields and references", minimal + `fields:
  custom:
    - {name: email, type: text}
    - {name: size, type: choice}
    - {name: size, type: text}
    - {name: q, type: colour}
required: [email, favouriteColour]
fit:
  industries: [Software]
  employees: {min: 500, max: 100}
  countries: [Narnia]
  regions: [Mars]
role: {}
need: {field: size, confirmedBy: [huge]}
willingness: {field: size}
interest: {minRating: 9}
handRaisers: [smoke-signal]
leakage: {min: 0.8, max: 0.2}
`, []string{
			"fields.custom[0].name: \"email\" is a built-in",
			"fields.custom[1].options: a choice field needs its options",
			"fields.custom[2].name: \"size\" is declared twice",
			"fields.custom[3].type: \"colour\"",
			"required[1]: \"favouriteColour\" is neither",
			"fit.industries: the industry criterion reads the custom field \"industry\"",
			"fit.employees.min: 500 is above max 100",
			"fit.employees: the company size criterion reads the custom field \"employees\"",
			"fit.countries[0]: \"Narnia\"",
			"fit.regions[0]: \"Mars\"",
			"role: name title patterns",
			"need.confirmedBy[0]: \"huge\" is not one of the options",
			"willingness.field: \"size\": declare it under fields.custom with type boolean",
			"interest.minRating: 9",
			"handRaisers[0]: \"smoke-signal\"",
			"leakage: want 0 ≤ min ≤ max ≤ 1",
		}},
		{"what every lead would carry", minimal + "fields:\n  custom:\n" + manyFields(41) +
			"intake:\n  hiddenFields: [h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11]\n  timeZone: Mars/Olympus\n", []string{
			"fields.custom: 41 fields: a campaign may declare at most 40",
			"fields.custom[0].label: at most 300 characters",
			"intake.hiddenFields: 11 fields",
			`intake.timeZone: "Mars/Olympus": want an IANA time zone`,
		}},
		{"geographies", minimal + `geographies:
  - name: DACH
    countries: [DE]
    threshold: -1
  - name: DACH
    countries: [Germany]
    required: [nope]
  - name: nowhere
`, []string{
			"geographies[0].threshold: must be above 0",
			"geographies[1].name: \"DACH\" is used twice",
			"geographies[1].required[0]: \"nope\"",
			"geographies[2]: name the countries or regions",
		}},
		{"follow-up", minimal + "sla: {acceptWithin: 45d, remindAt: 1, onBreach: shrug}\n", []string{
			"sla.acceptWithin: 45d: at most 30d",
			"sla.remindAt: 1: a share of acceptWithin",
			`sla.onBreach: "shrug": want reassign or escalate`,
		}},
		{"follow-up with no time", minimal + "sla: {remindAt: -0.5}\n", []string{
			"sla.acceptWithin: required",
			"sla.remindAt: -0.5",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.doc)
			_, err := d.Validate(now)
			if leadgate.ErrorCode(err) != leadgate.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			var got []string
			for _, p := range leadgate.ErrorProblems(err) {
				got = append(got, p.String())
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) || strings.Contains(g, w) }) {
					t.Errorf("missing problem %q in:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n  %s", len(got), len(tt.want), strings.Join(got, "\n  "))
			}
		})
	}
}

// TestParseRefusesNotANumber: YAML's .nan passes every range check (it is
// neither below 0 nor at or above 1) and then breaks the JSON a version is
// stored as; the infinities likewise. They are refused where they are read.
func TestParseRefusesNotANumber(t *testing.T) {
	_, err := authored.Parse([]byte(minimal + "sla: {acceptWithin: 4h, remindAt: .nan}\nleakage: {min: -.inf, max: .Inf}\n"))
	var got []string
	for _, p := range leadgate.ErrorProblems(err) {
		got = append(got, p.String())
	}
	want := []string{"line 11: .nan: give a finite number", "line 12: -.inf: give a finite number", "line 12: .Inf: give a finite number"}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
}

func TestValidateWarnsAboutReview(t *testing.T) {
	tests := []struct {
		reviewBy string
		want     string
	}{
		{"2026-11-01", "overdue for review"},
		{"2027-12-01", "more than six months away"},
		{"2027-03-01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.reviewBy, func(t *testing.T) {
			d := mustParse(t, strings.Replace(minimal, "2027-03-01", tt.reviewBy, 1))
			warnings, err := d.Validate(now)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings %v", warnings)
			case tt.want != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Message, tt.want)):
				t.Errorf("warnings = %v, want one containing %q", warnings, tt.want)
			}
		})
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown key", minimal + "threshhold: 50\n", `line 11: unknown key "threshhold"`},
		{"wrong type", minimal + "handRaisers: demo-request\n", `is text, want a list`},
		{"repeated keys", "{\"id\": \"a\", \"name\": \"b\", \"id\": \"c\"}", `key "id" is given twice`},
		{"thousands of unknown keys", "{" + manyKeys(3000) + "}", `and 2901 more problems`},
		{"bad date", strings.Replace(minimal, "2027-03-01", "next spring", 1), "want a date like 2027-05-01"},
		{"list for a date", strings.Replace(minimal, "2027-03-01", "[2027-03-01]", 1), "got a list, want a date like 2027-05-01"},
		{"mapping for a duration", minimal + "sla: {acceptWithin: {hours: 4}}\n", `got a mapping, want a duration like 90d`},
		// Date and Duration are structs read through UnmarshalText: a
		// mapping must not fill them field by field, nor leave them zero.
		{"empty mapping for a date", strings.Replace(minimal, "2027-03-01", "{}", 1), "line 7: got a mapping, want a date like 2027-05-01"},
		{"the date's own field", strings.Replace(minimal, "2027-03-01", "{time: 2027-03-01}", 1), "got a mapping, want a date like 2027-05-01"},
		{"mapping for a start", minimal + "starts: {}\n", "got a mapping, want a date like 2027-05-01"},
		{"mapping for an end", minimal + "ends: {time: 2027-02-05T10:00:00Z}\n", "got a mapping, want a date like 2027-05-01"},
		{"empty mapping for a duration", minimal + "sla: {acceptWithin: {}}\n", "got a mapping, want a duration like 90d"},
		{"the duration's own field", minimal + "sla: {acceptWithin: {duration: 4h}}\n", "got a mapping, want a duration like 90d"},
		{"mapping for a hold", minimal + "recycle: {holds: {timing: {duration: 2160h}}}\n", "got a mapping, want a duration like 90d"},
		{"list for a hold", minimal + "recycle: {holds: {timing: [90d]}}\n", "got a list, want a duration like 90d"},
		// A date or a duration is written as text, not encoded.
		{"binary date", strings.Replace(minimal, "2027-03-01", "!!binary MjAyNy0wMy0wMQ==", 1), "binary data, want a date like 2027-05-01"},
		{"binary start", minimal + "starts: !!binary MjAyNy0wMi0wMQ==\n", "binary data, want a date like 2027-05-01"},
		{"binary duration", minimal + "sla: {acceptWithin: !!binary NGg=}\n", "binary data, want a duration like 90d"},
		{"binary hold", minimal + "recycle: {holds: {timing: !!binary OTBk}}\n", "binary data, want a duration like 90d"},
		{"alias to a mapping", minimal + "sla: &m {acceptWithin: 4h}\nends: *m\n", "got a mapping, want a date like 2027-05-01"},
		{"syntax", "id: [unclosed\n", "line"},
		{"two documents", minimal + "---\nid: other\n", "one document at a time"},
		{"empty", "  \n", "empty document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authored.Parse([]byte(tt.doc))
			if leadgate.ErrorCode(err) != leadgate.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			ps := leadgate.ErrorProblems(err)
			if !slices.ContainsFunc(ps, func(p leadgate.Problem) bool { return strings.Contains(p.String(), tt.want) }) || len(ps) > leadgate.MaxProblems {
				t.Errorf("problems = %v, want one containing %q", ps, tt.want)
			}
		})
	}
}

func TestParseRejectsHugeDocuments(t *testing.T) {
	_, err := authored.Parse([]byte(minimal + "description: " + strings.Repeat("x", campaign.MaxDocumentBytes) + "\n"))
	if leadgate.ErrorCode(err) != leadgate.ETOOLARGE {
		t.Fatalf("err = %v, want ETOOLARGE", err)
	}
}

func TestDigestChangesWithContent(t *testing.T) {
	a, b := mustParse(t, minimal), mustParse(t, strings.Replace(minimal, "threshold: 30", "threshold: 31", 1))
	if a.Digest() == b.Digest() {
		t.Error("different thresholds, same digest")
	}
	if a.Digest() != mustParse(t, "# a comment changes nothing\n"+minimal).Digest() {
		t.Error("a comment changed the digest")
	}
}
