package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/lead"
)

func TestRateSaysWhatItStandsOn(t *testing.T) {
	tests := []struct {
		r    console.Rate
		want string
	}{
		{console.Rate{}, "— (none yet)"},
		{console.Rate{Num: 1, Den: 1}, "1 of 1 (100%), too few to judge"},
		{console.Rate{Num: 3, Den: 4}, "3 of 4 (75%), too few to judge"},
		{console.Rate{Num: 6, Den: 8}, "6 of 8 (75%)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("%+v = %q, want %q", tt.r, got, tt.want)
			}
		})
	}
}

// TestPagesShowValuesAsText renders a lead whose every value is markup:
// the page shows it, and runs none of it.
func TestPagesShowValuesAsText(t *testing.T) {
	evil := `"><script>alert(1)</script>`
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	r := &lead.Record{
		Lead:    lead.Lead{ID: "ld_x", Email: "x@example.com", FirstName: evil, LastName: evil, Company: evil, Title: evil, Country: "DE"},
		Stage:   lead.StageNurture,
		Touches: []lead.TouchPoint{{ID: "t1", Type: "webinar-attended", At: now, Source: lead.SourceAPI, System: evil, Detail: map[string]string{"notes": evil}}},
		History: []lead.Transition{{At: now, To: lead.StageNurture, By: "engine", Reason: evil, Note: evil}},
		Verdict: lead.Verdict{Campaign: "c", Version: 1, Criteria: []lead.Criterion{{Rule: "fit.title", Group: lead.GroupFit, Outcome: lead.Fail, Saw: evil, Want: "a VP"}}},
	}
	var b strings.Builder
	err := console.Render(&b, console.PageLead, console.View{Title: evil, Viewer: console.Viewer{Name: evil, CSRF: "tok", Manager: true}, Now: now,
		Page: &console.LeadPage{Lead: r, Reasons: []string{evil}}})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>") {
		t.Fatalf("markup from a value reached the page as markup:\n%s", page)
	}
	if n := strings.Count(page, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 10 {
		t.Errorf("the value is shown as text %d times, want it in every place (≥ 10)", n)
	}
	if !strings.Contains(page, "No: ") || !strings.Contains(page, `name="csrf" value="tok"`) {
		t.Errorf("the page does not answer, or its forms lack the CSRF token:\n%s", page)
	}
}

func TestAnswer(t *testing.T) {
	for stage, want := range map[lead.Stage]string{lead.StageMQL: "Yes: Ada", lead.StageSQL: "Yes: Ada", lead.StageNurture: "No: Ada", lead.StageDisqualified: "No: Ada"} {
		if got := console.Answer(&lead.Record{Lead: lead.Lead{FirstName: "Ada"}, Stage: stage}); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q", stage, got)
		}
	}
}
