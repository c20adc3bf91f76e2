package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
)

// TestFunnelFiguresNeedLeadsRead: the API answers a campaign's funnel
// (its MQLs, leakage, rates, speed to lead, rejection reasons) only to
// leadgate/leads.read; a console viewer who holds campaigns.read alone
// reads the definitions, drafts and versions, and none of the funnel.
func TestFunnelFiguresNeedLeadsRead(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	period := funnel.Period{From: now.AddDate(0, 0, -30), To: now}
	mqls := 7
	n := funnel.Numbers{Entered: map[string]int{string(lead.StageMQL): mqls, string(lead.StageSQL): 3},
		People: map[string]int{}, Rejections: map[string]int{"no-budget-secret": 2}}
	pub := &campaign.Published{Version: 1, PublishedAt: now, PublishedBy: "ops", Definition: &campaign.Definition{ID: "demo", Name: "Demo"}}
	pages := []struct {
		name    string
		page    string
		data    any
		figures []string
	}{
		{"campaigns", console.PageCampaigns, console.CampaignsPage{Period: period, Rows: []console.CampaignRow{{ID: "demo", Name: "Demo", Version: 1,
			MQLs: 7, Leakage: console.Rate{Num: 4, Den: 7}, Verdict: "too-high-secret"}}}, []string{"4 of 7", "too-high-secret"}},
		{"campaign", console.PageCampaign, &console.CampaignPage{Current: pub, Versions: []*campaign.Published{pub}, Query: console.CampaignQuery{Period: period},
			Funnel: console.FunnelView{Report: funnel.Report{Verdict: "too-high-secret"}, Numbers: n,
				Rates:   []console.RateRow{{Label: "MQL → SQL leakage", Rate: console.Rate{Num: 4, Den: 7}}},
				Reasons: []console.ReasonRow{{Kind: "rejected", Code: "no-budget-secret", N: 2}}}}, []string{"4 of 7", "too-high-secret", "no-budget-secret"}},
	}
	for _, p := range pages {
		for _, leadsRead := range []bool{false, true} {
			t.Run(p.name, func(t *testing.T) {
				var b strings.Builder
				v := console.View{Title: "t", Now: now, Viewer: console.Viewer{Name: "bo", CSRF: "tok", LeadsRead: leadsRead}, Page: p.data}
				if err := console.Render(&b, p.page, v); err != nil {
					t.Fatal(err)
				}
				page := b.String()
				for _, figure := range p.figures {
					if shown := strings.Contains(page, figure); shown != leadsRead {
						t.Errorf("leads.read %v: %q shown %v", leadsRead, figure, shown)
					}
				}
			})
		}
	}
}
