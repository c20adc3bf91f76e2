package lead

import (
	"encoding/json"
	"testing"
)

// TestCriterionJSONIsThePlainEncoding holds MarshalJSON's hand-written fast
// path to what json.Marshal writes for the plain struct, for the values the
// fast path takes and those it hands back to json.Marshal.
func TestCriterionJSONIsThePlainEncoding(t *testing.T) {
	texts := []string{"", "fit.employees", `say "yes"`, `back\slash`, "München", "emoji 🚀", "<b>&</b>", "tab\there", "nl\n", "\x01",
		"bad \xff utf8", "line\u2028sep", "para\u2029sep", "replacement \ufffd", "1001-5000"}
	measures := []float64{0, 1, 12.5, -3.25, 1e-7, 1e21, 123456789.125, 0.1}
	for _, text := range texts {
		for _, m := range measures {
			for _, g := range []Group{GroupFit, GroupEngagement} {
				c := Criterion{Rule: text, Group: g, Outcome: Pass, Saw: text, Measure: m, Want: text}
				if g == GroupEngagement {
					c.Saw = ""
				}
				type plain Criterion
				p := plain(c)
				if p.Saw == "" && c.Group == GroupEngagement {
					p.Saw = c.Seen()
				}
				want, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				got, err := json.Marshal(c)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("criterion %q measure %v:\n got %s\nwant %s", text, m, got, want)
				}
			}
		}
	}
}

// BenchmarkRecordJSON encodes a lead record as every write does: a
// badge-scan row's verdict of 20 criteria, one touch point.
//
//	go test -run '^$' -bench RecordJSON -benchmem ./internal/lead/
func BenchmarkRecordJSON(b *testing.B) {
	r := &Record{Lead: Lead{ID: "ld_b3n6b3ne6vpuvjcvs4he2wr2", Email: "visitor1@company1.example"},
		Touches: []TouchPoint{{ID: "tp_0123456789abcdef01234567", Type: "booth-visit", Campaign: "devops-summit-2026-booth", Version: 1, Rating: 4}},
		Verdict: Verdict{Stage: "nurture", Grade: 'B', Score: 12.5, Campaign: "devops-summit-2026-booth", Version: 1}}
	for i := range 20 {
		g := []Group{GroupRequired, GroupFit, GroupRole, GroupEngagement}[i%4]
		r.Verdict.Criteria = append(r.Verdict.Criteria, Criterion{Rule: string(g) + ".employees", Group: g, Outcome: Pass,
			Saw: map[bool]string{true: "", false: "1001-5000"}[g == GroupEngagement], Measure: 12.5, Want: "one of 201-1000, 1001-5000, 5000+"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(r); err != nil {
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
