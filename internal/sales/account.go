package sales

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/qualify"
)

// Account is a company sales works as one: its leads, by the domains of
// their email (or website), go to the account's owner ahead of territory
// and round robin.
type Account struct {
	ID      string   `json:"id" yaml:"id"`
	Name    string   `json:"name" yaml:"name"`
	Domains []string `json:"domains" yaml:"domains"`
	// Owner is the rep who holds the account.
	Owner string `json:"owner" yaml:"owner"`
	// Tier is the account's tier in sales' own words (strategic, named,
	// mid-market); leadgate keeps it for reports and does not route on it.
	Tier string `json:"tier,omitempty" yaml:"tier,omitempty"`
}

// Bounds of an account. MaxAccountDomains also keeps the write that claims
// and lets go of domains inside one DynamoDB transaction (100 items).
const (
	MaxAccountDomains = 20
	MaxAccountName    = 200
	MaxAccountTier    = 40
	maxDomainLength   = 253
)

// ValidAccountID reports whether id can be an account's id: the rules of a
// rep's id.
func ValidAccountID(id string) bool { return ValidRepID(id) }

var domainPattern = lazyRegexp(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// Validate normalizes a (domains lower case, without a scheme or www.) and
// lists every problem.
func (a *Account) Validate() error {
	var problems []leadgate.Problem
	fail := func(path, format string, args ...any) {
		problems = append(problems, leadgate.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	a.ID, a.Name, a.Owner, a.Tier = strings.TrimSpace(a.ID), strings.TrimSpace(a.Name), strings.TrimSpace(a.Owner), strings.TrimSpace(a.Tier)
	if !ValidAccountID(a.ID) {
		fail("id", "%q: use lower-case letters, digits, dots, dashes", a.ID)
	}
	switch {
	case a.Name == "":
		fail("name", "required")
	case len(a.Name) > MaxAccountName:
		fail("name", "at most %d characters", MaxAccountName)
	}
	if !ValidRepID(a.Owner) {
		fail("owner", "%q: name the rep who holds the account by their id", a.Owner)
	}
	if len(a.Tier) > MaxAccountTier {
		fail("tier", "at most %d characters", MaxAccountTier)
	}
	switch {
	case len(a.Domains) == 0:
		fail("domains", "name at least one domain, such as acme.com")
	case len(a.Domains) > MaxAccountDomains:
		fail("domains", "%d domains: at most %d", len(a.Domains), MaxAccountDomains)
	}
	seen := map[string]int{}
	for i, d := range a.Domains {
		path := fmt.Sprintf("domains[%d]", i)
		host := hostOf(d)
		switch j, dup := seen[host]; {
		case host == "" || len(host) > maxDomainLength || !domainPattern().MatchString(host):
			fail(path, "%q is not a domain, such as acme.com", d)
			continue
		case qualify.FreeMail(host):
			fail(path, "%s is a free-mail domain: it names people's own mailboxes, not a company's", host)
		case dup:
			fail(path, "%s is listed already, at domains[%d]", host, j)
		}
		seen[host] = i
		a.Domains[i] = host
	}
	if len(problems) > 0 {
		return leadgate.Invalid(fmt.Sprintf("The account has %d problem(s).", len(problems)), problems)
	}
	return nil
}

// hostOf returns the host a domain, address or web address names, lower
// case, without www.: "https://www.Acme.com/about" is acme.com.
func hostOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		s = u.Hostname()
	}
	s = strings.TrimSuffix(s, ".")
	return strings.TrimPrefix(s, "www.")
}

// FieldWebsite is the custom field a campaign may ask for the company's
// web address in; its host stands in for the email's domain.
const FieldWebsite = "website"

// CompanyDomain is the domain a lead's company goes by: the email's,
// unless that is free mail, then the website's host; "" when neither
// names a company.
func CompanyDomain(l *lead.Lead) string {
	if _, d, ok := strings.Cut(l.Email, "@"); ok {
		if d = hostOf(d); d != "" && !qualify.FreeMail(d) {
			return d
		}
	}
	if w := hostOf(l.Fields[FieldWebsite]); w != "" && domainPattern().MatchString(w) && !qualify.FreeMail(w) {
		return w
	}
	return ""
}

// maxAccountLookups bounds the domains an account is looked up by: the
// company domain and its parents (emea.acme.com, then acme.com).
const maxAccountLookups = 4

// AccountDomains returns the domains an account may hold the lead by, most
// specific first: the company domain and each parent down to two labels,
// at most maxAccountLookups. Each is one key read.
func AccountDomains(l *lead.Lead) []string {
	d := CompanyDomain(l)
	var out []string
	for d != "" && strings.Contains(d, ".") && len(out) < maxAccountLookups {
		out = append(out, d)
		_, d, _ = strings.Cut(d, ".")
	}
	return out
}

// Open reports a stage in which a lead has, or waits for, an owner in
// sales: the leads a colleague holds.
func Open(s lead.Stage) bool {
	return s == lead.StageMQL || s == lead.StageSAL || s == lead.StageSQL || s == lead.StageOpportunity
}

// repByID returns the rep with id, if any.
func repByID(reps []Rep, id string) (Rep, bool) {
	i := slices.IndexFunc(reps, func(r Rep) bool { return r.ID == id })
	if i < 0 {
		return Rep{}, false
	}
	return reps[i], true
}
