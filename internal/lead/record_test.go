package lead_test

import (
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func submission(id string, at time.Time, fields map[string]string) *lead.Submission {
	return &lead.Submission{Fields: fields, Touch: lead.TouchPoint{ID: id, Type: lead.TouchContentDownload, At: at, Campaign: "c"}}
}

func TestApplyProfilesProgressively(t *testing.T) {
	first, dup := lead.Apply(nil, submission("a", t0, map[string]string{
		"email": "ana@acme.com", "firstName": "Ana", "title": "Engineer", "industry": "Retail",
	}), t0)
	if dup || first.ID != lead.IDFor("ana@acme.com") || first.Title != "Engineer" || len(first.Touches) != 1 || !first.CreatedAt.Equal(t0) {
		t.Fatalf("first = %+v", first)
	}

	// A newer submission wins where it says something, and leaves the rest.
	second, _ := lead.Apply(first, submission("b", t0.Add(time.Hour), map[string]string{
		"email": "ana@acme.com", "title": "Director of Engineering", "industry": "", "employees": "201-1000",
	}), t0.Add(time.Hour))
	if second.Title != "Director of Engineering" || second.Fields["industry"] != "Retail" || second.Fields["employees"] != "201-1000" || second.FirstName != "Ana" {
		t.Errorf("second = %+v", second.Lead)
	}
	if first.Title != "Engineer" || first.Fields["employees"] != "" {
		t.Errorf("Apply changed its input: %+v", first.Lead)
	}

	// An older scan arriving late fills gaps but overwrites nothing newer.
	late, _ := lead.Apply(second, submission("c", t0.Add(-24*time.Hour), map[string]string{
		"email": "ana@acme.com", "title": "Intern", "lastName": "Silva",
	}), t0.Add(2*time.Hour))
	if late.Title != "Director of Engineering" || late.LastName != "Silva" {
		t.Errorf("late = %+v", late.Lead)
	}
	if late.Touches[0].ID != "c" || len(late.Touches) != 3 {
		t.Errorf("touches not in time order: %+v", late.Touches)
	}

	if next, dup := lead.Apply(late, submission("b", t0, map[string]string{"email": "ana@acme.com"}), t0); !dup || next != nil {
		t.Errorf("a recorded touch point was applied again")
	}
}

func TestApplyKeepsTheNewestTouches(t *testing.T) {
	var r *lead.Record
	for i := range lead.MaxTouches + 5 {
		r, _ = lead.Apply(r, submission(string(rune('A'+i%26))+time.Duration(i).String(), t0.Add(time.Duration(i)*time.Minute), map[string]string{"email": "a@b.co"}), t0)
	}
	if len(r.Touches) != lead.MaxTouches || !r.Touches[0].At.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("kept %d touches from %v", len(r.Touches), r.Touches[0].At)
	}
}

func TestJudgeNeverMovesSalesLeadsBack(t *testing.T) {
	tests := []struct {
		current, judged, want lead.Stage
	}{
		{"", lead.StageSuspect, lead.StageSuspect},
		{lead.StageSuspect, lead.StageNurture, lead.StageNurture},
		{lead.StageNurture, lead.StageMQL, lead.StageMQL},
		{lead.StageNurture, lead.StageDisqualified, lead.StageDisqualified},
		{lead.StageDisqualified, lead.StageNurture, lead.StageNurture},
		{lead.StageMQL, lead.StageNurture, lead.StageMQL},
		{lead.StageMQL, lead.StageDisqualified, lead.StageMQL},
		{lead.StageSAL, lead.StageNurture, lead.StageSAL},
		{lead.StageCustomer, lead.StageMQL, lead.StageCustomer},
	}
	for _, tt := range tests {
		t.Run(string(tt.current)+"->"+string(tt.judged), func(t *testing.T) {
			r := &lead.Record{Stage: tt.current}
			r.Judge(lead.Verdict{Stage: tt.judged})
			if r.Stage != tt.want || r.Verdict.Stage != tt.judged {
				t.Errorf("stage %s (verdict %s), want %s", r.Stage, r.Verdict.Stage, tt.want)
			}
		})
	}
}

func TestJudgeKeepsHistory(t *testing.T) {
	r := &lead.Record{}
	r.Judge(lead.Verdict{Stage: lead.StageSuspect, At: t0, Campaign: "c", Version: 2})
	r.Judge(lead.Verdict{Stage: lead.StageSuspect, At: t0.Add(time.Hour)}) // no change, no entry
	r.Judge(lead.Verdict{Stage: lead.StageMQL, At: t0.Add(2 * time.Hour), Campaign: "c", Version: 3})
	if len(r.History) != 2 || r.History[1].From != lead.StageSuspect || r.History[1].To != lead.StageMQL ||
		r.History[1].By != lead.ByEngine || r.History[1].Version != 3 || r.History[1].Reason != "meets the definition" {
		t.Errorf("history = %+v", r.History)
	}

	// Sales' disqualification stands; the engine's does not.
	r = &lead.Record{}
	r.Move(lead.Transition{To: lead.StageDisqualified, By: "rep-7", Reason: "competitor"})
	r.Judge(lead.Verdict{Stage: lead.StageNurture})
	if r.Stage != lead.StageDisqualified {
		t.Errorf("a form overruled sales: %s", r.Stage)
	}
	r = &lead.Record{}
	r.Judge(lead.Verdict{Stage: lead.StageDisqualified})
	r.Judge(lead.Verdict{Stage: lead.StageNurture})
	if r.Stage != lead.StageNurture {
		t.Errorf("the engine's own disqualification stuck: %s", r.Stage)
	}
}
