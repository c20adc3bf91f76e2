package campaign

import (
	"time"
)

// Channel names where a campaign's leads come from.
var Channels = []string{"landing-page", "trade-show", "webinar", "content", "email", "paid-search", "paid-social", "partner", "referral", "telesales"}

// Funnel positions: how far along in buying a campaign's audience is.
const (
	FunnelTop    = "top"    // awareness content; not sure what they need
	FunnelMiddle = "middle" // comparing solutions
	FunnelBottom = "bottom" // asking for a demo or a call
)

// Status of a campaign. A paused campaign keeps its definition but takes no
// new submissions.
const (
	StatusActive = "active"
	StatusPaused = "paused"
)

// Definition is one campaign's lead definition.
type Definition struct {
	ID          string `yaml:"id" json:"id"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Channel     string `yaml:"channel" json:"channel"`
	Funnel      string `yaml:"funnel" json:"funnel"`
	// Owner is the marketing owner; SalesOwner the sales lead who signed off.
	Owner      string `yaml:"owner" json:"owner"`
	SalesOwner string `yaml:"salesOwner,omitempty" json:"salesOwner,omitempty"`
	// Approvers says who signs new versions and under which policy.
	Approvers *Approvers `yaml:"approvers,omitempty" json:"approvers,omitempty"`
	// ReviewBy is when marketing and sales meet again about this definition:
	// at least every six months (ReviewEvery).
	ReviewBy Date   `yaml:"reviewBy" json:"reviewBy"`
	Status   string `yaml:"status,omitempty" json:"status,omitempty"`
	Starts   *Date  `yaml:"starts,omitempty" json:"starts,omitempty"`
	Ends     *Date  `yaml:"ends,omitempty" json:"ends,omitempty"`

	Fields Fields `yaml:"fields" json:"fields"`
	Intake Intake `yaml:"intake,omitempty" json:"intake,omitempty"`

	Rules `yaml:",inline"`

	Engagement  Engagement `yaml:"engagement" json:"engagement"`
	HandRaisers []string   `yaml:"handRaisers,omitempty" json:"handRaisers,omitempty"`
	SQL         *SQL       `yaml:"sql,omitempty" json:"sql,omitempty"`
	Leakage     *Leakage   `yaml:"leakage,omitempty" json:"leakage,omitempty"`
	Nurture     *Nurture   `yaml:"nurture,omitempty" json:"nurture,omitempty"`
	// Retention is how long a lead that never qualified (suspect, nurture,
	// disqualified) is kept after it last changed; 0 keeps it.
	Retention *Retention `yaml:"retention,omitempty" json:"retention,omitempty"`
	// Recycle says how long a lead sales sent back is held from sales.
	Recycle *Recycle `yaml:"recycle,omitempty" json:"recycle,omitempty"`
	// SLA is how soon sales follows up a lead handed over.
	SLA         *SLA        `yaml:"sla,omitempty" json:"sla,omitempty"`
	Geographies []Geography `yaml:"geographies,omitempty" json:"geographies,omitempty"`
}

// Recycle holds a lead sales sent back to nurture for a while, so it does
// not bounce straight back on its next form: its touch points are recorded
// and scored, but within the hold it returns to sales only on engagement
// earned since the recycle that reaches the threshold by itself, or a
// hand raised (a demo request) unless HandRaisersBreak says no.
type Recycle struct {
	// Holds are by recycle reason (not-ready, no-response, timing, ...); a
	// reason not listed is held DefaultRecycleHold.
	Holds            map[string]Duration `yaml:"holds,omitempty" json:"holds,omitempty"`
	HandRaisersBreak *bool               `yaml:"handRaisersBreak,omitempty" json:"handRaisersBreak,omitempty"`
}

// DefaultRecycleHold is how long a recycled lead is held when the
// definition names no hold for the reason: a month, the shortest nurture
// cycle sales teams commonly agree on.
const DefaultRecycleHold = 30 * 24 * time.Hour

// MaxRecycleHold bounds a hold: past it, the lead has left the campaign's
// season anyway.
const MaxRecycleHold = 3 * 365 * 24 * time.Hour

// RecycleHold is how long a lead recycled for reason is held.
func (d *Definition) RecycleHold(reason string) time.Duration {
	if d.Recycle != nil {
		if h, ok := d.Recycle.Holds[reason]; ok {
			return h.Duration
		}
	}
	return DefaultRecycleHold
}

// HandRaisersBreakHold says whether a hand raised during a hold returns the
// lead to sales at once (the default).
func (d *Definition) HandRaisersBreakHold() bool {
	return d.Recycle == nil || d.Recycle.HandRaisersBreak == nil || *d.Recycle.HandRaisersBreak
}

// Rules are the parts of a definition a geography may replace, section by
// section.
type Rules struct {
	Required    []string     `yaml:"required,omitempty" json:"required,omitempty"`
	Fit         *Fit         `yaml:"fit,omitempty" json:"fit,omitempty"`
	Role        *Role        `yaml:"role,omitempty" json:"role,omitempty"`
	Need        *Need        `yaml:"need,omitempty" json:"need,omitempty"`
	Willingness *Willingness `yaml:"willingness,omitempty" json:"willingness,omitempty"`
	Interest    *Interest    `yaml:"interest,omitempty" json:"interest,omitempty"`
}

// Fields lists the custom fields the campaign captures. The built-in contact
// fields (email, names, company, title, phone, country) need no declaration.
type Fields struct {
	Custom []Field `yaml:"custom,omitempty" json:"custom,omitempty"`
}

// Field types.
const (
	FieldText    = "text"
	FieldChoice  = "choice"
	FieldNumber  = "number"
	FieldBoolean = "boolean"
)

// Field is one custom field on the campaign's form or scan app.
type Field struct {
	Name    string   `yaml:"name" json:"name"`
	Label   string   `yaml:"label,omitempty" json:"label,omitempty"`
	Type    string   `yaml:"type" json:"type"`
	Options []string `yaml:"options,omitempty" json:"options,omitempty"`
}

// Intake says how submissions to this campaign are received.
type Intake struct {
	// TouchPoint is what a submission counts as (content-download for a
	// whitepaper, demo-request for a demo page, event-visit for a scan).
	TouchPoint     string   `yaml:"touchPoint,omitempty" json:"touchPoint,omitempty"`
	ThankYouURL    string   `yaml:"thankYouUrl,omitempty" json:"thankYouUrl,omitempty"`
	AllowedOrigins []string `yaml:"allowedOrigins,omitempty" json:"allowedOrigins,omitempty"`
	// HiddenFields are form fields kept on the touch point (a partner id,
	// an ad click id), not on the person.
	HiddenFields []string `yaml:"hiddenFields,omitempty" json:"hiddenFields,omitempty"`
	// HoneypotField is a field people never see; a bot that fills it is
	// dropped. MinFillSeconds is the least time a person takes to fill the
	// form, measured from the render time the page posts as _ts.
	HoneypotField  string `yaml:"honeypotField,omitempty" json:"honeypotField,omitempty"`
	MinFillSeconds *int   `yaml:"minFillSeconds,omitempty" json:"minFillSeconds,omitempty"`
	// Columns maps a badge-scan export's own column headers (the booth's
	// qualifier questions: "What is your timeline?") to fields, on top of
	// the common headers leadgate already knows.
	Columns map[string]string `yaml:"columns,omitempty" json:"columns,omitempty"`
	// TimeZone is where the campaign's files were written (an IANA name,
	// Europe/Berlin): lead-retrieval apps write the show's local time with
	// no zone. Without it such times are read as UTC, and the import says
	// so.
	TimeZone string `yaml:"timeZone,omitempty" json:"timeZone,omitempty"`
}

// Intake defaults.
const (
	DefaultHoneypotField  = "_hp"
	DefaultMinFillSeconds = 3
)

// Fit is the ideal customer profile for this campaign.
type Fit struct {
	Industries        []string `yaml:"industries,omitempty" json:"industries,omitempty"`
	Employees         *Range   `yaml:"employees,omitempty" json:"employees,omitempty"`
	Revenue           *Range   `yaml:"revenue,omitempty" json:"revenue,omitempty"` // USD a year
	Countries         []string `yaml:"countries,omitempty" json:"countries,omitempty"`
	Regions           []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	BusinessEmailOnly bool     `yaml:"businessEmailOnly,omitempty" json:"businessEmailOnly,omitempty"`
	// Exclusions disqualify outright: competitors, students, interns.
	ExcludeDomains []string `yaml:"excludeDomains,omitempty" json:"excludeDomains,omitempty"`
	ExcludeTitles  []string `yaml:"excludeTitles,omitempty" json:"excludeTitles,omitempty"`
}

// Range is an inclusive numeric range; a zero bound is open.
type Range struct {
	Min int64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max int64 `yaml:"max,omitempty" json:"max,omitempty"`
}

// Role is the person the campaign targets: title patterns and/or seniority,
// and optionally a department.
type Role struct {
	Titles      []string `yaml:"titles,omitempty" json:"titles,omitempty"`
	Seniorities []string `yaml:"seniorities,omitempty" json:"seniorities,omitempty"`
	Departments []string `yaml:"departments,omitempty" json:"departments,omitempty"`
}

// Need names the answer(s) by which a person confirms the problem the
// campaign is about.
type Need struct {
	Field       string   `yaml:"field" json:"field"`
	ConfirmedBy []string `yaml:"confirmedBy" json:"confirmedBy"`
}

// Willingness is how a person says they want to hear from sales: a consent
// field answered yes, or a touch point that asks for contact.
type Willingness struct {
	Field       string   `yaml:"field,omitempty" json:"field,omitempty"`
	TouchPoints []string `yaml:"touchPoints,omitempty" json:"touchPoints,omitempty"`
}

// Interest says what lifts a lead above suspect: a visit is not interest, an
// answered qualifier question or a good booth rating is.
type Interest struct {
	Fields      []string `yaml:"fields,omitempty" json:"fields,omitempty"`
	MinRating   int      `yaml:"minRating,omitempty" json:"minRating,omitempty"`
	TouchPoints []string `yaml:"touchPoints,omitempty" json:"touchPoints,omitempty"`
}

// Engagement scores touch points: points per type, halved every HalfLifeDays,
// plus RatingBonus per rating step of a rated visit. A lead whose score
// reaches Threshold (and meets the four criteria) is an MQL.
type Engagement struct {
	Threshold    float64            `yaml:"threshold" json:"threshold"`
	HalfLifeDays float64            `yaml:"halfLifeDays,omitempty" json:"halfLifeDays,omitempty"`
	Points       map[string]float64 `yaml:"points" json:"points"`
	RatingBonus  float64            `yaml:"ratingBonus,omitempty" json:"ratingBonus,omitempty"`
	// Outcomes give a touch point with an outcome (a call that connected,
	// one that booked a meeting) its own points instead of its type's.
	Outcomes map[string]map[string]float64 `yaml:"outcomes,omitempty" json:"outcomes,omitempty"`
}

// SQL names the fields sales confirms before a lead is sales-qualified:
// budget, authority, need, timeframe.
type SQL struct {
	Budget    string `yaml:"budget,omitempty" json:"budget,omitempty"`
	Authority string `yaml:"authority,omitempty" json:"authority,omitempty"`
	Need      string `yaml:"need,omitempty" json:"need,omitempty"`
	Timeframe string `yaml:"timeframe,omitempty" json:"timeframe,omitempty"`
}

// Leakage bounds the share of MQLs sales does not turn into SQLs. Above Max,
// marketing qualifies poorly or sales under-performs; below Min, marketing is
// not pushing hard enough.
type Leakage struct {
	Min float64 `yaml:"min" json:"min"`
	Max float64 `yaml:"max" json:"max"`
}

// Retention bounds how long unqualified leads are kept.
type Retention struct {
	UnqualifiedDays int `yaml:"unqualifiedDays" json:"unqualifiedDays"`
}

// Nurture names the track leads that are not ready yet are enrolled in.
type Nurture struct {
	Track string `yaml:"track" json:"track"`
}

// Geography changes the rules "for this campaign and in this geography".
// Each section it sets replaces the base section whole; Threshold replaces
// the MQL score threshold.
type Geography struct {
	Name      string   `yaml:"name" json:"name"`
	Countries []string `yaml:"countries,omitempty" json:"countries,omitempty"`
	Regions   []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	Threshold *float64 `yaml:"threshold,omitempty" json:"threshold,omitempty"`
	Rules     `yaml:",inline"`
}

// Published is one immutable version of a definition as stored.
type Published struct {
	Version     int         `json:"version"`
	PublishedAt time.Time   `json:"publishedAt"`
	PublishedBy string      `json:"publishedBy"`
	Digest      string      `json:"digest"`
	Definition  *Definition `json:"definition"`
	// Policy is the approval policy the version was published under,
	// Approvals the decisions that published it, Draft the draft it came
	// from and Mode what publishing it did to the leads already judged.
	Policy    string     `json:"policy,omitempty"`
	Approvals []Approval `json:"approvals,omitempty"`
	Draft     string     `json:"draft,omitempty"`
	Mode      string     `json:"mode,omitempty"`
}
