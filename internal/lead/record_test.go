package lead_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
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
			r := &lead.Record{Stage: tt.current, Verdict: lead.Verdict{Stage: "handed over"}}
			r.Judge(lead.Verdict{Stage: tt.judged})
			// The verdict that handed a lead to sales stands while sales
			// owns it.
			wantVerdict := tt.judged
			if tt.current.SetBySales() {
				wantVerdict = "handed over"
			}
			if r.Stage != tt.want || r.Verdict.Stage != wantVerdict {
				t.Errorf("stage %s (verdict %s), want %s (verdict %s)", r.Stage, r.Verdict.Stage, tt.want, wantVerdict)
			}
		})
	}
}

// TestHistoryIsBounded: a lead flipped back and forth keeps its newest
// entries, and each keeps its place in the whole history.
func TestHistoryIsBounded(t *testing.T) {
	r := &lead.Record{}
	long := strings.Repeat("Intern ", 500)
	for i := range 3 * lead.MaxHistory {
		v := lead.Verdict{Stage: lead.StageNurture, At: t0.Add(time.Duration(i) * time.Minute)}
		if i%2 == 1 {
			v.Stage = lead.StageDisqualified
			v.Criteria = []lead.Criterion{{Rule: "exclude.title", Group: lead.GroupExclusion, Outcome: lead.Fail, Saw: long, Want: "not " + long}}
		}
		r.Judge(v)
	}
	if len(r.History) != lead.MaxHistory || r.HistoryDropped != 2*lead.MaxHistory || !r.History[len(r.History)-1].At.Equal(t0.Add(time.Duration(3*lead.MaxHistory-1)*time.Minute)) {
		t.Fatalf("%d entries, %d dropped", len(r.History), r.HistoryDropped)
	}
	for _, h := range r.History {
		if len(h.Reason) > 210 {
			t.Fatalf("a reason of %d bytes", len(h.Reason))
		}
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

func post(id string, src lead.Source, visitor string, at time.Time, fields map[string]string) *lead.Submission {
	s := submission(id, at, fields)
	s.Touch.Source, s.Touch.ReceivedAt, s.Visitor = src, at, visitor
	return s
}

// TestApplyByTrust walks one person through every source: a form posted in
// their name by someone else proposes, never overwrites; their own browser
// and an authenticated upload do.
func TestApplyByTrust(t *testing.T) {
	email := "ana@acme.com"
	mine, theirs := lead.VisitorKey("token-of-anas-browser"), lead.VisitorKey("token-of-a-stranger")
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

	r, _ := lead.Apply(nil, post("1", lead.SourceForm, mine, at(0), map[string]string{"email": email, "title": "CTO", "company": "Acme"}), at(0))
	if r.Touches[0].Source != lead.SourceVisitor || r.Provenance["title"].Source != lead.SourceVisitor || len(r.Visitors) != 1 {
		t.Fatalf("the introducing post is the visitor's own: %+v, visitors %v", r.Provenance, r.Visitors)
	}

	steps := []struct {
		name    string
		sub     *lead.Submission
		stage   lead.Stage // set before the step, "" to leave
		title   string     // after the step
		phone   string
		source  lead.Source // provenance of title after the step
		propose string      // the proposed title after the step, "" for none
	}{
		{name: "a stranger's post proposes", sub: post("2", lead.SourceForm, theirs, at(1), map[string]string{"email": email, "title": "Student", "phone": "+1 555"}),
			title: "CTO", phone: "+1 555", source: lead.SourceVisitor, propose: "Student"},
		{name: "no token is a stranger too", sub: post("3", lead.SourceForm, "", at(2), map[string]string{"email": email, "title": "Intern"}),
			title: "CTO", phone: "+1 555", source: lead.SourceVisitor, propose: "Intern"},
		{name: "a stranger may replace what a stranger filled in", sub: post("4", lead.SourceForm, theirs, at(3), map[string]string{"email": email, "phone": "+1 666"}),
			title: "CTO", phone: "+1 666", source: lead.SourceVisitor, propose: "Intern"},
		{name: "the person's own browser replaces", sub: post("5", lead.SourceForm, mine, at(4), map[string]string{"email": email, "title": "CEO"}),
			title: "CEO", phone: "+1 666", source: lead.SourceVisitor, propose: "Intern"},
		{name: "an upload replaces", sub: post("6", lead.SourceBadgeScan, "", at(5), map[string]string{"email": email, "title": "Chief Executive"}),
			title: "Chief Executive", phone: "+1 666", source: lead.SourceBadgeScan, propose: "Intern"},
		{name: "the person's browser proposes over an upload", sub: post("7", lead.SourceForm, mine, at(6), map[string]string{"email": email, "title": "CEO"}),
			title: "Chief Executive", phone: "+1 666", source: lead.SourceBadgeScan, propose: "CEO"},
		{name: "an older upload changes nothing", sub: post("8", lead.SourceBadgeScan, "", at(-1), map[string]string{"email": email, "title": "Engineer"}),
			title: "Chief Executive", phone: "+1 666", source: lead.SourceBadgeScan, propose: "CEO"},
		{name: "sales owns it: even a blank is only proposed", stage: lead.StageSAL, sub: post("9", lead.SourceForm, mine, at(7), map[string]string{"email": email, "lastName": "Silva"}),
			title: "Chief Executive", phone: "+1 666", source: lead.SourceBadgeScan, propose: "CEO"},
		{name: "sales owns it: an upload still applies", sub: post("10", lead.SourceBadgeScan, "", at(8), map[string]string{"email": email, "title": "CEO & Founder"}),
			title: "CEO & Founder", phone: "+1 666", source: lead.SourceBadgeScan, propose: "CEO"},
	}
	for _, st := range steps {
		if st.stage != "" {
			r.Stage = st.stage
		}
		next, dup := lead.Apply(r, st.sub, st.sub.Touch.At)
		if dup {
			t.Fatalf("%s: duplicate", st.name)
		}
		var proposed string
		for _, p := range next.Proposed {
			if p.Field == "title" {
				proposed = p.Value
			}
		}
		if next.Title != st.title || next.Phone != st.phone || next.Provenance["title"].Source != st.source || proposed != st.propose {
			t.Errorf("%s: title %q (%s), phone %q, proposed %q; want %q (%s), %q, %q", st.name,
				next.Title, next.Provenance["title"].Source, next.Phone, proposed, st.title, st.source, st.phone, st.propose)
		}
		if !next.HasTouch(st.sub.Touch.ID) {
			t.Errorf("%s: the touch point was not added", st.name)
		}
		r = next
	}
	if r.LastName != "" || len(r.Visitors) != 1 {
		t.Errorf("a sales-owned lead changed: last name %q, visitors %v", r.LastName, r.Visitors)
	}
	if p := r.Provenance["title"]; p.Touch != "10" || !p.At.Equal(at(8)) {
		t.Errorf("provenance of title = %+v", p)
	}
}

func TestProposalsAreBounded(t *testing.T) {
	r, _ := lead.Apply(nil, post("0", lead.SourceBadgeScan, "", t0, map[string]string{"email": "a@b.co"}), t0)
	r.Stage = lead.StageSQL
	for i := range 3 * lead.MaxProposals {
		r, _ = lead.Apply(r, post(fmt.Sprint("p", i), lead.SourceForm, "", t0.Add(time.Duration(i)*time.Minute),
			map[string]string{"email": "a@b.co", fmt.Sprint("q", i%(2*lead.MaxProposals)): fmt.Sprint("answer ", i)}), t0)
	}
	if len(r.Proposed) != lead.MaxProposals || r.Proposed[len(r.Proposed)-1].Value != fmt.Sprint("answer ", 3*lead.MaxProposals-1) {
		t.Errorf("%d proposals, newest %+v", len(r.Proposed), r.Proposed[len(r.Proposed)-1])
	}
	if len(r.Fields) != 0 {
		t.Errorf("a sales-owned lead took form fields: %v", r.Fields)
	}
}

// TestDoubtfulTimes: a scan dated in the future neither undoes an erasure
// nor makes what it says newer than it is.
func TestDoubtfulTimes(t *testing.T) {
	erased := t0
	tomb := &lead.Record{Lead: lead.Lead{ID: "x"}, ErasedAt: &erased}
	future := lead.TouchPoint{ID: "f", At: t0.AddDate(1, 0, 0), ReceivedAt: t0.Add(time.Hour), DoubtfulTime: true}
	if !tomb.Erased(future) {
		t.Error("a scan dated a year ahead brought an erased person back")
	}
	later := lead.TouchPoint{ID: "l", At: t0.Add(2 * time.Hour), ReceivedAt: t0.Add(2 * time.Hour)}
	if tomb.Erased(later) {
		t.Error("a real visit after the erasure was refused")
	}

	r, _ := lead.Apply(nil, post("1", lead.SourceBadgeScan, "", t0, map[string]string{"email": "a@b.co", "title": "CTO"}), t0)
	s := post("2", lead.SourceBadgeScan, "", t0.AddDate(5, 0, 0), map[string]string{"email": "a@b.co", "title": "Intern"})
	s.Touch.ReceivedAt, s.Touch.DoubtfulTime = t0.Add(time.Hour), true
	r, _ = lead.Apply(r, s, t0.Add(time.Hour))
	if r.Title != "Intern" || !r.Provenance["title"].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("title %q from %v", r.Title, r.Provenance["title"].At)
	}
	r, _ = lead.Apply(r, post("3", lead.SourceBadgeScan, "", t0.Add(2*time.Hour), map[string]string{"email": "a@b.co", "title": "CFO"}), t0.Add(2*time.Hour))
	if r.Title != "CFO" {
		t.Errorf("a doubtful date locked the title: %q", r.Title)
	}
}

// TestFitFoldsOldestTouches: a lead grown by large posts stays within its
// byte budget as it is encoded for the write; the oldest touch points keep
// their type, time and rating.
func TestFitFoldsOldestTouches(t *testing.T) {
	var r *lead.Record
	long := strings.Repeat("x", 1900)
	for i := range lead.MaxTouches {
		s := post(fmt.Sprint("t", i), lead.SourceForm, "", t0.Add(time.Duration(i)*time.Minute), map[string]string{"email": "a@b.co"})
		s.Touch.PageURL, s.Touch.Referrer, s.Touch.Notes, s.Touch.Rating = "https://e.x/"+long, "https://r.x/"+long, long, 3
		r, _ = lead.Apply(r, s, t0)
		doc, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := json.Marshal(r); len(doc) > lead.MaxRecordBytes || string(doc) != string(want) {
			t.Fatalf("touch %d: encoded %d bytes, not the fitted record's JSON", i, len(doc))
		}
	}
	b, _ := json.Marshal(r)
	if len(b) > lead.MaxRecordBytes {
		t.Fatalf("record is %d bytes", len(b))
	}
	first, last := r.Touches[0], r.Touches[len(r.Touches)-1]
	if !first.Folded || first.PageURL != "" || first.Rating != 3 || first.Type != lead.TouchContentDownload || !first.At.Equal(t0) || first.ID != "t0" {
		t.Errorf("oldest = %+v", first)
	}
	if last.Folded || last.PageURL == "" {
		t.Errorf("newest was folded: %+v", last)
	}
	if next, dup := lead.Apply(r, post("t0", lead.SourceForm, "", t0, map[string]string{"email": "a@b.co"}), t0); !dup || next != nil {
		t.Error("a folded touch point's retry was recorded again")
	}

	big := &lead.Record{Lead: lead.Lead{ID: "big", Fields: map[string]string{}}}
	for i := range 200 {
		big.Fields[fmt.Sprint("f", i)] = long
	}
	if _, err := big.Encode(); leadgate.ErrorCode(err) != leadgate.ECONFLICT {
		t.Errorf("an unfittable lead: %v", err)
	}
}

// TestPublicPostsGiveWayFirst: past MaxTouches, and when folding to the
// byte budget, the touch points of anonymous posts go before the person's
// own and an upload's, which keep their consent.
func TestPublicPostsGiveWayFirst(t *testing.T) {
	mine := lead.VisitorKey("mine")
	scan := post("scan", lead.SourceBadgeScan, "", t0, map[string]string{"email": "a@b.co"})
	scan.Touch.Rating, scan.Touch.Consents = 5, []lead.Consent{{Field: "consent", Given: true, Text: "May we follow up?"}}
	r, _ := lead.Apply(nil, scan, t0)
	r, _ = lead.Apply(r, post("mine", lead.SourceForm, mine, t0.Add(time.Minute), map[string]string{"email": "a@b.co"}), t0)
	r.Visitors = []string{mine} // as if the browser had introduced the person
	r, _ = lead.Apply(r, post("own", lead.SourceForm, mine, t0.Add(2*time.Minute), map[string]string{"email": "a@b.co"}), t0)
	long := strings.Repeat("x", 1900)
	for i := range lead.MaxTouches + 50 {
		s := post(fmt.Sprint("anon", i), lead.SourceForm, "", t0.Add(time.Hour+time.Duration(i)*time.Minute), map[string]string{"email": "a@b.co"})
		s.Touch.PageURL, s.Touch.Notes = "https://e.x/"+long, long
		r, _ = lead.Apply(r, s, t0)
		if err := r.Fit(); err != nil {
			t.Fatal(err)
		}
	}
	if len(r.Touches) != lead.MaxTouches {
		t.Fatalf("%d touches", len(r.Touches))
	}
	byID := map[string]lead.TouchPoint{}
	for _, tp := range r.Touches {
		byID[tp.ID] = tp
	}
	if s, ok := byID["scan"]; !ok || s.Folded || s.Rating != 5 || len(s.Consents) != 1 || s.Consents[0].Text == "" {
		t.Errorf("the upload's touch point gave way: %+v (present %v)", s, ok)
	}
	if o, ok := byID["own"]; !ok || o.Folded || o.Source != lead.SourceVisitor {
		t.Errorf("the person's own touch point gave way: %+v (present %v)", o, ok)
	}
	if _, ok := byID["anon0"]; ok {
		t.Error("the oldest anonymous touch point outlived the person's own")
	}
}

// TestAGivenWayTouchIsRecognised: past MaxTouches a touch point sent again
// after it gave way is not recorded a second time.
func TestAGivenWayTouchIsRecognised(t *testing.T) {
	var r *lead.Record
	for i := range lead.MaxTouches + 50 {
		r, _ = lead.Apply(r, post(fmt.Sprint("e", i), lead.SourceAPI, "", t0.Add(time.Duration(i)*time.Minute), map[string]string{"email": "a@b.co"}), t0)
	}
	if r.HasTouch("e0") || len(r.Touches) != lead.MaxTouches {
		t.Fatalf("e0 kept, %d touches", len(r.Touches))
	}
	if next, dup := lead.Apply(r, post("e0", lead.SourceAPI, "", t0, map[string]string{"email": "a@b.co"}), t0); !dup || next != nil {
		t.Error("a touch point that gave way was recorded again")
	}
	if next, dup := lead.Apply(r, post("new", lead.SourceAPI, "", t0.Add(time.Hour*24), map[string]string{"email": "a@b.co"}), t0); dup || !next.HasTouch("new") {
		t.Error("a new touch point was refused")
	}
}

// TestAFutureTimeCannotUndoAnErasure: a touch point stated to happen after
// it arrived is covered by an erasure made before it arrived.
func TestAFutureTimeCannotUndoAnErasure(t *testing.T) {
	erased := t0
	tomb := &lead.Record{Lead: lead.Lead{ID: "x"}, ErasedAt: &erased}
	soon := lead.TouchPoint{ID: "s", At: t0.Add(2 * time.Hour), ReceivedAt: t0.Add(time.Second)}
	if !tomb.Erased(soon) {
		t.Error("an event stated an hour ahead of its arrival undid an erasure")
	}
	later := lead.TouchPoint{ID: "l", At: t0.Add(time.Hour), ReceivedAt: t0.Add(time.Hour)}
	if tomb.Erased(later) {
		t.Error("a real later event was refused")
	}
}
