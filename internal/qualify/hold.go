package qualify

import (
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

// Judge is the verdict on a stored lead: Evaluate on what it is now, and
// the recycle hold on top. A lead sales sent back to nurture is held from
// sales for the hold the definition gives the recycle's reason: within
// it, a verdict of MQL stands only on engagement earned since the recycle
// that reaches the threshold by itself, or a hand raised since (unless
// the definition says hand-raisers do not break a hold). Otherwise the
// lead stays nurtured, and the verdict says until when and why.
func (rb *Rulebook) Judge(v *lead.Verdict, r *lead.Record, now time.Time) {
	rb.Evaluate(v, &r.Lead, r.Touches, now)
	if v.Stage != lead.StageMQL {
		return
	}
	rec, ok := r.LastRecycle()
	if !ok {
		return
	}
	until := rec.At.Add(rb.definition.RecycleHold(rec.Reason))
	if !now.Before(until) {
		return
	}
	var since []lead.TouchPoint
	for _, t := range r.Touches {
		if t.At.After(rec.At) {
			since = append(since, t)
		}
	}
	rs := rb.rulesFor(r.Country)
	earned := rb.score(since, now)
	_, raised := hasTouch(since, rb.handRaisers)
	if earned >= rs.threshold || (raised && rb.handsBreak && len(rb.handRaisers) > 0) {
		return
	}
	v.Stage = lead.StageNurture
	v.Criteria = append(v.Criteria, lead.Criterion{
		Rule: "recycle.hold", Group: lead.GroupHold, Outcome: lead.Fail,
		Saw: "recycled by " + rec.By + " for " + rec.Reason + " on " + rec.At.UTC().Format(time.DateOnly) +
			"; " + strconv.FormatFloat(earned, 'f', 1, 64) + " points since",
		Want: "held until " + until.UTC().Format(time.DateOnly) + ", unless engagement since reaches " +
			strconv.FormatFloat(rs.threshold, 'f', -1, 64) + " points" + rb.holdBreaker(),
	})
}

func (rb *Rulebook) holdBreaker() string {
	if rb.handsBreak && len(rb.handRaisers) > 0 {
		return " or a hand is raised"
	}
	return ""
}
