package oidc

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// tokenResponse is a successful token endpoint answer (RFC 6749 5.1,
// OpenID Connect Core 3.1.3.3). A refresh token, if sent, is not kept: the
// console's session ends with the tokens.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	TokenType   string `json:"token_type"`
}

// tokenError is the token endpoint's error answer (RFC 6749 5.2).
type tokenError struct {
	Error string `json:"error"`
}

// exchange trades the authorization code and the PKCE verifier for tokens.
func (c *Client) exchange(ctx context.Context, d *discoveryDoc, p Pending, code string) (*tokenResponse, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {cmp.Or(p.RedirectURL, c.cfg.RedirectURL)},
		"code_verifier": {p.Verifier},
		"client_id":     {c.cfg.ClientID},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("%w: token endpoint: %w", ErrProvider, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.cfg.ClientSecret != "" {
		// RFC 6749 2.3.1: id and secret are form-encoded before they
		// are joined, so a colon in either cannot move the split.
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: token endpoint: %w", ErrProvider, err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return nil, fmt.Errorf("%w: token endpoint: %w", ErrProvider, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized:
		var e tokenError
		if err := decodeJSON(resp, body, &e); err != nil || e.Error == "" {
			return nil, fmt.Errorf("%w: token endpoint: status %d without an error code", ErrProvider, resp.StatusCode)
		}
		// invalid_grant is the code: used already (the callback
		// reloaded), expired, or not issued with this verifier and
		// redirect URL. Every other code says the client or the
		// provider is set up wrong.
		if e.Error == "invalid_grant" {
			return nil, fmt.Errorf("%w: the token endpoint refused the code (invalid_grant)", ErrRejected)
		}
		return nil, fmt.Errorf("%w: the token endpoint answered %s", ErrProvider, errorCode(e.Error))
	default:
		return nil, fmt.Errorf("%w: token endpoint: status %d", ErrProvider, resp.StatusCode)
	}
	var t tokenResponse
	if err := decodeJSON(resp, body, &t); err != nil {
		return nil, fmt.Errorf("%w: token endpoint: %w", ErrProvider, err)
	}
	if !strings.EqualFold(t.TokenType, "Bearer") {
		return nil, fmt.Errorf("%w: token endpoint: token type %q, not Bearer", ErrProvider, clip(t.TokenType))
	}
	if t.IDToken == "" || t.AccessToken == "" {
		return nil, fmt.Errorf("%w: token endpoint: the answer lacks the ID token or the access token", ErrProvider)
	}
	return &t, nil
}

// errorCode returns an OAuth error code fit for a log line: the codes RFC
// 6749 defines are short and of plain letters, and anything else is
// replaced rather than repeated.
func errorCode(s string) string {
	if s == "" || len(s) > 64 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
	}) {
		return "an error code that is not one"
	}
	return s
}
