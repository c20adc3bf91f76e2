package campaign_test

import (
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// TestDraftApproval: a draft is approved when the policy's sides have
// approved and nobody's rejection stands; a later decision of a side
// replaces its earlier one.
func TestDraftApproval(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	approve := func(side string) campaign.Approval {
		return campaign.Approval{Side: side, Decision: campaign.Approve, By: side + "@example.com", At: at}
	}
	reject := func(side string) campaign.Approval {
		return campaign.Approval{Side: side, Decision: campaign.Reject, By: side + "@example.com", At: at}
	}
	tests := []struct {
		name      string
		approvals []campaign.Approval
		policy    string
		approved  bool
		state     string
	}{
		{"nobody yet", nil, campaign.PolicyBoth, false, "awaiting marketing and sales"},
		{"marketing only", []campaign.Approval{approve("marketing")}, campaign.PolicyBoth, false, "approved by marketing, awaiting sales"},
		{"sales only", []campaign.Approval{approve("sales")}, campaign.PolicyBoth, false, "approved by sales, awaiting marketing"},
		{"both", []campaign.Approval{approve("sales"), approve("marketing")}, campaign.PolicyBoth, true, "approved"},
		{"a rejection stands", []campaign.Approval{approve("marketing"), reject("sales")}, campaign.PolicyBoth, false, "rejected by sales"},
		{"a rejection taken back", []campaign.Approval{reject("sales"), approve("marketing"), approve("sales")}, campaign.PolicyBoth, true, "approved"},
		{"an approval taken back", []campaign.Approval{approve("marketing"), approve("sales"), reject("marketing")}, campaign.PolicyBoth, false, "rejected by marketing"},
		{"single: one side is enough", []campaign.Approval{approve("sales")}, campaign.PolicySingle, true, "approved"},
		{"single: a rejection still stands", []campaign.Approval{approve("sales"), reject("marketing")}, campaign.PolicySingle, false, "rejected by marketing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := &campaign.Draft{Approvals: tt.approvals}
			if got := dr.Approved(tt.policy); got != tt.approved {
				t.Errorf("Approved = %v, want %v", got, tt.approved)
			}
			if got := dr.State(tt.policy); got != tt.state {
				t.Errorf("State = %q, want %q", got, tt.state)
			}
		})
	}
}

// TestMayApprove: the scope decides who may sign unless the definition
// names a side's approvers; names match whatever the case.
func TestMayApprove(t *testing.T) {
	open := mustParse(t, minimal)
	named := mustParse(t, minimal+"approvers:\n  sales: [Anna.Berg@example.com]\n")
	tests := []struct {
		name string
		d    *campaign.Definition
		side string
		ids  []string
		want bool
	}{
		{"nobody named", open, campaign.SideSales, []string{"anyone@example.com"}, true},
		{"named, matching any id", named, campaign.SideSales, []string{"anna", "anna.berg@example.com"}, true},
		{"named, not matching", named, campaign.SideSales, []string{"daniel@example.com"}, false},
		{"named, no id", named, campaign.SideSales, []string{""}, false},
		{"the other side is not narrowed", named, campaign.SideMarketing, []string{"daniel@example.com"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.MayApprove(tt.side, tt.ids...); got != tt.want {
				t.Errorf("MayApprove(%s, %q) = %v, want %v", tt.side, tt.ids, got, tt.want)
			}
		})
	}
}

// TestBothSidesMustBeNamed: under the default policy a definition without
// anyone from sales is refused; a sandbox may opt out.
func TestBothSidesMustBeNamed(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	noSales := "id: sandbox\nname: Sandbox\nchannel: landing-page\nfunnel: top\nowner: ops@example.com\nreviewBy: 2027-03-01\nengagement: {threshold: 30, points: {webinar-attended: 20}}\n"
	tests := []struct {
		name, doc string
		problem   string
	}{
		{"no sales owner", noSales, "salesOwner"},
		{"sales approvers instead", noSales + "approvers: {sales: [anna@example.com]}\n", ""},
		{"single policy", noSales + "approvers: {policy: single}\n", ""},
		{"unknown policy", noSales + "approvers: {policy: anyone}\n", "approvers.policy"},
		{"blank approver", noSales + "approvers: {sales: [\" \"]}\n", "approvers.sales[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.doc)
			_, err := d.Validate(now)
			got := ""
			if ps := leadgate.ErrorProblems(err); len(ps) > 0 {
				got = ps[0].Path
			}
			if got != tt.problem {
				t.Errorf("first problem at %q, want %q (%v)", got, tt.problem, err)
			}
		})
	}
}

// TestValidDraftID: one spelling per draft, so no two ids name one draft.
func TestValidDraftID(t *testing.T) {
	for id, want := range map[string]bool{
		"d1": true, "d27": true, "d999999999": true,
		"d0": false, "d01": false, "d+5": false, "d-5": false, "d": false, "x1": false, "d1234567890": false, "D1": false, "d1 ": false,
	} {
		if got := campaign.ValidDraftID(id); got != want {
			t.Errorf("ValidDraftID(%q) = %v, want %v", id, got, want)
		}
	}
}
