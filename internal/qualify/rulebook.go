package qualify

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/geo"
)

// Rulebook is a published definition compiled for evaluation: rule names and
// "wanted" texts are built once here so Evaluate never formats or allocates.
type Rulebook struct {
	campaign    string
	version     int
	base        ruleset
	geographies []geography

	points       map[string]float64
	outcomes     map[string]map[string]float64 // type -> outcome -> points, in place of the type's
	decayPerHour float64                       // ln 2 / half-life in hours; 0: points never decay
	ratingBonus  float64
	handRaisers  []string
	handWant     string
}

type geography struct {
	countries map[string]bool
	regions   map[string]bool
	rules     ruleset
}

// ruleset is the part of a definition a geography can replace.
type ruleset struct {
	geography string
	required  []fieldRule

	excludeDomains []string
	excludeTitles  []string
	excludeDomWant string
	excludeTitWant string

	hasFit         bool
	industries     []string
	industriesWant string
	employees      *campaign.Range
	employeesWant  string
	revenue        *campaign.Range
	revenueWant    string
	countries      map[string]bool
	regions        map[string]bool
	countriesWant  string
	businessEmail  bool

	hasRole         bool
	titles          []string
	titlesWant      string
	seniorities     []string
	senioritiesWant string
	departments     []string
	departmentsWant string

	need *needRule

	hasWillingness  bool
	consentField    string
	contactTouches  []string
	willingnessWant string

	hasInterest     bool
	interestFields  []string
	interestRating  int
	interestTouches []string
	interestWant    string

	threshold     float64
	thresholdWant string
}

type fieldRule struct {
	field string
	rule  string
}

type needRule struct {
	field       string
	rule        string
	confirmedBy []string
	want        string
}

// Compile prepares a published definition for evaluation. The definition must
// have passed Validate; Compile trusts its shape.
func Compile(p *campaign.Published) *Rulebook {
	d := p.Definition
	rb := &Rulebook{
		campaign:    d.ID,
		version:     p.Version,
		points:      d.Engagement.Points,
		outcomes:    d.Engagement.Outcomes,
		ratingBonus: d.Engagement.RatingBonus,
		handRaisers: d.HandRaisers,
		handWant:    "a hand-raising touch point: " + campaign.OrList(d.HandRaisers),
	}
	if h := d.Engagement.HalfLifeDays; h > 0 {
		rb.decayPerHour = math.Ln2 / (h * 24)
	}
	rb.base = compileRules("", d.Rules, d.Engagement)
	for _, g := range d.Geographies {
		rules := mergeRules(d.Rules, g.Rules)
		eng := d.Engagement
		if g.Threshold != nil {
			eng.Threshold = *g.Threshold
		}
		rb.geographies = append(rb.geographies, geography{
			countries: set(g.Countries),
			regions:   set(g.Regions),
			rules:     compileRules(g.Name, rules, eng),
		})
	}
	return rb
}

// mergeRules applies a geography's sections over the base, section by section.
func mergeRules(base, over campaign.Rules) campaign.Rules {
	out := base
	if over.Required != nil {
		out.Required = over.Required
	}
	if over.Fit != nil {
		out.Fit = over.Fit
	}
	if over.Role != nil {
		out.Role = over.Role
	}
	if over.Need != nil {
		out.Need = over.Need
	}
	if over.Willingness != nil {
		out.Willingness = over.Willingness
	}
	if over.Interest != nil {
		out.Interest = over.Interest
	}
	return out
}

func compileRules(name string, r campaign.Rules, e campaign.Engagement) ruleset {
	rs := ruleset{geography: name, threshold: e.Threshold}
	rs.thresholdWant = "a score of at least " + strconv.FormatFloat(e.Threshold, 'f', -1, 64)
	if e.HalfLifeDays > 0 {
		rs.thresholdWant += fmt.Sprintf(" (points halve every %g days)", e.HalfLifeDays)
	}
	for _, f := range r.Required {
		rs.required = append(rs.required, fieldRule{field: f, rule: "required." + f})
	}
	if f := r.Fit; f != nil {
		rs.excludeDomains = f.ExcludeDomains
		rs.excludeDomWant = "an email domain other than " + campaign.OrList(f.ExcludeDomains)
		rs.excludeTitles = f.ExcludeTitles
		rs.excludeTitWant = "a title without " + campaign.OrList(f.ExcludeTitles)
		rs.industries = f.Industries
		rs.industriesWant = "one of " + campaign.OrList(f.Industries)
		rs.employees = f.Employees
		rs.employeesWant = f.Employees.Describe("employees", false)
		rs.revenue = f.Revenue
		rs.revenueWant = f.Revenue.Describe("a year", true)
		if len(f.Countries)+len(f.Regions) > 0 {
			rs.countries, rs.regions = set(f.Countries), set(f.Regions)
			rs.countriesWant = "a country in " + campaign.OrList(slices.Concat(f.Countries, f.Regions))
		}
		rs.businessEmail = f.BusinessEmailOnly
		rs.hasFit = len(f.Industries) > 0 || f.Employees != nil || f.Revenue != nil || rs.countries != nil || f.BusinessEmailOnly
	}
	if ro := r.Role; ro != nil {
		rs.hasRole = true
		rs.titles = ro.Titles
		rs.titlesWant = "a title with " + campaign.OrList(ro.Titles)
		rs.seniorities = ro.Seniorities
		rs.senioritiesWant = "seniority " + campaign.OrList(ro.Seniorities)
		rs.departments = ro.Departments
		rs.departmentsWant = "department " + campaign.OrList(ro.Departments)
	}
	if n := r.Need; n != nil {
		rs.need = &needRule{field: n.Field, rule: "need." + n.Field, confirmedBy: n.ConfirmedBy, want: "an answer of " + campaign.OrList(n.ConfirmedBy)}
	}
	if w := r.Willingness; w != nil {
		rs.hasWillingness = true
		rs.consentField = w.Field
		rs.contactTouches = w.TouchPoints
		var ways []string
		if w.Field != "" {
			ways = append(ways, w.Field+" = yes")
		}
		if len(w.TouchPoints) > 0 {
			ways = append(ways, "a "+campaign.OrList(w.TouchPoints))
		}
		rs.willingnessWant = strings.Join(ways, ", or ")
	}
	if in := r.Interest; in != nil {
		rs.hasInterest = true
		rs.interestFields = in.Fields
		rs.interestRating = in.MinRating
		rs.interestTouches = in.TouchPoints
		var ways []string
		if len(in.Fields) > 0 {
			ways = append(ways, "an answer to "+campaign.OrList(in.Fields))
		}
		if in.MinRating > 0 {
			ways = append(ways, fmt.Sprintf("a rating of %d or more", in.MinRating))
		}
		if len(in.TouchPoints) > 0 {
			ways = append(ways, "a "+campaign.OrList(in.TouchPoints))
		}
		rs.interestWant = strings.Join(ways, ", or ")
	}
	return rs
}

// rulesFor picks the geography whose countries name the lead's country, then
// one whose regions hold it, then the base rules: the most specific wins.
func (rb *Rulebook) rulesFor(country string) *ruleset {
	if country == "" || len(rb.geographies) == 0 {
		return &rb.base
	}
	for i := range rb.geographies {
		if rb.geographies[i].countries[country] {
			return &rb.geographies[i].rules
		}
	}
	if region, ok := geo.Region(country); ok {
		for i := range rb.geographies {
			if rb.geographies[i].regions[region] {
				return &rb.geographies[i].rules
			}
		}
	}
	return &rb.base
}

func set(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}
