package sales

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/geo"
)

// Routing is what decides where a lead goes, as read for it.
type Routing struct {
	Country string
	// Account is the account that holds the lead's domain (Matched), if
	// one does.
	Account *Account
	Matched string
	// Domain is the lead's company domain ("" for free mail) and Holders
	// the owners of open leads from it, most recently assigned first.
	Domain  string
	Holders []string
	Reps    []Rep
	// Fallback is the shared queue's owner, who takes what no rep can.
	Fallback string
	Now      time.Time
	// Passed are reps the lead is not to go to, whatever the rules say:
	// the owner it is being taken from, those who let its SLA clock run out.
	Passed []string
}

// Choice is one owner to try, the reason the lead's history gives, and for
// a round-robin pick the turn the rep moves to.
type Choice struct {
	Owner  string
	Reason string
	Turn   int64
}

// Route returns, in order, the owners a lead may go to; the assigner tries
// the first, and reads the reps again if that rep can no longer take it
// (the rest say who would follow, as of this read):
//
//  1. The owner of the account that holds the lead's domain, if they can
//     take it. If not (inactive, away, at capacity, no longer a rep), the
//     lead falls through to territory round robin, as LeanData and
//     Salesforce's assignment rules do, and the reason says why: leads do
//     not wait in an absent owner's queue, and the owner can be given the
//     lead back by a manager.
//  2. Without an account, the rep who already holds an open lead of the
//     company's domain (the most recent, of those who can take it), so
//     colleagues are worked together.
//  3. The reps covering the lead's country, in weighted round robin
//     (Candidates).
//  4. The fallback owner, with why no rep could take it.
//
// The account owner and a colleague take the lead outside round robin:
// their turn does not move, only their count.
func Route(in Routing) []Choice {
	var out []Choice
	var note string
	switch {
	case in.Account != nil:
		why := "is not a rep"
		if r, ok := repByID(in.Reps, in.Account.Owner); ok {
			why = r.Unavailable(in.Now)
		}
		if slices.Contains(in.Passed, in.Account.Owner) {
			why = "passed over"
		}
		if why == "" {
			return []Choice{{Owner: in.Account.Owner, Reason: fmt.Sprintf("account %s → %s", in.Matched, in.Account.Owner)}, in.fallback("")}
		}
		note = fmt.Sprintf("account %s: %s %s; ", in.Matched, in.Account.Owner, why)
	case in.Domain != "":
		var busy []string
		seen := map[string]bool{}
		for _, h := range in.Holders {
			r, ok := repByID(in.Reps, h)
			if !ok || seen[h] || slices.Contains(in.Passed, h) {
				continue // the fallback owner, a rep removed since, or said already
			}
			seen[h] = true
			if why := r.Unavailable(in.Now); why != "" {
				busy = append(busy, h+" "+why)
				continue
			}
			return []Choice{{Owner: h, Reason: fmt.Sprintf("colleague at %s → %s", in.Domain, h)}, in.fallback("")}
		}
		if len(busy) > maxNamed {
			busy = append(busy[:maxNamed], fmt.Sprintf("and %d more", len(busy)-maxNamed))
		}
		if len(busy) > 0 {
			note = fmt.Sprintf("colleague at %s: %s; ", in.Domain, strings.Join(busy, ", "))
		}
	}
	for _, c := range Candidates(in.Reps, in.Country, in.Now) {
		if slices.Contains(in.Passed, c.ID) {
			continue
		}
		out = append(out, Choice{Owner: c.ID, Reason: fmt.Sprintf("%sterritory %s → round robin → %s", note, in.Country, c.ID), Turn: c.Turn + c.Stride()})
	}
	return append(out, in.fallback(note))
}

// maxNamed bounds the colleagues a reason names: a history entry stays
// short whoever holds the company's leads.
const maxNamed = 3

// fallback is the last choice, saying why no rep covering the country
// could take the lead.
func (in Routing) fallback(note string) Choice {
	return Choice{Owner: in.Fallback, Reason: note + "fallback: " + in.nobody()}
}

func (in Routing) nobody() string {
	if in.Country == "" {
		return "the lead has no country"
	}
	where := in.Country
	if region, ok := geo.Region(in.Country); ok {
		where += " (" + region + ")"
	}
	var covering int
	counts := map[string]int{}
	for _, r := range in.Reps {
		if r.Covers(in.Country) {
			covering++
			why, _, _ := strings.Cut(r.Unavailable(in.Now), " ")
			counts[why]++
		}
	}
	switch {
	case covering == 0:
		return "no rep covers " + where
	case counts[""] > 0:
		return fmt.Sprintf("the reps covering %s filled up meanwhile", where)
	}
	var parts []string
	for _, why := range []string{"at", "away", "inactive"} {
		if n := counts[why]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, map[string]string{"at": "at capacity", "away": "away", "inactive": "inactive"}[why]))
		}
	}
	return fmt.Sprintf("all %d reps covering %s are away, inactive or at capacity (%s)", covering, where, strings.Join(parts, ", "))
}
