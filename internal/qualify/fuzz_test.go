package qualify_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/qualify"
)

// FuzzEvaluate feeds the engine arbitrary lead values and touch points and
// checks what must hold for any input: no panic, a valid and repeatable
// verdict, and a stage consistent with the criteria it lists.
func FuzzEvaluate(f *testing.F) {
	books := []*qualify.Rulebook{
		qualify.Compile(published(f, filepath.Join("testdata", "twenty-criteria.yaml"))),
		qualify.Compile(example(f, "cloud-cost-whitepaper")),
		qualify.Compile(example(f, "devops-summit-2026-booth")),
		qualify.Compile(example(f, "demo-request")),
	}
	f.Add(uint8(0), "morgan@northwind.com", "Director", "IE", "Logistics", "1,001-5,000", "$100M", "Cost overruns", "yes", "demo-request", 4, int64(72))
	f.Add(uint8(1), "x@gmail.com", "Student", "DE", "", "", "", "", "", "event-visit", 0, int64(-5))
	f.Add(uint8(2), "@", "intern VP", "", "Retail", "less than 10k", "1.5b", "Idle resources", "on", "content-download", 9, int64(1e9))
	f.Add(uint8(3), "a@b.c@d", "Ünïcödé Vice President", "BR", "software", "999999999999999999999", "$", "", "0", "", -3, int64(0))
	f.Fuzz(func(t *testing.T, book uint8, email, title, country, industry, employees, revenue, answer, consent, touchType string, rating int, ageHours int64) {
		rb := books[int(book)%len(books)]
		l := lead.Lead{
			Email: email, FirstName: "F", LastName: "L", Company: "C", Title: title, Country: country,
			Fields: map[string]string{
				"industry": industry, "employees": employees, "revenue": revenue,
				"challenge": answer, "cloudSpend": answer, "consent": consent, "timeframe": answer,
			},
		}
		touches := []lead.TouchPoint{{Type: touchType, At: now.Add(-time.Duration(ageHours) * time.Hour), Rating: rating}}
		var v, again lead.Verdict
		rb.Evaluate(&v, &l, touches, now)
		rb.Evaluate(&again, &l, touches, now)
		if !reflect.DeepEqual(v, again) {
			t.Fatalf("not deterministic:\n%+v\n%+v", v, again)
		}
		if !v.Stage.Valid() || v.Stage.SetBySales() {
			t.Fatalf("engine produced stage %q", v.Stage)
		}
		if v.Grade < lead.GradeA || v.Grade > lead.GradeD {
			t.Fatalf("grade %q", v.Grade)
		}
		if v.Score < 0 {
			t.Fatalf("negative score %v", v.Score)
		}
		excluded := false
		for _, c := range v.Criteria {
			if c.Rule == "" || c.Want == "" {
				t.Fatalf("criterion without rule or want: %+v", c)
			}
			if c.Group == lead.GroupExclusion && c.Outcome == lead.Fail {
				excluded = true
			}
			if v.Stage == lead.StageMQL && c.Outcome != lead.Pass && (c.Group == lead.GroupRequired || c.Group == lead.GroupFit || c.Group == lead.GroupInterest) {
				t.Fatalf("mql although %s is %s", c.Rule, c.Outcome)
			}
		}
		if excluded != (v.Stage == lead.StageDisqualified) {
			t.Fatalf("stage %s but exclusion failed = %v", v.Stage, excluded)
		}
	})
}
