package intake

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
)

func definition(t *testing.T) *campaign.Published {
	t.Helper()
	d, err := authored.Parse([]byte(`id: t
name: T
channel: landing-page
funnel: top
owner: o@example.com
salesOwner: sales@example.com
reviewBy: 2027-03-01
fields:
  custom:
    - {name: cloudSpend, type: choice, options: [Unexpected overruns, Idle resources]}
    - {name: consent, type: boolean}
    - {name: seats, type: number}
intake:
  allowedOrigins: [https://www.example.com]
  hiddenFields: [partnerId]
engagement: {threshold: 10, points: {form-submission: 5}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Validate(time.Now()); err != nil {
		t.Fatal(err)
	}
	return &campaign.Published{Version: 4, Definition: d}
}

func TestParseMapsAndNormalizes(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	got, problems := parse(definition(t), &Form{ReceivedAt: now, Values: map[string]string{
		"E-Mail":       " Ana+x@Acme.COM ",
		"First Name":   "  Ana   Maria ",
		"surname":      "Silva",
		"Organisation": "Acme",
		"Job Title":    "VP",
		"phone_number": "+49 (30) 123-456",
		"Country":      "deutschland",
		"cloud_spend":  "idle RESOURCES",
		"Consent":      "on",
		"seats":        "1,200",
		"PartnerID":    "p-7",
		"utm_source":   "li",
		"page_url":     "https://www.example.com/lp?x=1",
		"referrer":     "javascript:alert(1)",
		"redirect":     "https://evil.example/phish",
		"isAdmin":      "true",
		keyRenderedAt:  "1795300000000",
	}})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	want := map[string]string{
		"email": "ana+x@acme.com", "firstName": "Ana Maria", "lastName": "Silva", "company": "Acme", "title": "VP",
		"phone": "+49 (30) 123-456", "country": "DE", "cloudSpend": "Idle resources", "consent": "yes", "seats": "1200",
	}
	for k, v := range want {
		if got.sub.Fields[k] != v {
			t.Errorf("%s = %q, want %q", k, got.sub.Fields[k], v)
		}
	}
	if len(got.sub.Fields) != len(want) {
		t.Errorf("fields = %v", got.sub.Fields)
	}
	tp := got.sub.Touch
	if tp.Hidden["partnerId"] != "p-7" || tp.UTM["utm_source"] != "li" || tp.PageURL != "https://www.example.com/lp?x=1" ||
		tp.Referrer != "" || tp.Version != 4 || tp.Campaign != "t" || tp.Type != "form-submission" || !tp.At.Equal(now) {
		t.Errorf("touch = %+v", tp)
	}
	if got.redirect != "" || got.spam != "" || strings.Join(got.ignored, ",") != "isAdmin" {
		t.Errorf("redirect %q spam %q ignored %v", got.redirect, got.spam, got.ignored)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		field, value, want string
	}{
		{"email", "ana@acme", "is not an email address"},
		{"email", "Ana <ana@acme.com>", "is not an email address"},
		{"email", strings.Repeat("a", 250) + "@acme.com", "longer than an email address can be"},
		{"phone", "call me maybe", "is not a phone number"},
		{"country", "Atlantis", "is not a country we know"},
		{"cloudSpend", "Too much", "want one of Unexpected overruns, Idle resources"},
		{"consent", "perhaps", "want yes or no"},
		{"seats", "many", "is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			_, problems := parse(definition(t), &Form{ReceivedAt: time.Now(), Values: map[string]string{"email": "a@b.co", tt.field: tt.value}})
			if len(problems) != 1 || problems[0].Path != tt.field || !strings.Contains(problems[0].Message, tt.want) {
				t.Errorf("problems = %v", problems)
			}
		})
	}
}

func TestSpamSigns(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) string { return itoa(now.Add(d).UnixMilli()) }
	tests := []struct {
		name   string
		values map[string]string
		want   string
	}{
		{"person", map[string]string{"_ts": ms(-40 * time.Second)}, ""},
		{"no render time", map[string]string{}, ""},
		{"render time in seconds", map[string]string{"_ts": itoa(now.Add(-time.Minute).Unix())}, ""},
		{"honeypot", map[string]string{"_hp": "x", "_ts": ms(-time.Minute)}, "honeypot filled"},
		{"too fast", map[string]string{"_ts": ms(-time.Second)}, "filled in too fast"},
		{"from the future", map[string]string{"_ts": ms(time.Hour)}, "render time in the future"},
		{"garbage", map[string]string{"_ts": "soon"}, "render time unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.values["email"] = "a@b.co"
			got, _ := parse(definition(t), &Form{ReceivedAt: now, Values: tt.values})
			if got.spam != tt.want {
				t.Errorf("spam = %q, want %q", got.spam, tt.want)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRedirectOnlyToAllowedOrigins(t *testing.T) {
	origins := []string{"https://www.example.com"}
	for target, want := range map[string]string{
		"https://www.example.com/thanks?x=1": "https://www.example.com/thanks?x=1",
		"https://WWW.EXAMPLE.COM/t":          "https://WWW.EXAMPLE.COM/t",
		"https://www.example.com.evil.io/":   "",
		"//evil.example/x":                   "",
		"/relative":                          "",
		"javascript:alert(1)":                "",
	} {
		if got := allowedRedirect(target, origins); got != want {
			t.Errorf("allowedRedirect(%q) = %q, want %q", target, got, want)
		}
	}
}

func TestTouchIDRecognisesRetries(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	form := func(values map[string]string, key string, at time.Time) *Form {
		return &Form{Values: values, IdempotencyKey: key, ReceivedAt: at}
	}
	a := map[string]string{"email": "a@b.co", "_ts": "1795300000000"}
	b := map[string]string{"email": "a@b.co", "_ts": "1795300999000"}
	noTS := map[string]string{"email": "a@b.co"}
	id := func(f *Form) string { return touchID("c", f, nil) }
	switch {
	case id(form(a, "", now)) != id(form(a, "", now.Add(time.Hour))):
		t.Error("the same page view posted twice got two ids")
	case id(form(a, "", now)) == id(form(b, "", now)):
		t.Error("two page views got one id")
	case id(form(a, "k", now)) != id(form(b, "k", now)):
		t.Error("the same Idempotency-Key got two ids")
	case id(form(noTS, "", now)) != id(form(noTS, "", now.Add(time.Hour))):
		t.Error("a double post without render time on one day got two ids")
	case id(form(noTS, "", now)) == id(form(noTS, "", now.Add(24*time.Hour))):
		t.Error("the same form on another day got the same id")
	}
}
