package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/wiring"
)

// assignedBy waits for the lead of email to have an owner, and returns the
// owner and the assigner's reason.
func assignedBy(t *testing.T, c client, email string) (string, string) {
	t.Helper()
	id := lead.IDFor(email)
	var l httpapi.LeadView
	eventually(t, "assignment of "+email, func() bool { l = c.lead(id); return l.Owner != "" })
	for i := len(l.History) - 1; i >= 0; i-- {
		if l.History[i].By == lead.ByAssigner {
			return l.Owner, l.History[i].Reason
		}
	}
	t.Fatalf("%s has owner %s and no assigner entry: %+v", email, l.Owner, l.History)
	return "", ""
}

// TestAccountsAndColleaguesComeBeforeTerritory: a lead whose domain (or a
// parent of it) an account holds goes to the account's owner, whatever
// their territory; while the owner is away it falls through to territory
// round robin, saying so; without an account, a lead joins the colleague
// who holds an open lead of its company. Each history entry says which
// rule chose the owner. Bad accounts are refused with every problem, and
// a domain belongs to one account.
func TestAccountsAndColleaguesComeBeforeTerritory(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "anna.berg", "NA", 5)
	putRep(t, c, "emea-1", "EMEA", 5)
	putRep(t, c, "emea-2", "EMEA", 5)
	submit := func(email string) {
		t.Helper()
		if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(email, "DE")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}

	// Refusals, each with every problem by path.
	for _, tc := range []struct {
		body   string
		status int
		want   []string
	}{
		{"name: Mail\ndomains: [gmail.com, not a domain]\nowner: anna.berg\n", 422, []string{"domains[0]", "free-mail", "domains[1]"}},
		{"name: Ghost\ndomains: [ghost.example]\nowner: nobody\n", 422, []string{"owner", "not a rep"}},
		{"name: X\ndomains: []\nowner: \"\"\nweight: 3\n", 422, []string{"weight"}}, // no such field: refused as unreadable
	} {
		if r := c.do("PUT", "/v1/accounts/bad", "application/yaml", []byte(tc.body)); r.status != tc.status || !containsAll(string(r.body), tc.want) {
			t.Errorf("%q: %d %s, want %d naming %v", tc.body, r.status, r.body, tc.status, tc.want)
		}
	}
	if r := c.do("PUT", "/v1/accounts/acme", "application/yaml", []byte("kind: account\nname: Acme\ndomains: [Acme-Corp.example, acme.de]\nowner: anna.berg\ntier: strategic\n")); r.status != 201 {
		t.Fatalf("put account: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", "/v1/accounts/rival", "application/yaml", []byte("name: Rival\ndomains: [rival.example, acme.de]\nowner: emea-1\n")); r.status != 409 || !strings.Contains(string(r.body), "acme.de belongs to account acme") {
		t.Errorf("a domain another account holds: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/v1/accounts/rival", "", nil); r.status != 404 {
		t.Errorf("the refused account was stored: %d %s", r.status, r.body)
	}

	// The account's owner, for a subdomain too, ahead of territory.
	submit("dee@emea.acme-corp.example")
	if o, why := assignedBy(t, c, "dee@emea.acme-corp.example"); o != "anna.berg" || why != "account acme-corp.example → anna.berg" {
		t.Errorf("account lead: %s (%s)", o, why)
	}
	// Taken off the account, acme.de is free for another one; its leads
	// then go to that account's owner.
	if r := c.do("PUT", "/v1/accounts/acme", "application/yaml", []byte("name: Acme\ndomains: [acme-corp.example]\nowner: anna.berg\n")); r.status != 200 {
		t.Fatalf("change account: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", "/v1/accounts/rival", "application/yaml", []byte("name: Rival\ndomains: [acme.de]\nowner: emea-2\n")); r.status != 201 {
		t.Fatalf("the freed domain: %d %s", r.status, r.body)
	}
	submit("ola@acme.de")
	if o, why := assignedBy(t, c, "ola@acme.de"); o != "emea-2" || why != "account acme.de → emea-2" {
		t.Errorf("lead of the domain moved to rival: %s (%s)", o, why)
	}

	// The owner away: territory round robin, and the reason says why.
	until := time.Now().Add(14 * 24 * time.Hour).UTC().Truncate(time.Second)
	away := fmt.Sprintf("name: Anna\nterritories: [NA]\nactive: true\ncapacity: 5\naway:\n  - {from: %s, to: %s}\n", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), until.Format(time.RFC3339))
	if r := c.do("PUT", "/v1/reps/anna.berg", "application/yaml", []byte(away)); r.status != 200 {
		t.Fatalf("put rep: %d %s", r.status, r.body)
	}
	submit("max@acme-corp.example")
	o, why := assignedBy(t, c, "max@acme-corp.example")
	if want := "account acme-corp.example: anna.berg away until " + until.Format(time.RFC3339) + "; territory DE → round robin → " + o; !strings.HasPrefix(o, "emea-") || why != want {
		t.Errorf("the owner away: %s (%s), want an EMEA rep (%s)", o, why, want)
	}

	// No account: the first lead of a company goes by round robin, the
	// next ones to the same rep, though round robin would alternate.
	submit("first@kolleg.example")
	first, why := assignedBy(t, c, "first@kolleg.example")
	if !strings.HasPrefix(why, "territory DE → round robin → ") {
		t.Errorf("first of its company: %s (%s)", first, why)
	}
	for i := range 3 {
		email := fmt.Sprintf("next%d@kolleg.example", i)
		submit(email)
		if o, why := assignedBy(t, c, email); o != first || why != "colleague at kolleg.example → "+first {
			t.Errorf("%s: %s (%s), want %s as a colleague", email, o, why, first)
		}
	}
	// The reads: the account, a page of accounts, and its deletion.
	var page struct {
		Accounts []struct {
			ID      string   `json:"id"`
			Domains []string `json:"domains"`
			Owner   string   `json:"owner"`
		} `json:"accounts"`
	}
	c.do("GET", "/v1/accounts", "", nil).json(t, &page)
	if len(page.Accounts) != 2 || page.Accounts[0].ID != "acme" || strings.Join(page.Accounts[0].Domains, ",") != "acme-corp.example" || page.Accounts[1].Owner != "emea-2" {
		t.Errorf("accounts = %+v", page.Accounts)
	}
	if r := c.do("DELETE", "/v1/accounts/acme", "", nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", "/v1/accounts/other", "application/yaml", []byte("name: Other\ndomains: [acme-corp.example]\nowner: emea-1\n")); r.status != 201 {
		t.Errorf("a deleted account's domain is free: %d %s", r.status, r.body)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestWeightedSplitUnderConcurrentAssigners: reps at 100%, 100% and 50%
// share 500 leads 2:2:1 within 2 leads each, with five assigners at once
// (the template's MaximumConcurrency), each lead assigned exactly once,
// and the counts held in the store agreeing with the owners. An assigner
// that loses a race reads the reps again, so the order is the one a
// single assigner would give (stride scheduling is off by at most one).
func TestWeightedSplitUnderConcurrentAssigners(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	weights := map[string]int{"dach-1": 100, "dach-2": 100, "dach-new": 50}
	for id, w := range weights {
		body := fmt.Sprintf("name: %s\nterritories: [DE]\nactive: true\ncapacity: 1000\nweight: %d\n", id, w)
		if r := c.do("PUT", "/v1/reps/"+id, "application/yaml", []byte(body)); r.status != 201 {
			t.Fatalf("put rep %s: %d %s", id, r.status, r.body)
		}
	}
	const n = 500
	// Each lead its own company: colleagues would otherwise take the
	// leads outside round robin.
	email := func(i int) string { return fmt.Sprintf("p%d@company-%d.example", i, i) }
	for i := range n {
		if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(email(i), "DE")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	msgs := receive(t, sys, "SalesReadyQueue", n)
	assign, err := wiring.Assign(cfg, functionEnv(t, sys, "AssignFunction"), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	// Five assigners, as five Lambda instances: each takes batches of 10
	// in turn from a shared feed.
	feed := make(chan events.SQSEvent)
	go func() {
		for i := 0; i < len(msgs); i += 10 {
			var ev events.SQSEvent
			for j, m := range msgs[i:min(i+10, len(msgs))] {
				body, _ := json.Marshal(m)
				ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprint(i + j), Body: string(body)})
			}
			feed <- ev
		}
		close(feed)
	}()
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range feed {
				resp, err := assign(context.Background(), ev)
				if err != nil || len(resp.BatchItemFailures) > 0 {
					t.Errorf("assigner: %v %+v", err, resp.BatchItemFailures)
				}
			}
		}()
	}
	wg.Wait()
	owners := map[string]int{}
	for i := range n {
		l := c.lead(lead.IDFor(email(i)))
		owners[l.Owner]++
		assignments := 0
		for _, h := range l.History {
			if h.By == lead.ByAssigner {
				assignments++
			}
		}
		if assignments != 1 {
			t.Errorf("lead %d assigned %d times", i, assignments)
		}
	}
	t.Logf("split of %d leads: %v", n, owners)
	for id, w := range weights {
		want := n * w / 250
		if d := owners[id] - want; d > 2 || d < -2 {
			t.Errorf("%s (weight %d) got %d, want %d ± 2", id, w, owners[id], want)
		}
		if r := c.rep(id); r.OpenLeads != owners[id] {
			t.Errorf("%s holds %d by its count, %d by the leads", id, r.OpenLeads, owners[id])
		}
	}
}

// TestNoBurstAfterLeaveThroughTheStore: while one of three reps is away
// the other two share the leads; back, the rep takes the next lead and
// then every third, never two in a row, though their turn stood still for
// thirty leads. Assignment runs one lead at a time through the stored
// turns.
func TestNoBurstAfterLeaveThroughTheStore(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "de-1", "DE", 100)
	putRep(t, c, "de-2", "DE", 100)
	rep := "name: de-back\nterritories: [DE]\nactive: true\ncapacity: 100\n"
	away := fmt.Sprintf("away:\n  - {from: %s, to: %s, reason: leave}\n", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(14*24*time.Hour).UTC().Format(time.RFC3339))
	if r := c.do("PUT", "/v1/reps/de-back", "application/yaml", []byte(rep+away)); r.status != 201 {
		t.Fatalf("put rep: %d %s", r.status, r.body)
	}
	assign, err := wiring.Assign(cfg, functionEnv(t, sys, "AssignFunction"), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	// leads submits n leads from companies of their own and assigns them
	// one at a time, returning the owners in the order assigned.
	leads := func(from, n int) []string {
		for i := from; i < from+n; i++ {
			if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(fmt.Sprintf("p%d@firm-%d.example", i, i), "DE")); r.status != 202 {
				t.Fatalf("%d %s", r.status, r.body)
			}
		}
		var owners []string
		for i, m := range receive(t, sys, "SalesReadyQueue", n) {
			body, _ := json.Marshal(m)
			resp, err := assign(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: fmt.Sprint(i), Body: string(body)}}})
			if err != nil || len(resp.BatchItemFailures) > 0 {
				t.Fatalf("assigner: %v %+v", err, resp.BatchItemFailures)
			}
			owners = append(owners, c.lead(m.LeadID).Owner)
		}
		return owners
	}
	during := map[string]int{}
	for _, o := range leads(0, 30) {
		during[o]++
	}
	if during["de-1"] != 15 || during["de-2"] != 15 {
		t.Errorf("while de-back is away: %v, want de-1 and de-2 15 each", during)
	}
	if r := c.do("PUT", "/v1/reps/de-back", "application/yaml", []byte(rep)); r.status != 200 {
		t.Fatalf("back: %d %s", r.status, r.body)
	}
	after := leads(30, 12)
	got := 0
	for i, o := range after {
		if o == "de-back" {
			got++
			if i > 0 && after[i-1] == "de-back" {
				t.Errorf("de-back took leads %d and %d in a row: %v", i-1, i, after)
			}
		}
	}
	if after[0] != "de-back" || got != 4 {
		t.Errorf("after the leave: %v, want de-back first and 4 of 12", after)
	}
}

// TestADomainBelongsToOneAccountUnderConcurrentWrites: ten accounts
// claiming the same domain at once: one is created, nine are refused with
// a conflict naming the winner, and the winner's is the only claim.
func TestADomainBelongsToOneAccountUnderConcurrentWrites(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	putRep(t, c, "anna.berg", "DE", 5)
	statuses := make([]int, 10)
	bodies := make([]string, 10)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.do("PUT", fmt.Sprintf("/v1/accounts/claimant-%d", i), "application/yaml", []byte(fmt.Sprintf("name: Claimant %d\ndomains: [own-%d.example, contested.example]\nowner: anna.berg\n", i, i)))
			statuses[i], bodies[i] = r.status, string(r.body)
		}()
	}
	wg.Wait()
	winner := -1
	for i, s := range statuses {
		if s == 201 {
			if winner >= 0 {
				t.Fatalf("claimant-%d and claimant-%d both hold contested.example", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("nobody holds contested.example: %v", statuses)
	}
	for i, s := range statuses {
		if i != winner && (s != 409 || !strings.Contains(bodies[i], fmt.Sprintf("contested.example belongs to account claimant-%d", winner))) {
			t.Errorf("claimant-%d: %d %s", i, s, bodies[i])
		}
		if i != winner {
			if r := c.do("GET", fmt.Sprintf("/v1/accounts/claimant-%d", i), "", nil); r.status != 404 {
				t.Errorf("refused claimant-%d was stored: %d", i, r.status)
			}
		}
	}
}
