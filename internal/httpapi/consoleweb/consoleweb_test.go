package consoleweb_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/httpapi/consoleweb"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/oidc"
	"github.com/leadgate/leadgate/internal/session"
)

// fakeIdP stands in for internal/oidc's client, whose own tests run it
// against a fake provider: here what matters is what the console does with
// its answers.
type fakeIdP struct {
	redirect string
	identity *oidc.Identity
	err      error
}

func (f *fakeIdP) Begin(_ context.Context, redirectURL string) (string, oidc.Pending, error) {
	f.redirect = redirectURL
	return "https://idp.example/authorize?state=s1", oidc.Pending{State: "s1", Nonce: "n1", Verifier: "v1", RedirectURL: redirectURL}, nil
}

func (f *fakeIdP) Finish(_ context.Context, p oidc.Pending, state, code string) (*oidc.Identity, error) {
	if p.State != "s1" || state != "s1" || code != "c1" {
		return nil, oidc.ErrRejected
	}
	return f.identity, f.err
}

// signInConsole is the console signing people in through idp at now: its
// sealer, and a call of it that fails the test on an error.
func signInConsole(t *testing.T, idp *fakeIdP, now time.Time) (*session.Sealer, func(events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse) {
	t.Helper()
	sealer, err := session.NewSealer([]byte(strings.Repeat("k", 32)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	h := consoleweb.New(consoleweb.Config{Service: &console.Service{}, Sealer: sealer, IdP: idp, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	return sealer, func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := h(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
}

func consoleEvent(method, path, rawQuery string, cookies []string) events.APIGatewayV2HTTPRequest {
	q := map[string]string{}
	vals, _ := url.ParseQuery(rawQuery)
	for k := range vals {
		q[k] = vals.Get(k)
	}
	ev := events.APIGatewayV2HTTPRequest{RouteKey: method + " " + path, RawPath: path, RawQueryString: rawQuery, QueryStringParameters: q, Cookies: cookies}
	ev.RequestContext.HTTP.Method = method
	ev.RequestContext.DomainName = "abc123.execute-api.eu-west-1.amazonaws.com"
	return ev
}

// setCookies turns a response's Set-Cookie values into what a browser
// sends back, leaving out the ones it deletes.
func setCookies(resp events.APIGatewayV2HTTPResponse) []string {
	var out []string
	for _, c := range resp.Cookies {
		ck, err := http.ParseSetCookie(c)
		if err == nil && ck.MaxAge >= 0 && ck.Value != "" {
			out = append(out, ck.Name+"="+ck.Value)
		}
	}
	return out
}

// TestConsoleSignInThroughTheIdentityProvider: the login redirects to the
// provider with a callback on the domain API Gateway was called on and a
// signed login cookie; the callback turns the provider's identity into a
// Secure session cookie holding only leadgate's scopes. A callback without
// the login cookie, an error from the provider, a refused code or an
// identity already expired signs no one in.
func TestConsoleSignInThroughTheIdentityProvider(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	idp := &fakeIdP{identity: &oidc.Identity{Subject: "u-1", Email: "maria@example.com", Username: "maria", Expiry: now.Add(time.Hour),
		Scopes: []string{"openid", "email", scopes.CampaignsRead, scopes.ApproveMarketing}, Claims: map[string]string{"username": "maria"}}}
	sealer, call := signInConsole(t, idp, now)

	start := call(consoleEvent("GET", "/console/login", "next=%2Fconsole%2Fqueue", nil))
	if start.StatusCode != http.StatusSeeOther || start.Headers["Location"] != "https://idp.example/authorize?state=s1" {
		t.Fatalf("login: %d %v", start.StatusCode, start.Headers)
	}
	if idp.redirect != "https://abc123.execute-api.eu-west-1.amazonaws.com/console/callback" {
		t.Errorf("callback URL %q", idp.redirect)
	}
	login := setCookies(start)
	if len(login) != 1 || !strings.HasPrefix(login[0], "leadgate_console_login=") {
		t.Fatalf("login cookie: %q", start.Cookies)
	}

	refused := []struct {
		name     string
		query    string
		cookies  []string
		identity *oidc.Identity
		err      error
	}{
		{"no login cookie", "state=s1&code=c1", nil, idp.identity, nil},
		{"the provider's error", "error=access_denied&state=s1", login, idp.identity, nil},
		{"a code the provider refuses", "state=s1&code=c2", login, idp.identity, nil},
		{"the provider misbehaving", "state=s1&code=c1", login, nil, oidc.ErrProvider},
		{"an identity expired on the way", "state=s1&code=c1", login, &oidc.Identity{Subject: "u-1", Expiry: now.Add(-time.Second)}, nil},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			idp.identity, idp.err = tc.identity, tc.err
			resp := call(consoleEvent("GET", "/console/callback", tc.query, tc.cookies))
			if resp.StatusCode < 400 || len(setCookies(resp)) != 0 || !strings.Contains(resp.Headers["Content-Type"], "text/html") {
				t.Errorf("%d %q %q", resp.StatusCode, resp.Cookies, resp.Headers["Content-Type"])
			}
			if strings.Contains(resp.Body, "access_denied") || strings.Contains(resp.Body, "ErrProvider") {
				t.Errorf("the page repeats what the provider said:\n%s", resp.Body)
			}
		})
	}

	// A provider that lists a scope over and over (a long group mapping)
	// still gives a session of leadgate's scopes, each once, that fits in
	// its cookie.
	var repeated []string
	for range 500 {
		repeated = append(repeated, "openid", scopes.CampaignsRead, "email", scopes.ApproveMarketing)
	}
	idp.identity = &oidc.Identity{Subject: "u-1", Email: "maria@example.com", Username: "maria", Expiry: now.Add(time.Hour),
		Scopes: repeated, Claims: map[string]string{"username": "maria"}}
	idp.err = nil
	done := call(consoleEvent("GET", "/console/callback", "state=s1&code=c1", login))
	if done.StatusCode != http.StatusSeeOther || done.Headers["Location"] != "/console/queue" {
		t.Fatalf("callback: %d %v", done.StatusCode, done.Headers)
	}
	var sessionCookie *http.Cookie
	for _, c := range done.Cookies {
		if ck, err := http.ParseSetCookie(c); err == nil && ck.Name == "leadgate_console" {
			sessionCookie = ck
		}
	}
	if sessionCookie == nil || !sessionCookie.Secure || !sessionCookie.HttpOnly || sessionCookie.SameSite != http.SameSiteLaxMode || sessionCookie.Path != "/console" || sessionCookie.MaxAge != 3600 {
		t.Fatalf("session cookie: %+v", sessionCookie)
	}
	var s session.Session
	if err := sealer.Open("leadgate_console", sessionCookie.Value, &s); err != nil {
		t.Fatal(err)
	}
	if s.Email != "maria@example.com" || s.Username != "maria" || strings.Join(s.Scopes, " ") != scopes.CampaignsRead+" "+scopes.ApproveMarketing {
		t.Errorf("session: %+v", s)
	}
	// The local sign-in form does not exist where a provider signs people in.
	if resp := call(consoleEvent("POST", "/console/login", "", nil)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("local sign-in in AWS: %d", resp.StatusCode)
	}
}

// TestConsoleSignOutStaysSignedOut: in AWS, signing out must end at a page
// of the console. Redirected on to /console/login, the browser went
// straight back to the identity provider, which (its own session alive)
// signed the person in again at once; and a redirect to another origin at
// the end of a form's post is what the console's form-action 'self'
// forbids, so Chromium showed a blocked page instead.
func TestConsoleSignOutStaysSignedOut(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	idp := &fakeIdP{identity: &oidc.Identity{Subject: "u-1", Email: "maria@example.com", Expiry: now.Add(time.Hour), Scopes: []string{scopes.CampaignsRead}}}
	sealer, call := signInConsole(t, idp, now)
	login := setCookies(call(consoleEvent("GET", "/console/login", "", nil)))
	signedIn := setCookies(call(consoleEvent("GET", "/console/callback", "state=s1&code=c1", login)))
	var s session.Session
	if len(signedIn) != 1 || sealer.Open("leadgate_console", strings.TrimPrefix(signedIn[0], "leadgate_console="), &s) != nil {
		t.Fatalf("not signed in: %q", signedIn)
	}
	ev := consoleEvent("POST", "/console/logout", "", signedIn)
	ev.Headers = map[string]string{"content-type": "application/x-www-form-urlencoded"}
	ev.Body = url.Values{"csrf": {sealer.CSRF(s)}}.Encode()
	resp := call(ev)
	for _, c := range resp.Cookies {
		if ck, err := http.ParseSetCookie(c); err == nil && ck.Name == "leadgate_console" && ck.MaxAge >= 0 {
			t.Errorf("the session cookie is not deleted: %q", c)
		}
	}
	// Follow the redirects as the browser would, without the session.
	var jar []string
	for hops := 0; resp.StatusCode == http.StatusSeeOther; hops++ {
		to := resp.Headers["Location"]
		if !strings.HasPrefix(to, "/console") || hops == 3 {
			t.Fatalf("signing out leads the browser on to %q", to)
		}
		jar = append(jar, setCookies(resp)...)
		path, query, _ := strings.Cut(to, "?")
		resp = call(consoleEvent("GET", path, query, jar))
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Sign in") {
		t.Errorf("signing out ends at %d:\n%s", resp.StatusCode, resp.Body)
	}
}

// TestConsoleErrorPageGoesBack: an error after a form's post links back to
// the page the form was on, never to the action itself.
func TestConsoleErrorPageGoesBack(t *testing.T) {
	sealer, _ := session.NewSealer([]byte(strings.Repeat("k", 32)), time.Now)
	h := consoleweb.New(consoleweb.Config{Service: &console.Service{}, Sealer: sealer, LocalToken: "t", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	s := session.Session{ID: session.NewID(), Subject: "a", Scopes: scopes.All, Expires: time.Now().Add(time.Hour).Unix()}
	v, err := sealer.Seal("leadgate_console", s, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/console/campaigns/demo-request/drafts/d1/decision": `href="/console/campaigns/demo-request"`,
		"/console/leads/ld_aaaaaaaaaaaaaaaaaaaaaaaa/assign":  `href="/console/leads/ld_aaaaaaaaaaaaaaaaaaaaaaaa"`,
	} {
		route := map[bool]string{true: "/console/campaigns/{campaignId}/drafts/{draftId}/decision", false: "/console/leads/{leadId}/assign"}[strings.Contains(path, "drafts")]
		ev := consoleEvent("POST", route, "", []string{"leadgate_console=" + v})
		ev.RawPath = path
		ev.Headers = map[string]string{"content-type": "application/x-www-form-urlencoded"}
		ev.Body = "csrf=wrong"
		resp, err := h(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, want) {
			t.Errorf("%s: %d, want a link %s:\n%s", path, resp.StatusCode, want, resp.Body)
		}
	}
}
