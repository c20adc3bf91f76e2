// Package backtest previews a draft definition against a campaign's own
// leads before anyone signs it: each lead is re-judged, on the pure engine,
// under the current version and under the draft, and the leads sales has
// already answered for say whether the draft would have handed over the
// right ones. It reads nothing and writes nothing: the caller feeds it
// leads page by page, so its memory is bounded by what it lists.
package backtest

import (
	"slices"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/qualify"
)

// MaxListed bounds the leads a report names; the counts cover all of them.
const MaxListed = 50

// Report is what a preview found.
type Report struct {
	Campaign string    `json:"campaign"`
	Draft    string    `json:"draft"`
	Version  int       `json:"version"` // the current version compared with
	Days     int       `json:"days"`
	Since    time.Time `json:"since"`
	At       time.Time `json:"at"`
	// Leads is how many leads were re-judged: those the campaign last
	// judged whose record changed within Days.
	Leads int `json:"leads"`
	// CurrentStages and DraftStages count the leads per stage each
	// version gives them today.
	CurrentStages map[lead.Stage]int `json:"currentStages"`
	DraftStages   map[lead.Stage]int `json:"draftStages"`
	// Changes counts the leads whose stage differs; Changed names the first
	// MaxListed with the criteria that flipped.
	Changes int      `json:"changes"`
	Changed []Change `json:"changed"`
	// Sales are the "close the loop" questions, answered from what sales
	// already said about these leads.
	Sales Sales `json:"sales"`
	// Leakage is the MQL→SQL leakage expected under the draft.
	Leakage Leakage `json:"leakage"`
	// ReviewBy is the draft's review date; ReviewOverdue says it has passed.
	ReviewBy      campaign.Date `json:"reviewBy"`
	ReviewOverdue bool          `json:"reviewOverdue"`
}

// Change is one lead whose stage the draft changes.
type Change struct {
	Lead    string     `json:"lead"`
	Company string     `json:"company,omitempty"`
	From    lead.Stage `json:"from"`
	To      lead.Stage `json:"to"`
	// Flipped are the criteria whose outcome differs, in the definition's
	// words: "fit.employees: pass → fail".
	Flipped []string `json:"flipped"`
}

// Sales compares the draft with what sales said about leads handed over.
type Sales struct {
	// Answered counts handed-over leads sales has answered for.
	Answered int `json:"answered"`
	// Lost are leads sales accepted, qualified or won that the draft would
	// not have handed over when they were; LostLeads names the first ones.
	Lost      int      `json:"lost"`
	LostLeads []string `json:"lostLeads"`
	// Kept are leads sales rejected (or recycled) that the draft would still
	// have handed over, by sales' reason code.
	KeptRejected int            `json:"keptRejected"`
	KeptRecycled int            `json:"keptRecycled"`
	KeptByReason map[string]int `json:"keptByReason"`
	KeptLeads    []string       `json:"keptLeads"`
	// HeldRejected are rejected leads the draft would have held back:
	// sales was right, and the draft agrees. StillAccepted are accepted
	// leads it hands over too.
	HeldRejected  int `json:"heldRejected"`
	StillAccepted int `json:"stillAccepted"`
}

// Leakage is the expected MQL→SQL leakage: of the leads a definition hands
// over that sales has decided on (qualified, or rejected or recycled), the
// share it did not qualify.
type Leakage struct {
	Current       *float64          `json:"current"`
	CurrentSample int               `json:"currentSample"`
	Draft         *float64          `json:"draft"`
	DraftSample   int               `json:"draftSample"`
	Bounds        *campaign.Leakage `json:"bounds,omitempty"`
	Verdict       string            `json:"verdict"`
	Advice        string            `json:"advice"`
}

// Run holds one preview in progress.
type Run struct {
	current, draft *qualify.Rulebook
	now            time.Time
	report         Report
	// sold and leaked count decided leads under each definition.
	soldCurrent, decidedCurrent, soldDraft, decidedDraft int
	// touches and v are reused from lead to lead: the engine allocates
	// nothing, and a preview of 100,000 leads should not either.
	touches []lead.TouchPoint
	v       [3]lead.Verdict
}

// New starts a preview of draft against current (nil for a campaign not
// yet published) over leads last changed within days of now.
func New(current *campaign.Published, draftID string, draft *campaign.Definition, days int, now time.Time) *Run {
	r := &Run{now: now, draft: qualify.Compile(&campaign.Published{Definition: draft})}
	version := 0
	if current != nil {
		r.current = qualify.Compile(current)
		version = current.Version
	}
	r.report = Report{
		Campaign: draft.ID, Draft: draftID, Version: version, Days: days, Since: Since(now, days), At: now,
		CurrentStages: map[lead.Stage]int{}, DraftStages: map[lead.Stage]int{}, Changed: []Change{},
		Sales:    Sales{KeptByReason: map[string]int{}, LostLeads: []string{}, KeptLeads: []string{}},
		ReviewBy: draft.ReviewBy, ReviewOverdue: draft.ReviewOverdue(now),
	}
	r.report.Leakage.Bounds = draft.Leakage
	return r
}

// Since is the start of a preview of days up to now.
func Since(now time.Time, days int) time.Time { return now.AddDate(0, 0, -days) }

// Add re-judges one lead, and returns how the draft changes its stage,
// nil when it does not. A tombstone of an erased person is skipped.
func (r *Run) Add(l *lead.Record) *Change {
	if l.ErasedAt != nil {
		return nil
	}
	r.report.Leads++
	cur, drNow := &r.v[0], &r.v[1]
	if r.current != nil {
		r.current.Judge(cur, l, r.now)
		r.report.CurrentStages[cur.Stage]++
	}
	r.draft.Judge(drNow, l, r.now)
	r.report.DraftStages[drNow.Stage]++
	var change *Change
	if r.current != nil && cur.Stage != drNow.Stage {
		change = &Change{Lead: l.ID, Company: l.Company, From: cur.Stage, To: drNow.Stage, Flipped: flipped(cur, drNow)}
		r.report.Changes++
		if len(r.report.Changed) < MaxListed {
			r.report.Changed = append(r.report.Changed, *change)
		}
	}
	r.compareWithSales(l)
	return change
}

// compareWithSales asks of a lead sales has answered for whether the draft
// would have handed it over when it was.
func (r *Run) compareWithSales(l *lead.Record) {
	handedAt, answer, reason, ok := answered(l.History)
	if !ok {
		return
	}
	// Judge it on the touch points it had then.
	drThen := &r.v[2]
	r.touches = r.touches[:0]
	for _, t := range l.Touches {
		if !t.At.After(handedAt) {
			r.touches = append(r.touches, t)
		}
	}
	r.draft.Evaluate(drThen, &l.Lead, r.touches, handedAt)
	draftHands := drThen.Stage == lead.StageMQL
	s := &r.report.Sales
	s.Answered++
	sold := answer == answerQualified
	if answer == answerQualified || answer == answerAccepted {
		if draftHands {
			s.StillAccepted++
		} else {
			s.Lost++
			s.LostLeads = appendListed(s.LostLeads, l.ID)
		}
	} else {
		if draftHands {
			if answer == answerRejected {
				s.KeptRejected++
			} else {
				s.KeptRecycled++
			}
			s.KeptByReason[reason]++
			s.KeptLeads = appendListed(s.KeptLeads, l.ID)
		} else if answer == answerRejected {
			s.HeldRejected++
		}
	}
	if answer == answerAccepted {
		return // undecided: accepted, not yet qualified or sent back
	}
	r.decidedCurrent++
	if sold {
		r.soldCurrent++
	}
	if draftHands {
		r.decidedDraft++
		if sold {
			r.soldDraft++
		}
	}
}

// Report ends the preview.
func (r *Run) Report() Report {
	rep := r.report
	rep.Leakage.Current, rep.Leakage.CurrentSample = leakage(r.soldCurrent, r.decidedCurrent), r.decidedCurrent
	rep.Leakage.Draft, rep.Leakage.DraftSample = leakage(r.soldDraft, r.decidedDraft), r.decidedDraft
	rep.Leakage.Verdict, rep.Leakage.Advice = funnel.JudgeLeakage(rep.Leakage.Draft, rep.Leakage.DraftSample, rep.Leakage.Bounds)
	return rep
}

// Figures sums the report up for the record an approval keeps.
func (rep *Report) Figures() *campaign.Figures {
	return &campaign.Figures{
		At: rep.At, Days: rep.Days, Leads: rep.Leads,
		CurrentMQLs: rep.CurrentStages[lead.StageMQL], DraftMQLs: rep.DraftStages[lead.StageMQL], StageChanges: rep.Changes,
		LostAccepted: rep.Sales.Lost, KeptRejected: rep.Sales.KeptRejected,
		Leakage: rep.Leakage.Draft, Sample: rep.Leakage.DraftSample, LeakageVerdict: rep.Leakage.Verdict,
	}
}

func leakage(sold, decided int) *float64 {
	if decided == 0 {
		return nil
	}
	l := 1 - float64(sold)/float64(decided)
	return &l
}

func appendListed(list []string, id string) []string {
	if len(list) < MaxListed {
		list = append(list, id)
	}
	return list
}

// What sales last said about a lead handed over.
const (
	answerAccepted  = "accepted"  // accepted, not yet qualified
	answerQualified = "qualified" // reached SQL or further
	answerRejected  = "rejected"
	answerRecycled  = "recycled"
)

// answered finds the last hand-over sales has answered for: when it was,
// and sales' word on it (what sales did before the next hand-over). A lead
// recycled and handed over again, not yet answered, is judged by its
// first hand-over and the recycle.
func answered(history []lead.Transition) (at time.Time, answer, reason string, ok bool) {
	next := len(history)
	for i := len(history) - 1; i >= 0; i-- {
		h := history[i]
		if h.To != lead.StageMQL || h.From == lead.StageMQL {
			continue
		}
		if answer, reason = salesAnswer(history[i+1 : next]); answer != "" {
			return h.At, answer, reason, true
		}
		next = i
	}
	return time.Time{}, "", "", false
}

// salesAnswer reads sales' last word in a stretch of history: a lead that
// reached SQL counts as qualified whatever came after (a lost deal is still
// a sales-qualified lead).
func salesAnswer(history []lead.Transition) (answer, reason string) {
	for _, h := range history {
		if h.By == lead.ByEngine || h.By == lead.ByAssigner || h.By == lead.ByNurture {
			continue
		}
		switch h.To {
		case lead.StageSQL, lead.StageOpportunity, lead.StageCustomer:
			return answerQualified, ""
		case lead.StageSAL:
			answer, reason = answerAccepted, ""
		case lead.StageDisqualified:
			answer, reason = answerRejected, h.Reason
		case lead.StageNurture:
			if h.From == lead.StageMQL || h.From == lead.StageSAL {
				answer, reason = answerRecycled, h.Reason
			}
		}
	}
	return answer, reason
}

// flipped names the criteria whose outcome differs between two verdicts.
func flipped(a, b *lead.Verdict) []string {
	var out []string
	for _, ca := range a.Criteria {
		cb := b.Criterion(ca.Rule)
		switch {
		case cb == nil:
			out = append(out, ca.Rule+": "+ca.Outcome.String()+" → dropped")
		case cb.Outcome != ca.Outcome:
			out = append(out, ca.Rule+": "+ca.Outcome.String()+" → "+cb.Outcome.String())
		}
	}
	for _, cb := range b.Criteria {
		if !slices.ContainsFunc(a.Criteria, func(c lead.Criterion) bool { return c.Rule == cb.Rule }) {
			out = append(out, cb.Rule+": new, "+cb.Outcome.String())
		}
	}
	return out
}
