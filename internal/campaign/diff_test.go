package campaign_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/leadgate/leadgate/internal/campaign"
)

// TestDiff: each kind of edit reads as the teams would say it, criterion by
// criterion, and an unchanged definition gives no change at all.
func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *campaign.Definition)
		want []string // the summaries, in order
	}{
		{"nothing", func(*campaign.Definition) {}, nil},
		{"threshold", func(d *campaign.Definition) { d.Engagement.Threshold = 45 }, []string{"MQL threshold 40 → 45"}},
		{"a geography's range", func(d *campaign.Definition) { d.Geographies[0].Fit.Employees = &campaign.Range{Min: 20} },
			[]string{"DACH: Company size min 51 → 20"}},
		{"a title added and one dropped", func(d *campaign.Definition) {
			d.Role.Titles = append(slices.DeleteFunc(slices.Clone(d.Role.Titles), func(s string) bool { return s == "FinOps" }), "Head of Platform")
		}, []string{"Title + Head of Platform, − FinOps"}},
		{"a criterion added and one removed", func(d *campaign.Definition) {
			d.Fit.Revenue = &campaign.Range{Min: 20_000_000}
			d.Fit.BusinessEmailOnly = false
		}, []string{"Revenue: added: at least $20M a year", "Business email: removed (was a business email (not free mail))"}},
		{"points", func(d *campaign.Definition) {
			d.Engagement.Points["content-download"] = 20
			d.Engagement.Points["trial-signup"] = 30
		}, []string{"Points for content-download 15 → 20", "Points for trial-signup: added: 30 points"}},
		{"half-life, said once", func(d *campaign.Definition) { d.Engagement.HalfLifeDays = 45 },
			[]string{"Points halve every 30 days → 45 days"}},
		{"a geography added", func(d *campaign.Definition) {
			thr := 35.0
			d.Geographies = append(d.Geographies, campaign.Geography{Name: "Nordics", Countries: []string{"SE", "NO"}, Threshold: &thr})
		}, []string{"Nordics: Geography: added, for leads from SE or NO"}},
		{"review date and leakage", func(d *campaign.Definition) {
			d.ReviewBy = campaign.Date{Time: d.ReviewBy.AddDate(0, 3, 0)}
			d.Leakage = &campaign.Leakage{Min: 0.1, Max: 0.4}
		}, []string{"Review by 2027-05-15 → 2027-08-15", "Leakage we accept 20%–60% → 10%–40%"}},
		{"approvers", func(d *campaign.Definition) {
			d.Approvers = &campaign.Approvers{Policy: campaign.PolicySingle, Sales: []string{"anna@example.com"}}
		}, []string{"Approval policy both → single", "Sales approvers + anna@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := examples(t)["cloud-cost-whitepaper"]
			to := clone(t, from)
			tt.edit(to)
			var got []string
			for _, c := range campaign.Diff(from, to) {
				got = append(got, c.Summary)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Diff:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestDiffKeepsTheValues: a list change carries what was added and
// removed, and before and after in words, for a program to use.
func TestDiffKeepsTheValues(t *testing.T) {
	from := examples(t)["cloud-cost-whitepaper"]
	to := clone(t, from)
	to.Fit.Industries = []string{"Software", "Retail", "Manufacturing"}
	cs := campaign.Diff(from, to)
	if len(cs) != 1 {
		t.Fatalf("changes = %+v", cs)
	}
	c := cs[0]
	if c.Rule != "fit.industry" || !slices.Equal(c.Added, []string{"Manufacturing"}) || !slices.Equal(c.Removed, []string{"Financial services", "Healthcare"}) ||
		c.From != "one of Software, Financial services, Healthcare or Retail" || c.To != "one of Software, Retail or Manufacturing" {
		t.Errorf("change = %+v", c)
	}
}

func clone(t *testing.T, d *campaign.Definition) *campaign.Definition {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out campaign.Definition
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}
