package qualify_test

import (
	"path/filepath"
	"testing"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/qualify"
)

func benchLead() (lead.Lead, []lead.TouchPoint) {
	l := lead.Lead{
		Email: "morgan.lee@northwind-logistics.com", FirstName: "Morgan", LastName: "Lee",
		Company: "Northwind Logistics", Title: "Senior Director, Platform Engineering", Country: "IE",
		Fields: map[string]string{
			"industry": "Logistics", "employees": "1,001-5,000", "revenue": "$100M-$500M",
			"seniority": "Director", "department": "Engineering", "challenge": "Cost overruns",
			"consent": "yes", "timeframe": "This quarter",
		},
	}
	touches := []lead.TouchPoint{
		{Type: lead.TouchEmailClick, At: daysAgo(40)},
		{Type: lead.TouchContentDownload, At: daysAgo(21)},
		{Type: lead.TouchWebinarAttended, At: daysAgo(9)},
		{Type: lead.TouchEventVisit, At: daysAgo(3), Rating: 4},
		{Type: lead.TouchPricingVisit, At: daysAgo(1)},
	}
	return l, touches
}

// BenchmarkEvaluate measures one evaluation against a 20-criterion
// definition, the cost intake pays on every submission.
func BenchmarkEvaluate(b *testing.B) {
	rb := qualify.Compile(published(b, filepath.Join("testdata", "twenty-criteria.yaml")))
	l, touches := benchLead()
	var v lead.Verdict
	rb.Evaluate(&v, &l, touches, now)
	if len(v.Criteria) != 20 {
		b.Fatalf("benchmark definition yields %d criteria, want 20", len(v.Criteria))
	}
	if v.Stage != lead.StageMQL {
		b.Fatalf("benchmark lead is %s, want mql: %q", v.Stage, v.Reasons())
	}
	b.ReportAllocs()
	for b.Loop() {
		rb.Evaluate(&v, &l, touches, now)
	}
}

// BenchmarkCompile measures turning a published definition into a Rulebook,
// paid once per cache fill, not per lead.
func BenchmarkCompile(b *testing.B) {
	p := published(b, filepath.Join("testdata", "twenty-criteria.yaml"))
	b.ReportAllocs()
	for b.Loop() {
		qualify.Compile(p)
	}
}
