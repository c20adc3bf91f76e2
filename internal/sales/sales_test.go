package sales_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func TestCandidatesAreRoundRobinWithinTerritoryAndCapacity(t *testing.T) {
	reps := []sales.Rep{
		{ID: "b", Territories: []string{"EMEA"}, Active: true, Capacity: 5, LastAssignedAt: t0.Add(time.Hour)},
		{ID: "a", Territories: []string{"DE"}, Active: true, Capacity: 5, LastAssignedAt: t0},
		{ID: "c", Territories: []string{"EMEA"}, Active: true, Capacity: 2, OpenLeads: 2},
		{ID: "d", Territories: []string{"EMEA"}, Active: false, Capacity: 5},
		{ID: "e", Territories: []string{"NA"}, Active: true, Capacity: 5},
		{ID: "f", Territories: []string{"EMEA"}, Active: true, Capacity: 5},
	}
	var ids []string
	for _, r := range sales.Candidates(reps, "DE", time.Now()) {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "f,a,b" {
		t.Errorf("candidates for DE = %v, want never-assigned f, then a, then b", ids)
	}
	if got := sales.Candidates(reps, "", time.Now()); len(got) != 0 {
		t.Errorf("a lead without a country matched %v", got)
	}
}

func TestRepValidation(t *testing.T) {
	r := sales.Rep{ID: "emea-1", Name: "Anna", Territories: []string{"emea", "Germany", "FR"}, Capacity: 10, Active: true}
	if err := r.Validate(); err != nil || strings.Join(r.Territories, ",") != "EMEA,DE,FR" {
		t.Errorf("valid rep: %v %v", err, r.Territories)
	}
	bad := sales.Rep{ID: "Bad Id", Email: "nope", Territories: []string{"Atlantis"}, Capacity: -1}
	var paths []string
	for _, p := range leadgate.ErrorProblems(bad.Validate()) {
		paths = append(paths, p.Path)
	}
	if strings.Join(paths, " ") != "id name email territories[0] capacity" {
		t.Errorf("problems at %v", paths)
	}
}

func TestFeedbackTransitions(t *testing.T) {
	tests := []struct {
		from     lead.Stage
		f        sales.Feedback
		to       lead.Stage
		code     string
		released bool
	}{
		{lead.StageMQL, sales.Feedback{Action: sales.Accept}, lead.StageSAL, "", false},
		{lead.StageSAL, sales.Feedback{Action: sales.Qualify, BANT: map[string]string{"budget": "yes", "authority": "CTO", "need": "costs", "timeframe": "Q1"}}, lead.StageSQL, "", false},
		{lead.StageSQL, sales.Feedback{Action: sales.Opportunity}, lead.StageOpportunity, "", false},
		{lead.StageOpportunity, sales.Feedback{Action: sales.Won}, lead.StageCustomer, "", true},
		{lead.StageOpportunity, sales.Feedback{Action: sales.Lost, Reason: "price"}, lead.StageNurture, "", true},
		{lead.StageSAL, sales.Feedback{Action: sales.Reject, Reason: "competitor"}, lead.StageDisqualified, "", true},
		{lead.StageSQL, sales.Feedback{Action: sales.Recycle, Reason: "no-response"}, lead.StageNurture, "", true},
		{lead.StageSuspect, sales.Feedback{Action: sales.Won}, lead.StageSuspect, leadgate.ECONFLICT, false},
		{lead.StageCustomer, sales.Feedback{Action: sales.Accept}, lead.StageCustomer, leadgate.ECONFLICT, false},
		{lead.StageMQL, sales.Feedback{Action: sales.Reject}, lead.StageMQL, leadgate.EINVALID, false},
		{lead.StageMQL, sales.Feedback{Action: "promote"}, lead.StageMQL, leadgate.EINVALID, false},
		{lead.StageSAL, sales.Feedback{Action: sales.Qualify, BANT: map[string]string{"budget": "yes"}}, lead.StageSAL, leadgate.EINVALID, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+" "+string(tt.f.Action), func(t *testing.T) {
			r := &lead.Record{Lead: lead.Lead{ID: "ld_x"}, Stage: tt.from, Owner: "rep-1", Verdict: lead.Verdict{Campaign: "c", Version: 4}}
			released, err := sales.Apply(r, tt.f, "rep-1", t0)
			if leadgate.ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if r.Stage != tt.to || (released != "") != tt.released || (tt.released && r.Owner != "") {
				t.Errorf("stage %s released %q owner %q", r.Stage, released, r.Owner)
			}
			if err == nil {
				h := r.History[len(r.History)-1]
				if h.From != tt.from || h.To != tt.to || h.By != "rep-1" || h.Version != 4 || !h.At.Equal(t0) {
					t.Errorf("history entry = %+v", h)
				}
			}
		})
	}
}

func TestAllowedNamesWhatIsPossible(t *testing.T) {
	got := sales.Allowed(lead.StageSAL)
	var names []string
	for _, a := range got {
		names = append(names, string(a))
	}
	if strings.Join(names, ",") != "qualify,reject,recycle" {
		t.Errorf("allowed from sal = %v", names)
	}
}
