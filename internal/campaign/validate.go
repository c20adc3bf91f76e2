package campaign

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/geo"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// ReviewEvery is how often marketing and sales must review the definition
// they agreed on: at least every six months.
const ReviewEvery = 183 * 24 * time.Hour

// Custom fields the engine reads by name when a definition uses the matching
// criterion. Forms call them many things; the definition calls them this.
const (
	FieldIndustry   = "industry"
	FieldEmployees  = "employees"
	FieldRevenue    = "revenue"
	FieldSeniority  = "seniority"
	FieldDepartment = "department"
)

var (
	idPattern    = lazyRegexp(`^[a-z0-9][a-z0-9-]{0,62}$`)
	fieldPattern = lazyRegexp(`^[a-z][a-zA-Z0-9]{0,39}$`)
)

// Validate normalizes d in place (trims text, turns country names into ISO
// codes, fills defaults so the published document says everything) and checks
// it. It returns every problem at once, as an EINVALID error, so an author
// fixes a file in one round; warnings do not block publishing.
//
// It checks intake.timeZone with time.LoadLocation, and Lambda's image need
// not carry the zone database: a function that validates definitions embeds
// it (its main package imports time/tzdata, as Go advises, and a test in
// internal/wiring checks that every function that can load a zone does).
func (d *Definition) Validate(now time.Time) (warnings []leadgate.Problem, err error) {
	v := validator{d: d, fields: map[string]*Field{}}
	v.identity(now)
	v.customFields()
	v.intake()
	v.rules("", &d.Rules)
	v.engagement()
	v.handRaisers()
	v.sql()
	v.leakage()
	v.geographies()
	if r := d.Retention; r != nil && (r.UnqualifiedDays < 1 || r.UnqualifiedDays > 3650) {
		v.fail("retention.unqualifiedDays", "%d: want 1 to 3650 days", r.UnqualifiedDays)
	}
	if len(v.problems) > 0 {
		return v.warnings, leadgate.Invalid(fmt.Sprintf("The definition has %d problem(s).", len(v.problems)), v.problems)
	}
	return v.warnings, nil
}

type validator struct {
	d        *Definition
	fields   map[string]*Field // declared custom fields by name
	problems []leadgate.Problem
	warnings []leadgate.Problem
}

func (v *validator) fail(path, format string, args ...any) {
	v.problems = append(v.problems, leadgate.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(path, format string, args ...any) {
	v.warnings = append(v.warnings, leadgate.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) identity(now time.Time) {
	d := v.d
	d.ID = strings.TrimSpace(d.ID)
	d.Name = strings.TrimSpace(d.Name)
	d.Owner = strings.TrimSpace(d.Owner)
	d.SalesOwner = strings.TrimSpace(d.SalesOwner)
	d.Channel = strings.ToLower(strings.TrimSpace(d.Channel))
	d.Funnel = strings.ToLower(strings.TrimSpace(d.Funnel))
	d.Status = strings.ToLower(strings.TrimSpace(d.Status))

	switch {
	case d.ID == "":
		v.fail("id", "required")
	case !ValidID(d.ID):
		v.fail("id", "%q: use lower-case letters, digits and dashes, at most 63", d.ID)
	}
	switch {
	case d.Name == "":
		v.fail("name", "required")
	case len(d.Name) > 200:
		v.fail("name", "at most 200 characters")
	}
	if !slices.Contains(Channels, d.Channel) {
		v.fail("channel", "%q: want one of %s", d.Channel, strings.Join(Channels, ", "))
	}
	if d.Funnel != FunnelTop && d.Funnel != FunnelMiddle && d.Funnel != FunnelBottom {
		v.fail("funnel", "%q: want top, middle or bottom", d.Funnel)
	}
	if d.Owner == "" {
		v.fail("owner", "required: who in marketing answers for this definition")
	}
	v.approvers()
	v.recycle()
	v.sla()
	switch d.Status {
	case "":
		d.Status = StatusActive
	case StatusActive, StatusPaused:
	default:
		v.fail("status", "%q: want active or paused", d.Status)
	}
	switch {
	case d.ReviewBy.IsZero():
		v.fail("reviewBy", "required: the date marketing and sales review this definition again")
	case d.ReviewOverdue(now):
		v.warn("reviewBy", "%s is past: the definition is overdue for review", d.ReviewBy)
	case d.ReviewBy.Sub(now) > ReviewEvery:
		v.warn("reviewBy", "%s is more than six months away: review at least every six months", d.ReviewBy)
	}
	if d.Starts != nil && d.Ends != nil && d.Ends.Before(d.Starts.Time) {
		v.fail("ends", "%s is before starts (%s)", d.Ends, d.Starts)
	}
}

// recycle checks the holds: one per recycle reason sales can give.
func (v *validator) recycle() {
	r := v.d.Recycle
	if r == nil {
		return
	}
	for reason, h := range r.Holds {
		switch {
		case !slices.Contains(lead.RecycleReasons, reason):
			v.fail("recycle.holds."+cut(reason), "not a recycle reason: want one of %s", strings.Join(lead.RecycleReasons, ", "))
		case h.Duration > MaxRecycleHold:
			v.fail("recycle.holds."+reason, "%s: at most %s", h, Duration{MaxRecycleHold})
		}
	}
}

// maxApprovers bounds each side's list of named approvers.
const maxApprovers = 20

// approvers checks who signs: a definition is an agreement, so under the
// default policy sales must be named as well as marketing.
func (v *validator) approvers() {
	d := v.d
	if a := d.Approvers; a != nil {
		a.Policy = strings.ToLower(strings.TrimSpace(a.Policy))
		if a.Policy != "" && a.Policy != PolicyBoth && a.Policy != PolicySingle {
			v.fail("approvers.policy", "%q: want both or single", a.Policy)
		}
		for side, list := range map[string][]string{SideMarketing: a.Marketing, SideSales: a.Sales} {
			if len(list) > maxApprovers {
				v.fail("approvers."+side, "%d approvers: at most %d", len(list), maxApprovers)
			}
			for i, who := range list {
				if who = strings.TrimSpace(who); who == "" || len(who) > 254 {
					v.fail(fmt.Sprintf("approvers.%s[%d]", side, i), "want an email or user name of at most 254 characters")
				}
				list[i] = who
			}
		}
	}
	if d.Policy() == PolicyBoth && d.SalesOwner == "" && (d.Approvers == nil || len(d.Approvers.Sales) == 0) {
		v.fail("salesOwner", "required: who in sales signs this definition (or name approvers.sales, or set approvers.policy: single for a sandbox)")
	}
}

// Bounds on what a definition makes every lead carry, so that a lead with
// every field answered at full length stays well within its byte budget.
const (
	MaxCustomFields = 40
	MaxHiddenFields = 10
	maxLabel        = 300
)

func (v *validator) customFields() {
	if n := len(v.d.Fields.Custom); n > MaxCustomFields {
		v.fail("fields.custom", "%d fields: a campaign may declare at most %d", n, MaxCustomFields)
	}
	for i := range v.d.Fields.Custom {
		f := &v.d.Fields.Custom[i]
		path := fmt.Sprintf("fields.custom[%d]", i)
		f.Name = strings.TrimSpace(f.Name)
		f.Type = strings.ToLower(strings.TrimSpace(f.Type))
		f.Label = strings.TrimSpace(f.Label)
		if len(f.Label) > maxLabel {
			v.fail(path+".label", "at most %d characters", maxLabel)
		}
		switch {
		case !fieldPattern().MatchString(f.Name):
			v.fail(path+".name", "%q: want a camelCase name like timeframe or cloudSpend", f.Name)
		case lead.IsBuiltinField(f.Name):
			v.fail(path+".name", "%q is a built-in contact field; do not declare it", f.Name)
		case v.fields[f.Name] != nil:
			v.fail(path+".name", "%q is declared twice", f.Name)
		default:
			v.fields[f.Name] = f
		}
		f.Type = cmp.Or(f.Type, FieldText)
		switch f.Type {
		case FieldChoice:
			if len(f.Options) == 0 {
				v.fail(path+".options", "a choice field needs its options")
			}
			f.Options = v.texts(path+".options", f.Options)
		case FieldText, FieldNumber, FieldBoolean:
			if len(f.Options) > 0 {
				v.fail(path+".options", "only choice fields have options")
			}
		default:
			v.fail(path+".type", "%q: want text, choice, number or boolean", f.Type)
		}
	}
}

// texts trims each entry and reports empty and repeated (case-insensitive)
// ones.
func (v *validator) texts(path string, in []string) []string {
	seen := map[string]bool{}
	for i := range in {
		in[i] = strings.TrimSpace(in[i])
		k := strings.ToLower(in[i])
		switch {
		case in[i] == "":
			v.fail(fmt.Sprintf("%s[%d]", path, i), "empty")
		case seen[k]:
			v.fail(fmt.Sprintf("%s[%d]", path, i), "%q is listed twice", in[i])
		}
		seen[k] = true
	}
	return in
}

func (v *validator) known(field string) bool {
	return lead.IsBuiltinField(field) || v.fields[field] != nil
}

func (v *validator) needField(path, name, why string) {
	if v.fields[name] == nil {
		v.fail(path, "%s reads the custom field %q: declare it under fields.custom", why, name)
	}
}

func (v *validator) touchPoints(path string, types []string) {
	for i, t := range types {
		if !lead.IsTouchPointType(t) {
			v.fail(fmt.Sprintf("%s[%d]", path, i), "%q: want one of %s", t, strings.Join(lead.TouchPointTypes, ", "))
		}
	}
}

func (v *validator) intake() {
	in := &v.d.Intake
	if in.TouchPoint == "" {
		in.TouchPoint = defaultTouchPoint(v.d.Channel)
	}
	if !lead.IsTouchPointType(in.TouchPoint) {
		v.fail("intake.touchPoint", "%q: want one of %s", in.TouchPoint, strings.Join(lead.TouchPointTypes, ", "))
	}
	if in.ThankYouURL != "" {
		if u, err := url.Parse(in.ThankYouURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.fail("intake.thankYouUrl", "%q: want an absolute http(s) URL", in.ThankYouURL)
		}
	}
	in.HoneypotField = cmp.Or(in.HoneypotField, DefaultHoneypotField)
	if in.MinFillSeconds == nil {
		n := DefaultMinFillSeconds
		in.MinFillSeconds = &n
	} else if *in.MinFillSeconds < 0 || *in.MinFillSeconds > 600 {
		v.fail("intake.minFillSeconds", "%d: want 0 to 600 seconds", *in.MinFillSeconds)
	}
	if in.TimeZone != "" {
		if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
			v.fail("intake.timeZone", "%q: want an IANA time zone like Europe/Berlin", in.TimeZone)
		}
	}
	if n := len(in.HiddenFields); n > MaxHiddenFields {
		v.fail("intake.hiddenFields", "%d fields: a campaign may keep at most %d hidden fields", n, MaxHiddenFields)
	}
	for i, h := range in.HiddenFields {
		if !fieldPattern().MatchString(h) {
			v.fail(fmt.Sprintf("intake.hiddenFields[%d]", i), "%q: want a name like partnerId", h)
		} else if v.known(h) {
			v.fail(fmt.Sprintf("intake.hiddenFields[%d]", i), "%q is a field of the person; a hidden field is kept on the touch point", h)
		}
	}
	for _, header := range slices.Sorted(maps.Keys(in.Columns)) {
		if f := in.Columns[header]; !v.known(f) {
			v.fail("intake.columns."+header, "%q is neither a built-in contact field nor a declared custom field", f)
		}
	}
	for i, o := range in.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			v.fail(fmt.Sprintf("intake.allowedOrigins[%d]", i), "%q: want an origin like https://www.example.com", o)
			continue
		}
		in.AllowedOrigins[i] = u.Scheme + "://" + strings.ToLower(u.Host)
	}
}

// defaultTouchPoint is what a submission counts as when the definition does
// not say.
func defaultTouchPoint(channel string) string {
	switch channel {
	case "trade-show":
		return lead.TouchEventVisit
	case "webinar":
		return lead.TouchWebinarRegistered
	case "content":
		return lead.TouchContentDownload
	case "telesales":
		return lead.TouchTelesalesCall
	}
	return lead.TouchFormSubmission
}

func (v *validator) rules(prefix string, r *Rules) {
	seen := map[string]bool{}
	for i, f := range r.Required {
		path := fmt.Sprintf("%srequired[%d]", prefix, i)
		switch {
		case !v.known(f):
			v.fail(path, "%q is neither a built-in contact field (%s) nor a declared custom field", f, strings.Join(lead.BuiltinFields, ", "))
		case seen[f]:
			v.fail(path, "%q is listed twice", f)
		}
		seen[f] = true
	}
	if r.Fit != nil {
		v.fit(prefix+"fit", r.Fit)
	}
	if r.Role != nil {
		v.role(prefix+"role", r.Role)
	}
	if n := r.Need; n != nil {
		path := prefix + "need"
		switch f := v.fields[n.Field]; {
		case n.Field == "":
			v.fail(path+".field", "required: the question whose answer confirms the need")
		case f == nil:
			v.fail(path+".field", "%q: declare it under fields.custom", n.Field)
		case f.Type == FieldChoice:
			for i, a := range n.ConfirmedBy {
				if !slices.ContainsFunc(f.Options, func(o string) bool { return strings.EqualFold(strings.TrimSpace(o), strings.TrimSpace(a)) }) {
					v.fail(fmt.Sprintf("%s.confirmedBy[%d]", path, i), "%q is not one of the options of %q (%s)", a, f.Name, strings.Join(f.Options, ", "))
				}
			}
		}
		if len(n.ConfirmedBy) == 0 {
			v.fail(path+".confirmedBy", "list the answer(s) that confirm the need")
		}
		n.ConfirmedBy = v.texts(path+".confirmedBy", n.ConfirmedBy)
	}
	if w := r.Willingness; w != nil {
		path := prefix + "willingness"
		if w.Field == "" && len(w.TouchPoints) == 0 {
			v.fail(path, "name a consent field, contact touch points, or both")
		}
		if f := v.fields[w.Field]; w.Field != "" && (f == nil || f.Type != FieldBoolean) {
			v.fail(path+".field", "%q: declare it under fields.custom with type boolean", w.Field)
		}
		v.touchPoints(path+".touchPoints", w.TouchPoints)
	}
	if in := r.Interest; in != nil {
		path := prefix + "interest"
		if len(in.Fields) == 0 && in.MinRating == 0 && len(in.TouchPoints) == 0 {
			v.fail(path, "name the fields, minimum rating or touch points that show interest")
		}
		for i, f := range in.Fields {
			if !v.known(f) {
				v.fail(fmt.Sprintf("%s.fields[%d]", path, i), "%q: declare it under fields.custom", f)
			}
		}
		if in.MinRating < 0 || in.MinRating > 5 {
			v.fail(path+".minRating", "%d: ratings run from 1 to 5", in.MinRating)
		}
		v.touchPoints(path+".touchPoints", in.TouchPoints)
	}
}

func (v *validator) fit(path string, f *Fit) {
	f.Industries = v.texts(path+".industries", f.Industries)
	if len(f.Industries) > 0 {
		v.needField(path+".industries", FieldIndustry, "the industry criterion")
	}
	if f.Employees != nil {
		v.rangeOK(path+".employees", f.Employees)
		v.needField(path+".employees", FieldEmployees, "the company size criterion")
	}
	if f.Revenue != nil {
		v.rangeOK(path+".revenue", f.Revenue)
		v.needField(path+".revenue", FieldRevenue, "the revenue criterion")
	}
	v.countries(path+".countries", f.Countries)
	v.regions(path+".regions", f.Regions)
	for i, dom := range f.ExcludeDomains {
		dom = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(dom), "@"))
		f.ExcludeDomains[i] = dom
		if !strings.Contains(dom, ".") || strings.ContainsAny(dom, "@ /") {
			v.fail(fmt.Sprintf("%s.excludeDomains[%d]", path, i), "%q: want a domain like competitor.com", dom)
		}
	}
	f.ExcludeTitles = v.texts(path+".excludeTitles", f.ExcludeTitles)
}

func (v *validator) rangeOK(path string, r *Range) {
	switch {
	case r.Min < 0 || r.Max < 0:
		v.fail(path, "bounds cannot be negative")
	case r.Min == 0 && r.Max == 0:
		v.fail(path, "set min, max or both")
	case r.Max != 0 && r.Min > r.Max:
		v.fail(path+".min", "%d is above max %d", r.Min, r.Max)
	}
}

// countries replaces each entry by its ISO code so the engine compares codes.
func (v *validator) countries(path string, cs []string) {
	for i, c := range cs {
		code, ok := geo.Country(c)
		if !ok {
			v.fail(fmt.Sprintf("%s[%d]", path, i), "%q is not a country we know (use an ISO code like DE)", c)
			continue
		}
		cs[i] = code
	}
}

func (v *validator) regions(path string, rs []string) {
	for i, r := range rs {
		if !geo.IsRegion(r) {
			v.fail(fmt.Sprintf("%s[%d]", path, i), "%q: want one of %s", r, strings.Join(geo.Regions(), ", "))
			continue
		}
		rs[i] = strings.ToUpper(strings.TrimSpace(r))
	}
}

func (v *validator) role(path string, r *Role) {
	if len(r.Titles) == 0 && len(r.Seniorities) == 0 {
		v.fail(path, "name title patterns, seniorities, or both")
	}
	r.Titles = v.texts(path+".titles", r.Titles)
	r.Seniorities = v.texts(path+".seniorities", r.Seniorities)
	r.Departments = v.texts(path+".departments", r.Departments)
	if len(r.Seniorities) > 0 {
		v.needField(path+".seniorities", FieldSeniority, "the seniority criterion")
	}
	if len(r.Departments) > 0 {
		v.needField(path+".departments", FieldDepartment, "the department criterion")
	}
}

func (v *validator) engagement() {
	e := &v.d.Engagement
	if e.Threshold <= 0 {
		v.fail("engagement.threshold", "set the MQL score threshold (above 0)")
	}
	if e.HalfLifeDays < 0 {
		v.fail("engagement.halfLifeDays", "cannot be negative (0 means points never decay)")
	}
	if e.RatingBonus < 0 {
		v.fail("engagement.ratingBonus", "cannot be negative")
	}
	if len(e.Points) == 0 {
		v.fail("engagement.points", "give points to at least one touch point type")
	}
	for _, t := range slices.Sorted(maps.Keys(e.Points)) {
		if !lead.IsTouchPointType(t) {
			v.fail("engagement.points."+t, "unknown touch point type: want one of %s", strings.Join(lead.TouchPointTypes, ", "))
		}
		if e.Points[t] < 0 {
			v.fail("engagement.points."+t, "cannot be negative")
		}
	}
	for _, t := range slices.Sorted(maps.Keys(e.Outcomes)) {
		known, ok := lead.TouchOutcomes[t]
		if !ok {
			v.fail("engagement.outcomes."+t, "this touch point type has no outcomes")
			continue
		}
		for _, o := range slices.Sorted(maps.Keys(e.Outcomes[t])) {
			switch {
			case !slices.Contains(known, o):
				v.fail("engagement.outcomes."+t+"."+o, "unknown outcome: want one of %s", strings.Join(known, ", "))
			case e.Outcomes[t][o] < 0:
				v.fail("engagement.outcomes."+t+"."+o, "cannot be negative")
			}
		}
	}
}

func (v *validator) handRaisers() {
	v.touchPoints("handRaisers", v.d.HandRaisers)
	if v.d.Funnel == FunnelBottom && len(v.d.HandRaisers) == 0 {
		v.warn("handRaisers", "a bottom-of-funnel campaign usually names its hand-raising touch points (demo-request, contact-request)")
	}
}

func (v *validator) sql() {
	s := v.d.SQL
	if s == nil {
		return
	}
	for _, f := range []struct{ key, name string }{{"budget", s.Budget}, {"authority", s.Authority}, {"need", s.Need}, {"timeframe", s.Timeframe}} {
		if f.name != "" && !v.known(f.name) {
			v.fail("sql."+f.key, "%q: declare it under fields.custom", f.name)
		}
	}
}

func (v *validator) leakage() {
	l := v.d.Leakage
	if l == nil {
		return
	}
	if l.Min < 0 || l.Max > 1 || l.Min > l.Max {
		v.fail("leakage", "want 0 ≤ min ≤ max ≤ 1 (shares of MQLs that do not become SQLs), got min %g max %g", l.Min, l.Max)
	}
}

func (v *validator) geographies() {
	names := map[string]bool{}
	claimedBy := map[string]string{} // country or region -> geography name
	for i := range v.d.Geographies {
		g := &v.d.Geographies[i]
		path := fmt.Sprintf("geographies[%d]", i)
		g.Name = strings.TrimSpace(g.Name)
		switch {
		case g.Name == "":
			v.fail(path+".name", "required")
		case names[g.Name]:
			v.fail(path+".name", "%q is used twice", g.Name)
		}
		names[g.Name] = true
		if len(g.Countries) == 0 && len(g.Regions) == 0 {
			v.fail(path, "name the countries or regions it applies to")
		}
		v.countries(path+".countries", g.Countries)
		v.regions(path+".regions", g.Regions)
		for _, k := range slices.Concat(g.Countries, g.Regions) {
			if other, ok := claimedBy[k]; ok && other != g.Name {
				v.fail(path, "%s is already covered by geography %q: a lead must match one geography at most", k, other)
			}
			claimedBy[k] = g.Name
		}
		if g.Threshold != nil && *g.Threshold <= 0 {
			v.fail(path+".threshold", "must be above 0")
		}
		v.rules(path+".", &g.Rules)
	}
}

// ValidID reports whether id can be a campaign's id.
func ValidID(id string) bool { return idPattern().MatchString(id) }
