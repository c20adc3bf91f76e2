package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
)

// discoveryDoc is the part of the provider's discovery document
// (OpenID Connect Discovery 1.0, section 3) this client uses.
type discoveryDoc struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	SigningAlgs           []string `json:"id_token_signing_alg_values_supported"`
	ChallengeMethods      []string `json:"code_challenge_methods_supported"`
}

// discoveryCache holds the document once it has been read and checked. The
// document does not change while a process lives, so it is read once;
// a failed read is not kept, and the next login tries again.
type discoveryCache struct {
	lock chan struct{} // one reader at a time, and a waiter can give up with its ctx
	doc  atomic.Pointer[discoveryDoc]
}

func (c *Client) discovery(ctx context.Context) (*discoveryDoc, error) {
	if d := c.disco.doc.Load(); d != nil {
		return d, nil
	}
	select {
	case c.disco.lock <- struct{}{}:
		defer func() { <-c.disco.lock }()
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: discovery: %w", ErrProvider, ctx.Err())
	}
	if d := c.disco.doc.Load(); d != nil {
		return d, nil
	}
	var d discoveryDoc
	// OpenID Connect Discovery 4.1: a trailing slash of the issuer (as
	// Auth0's has) is dropped before the path is appended.
	u := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	if err := c.getJSON(ctx, u, &d); err != nil {
		return nil, fmt.Errorf("%w: discovery: %w", ErrProvider, err)
	}
	if err := checkDiscovery(&d, c.cfg.Issuer); err != nil {
		return nil, fmt.Errorf("%w: discovery: %w", ErrProvider, err)
	}
	c.disco.doc.Store(&d)
	return &d, nil
}

func checkDiscovery(d *discoveryDoc, issuer string) error {
	// OpenID Connect Discovery 4.3: a document naming another issuer must
	// not be used, or a provider could speak for one it is not.
	if d.Issuer != issuer {
		return fmt.Errorf("the document names the issuer %q, not %q", clip(d.Issuer), issuer)
	}
	for _, e := range []struct{ name, url string }{
		{"authorization_endpoint", d.AuthorizationEndpoint},
		{"token_endpoint", d.TokenEndpoint},
		{"jwks_uri", d.JWKSURI},
	} {
		if err := checkEndpoint(e.url); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	if d.EndSessionEndpoint != "" {
		if err := checkEndpoint(d.EndSessionEndpoint); err != nil {
			return fmt.Errorf("end_session_endpoint: %w", err)
		}
	}
	// Said early, the operator reads why instead of a failed signature
	// at every login.
	if len(d.SigningAlgs) > 0 && !slices.Contains(d.SigningAlgs, "RS256") {
		return errors.New("the provider does not sign ID tokens with RS256")
	}
	if len(d.ChallengeMethods) > 0 && !slices.Contains(d.ChallengeMethods, "S256") {
		return errors.New("the provider does not take S256 PKCE challenges")
	}
	return nil
}

// checkEndpoint accepts an absolute https URL, or http to a loopback
// address, where a provider run for development listens (RFC 8252 7.3 makes
// the same exception).
func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", clip(s))
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an absolute URL without user or fragment", clip(s))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("%q is not https", clip(s))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// maxBody bounds every answer read from the provider: a discovery document,
// a key set and a token response are a few KiB.
const maxBody = 1 << 20

// getJSON reads a JSON document from a provider URL into v.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	if err := decodeJSON(resp, body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// readBody reads a response body up to maxBody, and refuses a larger one
// rather than read a truncated document.
func readBody(resp *http.Response) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", resp.Request.Method, resp.Request.URL, err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("%s %s: the answer is over %d bytes", resp.Request.Method, resp.Request.URL, maxBody)
	}
	return body, nil
}

// decodeJSON decodes one JSON object, and nothing after it, from a response
// that says it is JSON (Cognito says application/json, and some providers
// application/jwk-set+json or application/...+json).
func decodeJSON(resp *http.Response, body []byte, v any) error {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return fmt.Errorf("the answer is %q, not JSON", clip(resp.Header.Get("Content-Type")))
	}
	return decodeObject(body, v)
}

func decodeObject(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return errors.New("the answer is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the answer has more after its JSON object")
	}
	return nil
}

// clip shortens a value from outside for an error message: messages are
// logged, and a provider's value need not fill the log.
func clip(s string) string {
	const n = 100
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
