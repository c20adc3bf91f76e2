package outbound

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/webhook/signing"
)

// The event types a subscription may ask for.
const (
	LeadSalesReady      = "lead.sales_ready"     // the lead's stage moved into mql
	LeadAssigned        = "lead.assigned"        // the lead got an owner, or another one
	LeadSLAReminder     = "lead.sla_reminder"    // the owner has not answered by the reminder point
	LeadSLABreached     = "lead.sla_breached"    // the owner did not accept within the SLA
	LeadRecycled        = "lead.recycled"        // sales sent it back to nurture from mql, sal or sql
	LeadFeedback        = "lead.feedback"        // any answer from sales
	DefinitionPublished = "definition.published" // a campaign's definition got a new version
	DefinitionReviewDue = "definition.review_due"
)

// EventTypes lists every event type, in the order the README gives them.
var EventTypes = []string{LeadSalesReady, LeadAssigned, LeadSLAReminder, LeadSLABreached, LeadRecycled, LeadFeedback, DefinitionPublished, DefinitionReviewDue}

// Formats a subscription's deliveries take.
const (
	FormatStandard = "standard" // the versioned event (schemas/webhook-event.v1.json)
	FormatSlack    = "slack"    // {text, blocks}, for a Slack incoming webhook
)

// Bounds on what a subscription may hold: each is stored and read on every
// event, so none may grow without end.
const (
	MaxSubscriptions = 25
	MaxURL           = 2048
	MaxDescription   = 200
	// A secret is 24 to 64 random bytes: the spec's own are 24, and an HMAC
	// key longer than SHA-256's block adds nothing.
	minSecretBytes, maxSecretBytes = 24, 64
)

// Subscription is one URL and the events it wants.
type Subscription struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	Format      string    `json:"format"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// Secret signs the deliveries ("whsec_" and base64). It is shown once,
	// when leadgate made it, and never read back.
	Secret string `json:"-"`
}

// Wants reports whether the subscription asked for events of type typ.
func (s *Subscription) Wants(typ string) bool { return slices.Contains(s.Events, typ) }

// idPattern is compiled on first use: at init it would cost every
// function that links this package (the router, the campaigns API) a
// millisecond of cold start.
var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`) })

// ValidID reports whether id can name a subscription: lower-case letters,
// digits and dashes, at most 63.
func ValidID(id string) bool { return idPattern().MatchString(id) }

// Targets says which URLs deliveries may go to. Deployed, only https to a
// public address; `leadgate local` and the tests also allow http to the
// loopback address, where their receivers listen.
type Targets struct {
	AllowLocal bool
}

// Check returns what is wrong with a subscription's URL, "" if nothing.
func (t Targets) Check(raw string) string {
	if len(raw) > MaxURL {
		return fmt.Sprintf("at most %d characters", MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "not an absolute URL"
	}
	if u.User != nil {
		return "no credentials in the URL: deliveries are signed"
	}
	if u.Fragment != "" {
		return "no fragment: it is never sent"
	}
	host := u.Hostname()
	local := t.AllowLocal && isLoopback(host)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && local:
	case u.Scheme == "http" && t.AllowLocal:
		return "http only to 127.0.0.1, ::1 or localhost; anything else needs https"
	default:
		return "https only"
	}
	if local {
		return ""
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return "not a public host"
	}
	if a, err := netip.ParseAddr(host); err == nil && !Public(a) {
		return "not a public address: private, loopback, link-local and the like are refused"
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Public reports whether a is an address on the internet: not private,
// loopback, link-local (the instance metadata service), multicast,
// unspecified, shared (carrier-grade NAT) or otherwise reserved.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 reaches IPv4 addresses, private ones too
	netip.MustParsePrefix("2001:db8::/32"),
}

// Validate checks s as a user sent it and lists every problem by path.
// The secret may be empty (leadgate makes one).
func (s *Subscription) Validate(t Targets) error {
	var problems []leadgate.Problem
	fail := func(path, format string, args ...any) {
		problems = append(problems, leadgate.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if !ValidID(s.ID) {
		fail("id", "use lower-case letters, digits and dashes, at most 63")
	}
	if s.URL == "" {
		fail("url", "required")
	} else if msg := t.Check(s.URL); msg != "" {
		fail("url", "%s", msg)
	}
	if len(s.Events) == 0 {
		fail("events", "name at least one of %s", strings.Join(EventTypes, ", "))
	}
	if len(s.Events) > len(EventTypes) {
		fail("events", "at most %d", len(EventTypes))
	}
	seen := map[string]bool{}
	for i, e := range s.Events {
		switch {
		case i >= len(EventTypes):
		case !slices.Contains(EventTypes, e):
			fail(fmt.Sprintf("events[%d]", i), "%q: want one of %s", clip(e), strings.Join(EventTypes, ", "))
		case seen[e]:
			fail(fmt.Sprintf("events[%d]", i), "%q twice", e)
		}
		seen[e] = true
	}
	switch s.Format {
	case "", FormatStandard, FormatSlack:
	default:
		fail("format", "%q: want %s or %s", clip(s.Format), FormatStandard, FormatSlack)
	}
	if len(s.Description) > MaxDescription {
		fail("description", "at most %d characters", MaxDescription)
	}
	if s.Secret != "" {
		key, err := signing.SecretKey(s.Secret)
		if err != nil || len(key) < minSecretBytes || len(key) > maxSecretBytes {
			fail("secret", "whsec_ and the base64 of %d to %d random bytes", minSecretBytes, maxSecretBytes)
		}
	}
	if len(problems) > 0 {
		return leadgate.Invalid("The subscription is not valid.", problems)
	}
	if s.Format == "" {
		s.Format = FormatStandard
	}
	return nil
}

// NewSecret makes a signing secret in the Standard Webhooks form.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// clip keeps a quoted value short in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// dialControl refuses, at connection time, an address Targets would have
// refused by name: a public host name may resolve to a private address
// (or be made to, after the subscription was checked).
func dialControl(t Targets) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("dial %s: not an address", address)
		}
		if Public(a) || (t.AllowLocal && a.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("dial %s: not a public address", address)
	}
}
