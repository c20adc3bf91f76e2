package intake

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/geo"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Form is what a landing page posted, before any interpretation.
type Form struct {
	Values         map[string]string // the first value of each posted name
	IdempotencyKey string            // the Idempotency-Key header, if any
	Referrer       string            // the Referer header, used when the form names none
	// Visitor is the visitor token the browser's cookie carried, when the
	// edge trusts the cookie (a post from the campaign's own pages).
	Visitor    string
	ReceivedAt time.Time
}

// parsed is a form read against its campaign's definition.
type parsed struct {
	sub      lead.Submission
	redirect string
	visitor  string // the visitor token the form posted
	spam     string // why it looks like a bot; "" for a person
	ignored  []string
}

// Limits on single values: long enough for any real answer, short enough
// that a lead item stays small.
const (
	maxName  = 200
	maxText  = 1000
	maxURL   = 2000
	maxEmail = 254
)

// parse maps and normalizes a form for a campaign and lists every problem.
func parse(p *campaign.Published, f *Form) (parsed, []leadgate.Problem) {
	d := p.Definition
	out := parsed{sub: lead.Submission{
		Fields: map[string]string{},
		Touch: lead.TouchPoint{
			Type: d.Intake.TouchPoint, At: f.ReceivedAt, ReceivedAt: f.ReceivedAt, Campaign: d.ID, Version: p.Version, Source: lead.SourceForm,
		},
	}}
	var problems []leadgate.Problem
	fail := func(path, format string, args ...any) {
		problems = append(problems, leadgate.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	touch := &out.sub.Touch
	// keep cuts raw to max and notes on the touch point that it was cut.
	keep := func(name, raw string, max int) string {
		v, cut := cleanCut(raw, max)
		if cut {
			touch.Cut = append(touch.Cut, name)
		}
		return v
	}
	for _, name := range sortedNames(f.Values) {
		raw := f.Values[name]
		k := Key(name)
		switch {
		case name == d.Intake.HoneypotField:
			if strings.TrimSpace(raw) != "" {
				out.spam = "honeypot filled"
			}
		case name == keyRenderedAt:
			out.spam = orElse(out.spam, tooFast(raw, f.ReceivedAt, *d.Intake.MinFillSeconds))
		case name == keyVisitor:
			out.visitor = validVisitor(raw)
		case k == keyRedirect:
			out.redirect = allowedRedirect(raw, d.Intake.AllowedOrigins)
		case utmKeys[k] != "":
			if v := keep(utmKeys[k], raw, maxName); v != "" {
				if touch.UTM == nil {
					touch.UTM = map[string]string{}
				}
				touch.UTM[utmKeys[k]] = v
			}
		case pageKeys[k]:
			touch.PageURL = webURL(keep("pageUrl", raw, maxURL))
		case referrerKeys[k]:
			touch.Referrer = webURL(keep("referrer", raw, maxURL))
		default:
			if h, ok := hiddenFor(d, name); ok {
				if v := keep(h, raw, maxText); v != "" {
					if touch.Hidden == nil {
						touch.Hidden = map[string]string{}
					}
					touch.Hidden[h] = v
				}
				continue
			}
			field, ok := FieldFor(d, name)
			if !ok {
				out.ignored = append(out.ignored, name) // no mass assignment
				continue
			}
			v, cut, err := NormalizeField(d, field, raw)
			if err != "" {
				fail(field, "%s", err)
				continue
			}
			if cut {
				touch.Cut = append(touch.Cut, field)
			}
			if v != "" {
				out.sub.Fields[field] = v
			}
		}
	}
	if touch.Referrer == "" {
		touch.Referrer = webURL(f.Referrer)
	}
	if out.sub.Fields[lead.FieldEmail] == "" && !slices.ContainsFunc(problems, func(p leadgate.Problem) bool { return p.Path == lead.FieldEmail }) {
		fail(lead.FieldEmail, "required")
	}
	return out, problems
}

// RecordConsents puts the answers to the campaign's yes/no questions on
// the touch point, with the question as shown, so consent can be proven.
func RecordConsents(d *campaign.Definition, sub *lead.Submission) {
	for _, f := range d.Fields.Custom {
		v, ok := sub.Fields[f.Name]
		if f.Type != campaign.FieldBoolean || !ok {
			continue
		}
		text := f.Label
		if text == "" {
			text = f.Name
		}
		sub.Touch.Consents = append(sub.Touch.Consents, lead.Consent{Field: f.Name, Given: v == "yes", Text: text})
	}
}

// missing lists the campaign's required fields the submission leaves out.
func missing(d *campaign.Definition, sub *lead.Submission) []leadgate.Problem {
	var out []leadgate.Problem
	for _, r := range d.Required {
		if sub.Fields[r] != "" {
			continue
		}
		out = append(out, leadgate.Problem{Path: r, Message: "required"})
	}
	return out
}

// NormalizeField cleans one value for its field. cut says it was longer
// than leadgate keeps and was cut to length; problem says what is wrong
// with it, "" when nothing is.
func NormalizeField(d *campaign.Definition, field, raw string) (v string, cut bool, problem string) {
	switch field {
	case lead.FieldEmail:
		v, problem = email(raw)
		return v, false, problem
	case lead.FieldCountry:
		v := clean(raw, maxName)
		if v == "" {
			return "", false, ""
		}
		code, ok := geo.Country(v)
		if !ok {
			return "", false, fmt.Sprintf("%s is not a country we know", quoted(v))
		}
		return code, false, ""
	case lead.FieldPhone:
		v := clean(raw, maxName)
		if strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("+0123456789 ()-./x", r) }) >= 0 || len(v) > 40 {
			return "", false, fmt.Sprintf("%s is not a phone number", quoted(v))
		}
		return v, false, ""
	case lead.FieldFirstName, lead.FieldLastName, lead.FieldCompany, lead.FieldTitle:
		v, cut = cleanCut(raw, maxName)
		return v, cut, ""
	}
	v, cut = cleanCut(raw, maxText)
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
		return "", false, fmt.Sprintf("%s: want one of %s", quoted(v), strings.Join(f.Options, ", "))
	case campaign.FieldNumber:
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64); err != nil {
			return "", false, fmt.Sprintf("%s is not a number", quoted(v))
		}
		return strings.ReplaceAll(v, ",", ""), false, ""
	case campaign.FieldBoolean:
		switch strings.ToLower(v) {
		case "yes", "y", "true", "1", "on", "checked":
			return "yes", false, ""
		case "no", "n", "false", "0", "off":
			return "no", false, ""
		}
		return "", false, fmt.Sprintf("%s: want yes or no", quoted(v))
	}
	return v, cut, ""
}

// quoted quotes a value for a problem message, cut short: a message quotes
// what it refuses, and what it refuses can be megabytes.
func quoted(v string) string {
	const max = 60
	if len(v) <= max {
		return strconv.Quote(v)
	}
	short, _ := cleanCut(v, max)
	return strconv.Quote(short) + "…"
}

// email lower-cases and checks an address. A +tag is part of the address:
// ana+cloud@acme.com is kept as written, in lower case.
func email(raw string) (string, string) {
	v := strings.ToLower(clean(raw, maxEmail+1))
	if v == "" {
		return "", ""
	}
	if len(v) > maxEmail {
		return "", "longer than an email address can be"
	}
	a, err := mail.ParseAddress(v)
	at := strings.LastIndexByte(v, '@')
	if err != nil || a.Address != v || at < 1 || !strings.Contains(v[at+1:], ".") || strings.HasSuffix(v, ".") {
		return "", fmt.Sprintf("%s is not an email address", quoted(v))
	}
	return v, ""
}

// CleanText normalizes free text (notes, tags) the way field values are,
// but keeps its line breaks: booth notes are written in lines.
func CleanText(s string) string {
	out, _ := CleanTextCut(s)
	return out
}

// CleanTextCut is CleanText, and says whether the text had to be cut to
// the length leadgate keeps.
func CleanTextCut(s string) (string, bool) {
	var lines []string
	cut := false
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		l, c := cleanCut(l, maxText)
		cut = cut || c
		if l != "" || len(lines) > 0 {
			lines = append(lines, l)
		}
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	out := strings.Join(lines, "\n")
	for len(out) > maxText {
		cut = true
		_, size := lastRune(out)
		out = out[:len(out)-size]
	}
	return out, cut
}

// clean normalizes text as people type it: NFC, no control characters,
// single spaces, no surrounding space, at most max bytes.
func clean(s string, max int) string {
	v, _ := cleanCut(s, max)
	return v
}

// cleanCut is clean, and says whether the text had to be cut to max bytes.
func cleanCut(s string, max int) (string, bool) {
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	out := b.String()
	cut := len(out) > max
	for len(out) > max {
		_, size := lastRune(out)
		out = out[:len(out)-size]
	}
	return out, cut
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// tooFast reads the render time a page posts (milliseconds since the epoch,
// as Date.now() gives, or seconds) and says whether the form came back
// faster than a person fills it in.
func tooFast(raw string, received time.Time, minSeconds int) string {
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || n <= 0 {
		return "render time unreadable"
	}
	rendered := time.Unix(n, 0)
	if n > 1e11 {
		rendered = time.UnixMilli(n)
	}
	switch took := received.Sub(rendered); {
	case took < -5*time.Minute:
		return "render time in the future"
	case took < time.Duration(minSeconds)*time.Second:
		return "filled in too fast"
	}
	return ""
}

// allowedRedirect returns target if it is on one of the campaign's origins:
// a form must not be usable to send people anywhere else.
func allowedRedirect(target string, origins []string) string {
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil || u.Host == "" {
		return ""
	}
	if slices.Contains(origins, u.Scheme+"://"+strings.ToLower(u.Host)) {
		return u.String()
	}
	return ""
}

// webURL keeps an http(s) URL and drops anything else.
func webURL(raw string) string {
	v := clean(raw, maxURL)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return v
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func sortedNames(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
