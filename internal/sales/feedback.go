package sales

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Action is sales' answer about a lead.
type Action string

const (
	Accept      Action = "accept"      // sales takes it on: sal
	Qualify     Action = "qualify"     // budget and authority confirmed: sql
	Reject      Action = "reject"      // never a fit: disqualified
	Recycle     Action = "recycle"     // not now: back to nurture
	Opportunity Action = "opportunity" // in the forecast
	Won         Action = "won"         // a customer
	Lost        Action = "lost"        // the deal was lost: back to nurture
)

// rule says where an action may be taken and where it leads.
type rule struct {
	from    []lead.Stage
	to      lead.Stage
	reasons []string // codes the action needs one of; nil: none needed
	release bool     // the rep no longer holds the lead
}

var rules = map[Action]rule{
	Accept:      {from: []lead.Stage{lead.StageMQL}, to: lead.StageSAL},
	Qualify:     {from: []lead.Stage{lead.StageMQL, lead.StageSAL}, to: lead.StageSQL},
	Reject:      {from: []lead.Stage{lead.StageMQL, lead.StageSAL, lead.StageSQL}, to: lead.StageDisqualified, reasons: lead.RejectReasons, release: true},
	Recycle:     {from: []lead.Stage{lead.StageMQL, lead.StageSAL, lead.StageSQL}, to: lead.StageNurture, reasons: lead.RecycleReasons, release: true},
	Opportunity: {from: []lead.Stage{lead.StageSQL}, to: lead.StageOpportunity},
	Won:         {from: []lead.Stage{lead.StageOpportunity}, to: lead.StageCustomer, release: true},
	Lost:        {from: []lead.Stage{lead.StageOpportunity}, to: lead.StageNurture, reasons: lead.LostReasons, release: true},
}

// Feedback is one answer from sales.
type Feedback struct {
	Action Action `json:"action"`
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
	// BANT are the answers a qualify needs: budget, authority, need,
	// timeframe.
	BANT map[string]string `json:"bant,omitempty"`
}

var bantKeys = []string{"budget", "authority", "need", "timeframe"}

// Allowed lists the actions possible from a stage, for a 409's answer.
func Allowed(s lead.Stage) []Action {
	var out []Action
	for _, a := range []Action{Accept, Qualify, Reject, Recycle, Opportunity, Won, Lost} {
		if slices.Contains(rules[a].from, s) {
			out = append(out, a)
		}
	}
	return out
}

// Apply moves r by the feedback, recorded in its history as by who at at.
// It reports whether the owner is released (its rep's open count goes
// down). Bad feedback is EINVALID; an action the stage does not allow is
// ECONFLICT naming the allowed ones.
func Apply(r *lead.Record, f Feedback, who string, at time.Time) (released string, err error) {
	ru, ok := rules[f.Action]
	if !ok {
		return "", leadgate.Invalid("Unknown action.", []leadgate.Problem{{Path: "action", Message: fmt.Sprintf("%q: want one of accept, qualify, reject, recycle, opportunity, won, lost", f.Action)}})
	}
	var problems []leadgate.Problem
	if ru.reasons != nil && !slices.Contains(ru.reasons, f.Reason) {
		problems = append(problems, leadgate.Problem{Path: "reason", Message: fmt.Sprintf("%q: %s needs one of %s", f.Reason, f.Action, strings.Join(ru.reasons, ", "))})
	}
	if f.Action == Qualify {
		for _, k := range bantKeys {
			if strings.TrimSpace(f.BANT[k]) == "" {
				problems = append(problems, leadgate.Problem{Path: "bant." + k, Message: "required to qualify"})
			}
		}
	}
	if len(problems) > 0 {
		return "", leadgate.Invalid("The feedback is incomplete.", problems)
	}
	if !slices.Contains(ru.from, r.Stage) {
		allowed := Allowed(r.Stage)
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		return "", leadgate.Errorf(leadgate.ECONFLICT, "Lead %s is %s: %s is not possible. Allowed: %s.", r.ID, r.Stage, f.Action, cmp.Or(strings.Join(names, ", "), "none"))
	}
	note := strings.TrimSpace(f.Note)
	if f.Action == Qualify {
		var b []string
		for _, k := range bantKeys {
			b = append(b, k+": "+strings.TrimSpace(f.BANT[k]))
		}
		note = strings.TrimSpace(strings.Join(b, "; ") + "\n" + note)
	}
	r.Move(lead.Transition{At: at, To: ru.to, By: who, Reason: f.Reason, Note: note, Campaign: r.Verdict.Campaign, Version: r.Verdict.Version})
	r.UpdatedAt = at
	if ru.release && r.Owner != "" {
		released, r.Owner, r.AssignedAt = r.Owner, "", nil
	}
	return released, nil
}

// FeedbackStore is what recording sales' answer needs from storage.
type FeedbackStore interface {
	// Update changes a lead in one write, with the rep counts the change
	// moves.
	Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error)
}

// Give records sales' answer about a lead. A rep answers for the leads they
// hold; a manager for any.
func Give(ctx context.Context, store FeedbackStore, leadID string, f Feedback, who string, manager bool, at time.Time) (*lead.Record, error) {
	return store.Update(ctx, leadID, func(cur *lead.Record) (lead.Change, error) {
		l, err := lead.Live(cur, leadID)
		if err != nil {
			return lead.None, err
		}
		if !manager && (who == "" || l.Owner != who) {
			return lead.None, leadgate.Errorf(leadgate.EFORBIDDEN, "Lead %s is not yours: a rep answers for the leads they hold, a manager for any.", leadID)
		}
		n := *l
		released, err := Apply(&n, f, who, at)
		if err != nil {
			return lead.None, err
		}
		return lead.Change{Next: &n, Release: released}, nil
	})
}
