package sales

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Auto asks Reassign for the next rep the rules pick.
const Auto = "auto"

// MaxReassignNote bounds the note a manager gives a reassignment.
const MaxReassignNote = 2000

// Reassign gives a lead in sales' hands (or waiting for them) another owner
// on a manager's word: the rep named, who must be active with room, or
// with Auto the next rep the rules pick who is not its owner now, and the
// fallback owner when none can take it. The old owner's count is
// released and the new one's held in the same write; the history says who
// moved it from whom to whom, and why.
func (a *Assigner) Reassign(ctx context.Context, leadID, to, by, note string) (*lead.Record, error) {
	note = strings.TrimSpace(note)
	if len(note) > MaxReassignNote {
		return nil, leadgate.Invalid("The note is too long.", []leadgate.Problem{{Path: "note", Message: fmt.Sprintf("%d bytes: at most %d", len(note), MaxReassignNote)}})
	}
	l, err := a.store.Lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	if l, err = lead.Live(l, leadID); err != nil {
		return nil, err
	}
	if !Open(l.Stage) {
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "Lead %s is %s: only a lead waiting for or held by sales (mql, sal, sql, opportunity) has an owner to change.", leadID, l.Stage)
	}
	reps, err := a.store.Reps(ctx)
	if err != nil {
		return nil, err
	}
	var choices []Choice
	switch {
	case to == Auto:
		in, err := a.routing(ctx, l)
		if err != nil {
			return nil, err
		}
		choices = a.route(in, reps, l, l.Owner)
	case to == l.Owner:
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "%s already holds lead %s.", to, leadID)
	case to == a.fallback:
		choices = []Choice{{Owner: to}}
	case !ValidRepID(to) || !slices.ContainsFunc(reps, func(r Rep) bool { return r.ID == to }):
		// Only a well-formed id is quoted back.
		what := "that"
		if ValidRepID(to) {
			what = strconv.Quote(to)
		}
		return nil, leadgate.Invalid("No such rep.", []leadgate.Problem{{Path: "rep", Message: fmt.Sprintf("%s is not a rep: name one, or %q for the next one the rules pick", what, Auto)}})
	default:
		rep := reps[slices.IndexFunc(reps, func(r Rep) bool { return r.ID == to })]
		if absence, away := rep.AwayAt(a.now()); away {
			return nil, leadgate.Errorf(leadgate.ECONFLICT, "%s is away until %s (%s): an away rep takes no new leads.", to, absence.To.UTC().Format(time.RFC3339), cmp.Or(absence.Reason, "no reason given"))
		}
		choices = []Choice{{Owner: to}}
	}
	def, err := a.definition(ctx, l.Verdict.Campaign)
	if err != nil {
		return nil, err
	}
	stored, err := a.handOver(ctx, l, reps, choices, slaOf(def), nil, func(cur *lead.Record, c Choice) (lead.Transition, bool) {
		return lead.Transition{By: by, Reason: "reassigned from " + orNobody(cur.Owner) + " to " + c.Owner, Note: note}, Open(cur.Stage)
	})
	switch {
	case errors.Is(err, errNobody) && to == Auto:
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "Nobody else can take lead %s now.", leadID)
	case errors.Is(err, errNobody):
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "%s cannot take lead %s: inactive, or at capacity.", to, leadID)
	case err != nil:
		return nil, err
	case stored == nil:
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "Lead %s changed meanwhile (erased, or out of sales' hands); read it again.", leadID)
	}
	return stored, nil
}

func orNobody(owner string) string {
	if owner == "" {
		return "nobody"
	}
	return owner
}
