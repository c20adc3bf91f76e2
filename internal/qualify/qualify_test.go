package qualify_test

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/qualify"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }

// published loads a definition file, validates it and wraps it as version 3,
// as the store would hand it to intake.
func published(t testing.TB, path string) *campaign.Published {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := authored.Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if _, err := d.Validate(now); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &campaign.Published{Version: 3, Definition: d}
}

func example(t testing.TB, name string) *campaign.Published {
	return published(t, filepath.Join("..", "..", "campaigns", name+".yaml"))
}

// vp is a lead that fits the whitepaper campaign's base rules on every count.
func vp() lead.Lead {
	return lead.Lead{
		Email: "ana.silva@acme-health.com", FirstName: "Ana", LastName: "Silva", Company: "Acme Health",
		Title: "VP Engineering", Country: "US",
		Fields: map[string]string{
			"industry": "Healthcare", "employees": "1001-5000",
			"cloudSpend": "Unexpected overruns", "consent": "yes",
		},
	}
}

func with(l lead.Lead, change func(*lead.Lead)) lead.Lead {
	l.Fields = maps.Clone(l.Fields)
	change(&l)
	return l
}

func touch(typ string, at time.Time) lead.TouchPoint { return lead.TouchPoint{Type: typ, At: at} }

type criterion struct {
	rule    string
	outcome lead.Outcome
	saw     string
	want    string
}

func TestEvaluateExamples(t *testing.T) {
	engaged := []lead.TouchPoint{
		touch(lead.TouchContentDownload, now),
		touch(lead.TouchPricingVisit, now),
		touch(lead.TouchWebinarAttended, now),
	}
	german := with(vp(), func(l *lead.Lead) {
		l.Email, l.Country, l.Title = "jonas@maschinenbau-koch.de", "DE", "Head of Platform"
		l.Fields["industry"], l.Fields["employees"] = "Manufacturing", "51-200"
	})
	scanned := lead.Lead{
		Email: "lena.fischer@kontor.io", FirstName: "Lena", LastName: "Fischer", Company: "Kontor",
		Title: "Platform Lead", Country: "DE",
		Fields: map[string]string{"employees": "500"},
	}
	demo := lead.Lead{
		Email: "raj@fleetworks.co", FirstName: "Raj", LastName: "Patel", Company: "Fleetworks",
		Title: "CTO", Country: "GB", Fields: map[string]string{"employees": "201-1000", "timeframe": "This quarter"},
	}

	tests := []struct {
		name      string
		campaign  string
		lead      lead.Lead
		touches   []lead.TouchPoint
		stage     lead.Stage
		grade     lead.Grade
		score     float64
		geography string
		criteria  []criterion // a selection, checked exactly
	}{
		{
			name: "fitting VP who engaged is an MQL", campaign: "cloud-cost-whitepaper",
			lead: vp(), touches: engaged, stage: lead.StageMQL, grade: lead.GradeA, score: 50,
			criteria: []criterion{
				{"fit.employees", lead.Pass, "1001-5000", "at least 201 employees"},
				{"role.title", lead.Pass, "VP Engineering", "a title with CTO, CFO, CIO, VP, Vice President, Director, Head of, FinOps or Platform Lead"},
				{"need.cloudSpend", lead.Pass, "Unexpected overruns", "an answer of Unexpected overruns, No visibility by team or Idle resources"},
				{"willingness", lead.Pass, "yes", "consent = yes, or a contact-request or demo-request"},
			},
		},
		{
			name: "one download is not enough: nurture", campaign: "cloud-cost-whitepaper",
			lead: vp(), touches: engaged[:1], stage: lead.StageNurture, grade: lead.GradeA, score: 15,
			criteria: []criterion{{"engagement.score", lead.Fail, "15.0", "a score of at least 40 (points halve every 30 days)"}},
		},
		{
			name: "points decay with age", campaign: "cloud-cost-whitepaper", lead: vp(),
			touches: []lead.TouchPoint{
				touch(lead.TouchContentDownload, daysAgo(60)), // 15 → 3.75
				touch(lead.TouchWebinarAttended, daysAgo(30)), // 20 → 10
				touch(lead.TouchPricingVisit, now),            // 15
			},
			stage: lead.StageNurture, grade: lead.GradeA, score: 28.8,
		},
		{
			name: "a student is disqualified", campaign: "cloud-cost-whitepaper",
			lead:    with(vp(), func(l *lead.Lead) { l.Title = "PhD Student" }),
			touches: engaged, stage: lead.StageDisqualified, grade: lead.GradeD, score: 50,
			criteria: []criterion{{"exclude.title", lead.Fail, "PhD Student", "a title without student, intern or professor"}},
		},
		{
			name: "an intern-al auditor is not an intern", campaign: "cloud-cost-whitepaper",
			lead:    with(vp(), func(l *lead.Lead) { l.Title = "Director, Internal Audit" }),
			touches: engaged, stage: lead.StageMQL, grade: lead.GradeA, score: 50,
		},
		{
			name: "a competitor's subdomain is disqualified", campaign: "cloud-cost-whitepaper",
			lead:    with(vp(), func(l *lead.Lead) { l.Email = "spy@eu.spendwatch.example" }),
			touches: engaged, stage: lead.StageDisqualified, grade: lead.GradeD, score: 50,
			criteria: []criterion{{"exclude.domain", lead.Fail, "eu.spendwatch.example", "an email domain other than cloudzero-rival.example or spendwatch.example"}},
		},
		{
			name: "missing last name leaves a suspect", campaign: "cloud-cost-whitepaper",
			lead:    with(vp(), func(l *lead.Lead) { l.LastName = " " }),
			touches: engaged, stage: lead.StageSuspect, grade: lead.GradeA, score: 50,
			criteria: []criterion{{"required.lastName", lead.Fail, " ", "a value"}},
		},
		{
			name: "a fitting hand-raiser skips the score", campaign: "cloud-cost-whitepaper",
			lead: with(vp(), func(l *lead.Lead) {
				delete(l.Fields, "cloudSpend")
				delete(l.Fields, "consent")
			}),
			touches: []lead.TouchPoint{touch(lead.TouchDemoRequest, daysAgo(200))},
			stage:   lead.StageMQL, grade: lead.GradeA, score: 0.5,
			criteria: []criterion{
				{"need.cloudSpend", lead.Unknown, "", "an answer of Unexpected overruns, No visibility by team or Idle resources"},
				{"hand-raiser", lead.Pass, "demo-request", "a demo-request or contact-request"},
			},
		},
		{
			name: "a small company raising its hand is nurtured", campaign: "cloud-cost-whitepaper",
			lead:    with(vp(), func(l *lead.Lead) { l.Fields["employees"] = "51-200" }),
			touches: []lead.TouchPoint{touch(lead.TouchDemoRequest, now)},
			stage:   lead.StageNurture, grade: lead.GradeB, score: 50,
			criteria: []criterion{{"fit.employees", lead.Fail, "51-200", "at least 201 employees"}},
		},
		{
			name: "free mail and an unknown industry cost two grades", campaign: "cloud-cost-whitepaper",
			lead: with(vp(), func(l *lead.Lead) {
				l.Email = "ana.silva@gmail.com"
				delete(l.Fields, "industry")
			}),
			touches: engaged, stage: lead.StageNurture, grade: lead.GradeC, score: 50,
			criteria: []criterion{
				{"fit.industry", lead.Unknown, "", "one of Software, Financial services, Healthcare or Retail"},
				{"fit.business-email", lead.Fail, "gmail.com", "a business email (not free mail)"},
			},
		},
		{
			name: "DACH rules take mid-size manufacturers and a lower threshold", campaign: "cloud-cost-whitepaper",
			lead: german, touches: engaged[:1:1], stage: lead.StageNurture, grade: lead.GradeA, score: 15, geography: "DACH",
			criteria: []criterion{
				{"fit.employees", lead.Pass, "51-200", "at least 51 employees"},
				{"fit.country", lead.Pass, "DE", "a country in DE, AT or CH"},
				{"engagement.score", lead.Fail, "15.0", "a score of at least 30 (points halve every 30 days)"},
			},
		},
		{
			name: "DACH lead over its threshold", campaign: "cloud-cost-whitepaper",
			lead: german, touches: []lead.TouchPoint{touch(lead.TouchContentDownload, now), touch(lead.TouchWebinarAttended, now)},
			stage: lead.StageMQL, grade: lead.GradeA, score: 35, geography: "DACH",
		},
		{
			name: "outside the regions", campaign: "cloud-cost-whitepaper",
			lead:    with(vp(), func(l *lead.Lead) { l.Country = "BR" }),
			touches: engaged, stage: lead.StageNurture, grade: lead.GradeB, score: 50,
			criteria: []criterion{{"fit.country", lead.Fail, "BR", "a country in NA or EMEA"}},
		},
		{
			name: "a badge scan alone is a suspect", campaign: "devops-summit-2026-booth",
			lead: scanned, touches: []lead.TouchPoint{touch(lead.TouchEventVisit, daysAgo(2))},
			stage: lead.StageSuspect, grade: lead.GradeA, score: 9.7,
			criteria: []criterion{{"interest", lead.Unknown, "", "an answer to timeframe, challenge or notes, or a rating of 4 or more"}},
		},
		{
			name: "a scan with an answered qualifier is nurtured", campaign: "devops-summit-2026-booth",
			lead: with(scanned, func(l *lead.Lead) {
				l.Fields["challenge"] = "cost overruns"
				l.Fields["consent"] = "on"
			}),
			touches: []lead.TouchPoint{touch(lead.TouchEventVisit, now)},
			stage:   lead.StageNurture, grade: lead.GradeA, score: 10,
			criteria: []criterion{{"interest", lead.Pass, "challenge", "an answer to timeframe, challenge or notes, or a rating of 4 or more"}},
		},
		{
			name: "a hot booth conversation with consent is an MQL", campaign: "devops-summit-2026-booth",
			lead: with(scanned, func(l *lead.Lead) {
				l.Fields["challenge"] = "Slow deployments"
				l.Fields["consent"] = "Yes"
			}),
			touches: []lead.TouchPoint{{Type: lead.TouchEventVisit, At: now, Rating: 5}, touch(lead.TouchWebinarAttended, daysAgo(45))},
			stage:   lead.StageMQL, grade: lead.GradeA, score: 37.5, // 10 + 5×4 + 15/2
		},
		{
			name: "a rated scan shows interest but no consent", campaign: "devops-summit-2026-booth",
			lead: scanned, touches: []lead.TouchPoint{{Type: lead.TouchEventVisit, At: now, Rating: 4}},
			stage: lead.StageNurture, grade: lead.GradeA, score: 26,
			criteria: []criterion{
				{"interest", lead.Pass, "event-visit", "an answer to timeframe, challenge or notes, or a rating of 4 or more"},
				{"willingness", lead.Unknown, "", "consent = yes"},
			},
		},
		{
			name: "a fitting demo request goes to sales at once", campaign: "demo-request",
			lead: demo, touches: []lead.TouchPoint{touch(lead.TouchDemoRequest, now)},
			stage: lead.StageMQL, grade: lead.GradeA, score: 50,
		},
		{
			name: "a demo request without company size is a suspect", campaign: "demo-request",
			lead:    with(demo, func(l *lead.Lead) { delete(l.Fields, "employees") }),
			touches: []lead.TouchPoint{touch(lead.TouchDemoRequest, now)},
			stage:   lead.StageSuspect, grade: lead.GradeB, score: 50,
			criteria: []criterion{{"required.employees", lead.Fail, "", "a value"}},
		},
		{
			name: "a demo request from a tiny company is nurtured", campaign: "demo-request",
			lead:    with(demo, func(l *lead.Lead) { l.Fields["employees"] = "Less than 50" }),
			touches: []lead.TouchPoint{touch(lead.TouchDemoRequest, now)},
			stage:   lead.StageNurture, grade: lead.GradeB, score: 50,
			criteria: []criterion{{"fit.employees", lead.Fail, "Less than 50", "at least 51 employees"}},
		},
	}
	books := map[string]*qualify.Rulebook{}
	for _, name := range []string{"cloud-cost-whitepaper", "devops-summit-2026-booth", "demo-request"} {
		p := example(t, name)
		books[p.Definition.ID] = qualify.Compile(p)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rb := books[tt.campaign]
			var v lead.Verdict
			rb.Evaluate(&v, &tt.lead, tt.touches, now)
			if v.Stage != tt.stage || v.Grade != tt.grade || v.Score != tt.score || v.Geography != tt.geography {
				t.Errorf("got stage %s grade %s score %v geography %q, want %s %s %v %q\nreasons: %q",
					v.Stage, v.Grade, v.Score, v.Geography, tt.stage, tt.grade, tt.score, tt.geography, v.Reasons())
			}
			if v.Campaign != tt.campaign || v.Version != 3 || !v.At.Equal(now) {
				t.Errorf("verdict identifies %s v%d at %v", v.Campaign, v.Version, v.At)
			}
			for _, want := range tt.criteria {
				c := v.Criterion(want.rule)
				if c == nil {
					t.Errorf("no criterion %s", want.rule)
					continue
				}
				got := criterion{c.Rule, c.Outcome, c.Saw, c.Want}
				if c.Group == lead.GroupEngagement {
					got.saw = c.Seen()
				}
				if got != want {
					t.Errorf("criterion\n got  %+v\n want %+v", got, want)
				}
			}
		})
	}
}

func TestEvaluateIsDeterministicAndAllocationFree(t *testing.T) {
	rb := qualify.Compile(example(t, "cloud-cost-whitepaper"))
	l := vp()
	touches := []lead.TouchPoint{touch(lead.TouchContentDownload, daysAgo(3)), touch(lead.TouchDemoRequest, daysAgo(1))}
	var first, again lead.Verdict
	rb.Evaluate(&first, &l, touches, now)
	rb.Evaluate(&again, &l, touches, now)
	if !reflect.DeepEqual(first, again) {
		t.Fatalf("two evaluations differ:\n%+v\n%+v", first, again)
	}
	allocs := testing.AllocsPerRun(100, func() { rb.Evaluate(&again, &l, touches, now) })
	if allocs != 0 {
		t.Errorf("Evaluate allocates %v times per call, want 0", allocs)
	}
	if got := qualify.Evaluate(&l, touches, example(t, "cloud-cost-whitepaper"), now); !reflect.DeepEqual(got, first) {
		t.Errorf("qualify.Evaluate differs from Rulebook.Evaluate")
	}
}

func TestReasonsExplainTheStage(t *testing.T) {
	l := with(vp(), func(l *lead.Lead) { l.Fields["employees"] = "51-200" })
	v := qualify.Evaluate(&l, nil, example(t, "cloud-cost-whitepaper"), now)
	want := []string{
		`fit.employees fail: saw "51-200", wanted at least 201 employees`,
		`engagement.score fail: saw "0.0", wanted a score of at least 40 (points halve every 30 days)`,
	}
	if !reflect.DeepEqual(v.Reasons(), want) {
		t.Errorf("reasons = %q\nwant %q", v.Reasons(), want)
	}
}

// TestTouchPointsScoreByTypeAndOutcome: a call earns what its outcome is
// worth under the definition; registering for a webinar is not attending;
// a missed webinar earns what the definition gives it (nothing here).
func TestTouchPointsScoreByTypeAndOutcome(t *testing.T) {
	rules := qualify.Compile(example(t, "cloud-cost-whitepaper"))
	tests := []struct {
		name  string
		touch lead.TouchPoint
		score float64
	}{
		{"call, meeting booked", lead.TouchPoint{Type: lead.TouchTelesalesCall, Outcome: "meeting-booked", At: now}, 60},
		{"call, voicemail", lead.TouchPoint{Type: lead.TouchTelesalesCall, Outcome: "voicemail", At: now}, 2},
		{"call, no outcome", lead.TouchPoint{Type: lead.TouchTelesalesCall, At: now}, 25},
		{"call, an outcome the definition does not price", lead.TouchPoint{Type: lead.TouchTelesalesCall, Outcome: "callback", At: now}, 25},
		{"webinar registered", lead.TouchPoint{Type: lead.TouchWebinarRegistered, At: now}, 10},
		{"webinar attended", lead.TouchPoint{Type: lead.TouchWebinarAttended, At: now}, 20},
		{"webinar missed", lead.TouchPoint{Type: lead.TouchWebinarMissed, At: now}, 0},
		{"email opened", lead.TouchPoint{Type: lead.TouchEmailOpen, At: now}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := vp()
			var v lead.Verdict
			rules.Evaluate(&v, &l, []lead.TouchPoint{tt.touch}, now)
			if v.Score != tt.score {
				t.Errorf("score %v, want %v", v.Score, tt.score)
			}
		})
	}
}
