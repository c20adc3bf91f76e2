package intake

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/capture"
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
		v, cut := lead.CleanCut(raw, max)
		if cut {
			touch.Cut = append(touch.Cut, name)
		}
		return v
	}
	for _, name := range slices.Sorted(maps.Keys(f.Values)) {
		raw := f.Values[name]
		k := capture.Key(name)
		switch {
		case name == d.Intake.HoneypotField:
			if strings.TrimSpace(raw) != "" {
				out.spam = "honeypot filled"
			}
		case name == keyRenderedAt:
			out.spam = cmp.Or(out.spam, tooFast(raw, f.ReceivedAt, *d.Intake.MinFillSeconds))
		case name == keyVisitor:
			out.visitor = validVisitor(raw)
		case k == keyRedirect:
			out.redirect = allowedRedirect(raw, d.Intake.AllowedOrigins)
		case utmKeys[k] != "":
			if v := keep(utmKeys[k], raw, lead.MaxName); v != "" {
				if touch.UTM == nil {
					touch.UTM = map[string]string{}
				}
				touch.UTM[utmKeys[k]] = v
			}
		case pageKeys[k]:
			touch.PageURL = webURL(keep("pageUrl", raw, lead.MaxURL))
		case referrerKeys[k]:
			touch.Referrer = webURL(keep("referrer", raw, lead.MaxURL))
		default:
			if h, ok := hiddenFor(d, name); ok {
				if v := keep(h, raw, lead.MaxText); v != "" {
					if touch.Hidden == nil {
						touch.Hidden = map[string]string{}
					}
					touch.Hidden[h] = v
				}
				continue
			}
			field, ok := capture.FieldFor(d, name)
			if !ok {
				out.ignored = append(out.ignored, name) // no mass assignment
				continue
			}
			v, cut, err := capture.NormalizeField(d, field, raw)
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
	v := lead.Clean(raw, lead.MaxURL)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return v
}
