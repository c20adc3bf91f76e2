package qualify

import (
	"math"
	"slices"
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

	points       pointTable
	outcomes     map[string]map[string]float64 // type -> outcome -> points, in place of the type's
	decayPerHour float64                       // ln 2 / half-life in hours; 0: points never decay
	ratingBonus  float64
	handRaisers  []string
	handWant     string

	handsBreak bool // a hand raised ends a recycle hold
	definition *campaign.Definition
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
	excludeTitles  phrases
	excludeDomWant string
	excludeTitWant string

	hasFit            bool
	industries        choices
	industriesWant    string
	employees         *campaign.Range
	employeesWant     string
	revenue           *campaign.Range
	revenueWant       string
	countries         map[string]bool
	regions           map[string]bool
	countriesWant     string
	businessEmail     bool
	businessEmailWant string

	hasRole         bool
	titles          phrases
	titlesWant      string
	seniorities     choices
	senioritiesWant string
	departments     choices
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
	confirmedBy choices
	want        string
}

// Compile prepares a published definition for evaluation. The definition must
// have passed Validate; Compile trusts its shape.
func Compile(p *campaign.Published) *Rulebook {
	d := p.Definition
	rb := &Rulebook{
		campaign:    d.ID,
		version:     p.Version,
		points:      compilePoints(d.Engagement.Points),
		outcomes:    d.Engagement.Outcomes,
		ratingBonus: d.Engagement.RatingBonus,
		handRaisers: d.HandRaisers,
		handsBreak:  d.HandRaisersBreakHold(),
		definition:  d,
	}
	if c, ok := d.HandRaiser(); ok {
		rb.handWant = c.Want
	}
	if h := d.Engagement.HalfLifeDays; h > 0 {
		rb.decayPerHour = math.Ln2 / (h * 24)
	}
	rb.base = compileRules("", d.Rules, d.Engagement)
	for _, g := range d.Geographies {
		rb.geographies = append(rb.geographies, geography{
			countries: set(g.Countries),
			regions:   set(g.Regions),
			rules:     compileRules(g.Name, g.In(d.Rules), g.Engagement(d.Engagement)),
		})
	}
	return rb
}

// compileRules prepares one set of rules. What each criterion wants, in
// words, comes from the definition's own description of it
// (campaign.Rules.Criteria), which the document and the diff use too.
func compileRules(name string, r campaign.Rules, e campaign.Engagement) ruleset {
	want := map[string]string{}
	for _, c := range r.Criteria(e) {
		want[c.Rule] = c.Want
	}
	rs := ruleset{geography: name, threshold: e.Threshold, thresholdWant: want["engagement.score"]}
	for _, f := range r.Required {
		rs.required = append(rs.required, fieldRule{field: f, rule: "required." + f})
	}
	if f := r.Fit; f != nil {
		rs.excludeDomains, rs.excludeDomWant = f.ExcludeDomains, want["exclude.domain"]
		rs.excludeTitles, rs.excludeTitWant = compilePhrases(f.ExcludeTitles), want["exclude.title"]
		rs.industries, rs.industriesWant = compileChoices(f.Industries), want["fit.industry"]
		rs.employees, rs.employeesWant = f.Employees, want["fit.employees"]
		rs.revenue, rs.revenueWant = f.Revenue, want["fit.revenue"]
		if len(f.Countries)+len(f.Regions) > 0 {
			rs.countries, rs.regions = set(f.Countries), set(f.Regions)
			rs.countriesWant = want["fit.country"]
		}
		rs.businessEmail, rs.businessEmailWant = f.BusinessEmailOnly, want["fit.business-email"]
		rs.hasFit = len(f.Industries) > 0 || f.Employees != nil || f.Revenue != nil || rs.countries != nil || f.BusinessEmailOnly
	}
	if ro := r.Role; ro != nil {
		rs.hasRole = true
		rs.titles, rs.titlesWant = compilePhrases(ro.Titles), want["role.title"]
		rs.seniorities, rs.senioritiesWant = compileChoices(ro.Seniorities), want["role.seniority"]
		rs.departments, rs.departmentsWant = compileChoices(ro.Departments), want["role.department"]
	}
	if n := r.Need; n != nil {
		rule := "need." + n.Field
		rs.need = &needRule{field: n.Field, rule: rule, confirmedBy: compileChoices(n.ConfirmedBy), want: want[rule]}
	}
	if w := r.Willingness; w != nil {
		rs.hasWillingness = true
		rs.consentField, rs.contactTouches = w.Field, w.TouchPoints
		rs.willingnessWant = want["willingness"]
	}
	if in := r.Interest; in != nil {
		rs.hasInterest = true
		rs.interestFields, rs.interestRating, rs.interestTouches = in.Fields, in.MinRating, in.TouchPoints
		rs.interestWant = want["interest"]
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

// pointTable is a touch point type's points, looked up once per touch point
// in the score: a definition names a handful of types, where comparing
// lengths and then bytes is several times cheaper than hashing the type.
type pointTable []typePoints

type typePoints struct {
	typ    string
	points float64
}

func compilePoints(points map[string]float64) pointTable {
	t := make(pointTable, 0, len(points))
	for typ, p := range points {
		t = append(t, typePoints{typ, p})
	}
	slices.SortFunc(t, func(a, b typePoints) int { return strings.Compare(a.typ, b.typ) })
	return t
}

// of returns typ's points, 0 for a type the definition does not name, as
// the map the table was built from does.
func (t pointTable) of(typ string) float64 {
	for i := range t {
		if len(t[i].typ) == len(typ) && t[i].typ == typ {
			return t[i].points
		}
	}
	return 0
}
