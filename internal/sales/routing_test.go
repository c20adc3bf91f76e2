package sales_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

func TestRouteSaysWhyEachOwner(t *testing.T) {
	now := t0
	leave := []sales.Absence{{From: now.Add(-time.Hour), To: now.Add(14 * 24 * time.Hour), Reason: "leave"}}
	anna := sales.Rep{ID: "anna.berg", Territories: []string{"NA"}, Active: true, Capacity: 5}
	emea := sales.Rep{ID: "emea-1", Territories: []string{"EMEA"}, Active: true, Capacity: 5}
	emea2 := sales.Rep{ID: "emea-2", Territories: []string{"EMEA"}, Active: true, Capacity: 5, Turn: 20000}
	full := func(r sales.Rep) sales.Rep { r.OpenLeads = r.Capacity; return r }
	away := func(r sales.Rep) sales.Rep { r.Away = leave; return r }
	acme := &sales.Account{ID: "acme", Name: "Acme", Domains: []string{"acme.com"}, Owner: "anna.berg"}
	for _, tc := range []struct {
		name string
		in   sales.Routing
		want []string // owner: reason
	}{
		{"the account's owner, whatever the territory", sales.Routing{Country: "DE", Account: acme, Matched: "acme.com", Domain: "de.acme.com", Reps: []sales.Rep{anna, emea}},
			[]string{"anna.berg: account acme.com → anna.berg", "queue: fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"the account's owner away: territory round robin, saying so", sales.Routing{Country: "DE", Account: acme, Matched: "acme.com", Reps: []sales.Rep{away(anna), emea}},
			[]string{"emea-1: account acme.com: anna.berg away until 2026-12-06T09:00:00Z; territory DE → round robin → emea-1", "queue: account acme.com: anna.berg away until 2026-12-06T09:00:00Z; fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"the account's owner full and no rep for the country", sales.Routing{Country: "JP", Account: acme, Matched: "acme.com", Reps: []sales.Rep{full(anna), emea}},
			[]string{"queue: account acme.com: anna.berg at capacity (5); fallback: no rep covers JP (APAC)"}},
		{"the account's owner no longer a rep", sales.Routing{Country: "DE", Account: acme, Matched: "acme.com", Reps: []sales.Rep{emea}},
			[]string{"emea-1: account acme.com: anna.berg is not a rep; territory DE → round robin → emea-1", "queue: account acme.com: anna.berg is not a rep; fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"a colleague holds a lead of the domain", sales.Routing{Country: "DE", Domain: "acme.com", Holders: []string{"queue", "anna.berg"}, Reps: []sales.Rep{anna, emea}},
			[]string{"anna.berg: colleague at acme.com → anna.berg", "queue: fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"the colleague is inactive: territory", sales.Routing{Country: "DE", Domain: "acme.com", Holders: []string{"anna.berg", "anna.berg"}, Reps: []sales.Rep{{ID: "anna.berg", Territories: []string{"NA"}, Capacity: 5}, emea}},
			[]string{"emea-1: colleague at acme.com: anna.berg inactive; territory DE → round robin → emea-1", "queue: colleague at acme.com: anna.berg inactive; fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"the first colleague full, the next one takes it", sales.Routing{Country: "DE", Domain: "acme.com", Holders: []string{"anna.berg", "emea-2"}, Reps: []sales.Rep{full(anna), emea, emea2}},
			[]string{"emea-2: colleague at acme.com → emea-2", "queue: fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"many colleagues unavailable are named up to three", sales.Routing{Country: "JP", Domain: "acme.com", Holders: []string{"c1", "c2", "c3", "c4", "c5"}, Reps: []sales.Rep{
			{ID: "c1", Territories: []string{"NA"}}, {ID: "c2", Territories: []string{"NA"}}, {ID: "c3", Territories: []string{"NA"}}, {ID: "c4", Territories: []string{"NA"}}, {ID: "c5", Territories: []string{"NA"}}}},
			[]string{"queue: colleague at acme.com: c1 inactive, c2 inactive, c3 inactive, and 2 more; fallback: no rep covers JP (APAC)"}},
		{"territory in weighted turn", sales.Routing{Country: "DE", Domain: "fleetworks.de", Reps: []sales.Rep{emea2, emea, anna}},
			[]string{"emea-1: territory DE → round robin → emea-1", "emea-2: territory DE → round robin → emea-2", "queue: fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"all EMEA reps unavailable", sales.Routing{Country: "FR", Reps: []sales.Rep{full(emea), away(emea2), {ID: "emea-3", Territories: []string{"FR"}, Capacity: 3}, anna}},
			[]string{"queue: fallback: all 3 reps covering FR (EMEA) are away, inactive or at capacity (1 at capacity, 1 away, 1 inactive)"}},
		{"no country", sales.Routing{Reps: []sales.Rep{emea}}, []string{"queue: fallback: the lead has no country"}},
		{"the colleague who holds it is passed over (it is being taken from them)", sales.Routing{Country: "DE", Domain: "acme.com", Holders: []string{"emea-1"}, Reps: []sales.Rep{emea, emea2}, Passed: []string{"emea-1"}},
			[]string{"emea-2: territory DE → round robin → emea-2", "queue: fallback: the reps covering DE (EMEA) filled up meanwhile"}},
		{"the account's owner missed its SLA", sales.Routing{Country: "DE", Account: acme, Matched: "acme.com", Reps: []sales.Rep{anna, emea}, Passed: []string{"anna.berg"}},
			[]string{"emea-1: account acme.com: anna.berg passed over; territory DE → round robin → emea-1", "queue: account acme.com: anna.berg passed over; fallback: the reps covering DE (EMEA) filled up meanwhile"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Fallback, tc.in.Now = "queue", now
			var got []string
			for _, c := range sales.Route(tc.in) {
				got = append(got, c.Owner+": "+c.Reason)
				if (c.Turn != 0) != strings.Contains(c.Reason, "round robin") {
					t.Errorf("%s: turn %d; only a round-robin pick moves a turn", c.Owner, c.Turn)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestCompanyDomainAndAccountDomains(t *testing.T) {
	for _, tc := range []struct {
		email, website, domain, lookups string
	}{
		{"anna@acme.com", "", "acme.com", "acme.com"},
		{"anna@EMEA.Acme.com", "", "emea.acme.com", "emea.acme.com acme.com"},
		{"a@x.y.z.acme.co.uk", "", "x.y.z.acme.co.uk", "x.y.z.acme.co.uk y.z.acme.co.uk z.acme.co.uk acme.co.uk"},
		{"anna@gmail.com", "", "", ""},
		{"anna@gmail.com", "https://www.Acme.com/about", "acme.com", "acme.com"},
		{"anna@gmail.com", "www.hotmail.com", "", ""},
		{"anna@gmail.com", "not a site", "", ""},
	} {
		t.Run(tc.email+" "+tc.website, func(t *testing.T) {
			l := lead.Lead{Email: strings.ToLower(tc.email), Fields: map[string]string{sales.FieldWebsite: tc.website}}
			if got := sales.CompanyDomain(&l); got != tc.domain {
				t.Errorf("company domain %q, want %q", got, tc.domain)
			}
			if got := strings.Join(sales.AccountDomains(&l), " "); got != tc.lookups {
				t.Errorf("lookups %q, want %q", got, tc.lookups)
			}
		})
	}
}

func TestAccountValidation(t *testing.T) {
	a := sales.Account{ID: "acme", Name: " Acme ", Domains: []string{"Acme.com", "https://www.acme.de/", "acme.io."}, Owner: "anna.berg", Tier: "strategic"}
	if err := a.Validate(); err != nil || strings.Join(a.Domains, ",") != "acme.com,acme.de,acme.io" || a.Name != "Acme" {
		t.Errorf("valid account: %v %v %q", err, a.Domains, a.Name)
	}
	bad := sales.Account{ID: "Bad Id", Domains: []string{"gmail.com", "acme.com", "ACME.com", "not a domain", "localhost"}, Owner: "", Tier: strings.Repeat("t", 41)}
	var got []string
	for _, p := range leadgate.ErrorProblems(bad.Validate()) {
		got = append(got, p.Path+": "+p.Message)
	}
	want := []string{
		`id: "Bad Id": use lower-case letters, digits, dots, dashes`,
		"name: required",
		`owner: "": name the rep who holds the account by their id`,
		"tier: at most 40 characters",
		"domains[0]: gmail.com is a free-mail domain: it names people's own mailboxes, not a company's",
		"domains[2]: acme.com is listed already, at domains[1]",
		`domains[3]: "not a domain" is not a domain, such as acme.com`,
		`domains[4]: "localhost" is not a domain, such as acme.com`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	many := sales.Account{ID: "big", Name: "Big", Owner: "a", Domains: make([]string, sales.MaxAccountDomains+1)}
	for i := range many.Domains {
		many.Domains[i] = strings.Repeat("x", i+1) + ".com"
	}
	if p := leadgate.ErrorProblems(many.Validate()); len(p) != 1 || p[0].Path != "domains" {
		t.Errorf("%d domains: %+v", len(many.Domains), p)
	}
}
