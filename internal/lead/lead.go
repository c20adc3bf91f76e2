// Package lead holds the person marketing found and sales may call: the lead,
// the touch points that brought them in, the stage they are in and the
// verdict the campaign's definition passed on them. It also holds the rules
// every source obeys when it changes a lead: which source's value wins
// (provenance and trust), how much a lead may hold (its byte budget), and
// how emails and text are normalized. Plain types, no AWS, no HTTP.
package lead

import (
	"slices"
	"time"
)

// Built-in contact fields every campaign may capture. Anything else must be
// declared by the campaign as a custom field; nothing undeclared is stored.
const (
	FieldEmail     = "email"
	FieldFirstName = "firstName"
	FieldLastName  = "lastName"
	FieldCompany   = "company"
	FieldTitle     = "title"
	FieldPhone     = "phone"
	FieldCountry   = "country"
)

// BuiltinFields lists the built-in contact fields in the order forms show them.
var BuiltinFields = []string{FieldEmail, FieldFirstName, FieldLastName, FieldCompany, FieldTitle, FieldPhone, FieldCountry}

// IsBuiltinField reports whether name is a built-in contact field.
func IsBuiltinField(name string) bool { return slices.Contains(BuiltinFields, name) }

// Lead is one person, deduplicated by normalized email. Values are already
// normalized by the time they reach a Lead: Country is an ISO 3166 alpha-2
// code, Email is lower case.
type Lead struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Company   string `json:"company,omitempty"`
	Title     string `json:"title,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Country   string `json:"country,omitempty"`
	// Fields holds the answers to the custom fields campaigns declared
	// (industry, employees, consent, qualifier questions...).
	Fields map[string]string `json:"fields,omitempty"`
}

// SetField sets a built-in or custom field.
func (l *Lead) SetField(name, value string) {
	switch name {
	case FieldEmail:
		l.Email = value
	case FieldFirstName:
		l.FirstName = value
	case FieldLastName:
		l.LastName = value
	case FieldCompany:
		l.Company = value
	case FieldTitle:
		l.Title = value
	case FieldPhone:
		l.Phone = value
	case FieldCountry:
		l.Country = value
	default:
		if l.Fields == nil {
			l.Fields = map[string]string{}
		}
		l.Fields[name] = value
	}
}

// Field returns the value of a built-in or custom field, "" when unknown.
func (l *Lead) Field(name string) string {
	switch name {
	case FieldEmail:
		return l.Email
	case FieldFirstName:
		return l.FirstName
	case FieldLastName:
		return l.LastName
	case FieldCompany:
		return l.Company
	case FieldTitle:
		return l.Title
	case FieldPhone:
		return l.Phone
	case FieldCountry:
		return l.Country
	}
	return l.Fields[name]
}

// TouchPoint is one interaction between the person and the company: a form
// submission, a badge scan, a webinar attended. Scores are built from them.
type TouchPoint struct {
	// ID identifies the interaction, so a retried submission or a
	// re-uploaded file is recognised and recorded once.
	ID   string    `json:"id"`
	Type string    `json:"type"` // one of TouchPointTypes
	At   time.Time `json:"at"`   // when it happened (not when we heard of it)
	// ReceivedAt is when leadgate heard of it. At is what the source
	// stated, and a source can state anything.
	ReceivedAt time.Time `json:"receivedAt,omitzero"`
	// DoubtfulTime marks an At far from when the touch point was received
	// (a scan dated in the future, or long before its campaign): it is
	// kept as stated, but it cannot count as activity after an erasure,
	// nor make what the touch point said newer than it is.
	DoubtfulTime bool   `json:"doubtfulTime,omitempty"`
	Campaign     string `json:"campaign,omitempty"` // the campaign that recorded it
	Version      int    `json:"version,omitempty"`  // that campaign's definition version
	// Rating is a booth visit's rating on the common 0–5 scale (0: unrated).
	Rating int `json:"rating,omitempty"`
	// Outcome is what the touch point came to, where its type has outcomes
	// (TouchOutcomes): a call that connected, or booked a meeting.
	Outcome string `json:"outcome,omitempty"`
	Source  Source `json:"source,omitempty"`
	// System names the tool that sent it (a calling tool, a webinar
	// platform), for a touch point that came through the API.
	System string `json:"system,omitempty"`
	// Detail is what the sending system said about it: a call's notes, the
	// minutes of a webinar watched, an email's subject.
	Detail map[string]string `json:"detail,omitempty"`
	// Where the person came from: UTM parameters, the page and referrer,
	// and the hidden fields the campaign declares.
	UTM      map[string]string `json:"utm,omitempty"`
	PageURL  string            `json:"pageUrl,omitempty"`
	Referrer string            `json:"referrer,omitempty"`
	Hidden   map[string]string `json:"hidden,omitempty"`
	// What the booth staff wrote down about a visit.
	Notes string   `json:"notes,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	// Consents are the yes/no answers given with this touch point, with the
	// words the person was shown: the record a privacy officer asks for.
	Consents []Consent `json:"consents,omitempty"`
	// Cut names the values that were longer than leadgate keeps and were
	// cut to length.
	Cut []string `json:"cut,omitempty"`
	// Folded is set once the lead outgrew its byte budget and this touch
	// point kept only what scoring and recognising its retry need.
	Folded bool `json:"folded,omitempty"`
}

// statedAt is when what the touch point says counts from: its stated time,
// unless that is doubtful, then when it was received.
func (t *TouchPoint) statedAt() time.Time {
	if t.DoubtfulTime && !t.ReceivedAt.IsZero() {
		return t.ReceivedAt
	}
	return t.At
}

// fold strips the touch point to what scoring (type, time, rating), retry
// recognition (id), trust (source) and the record of consent need: the
// answers stay, and their words are the field's label in the campaign
// version named.
func (t *TouchPoint) fold() {
	consents := slices.Clone(t.Consents)
	for i := range consents {
		consents[i].Text = ""
	}
	*t = TouchPoint{ID: t.ID, Type: t.Type, At: t.At, Rating: t.Rating, Outcome: t.Outcome, Campaign: t.Campaign, Version: t.Version,
		Source: t.Source, Consents: consents, Folded: true}
}

// Consent is one answer to a consent question.
type Consent struct {
	Field string `json:"field"`
	Given bool   `json:"given"`
	Text  string `json:"text,omitempty"` // the question as shown (the field's label); on a folded touch point, the label in its campaign version
}

// Touch point types. The set is closed so that definitions cannot award points
// to a type nothing ever records.
const (
	TouchEmailOpen         = "email-open"
	TouchEmailClick        = "email-click"
	TouchContentDownload   = "content-download"
	TouchWebinarRegistered = "webinar-registered"
	TouchWebinarAttended   = "webinar-attended"
	TouchWebinarMissed     = "webinar-missed" // registered, did not attend
	TouchEventVisit        = "event-visit"
	TouchTelesalesCall     = "telesales-call"
	TouchFormSubmission    = "form-submission"
	TouchPricingVisit      = "pricing-visit"
	TouchTrialSignup       = "trial-signup"
	TouchContactRequest    = "contact-request"
	TouchDemoRequest       = "demo-request"
)

// TouchPointTypes lists every touch point type leadgate records.
var TouchPointTypes = []string{
	TouchEmailOpen, TouchEmailClick, TouchContentDownload, TouchWebinarRegistered, TouchWebinarAttended, TouchWebinarMissed,
	TouchEventVisit, TouchTelesalesCall, TouchFormSubmission, TouchPricingVisit,
	TouchTrialSignup, TouchContactRequest, TouchDemoRequest,
}

// TouchOutcomes lists what a touch point of a type can come to; a
// definition may give each its own points (engagement.outcomes).
var TouchOutcomes = map[string][]string{
	TouchTelesalesCall: {"connected", "voicemail", "no-answer", "not-interested", "meeting-booked"},
}

// IsTouchPointType reports whether t is a known touch point type.
func IsTouchPointType(t string) bool { return slices.Contains(TouchPointTypes, t) }
