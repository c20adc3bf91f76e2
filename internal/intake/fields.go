// Package intake turns what a landing page posts into a submission on a
// lead: it maps field names, normalizes values, drops what the campaign did
// not declare, recognises retries and bots, and has the lead judged. It knows
// nothing of HTTP or DynamoDB.
package intake

import (
	"strings"
	"unicode"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
)

// aliases maps the ways forms and tools name the built-in fields to the
// field, keyed by the name lower-cased with everything but letters and
// digits removed (so first_name, firstName and First Name are one key).
// This is the one place such names are known.
var aliases = map[string]string{
	"email": lead.FieldEmail, "emailaddress": lead.FieldEmail, "mail": lead.FieldEmail,
	"workemail": lead.FieldEmail, "businessemail": lead.FieldEmail, "attendeeemail": lead.FieldEmail,

	"firstname": lead.FieldFirstName, "fname": lead.FieldFirstName, "givenname": lead.FieldFirstName, "first": lead.FieldFirstName,
	"forename": lead.FieldFirstName,

	"lastname": lead.FieldLastName, "lname": lead.FieldLastName, "surname": lead.FieldLastName,
	"familyname": lead.FieldLastName, "last": lead.FieldLastName,

	"company": lead.FieldCompany, "companyname": lead.FieldCompany, "organisation": lead.FieldCompany,
	"organization": lead.FieldCompany, "org": lead.FieldCompany, "employer": lead.FieldCompany,

	"title": lead.FieldTitle, "jobtitle": lead.FieldTitle, "job": lead.FieldTitle, "position": lead.FieldTitle,
	"designation": lead.FieldTitle,

	"phone": lead.FieldPhone, "phonenumber": lead.FieldPhone, "telephone": lead.FieldPhone, "tel": lead.FieldPhone,
	"mobile": lead.FieldPhone, "mobilephone": lead.FieldPhone,

	"country": lead.FieldCountry, "countrycode": lead.FieldCountry, "countryname": lead.FieldCountry,
}

// Keys with a meaning of their own rather than a field of the person.
const (
	keyRedirect   = "redirect"
	keyRenderedAt = "_ts"
	keyVisitor    = "_visitor" // the visitor token a page kept from its last answer
	keyPage       = "pageurl"
	keyReferrer   = "referrer"
)

var pageKeys = map[string]bool{"pageurl": true, "page": true, "url": true, "landingpage": true}
var referrerKeys = map[string]bool{"referrer": true, "referer": true}

// utmKeys are the campaign parameters kept on the touch point.
var utmKeys = map[string]string{
	"utmsource": "utm_source", "utmmedium": "utm_medium", "utmcampaign": "utm_campaign",
	"utmterm": "utm_term", "utmcontent": "utm_content",
}

// Key folds a field name the way aliases are keyed.
func Key(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// FieldFor returns the lead field a posted name stands for in a campaign:
// a built-in field by any of its aliases, or a custom field the definition
// declares, matched the same forgiving way.
func FieldFor(d *campaign.Definition, name string) (string, bool) {
	k := Key(name)
	if f, ok := aliases[k]; ok {
		return f, true
	}
	for _, f := range d.Fields.Custom {
		if Key(f.Name) == k {
			return f.Name, true
		}
	}
	return "", false
}

// hiddenFor returns the hidden field a posted name stands for.
func hiddenFor(d *campaign.Definition, name string) (string, bool) {
	k := Key(name)
	for _, h := range d.Intake.HiddenFields {
		if Key(h) == k {
			return h, true
		}
	}
	return "", false
}
