// Package oidc is the client side of the OpenID Connect authorization-code
// flow with PKCE that logs managers into the console: it builds the URL the
// browser is sent to, exchanges the code the browser brings back, and
// verifies the tokens the identity provider answers with, so the console
// learns who logged in and with which scopes.
//
// It knows the identity provider only by its issuer URL (the template's
// JwtIssuer) and reads everything else from the discovery document. Cognito's
// hosted UI works as it is: its access tokens name the app client in
// client_id rather than aud, and its logout endpoint is derived, since its
// discovery document has none.
//
// Every error matches ErrRejected (the browser's part of the login went
// wrong: logging in again is the cure), ErrProvider (the identity provider
// did not answer, or answered something this package refuses: an operator
// has to look), or neither, when the Config itself is wrong. No error's text
// holds a token, a code or a secret.
package oidc

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

var (
	// ErrRejected: what the browser brought back does not finish the login
	// it started (a state or nonce of another login, a code used or
	// expired, the user declining at the provider, tokens already expired).
	// The console should send the user to log in again.
	ErrRejected = errors.New("oidc: login rejected")
	// ErrProvider: the identity provider could not be reached, or its
	// answer was refused (not JSON, too large, a bad signature, the wrong
	// issuer or audience). Logging in again will not help.
	ErrProvider = errors.New("oidc: identity provider failed")
)

// Config names the identity provider and the app client registered with it.
type Config struct {
	Issuer       string // e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
	ClientID     string // the app client id (the template's JwtAudience)
	ClientSecret string // for a confidential client; "" for a public client, which PKCE protects
	// RedirectURL is https://.../console/callback, registered with the app
	// client; "" when each Begin names it (the console derives it from the
	// domain API Gateway was called on, which the template cannot name
	// without a circular reference).
	RedirectURL string
	Scopes      []string // "openid" is always asked for as well
}

// Validate reports what is wrong with the configuration, so a cold start can
// fail on it instead of the first login. Begin and Finish return the same
// error.
func (cfg Config) Validate() error {
	if err := checkEndpoint(cfg.Issuer); err != nil {
		return fmt.Errorf("oidc: issuer: %w", err)
	}
	if cfg.ClientID == "" {
		return errors.New("oidc: no client id")
	}
	if cfg.RedirectURL != "" {
		if err := checkEndpoint(cfg.RedirectURL); err != nil {
			return fmt.Errorf("oidc: redirect URL: %w", err)
		}
	}
	for _, s := range cfg.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return fmt.Errorf("oidc: scope %q is not a scope token", s)
		}
	}
	return nil
}

// Client runs logins against one identity provider. It is safe for
// concurrent use and meant to live as long as the process: it caches the
// discovery document and the provider's signing keys.
type Client struct {
	cfg    Config
	cfgErr error
	hc     *http.Client
	now    func() time.Time // replaced in tests, which must not depend on the wall clock

	disco discoveryCache
	keys  keyCache
}

// DefaultTimeout bounds each request to the identity provider when New is
// given no HTTP client: a login the provider cannot answer in this time is
// better refused than left hanging on a Lambda's clock.
const DefaultTimeout = 5 * time.Second

// New returns a client for cfg. With hc nil it uses one with DefaultTimeout.
// Redirects are never followed, whatever hc says: discovery, keys and tokens
// come from the URLs the issuer names, or not at all.
func New(cfg Config, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	own := *hc
	own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.Scopes = slices.Clone(cfg.Scopes)
	c := &Client{cfg: cfg, cfgErr: cfg.Validate(), hc: &own, now: time.Now}
	c.disco.lock = make(chan struct{}, 1)
	c.keys.lock = make(chan struct{}, 1)
	return c
}

// Pending is what Finish needs to recognise the login Begin started. The
// console keeps it, signed, in a short-lived cookie of the browser that
// started the login; none of it may reach the page or a URL other than the
// authorization URL (which carries the state and nonce, never the
// verifier).
type Pending struct {
	State    string
	Nonce    string
	Verifier string // the PKCE code verifier
	// RedirectURL is where the provider was asked to send the browser:
	// the token request must name the same.
	RedirectURL string `json:",omitempty"`
}

const (
	// secretBytes is the entropy of each of state, nonce and verifier.
	secretBytes = 32
	// secretLen is their length in base64url: 43, the shortest verifier
	// RFC 7636 allows.
	secretLen = (secretBytes*8 + 5) / 6
)

// Begin starts a login: it returns the URL to redirect the browser to and
// what Finish will need when the browser comes back.
//
// redirectURL is where the provider sends the browser back; "" is the
// configured one.
func (c *Client) Begin(ctx context.Context, redirectURL string) (authURL string, p Pending, err error) {
	if c.cfgErr != nil {
		return "", Pending{}, c.cfgErr
	}
	redirectURL = cmp.Or(redirectURL, c.cfg.RedirectURL)
	if err := checkEndpoint(redirectURL); err != nil {
		return "", Pending{}, fmt.Errorf("oidc: redirect URL: %w", err)
	}
	d, err := c.discovery(ctx)
	if err != nil {
		return "", Pending{}, err
	}
	p = Pending{State: randomString(), Nonce: randomString(), Verifier: randomString(), RedirectURL: redirectURL}
	u, err := url.Parse(d.AuthorizationEndpoint)
	if err != nil {
		return "", Pending{}, fmt.Errorf("%w: authorization endpoint: %w", ErrProvider, err)
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", c.cfg.ClientID)
	q.Set("redirect_uri", redirectURL)
	q.Set("scope", strings.Join(c.scopes(), " "))
	q.Set("state", p.State)
	q.Set("nonce", p.Nonce)
	q.Set("code_challenge", challenge(p.Verifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), p, nil
}

func (c *Client) scopes() []string {
	s := []string{"openid"}
	for _, x := range c.cfg.Scopes {
		if !slices.Contains(s, x) {
			s = append(s, x)
		}
	}
	return s
}

// randomString returns secretBytes from crypto/rand, base64url without
// padding: safe in a URL, a cookie and as a PKCE verifier.
func randomString() string {
	// crypto/rand.Read never fails since Go 1.24: it crashes the program
	// rather than return predictable bytes.
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// challenge is the S256 code challenge of a PKCE verifier (RFC 7636 4.2).
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Identity is who logged in, as the identity provider's tokens say.
type Identity struct {
	Subject  string
	Email    string   // the ID token's "email", unless its email_verified is false
	Username string   // "cognito:username" (ID token), "username" (access token), or "preferred_username"
	Scopes   []string // the access token's "scope" (space-separated) or "scp"
	Expiry   time.Time
	// Claims are the access token's string-valued claims, as API
	// Gateway's JWT authorizer hands them to the API, so the console can
	// name a rep by the same claim (RepIdClaim) the API does.
	Claims map[string]string
}

// maxParam bounds the state and code the browser brings back: Cognito's
// codes are 36 characters, and a longer value is not worth a request.
const maxParam = 2048

// Finish completes the login p began. state and code are the callback's
// query parameters; the console first passes the whole query to
// CallbackError, since a provider that refused the login sends an error
// instead of a code.
//
// Finish checks the state, exchanges the code (with the PKCE verifier) at
// the token endpoint, and verifies both tokens: RS256 signatures by a key of
// the issuer's key set, issuer, audience, expiry, the ID token's nonce, and
// that the two tokens belong together. The Identity expires with the
// earlier token.
func (c *Client) Finish(ctx context.Context, p Pending, state, code string) (*Identity, error) {
	if c.cfgErr != nil {
		return nil, c.cfgErr
	}
	// An empty or short Pending would match an empty state: it is a
	// cookie lost or forged, not a login.
	if len(p.State) < secretLen || len(p.Nonce) < secretLen || len(p.Verifier) < secretLen || len(p.Verifier) > 128 {
		return nil, fmt.Errorf("%w: no login in progress in this browser", ErrRejected)
	}
	if len(state) > maxParam || subtle.ConstantTimeCompare([]byte(state), []byte(p.State)) != 1 {
		return nil, fmt.Errorf("%w: the state is not the one of the login this browser started", ErrRejected)
	}
	if code == "" || len(code) > maxParam {
		return nil, fmt.Errorf("%w: no authorization code", ErrRejected)
	}
	d, err := c.discovery(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := c.exchange(ctx, d, p, code)
	if err != nil {
		return nil, err
	}
	now := c.now()
	idt, err := c.verify(ctx, d, tok.IDToken, now)
	if err != nil {
		return nil, fmt.Errorf("ID token: %w", err)
	}
	if err := c.checkIDToken(idt, p.Nonce, tok.AccessToken); err != nil {
		return nil, fmt.Errorf("ID token: %w", err)
	}
	at, err := c.verify(ctx, d, tok.AccessToken, now)
	if err != nil {
		return nil, fmt.Errorf("access token: %w", err)
	}
	if err := c.checkAccessToken(at); err != nil {
		return nil, fmt.Errorf("access token: %w", err)
	}
	if idt.Subject != at.Subject {
		return nil, fmt.Errorf("%w: the ID and access tokens name different subjects", ErrProvider)
	}
	id := &Identity{
		Subject:  idt.Subject,
		Email:    idt.email(),
		Username: firstOf(idt.str("cognito:username"), at.str("username"), idt.str("preferred_username"), at.str("preferred_username")),
		Scopes:   at.scopes(),
		Expiry:   idt.Expiry,
		Claims:   at.strings(),
	}
	if at.Expiry.Before(id.Expiry) {
		id.Expiry = at.Expiry
	}
	return id, nil
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// CallbackError returns the error the identity provider sent back instead
// of a code (RFC 6749 4.1.2.1), or nil when q has no "error". The user
// declining or failing to log in matches ErrRejected; anything else (a
// client or scope the provider does not know, the provider down) matches
// ErrProvider. The provider's words are not repeated: anyone can craft a
// callback URL, and the text would reach logs and pages.
func CallbackError(q url.Values) error {
	if !q.Has("error") {
		return nil
	}
	switch e := q.Get("error"); e {
	case "access_denied", "login_required", "interaction_required", "consent_required", "account_selection_required":
		return fmt.Errorf("%w: the identity provider answered %s", ErrRejected, e)
	default:
		return fmt.Errorf("%w: the identity provider answered %s", ErrProvider, errorCode(e))
	}
}

// EndSessionURL returns where to send the browser to log out at the identity
// provider as well, coming back to returnTo; "" when the provider has no
// logout endpoint or cannot be reached, and then clearing the console's own
// session is all there is to do.
//
// With Cognito, whose discovery document names no end_session_endpoint, it
// is the hosted UI's /logout, and returnTo must be one of the app client's
// sign-out URLs (LogoutURLs), or Cognito shows an error instead of returning.
func (c *Client) EndSessionURL(ctx context.Context, returnTo string) string {
	if c.cfgErr != nil {
		return ""
	}
	d, err := c.discovery(ctx)
	if err != nil {
		return ""
	}
	return logoutURL(d, c.cfg, returnTo)
}

func logoutURL(d *discoveryDoc, cfg Config, returnTo string) string {
	var (
		u   *url.URL
		err error
		ret string
	)
	switch {
	case d.EndSessionEndpoint != "":
		u, err = url.Parse(d.EndSessionEndpoint)
		ret = "post_logout_redirect_uri"
	case isCognito(cfg.Issuer, d.AuthorizationEndpoint):
		u, err = url.Parse(d.AuthorizationEndpoint)
		if err == nil {
			u.Path, u.RawQuery = "/logout", ""
		}
		ret = "logout_uri"
	default:
		return ""
	}
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", cfg.ClientID)
	if returnTo != "" {
		q.Set(ret, returnTo)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// isCognito recognises a Cognito user pool by its issuer
// (https://cognito-idp.REGION.amazonaws.com/POOL) and its hosted UI by the
// authorization endpoint's path.
func isCognito(issuer, authEndpoint string) bool {
	iu, err := url.Parse(issuer)
	if err != nil {
		return false
	}
	au, err := url.Parse(authEndpoint)
	if err != nil {
		return false
	}
	return strings.HasPrefix(iu.Host, "cognito-idp.") && strings.HasSuffix(iu.Host, ".amazonaws.com") && au.Path == "/oauth2/authorize"
}
