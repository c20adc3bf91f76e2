package funnel

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
)

// Stages in funnel order, for reports.
var Stages = []lead.Stage{lead.StageSuspect, lead.StageNurture, lead.StageMQL, lead.StageSAL, lead.StageSQL, lead.StageOpportunity, lead.StageCustomer, lead.StageDisqualified}

// Report is a campaign's funnel over a period.
type Report struct {
	Campaign  string    `json:"campaign"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Total     Numbers   `json:"total"`
	ByVersion []Numbers `json:"byVersion"`
	// Bounds are the current definition's leakage bounds.
	Bounds  *campaign.Leakage `json:"bounds,omitempty"`
	Verdict string            `json:"verdict"` // too-high, too-low, within, no-bounds, not-enough-data
	Advice  string            `json:"advice"`
	// ByRep is each rep's speed to lead and follow-up over the period.
	ByRep []RepNumbers `json:"byRep"`
}

// RepNumbers is one rep's speed to lead and SLA record.
type RepNumbers struct {
	Rep         string `json:"rep"`
	SpeedToLead Speed  `json:"speedToLead"`
	SLA         SLA    `json:"sla"`
}

// Speed is how fast leads reach sales: from becoming an MQL to their
// first owner, and from the hand-over to the owner accepting.
type Speed struct {
	ToOwner  Spread `json:"mqlToOwner"`
	ToAccept Spread `json:"ownerToAccepted"`
}

// Spread is the median and 90th percentile of a set of times, in seconds,
// with how many there were; nil where there were none.
type Spread struct {
	N   int      `json:"n"`
	P50 *float64 `json:"p50Seconds"`
	P90 *float64 `json:"p90Seconds"`
}

// SLA counts SLA clocks by their end: met (the owner answered in time) or
// missed (a breach, or an answer after the deadline). Each hand-over to a
// rep under an SLA is one clock; Share is met over both.
type SLA struct {
	Met    int      `json:"met"`
	Missed int      `json:"missed"`
	Share  *float64 `json:"share"`
}

// Numbers are the funnel figures of one slice of leads.
type Numbers struct {
	Version int `json:"version,omitempty"`
	// Entered counts stage entries in the period: a lead recycled and
	// handed over again is two MQL entries. People counts each lead once
	// per stage: its first entry into it. Conversion and leakage are
	// computed from entries.
	Entered    map[string]int `json:"entered"`
	People     map[string]int `json:"people"`
	Conversion []Conversion   `json:"conversion"` // stage to next stage
	Assigned   int            `json:"assigned"`
	// MedianMQLToSALHours is the median time sales took to accept an MQL.
	MedianMQLToSALHours *float64       `json:"medianMqlToSalHours"`
	Rejections          map[string]int `json:"rejections"`
	Recycles            map[string]int `json:"recycles"`
	// Leakage is the share of MQLs that did not become SQLs: 1 − SQL/MQL.
	Leakage     *float64 `json:"leakage"`
	SpeedToLead Speed    `json:"speedToLead"`
	SLA         SLA      `json:"sla"`
}

// Conversion is the share of leads that went from one stage to the next.
type Conversion struct {
	From lead.Stage `json:"from"`
	To   lead.Stage `json:"to"`
	Rate *float64   `json:"rate"`
}

// minMQLs is how many MQLs a period needs before its leakage is judged.
const minMQLs = 5

// Build sums counters into a report and judges the leakage against the
// definition's bounds.
func Build(campaignID string, from, to time.Time, counters []Counter, bounds *campaign.Leakage) Report {
	// ByVersion is a list even when empty: a period with nothing counted
	// answers [], not null (the API's description says a list).
	r := Report{Campaign: campaignID, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Bounds: bounds, ByVersion: []Numbers{}}
	total := newAcc()
	byVersion := map[int]*acc{}
	for _, c := range counters {
		total.add(c)
		if byVersion[c.Version] == nil {
			byVersion[c.Version] = newAcc()
		}
		byVersion[c.Version].add(c)
	}
	r.Total = total.numbers(0)
	for _, v := range slices.Sorted(maps.Keys(byVersion)) {
		r.ByVersion = append(r.ByVersion, byVersion[v].numbers(v))
	}
	r.Verdict, r.Advice = JudgeLeakage(r.Total.Leakage, r.Total.Entered[string(lead.StageMQL)], bounds)
	r.ByRep = total.byRep()
	return r
}

// JudgeLeakage says what the leakage between MQL and SQL, measured over
// mqls leads, means against the bounds the definition agrees: too high,
// marketing qualifies poorly or sales under-performs; too low, marketing is
// not pushing hard enough.
func JudgeLeakage(leakage *float64, mqls int, b *campaign.Leakage) (verdict, advice string) {
	switch {
	case mqls < minMQLs || leakage == nil:
		return "not-enough-data", "Fewer than 5 MQLs: too few to judge the leakage."
	case b == nil:
		return "no-bounds", "The definition sets no leakage bounds: agree them with sales."
	case *leakage > b.Max:
		return "too-high", "Leakage is above the agreed bound: either marketing is qualifying poorly or sales is under-performing. Review the definition and the follow-up together."
	case *leakage < b.Min:
		return "too-low", "Leakage is below the agreed bound: marketing may not be pushing hard enough; widen the net or execute more aggressively."
	}
	return "within", "Leakage is within the agreed bounds."
}

type acc struct {
	counts map[string]int
}

func newAcc() *acc { return &acc{counts: map[string]int{}} }

func (a *acc) add(c Counter) {
	for k, v := range c.Counts {
		a.counts[k] += v
	}
}

// speed spreads the speed-to-lead times of rep ("" for the campaign).
func (a *acc) speed(rep string) Speed {
	return Speed{ToOwner: timesOf(a.counts, ToOwner, rep).spread(), ToAccept: timesOf(a.counts, ToAccept, rep).spread()}
}

// byRep is each rep's speed and SLA record, reps in order of their ids.
func (a *acc) byRep() []RepNumbers {
	reps := map[string]bool{}
	for k := range a.counts {
		if rep, ok := RepOf(k); ok {
			reps[rep] = true
		}
	}
	out := []RepNumbers{}
	for _, rep := range slices.Sorted(maps.Keys(reps)) {
		out = append(out, RepNumbers{
			Rep:         rep,
			SpeedToLead: a.speed(rep),
			SLA:         sla(a.counts["rep."+rep+".sla.met"], a.counts["rep."+rep+".sla.missed"]),
		})
	}
	return out
}

func sla(met, missed int) SLA {
	return SLA{Met: met, Missed: missed, Share: ratio(met, met+missed)}
}

func (a *acc) numbers(version int) Numbers {
	n := Numbers{Version: version, Entered: map[string]int{}, People: map[string]int{}, Rejections: map[string]int{}, Recycles: map[string]int{}, Assigned: a.counts["assigned"]}
	for k, v := range a.counts {
		if stage, ok := strings.CutPrefix(k, "entered."); ok {
			n.Entered[stage] = v
		} else if stage, ok := strings.CutPrefix(k, "people."); ok {
			n.People[stage] = v
		} else if code, ok := strings.CutPrefix(k, "reason.reject."); ok {
			n.Rejections[code] = v
		} else if code, ok := strings.CutPrefix(k, "reason.recycle."); ok {
			n.Recycles[code] = v
		}
	}
	for _, s := range Stages {
		if _, ok := n.Entered[string(s)]; !ok {
			n.Entered[string(s)] = 0
		}
		if _, ok := n.People[string(s)]; !ok {
			n.People[string(s)] = 0
		}
	}
	chain := []lead.Stage{lead.StageMQL, lead.StageSAL, lead.StageSQL, lead.StageOpportunity, lead.StageCustomer}
	for i := 0; i+1 < len(chain); i++ {
		n.Conversion = append(n.Conversion, Conversion{From: chain[i], To: chain[i+1], Rate: ratio(n.Entered[string(chain[i+1])], n.Entered[string(chain[i])])})
	}
	if mql := n.Entered[string(lead.StageMQL)]; mql > 0 {
		l := 1 - float64(n.Entered[string(lead.StageSQL)])/float64(mql)
		l = max(l, 0)
		n.Leakage = &l
	}
	n.SpeedToLead = a.speed("")
	n.SLA = sla(a.counts["sla.met"], a.counts["sla.missed"])
	if med := timesOf(a.counts, MQLToSAL, "").median(); med != nil {
		h := *med / 3600
		n.MedianMQLToSALHours = &h
	}
	return n
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}
