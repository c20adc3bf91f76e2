// Package lead holds the person marketing found and sales may call: the lead,
// the touch points that brought them in, and the verdict the campaign's
// definition passed on them. Plain types, no AWS, no HTTP.
package lead

import "time"

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
func IsBuiltinField(name string) bool {
	for _, f := range BuiltinFields {
		if f == name {
			return true
		}
	}
	return false
}

// Lead is one person, deduplicated by normalized email. Values are already
// normalized by the time they reach a Lead: Country is an ISO 3166 alpha-2
// code, Email is lower case.
type Lead struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	Company   string
	Title     string
	Phone     string
	Country   string
	// Fields holds the answers to the custom fields campaigns declared
	// (industry, employees, consent, qualifier questions...).
	Fields map[string]string
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
	Type     string    // one of TouchPointTypes
	At       time.Time // when it happened (not when we heard of it)
	Campaign string    // the campaign that recorded it
	// Rating is a booth visit's rating on the common 0–5 scale (0: unrated).
	Rating int
}

// Touch point types. The set is closed so that definitions cannot award points
// to a type nothing ever records.
const (
	TouchEmailClick        = "email-click"
	TouchContentDownload   = "content-download"
	TouchWebinarRegistered = "webinar-registered"
	TouchWebinarAttended   = "webinar-attended"
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
	TouchEmailClick, TouchContentDownload, TouchWebinarRegistered, TouchWebinarAttended,
	TouchEventVisit, TouchTelesalesCall, TouchFormSubmission, TouchPricingVisit,
	TouchTrialSignup, TouchContactRequest, TouchDemoRequest,
}

// IsTouchPointType reports whether t is a known touch point type.
func IsTouchPointType(t string) bool {
	for _, k := range TouchPointTypes {
		if k == t {
			return true
		}
	}
	return false
}
