package capture

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/geo"
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
// declares, by its name or its label, matched the same forgiving way.
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
	// A column or form field may carry the question as people read it:
	// "Company size" is employees.
	for _, f := range d.Fields.Custom {
		if f.Label != "" && Key(f.Label) == k {
			return f.Name, true
		}
	}
	return "", false
}

// NormalizeField cleans one value for its field. cut says it was longer
// than leadgate keeps and was cut to length; problem says what is wrong
// with it, "" when nothing is.
func NormalizeField(d *campaign.Definition, field, raw string) (v string, cut bool, problem string) {
	switch field {
	case lead.FieldEmail:
		v, problem = lead.NormalizeEmail(raw)
		return v, false, problem
	case lead.FieldCountry:
		v := lead.Clean(raw, lead.MaxName)
		if v == "" {
			return "", false, ""
		}
		code, ok := geo.Country(v)
		if !ok {
			return "", false, fmt.Sprintf("%s is not a country we know", lead.Quoted(v))
		}
		return code, false, ""
	case lead.FieldPhone:
		v := lead.Clean(raw, lead.MaxName)
		if strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("+0123456789 ()-./x", r) }) >= 0 || len(v) > 40 {
			return "", false, fmt.Sprintf("%s is not a phone number", lead.Quoted(v))
		}
		return v, false, ""
	case lead.FieldFirstName, lead.FieldLastName, lead.FieldCompany, lead.FieldTitle:
		v, cut = lead.CleanCut(raw, lead.MaxName)
		return v, cut, ""
	}
	v, cut = lead.CleanCut(raw, lead.MaxText)
	i := slices.IndexFunc(d.Fields.Custom, func(f campaign.Field) bool { return f.Name == field })
	if v == "" || i < 0 {
		return v, cut, ""
	}
	f := d.Fields.Custom[i]
	switch f.Type {
	case campaign.FieldChoice:
		for _, o := range f.Options {
			if strings.EqualFold(o, v) {
				return o, false, ""
			}
		}
		if o, ok := band(f.Options, v); ok {
			return o, false, "" // 800 employees are the 201-1000 band
		}
		return "", false, fmt.Sprintf("%s: want one of %s", lead.Quoted(v), strings.Join(f.Options, ", "))
	case campaign.FieldNumber:
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64); err != nil {
			return "", false, fmt.Sprintf("%s is not a number", lead.Quoted(v))
		}
		return strings.ReplaceAll(v, ",", ""), false, ""
	case campaign.FieldBoolean:
		switch strings.ToLower(v) {
		case "yes", "y", "true", "1", "on", "checked":
			return "yes", false, ""
		case "no", "n", "false", "0", "off":
			return "no", false, ""
		}
		return "", false, fmt.Sprintf("%s: want yes or no", lead.Quoted(v))
	}
	return v, cut, ""
}

// RecordConsents puts the answers to the campaign's yes/no questions on
// the touch point, with the question as shown, so consent can be proven.
func RecordConsents(d *campaign.Definition, sub *lead.Submission) {
	for _, f := range d.Fields.Custom {
		v, ok := sub.Fields[f.Name]
		if f.Type != campaign.FieldBoolean || !ok {
			continue
		}
		sub.Touch.Consents = append(sub.Touch.Consents, lead.Consent{Field: f.Name, Given: v == "yes", Text: cmp.Or(f.Label, f.Name)})
	}
}

// band finds the option a number falls in when the options are ranges
// ("1-50", "51-200", "5000+", "1,001–5,000").
func band(options []string, v string) (string, bool) {
	n, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v), ",", ""), 64)
	if err != nil {
		return "", false
	}
	for _, o := range options {
		spec := strings.NewReplacer(",", "", " ", "", "–", "-", "—", "-").Replace(o)
		if lo, ok := strings.CutSuffix(spec, "+"); ok {
			if min, err := strconv.ParseFloat(lo, 64); err == nil && n >= min {
				return o, true
			}
			continue
		}
		lo, hi, ok := strings.Cut(spec, "-")
		min, err1 := strconv.ParseFloat(lo, 64)
		max, err2 := strconv.ParseFloat(hi, 64)
		if ok && err1 == nil && err2 == nil && n >= min && n <= max {
			return o, true
		}
	}
	return "", false
}
