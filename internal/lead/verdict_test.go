package lead

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJudgeSpellsTheScore: the engine keeps the engagement score as a
// number; a kept verdict carries it as text too, in the record and in its
// JSON ("saw":"12.5", as every stored verdict has), while what a criterion
// saw stays as the engine wrote it, and a criterion with nothing seen and no
// score stays empty.
func TestJudgeSpellsTheScore(t *testing.T) {
	tests := []struct {
		name string
		c    Criterion
		saw  string
	}{
		{"engagement score", Criterion{Rule: "engagement.score", Group: GroupEngagement, Outcome: Pass, Measure: 12.5, Want: "at least 10"}, "12.5"},
		{"engagement score of zero", Criterion{Rule: "engagement.score", Group: GroupEngagement, Outcome: Fail, Want: "at least 10"}, "0.0"},
		{"what the engine saw", Criterion{Rule: "engagement.recent", Group: GroupEngagement, Outcome: Pass, Saw: "3 touch points", Want: "1"}, "3 touch points"},
		{"fit, nothing seen", Criterion{Rule: "fit.industry", Group: GroupFit, Outcome: Unknown, Want: "one of Software"}, ""},
		{"fit value with a quote", Criterion{Rule: "fit.industry", Group: GroupFit, Outcome: Fail, Saw: `say "yes" <b>`, Want: "one of Software"}, `say "yes" <b>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			r.Judge(Verdict{Stage: StageNurture, Criteria: []Criterion{tt.c}})
			if got := r.Verdict.Criteria[0].Saw; got != tt.saw {
				t.Errorf("kept criterion saw %q, want %q", got, tt.saw)
			}
			doc, err := r.Encode()
			if err != nil {
				t.Fatal(err)
			}
			var back Record
			if err := json.Unmarshal(doc, &back); err != nil {
				t.Fatal(err)
			}
			if got := back.Verdict.Criteria[0]; got != r.Verdict.Criteria[0] {
				t.Errorf("read back %+v, wrote %+v", got, r.Verdict.Criteria[0])
			}
			want, err := json.Marshal(tt.saw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(doc), `"saw":`+string(want)) {
				t.Errorf("record JSON lacks \"saw\":%s: %s", want, doc)
			}
		})
	}
}

// TestDecodeSpellsAStoredScore: a lead stored before its engagement score
// was spelled ("saw":"" beside the measure) reads with the text, so a
// sales-owned lead, which Judge leaves alone, is answered and written back
// with it, as the encoder of that time gave it; what a criterion saw is
// kept as stored.
func TestDecodeSpellsAStoredScore(t *testing.T) {
	stored := `{"id":"ld_x","email":"a@b.example","touches":null,"stage":"sql","verdict":{"stage":"mql","grade":"A","score":42,"campaign":"c","version":1,"at":"2026-01-01T00:00:00Z",` +
		`"criteria":[{"rule":"engagement.score","group":"engagement","outcome":"pass","saw":"","measure":42,"want":"at least 40"},` +
		`{"rule":"fit.industry","group":"fit","outcome":"unknown","saw":"","want":"one of Software"}]},"rev":3,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`
	r, err := Decode([]byte(stored))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{r.Verdict.Criteria[0].Saw, r.Verdict.Criteria[1].Saw}; got[0] != "42.0" || got[1] != "" {
		t.Errorf("read saw %q, want [42.0 \"\"]", got)
	}
	r.Judge(Verdict{Stage: StageNurture}) // sales owns it: Judge keeps the stored verdict
	doc, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(stored, `"saw":""`, `"saw":"42.0"`, 1); string(doc) != want {
		t.Errorf("written back\n%s\nwant\n%s", doc, want)
	}
}

// BenchmarkRecordJSON encodes a lead record as every write does: a
// badge-scan row's verdict of 20 criteria, one touch point.
//
//	go test -run '^$' -bench RecordJSON -benchmem ./internal/lead/
func BenchmarkRecordJSON(b *testing.B) {
	r := &Record{Lead: Lead{ID: "ld_b3n6b3ne6vpuvjcvs4he2wr2", Email: "visitor1@company1.example"},
		Touches: []TouchPoint{{ID: "tp_0123456789abcdef01234567", Type: "booth-visit", Campaign: "devops-summit-2026-booth", Version: 1, Rating: 4}}}
	v := Verdict{Stage: "nurture", Grade: 'B', Score: 12.5, Campaign: "devops-summit-2026-booth", Version: 1}
	for i := range 20 {
		g := []Group{GroupRequired, GroupFit, GroupRole, GroupEngagement}[i%4]
		v.Criteria = append(v.Criteria, Criterion{Rule: string(g) + ".employees", Group: g, Outcome: Pass,
			Saw: map[bool]string{true: "", false: "1001-5000"}[g == GroupEngagement], Measure: 12.5, Want: "one of 201-1000, 1001-5000, 5000+"})
	}
	r.Judge(v) // as the write path keeps it: the scores spelled
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGradeText: a grade reads and writes as its letter; a lead never
// judged has none, shown as "none" and written as "" (it printed a NUL
// byte, which a page showed as "grade �"); a letter that is not a grade
// reads as the lowest.
func TestGradeText(t *testing.T) {
	tests := []struct {
		grade Grade
		json  string
		shown string
	}{
		{GradeA, `"A"`, "A"},
		{GradeD, `"D"`, "D"},
		{0, `""`, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.shown, func(t *testing.T) {
			b, err := json.Marshal(tt.grade)
			if err != nil || string(b) != tt.json {
				t.Fatalf("marshal = %s, %v; want %s", b, err, tt.json)
			}
			var back Grade
			if err := json.Unmarshal(b, &back); err != nil || back != tt.grade {
				t.Errorf("read back %q, %v", back, err)
			}
			if tt.grade.String() != tt.shown {
				t.Errorf("shown as %q, want %q", tt.grade.String(), tt.shown)
			}
		})
	}
	var g Grade
	if err := json.Unmarshal([]byte(`"Z"`), &g); err != nil || g != GradeD {
		t.Errorf(`"Z" read as %q, %v; want D`, g, err)
	}
}
