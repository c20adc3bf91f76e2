package oidc

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

const (
	// skew is how far the provider's clock and this one may disagree.
	skew = 2 * time.Minute
	// maxAge bounds how long before its exchange a token may have been
	// issued: the token endpoint mints them as it answers.
	maxAge = 24 * time.Hour
	// maxTokenLen bounds a token before it is decoded; Cognito's are 1-4
	// KiB, more with many groups.
	maxTokenLen = 64 << 10
)

// b64 is the encoding of every JWS part (RFC 7515 2): base64url without
// padding, and Strict so that one token has one encoding.
var b64 = base64.RawURLEncoding.Strict()

// token is a JWT whose signature and issuer have been checked, with its
// claims as sent.
type token struct {
	claims   map[string]json.RawMessage
	Subject  string
	Expiry   time.Time
	IssuedAt time.Time
}

// verify checks a compact JWS (RFC 7515 7.1) signed with RS256 by one of the
// issuer's keys, and the claims every token of the issuer must have right:
// iss, sub, exp, iat and nbf. What differs between ID and access tokens is
// for checkIDToken and checkAccessToken.
func (c *Client) verify(ctx context.Context, d *discoveryDoc, raw string, now time.Time) (*token, error) {
	if raw == "" {
		return nil, fmt.Errorf("%w: the token endpoint sent none", ErrProvider)
	}
	if len(raw) > maxTokenLen {
		return nil, fmt.Errorf("%w: over %d bytes", ErrProvider, maxTokenLen)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		// Five parts would be an encrypted token (JWE), which this
		// client cannot read; anything else is not a JWT.
		return nil, fmt.Errorf("%w: not a signed JWT of three parts", ErrProvider)
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: not base64url", ErrProvider)
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := decodeObject(hb, &hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrProvider, err)
	}
	// Only RS256: "none" would need no key, and HS256 would verify with the
	// public key taken as a shared secret by anyone who read the key set.
	if hdr.Alg != "RS256" {
		return nil, fmt.Errorf("%w: signed with %q, and only RS256 is accepted", ErrProvider, clip(hdr.Alg))
	}
	// RFC 7515 4.1.11: extensions this client does not know must make it
	// refuse the token, and it knows none.
	if hdr.Crit != nil {
		return nil, fmt.Errorf("%w: the header names critical extensions", ErrProvider)
	}
	if hdr.Kid == "" {
		return nil, fmt.Errorf("%w: the header names no key (kid)", ErrProvider)
	}
	key, err := c.key(ctx, d, hdr.Kid)
	if err != nil {
		return nil, err
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: not base64url", ErrProvider)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != key.Size() || rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return nil, fmt.Errorf("%w: the signature does not verify with key %q", ErrProvider, clip(hdr.Kid))
	}

	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: claims: not base64url", ErrProvider)
	}
	t := &token{}
	if err := decodeObject(pb, &t.claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrProvider, err)
	}
	if iss := t.str("iss"); iss != c.cfg.Issuer {
		return nil, fmt.Errorf("%w: issued by %q, not %q", ErrProvider, clip(iss), c.cfg.Issuer)
	}
	if t.Subject = t.str("sub"); t.Subject == "" {
		return nil, fmt.Errorf("%w: no subject (sub)", ErrProvider)
	}
	if t.Expiry, err = t.date("exp"); err != nil {
		return nil, err
	}
	if t.IssuedAt, err = t.date("iat"); err != nil {
		return nil, err
	}
	if !t.Expiry.After(t.IssuedAt) {
		return nil, fmt.Errorf("%w: expires (exp) no later than it was issued (iat)", ErrProvider)
	}
	if !now.Before(t.Expiry.Add(skew)) {
		return nil, fmt.Errorf("%w: the token expired at %s", ErrRejected, t.Expiry.UTC().Format(time.RFC3339))
	}
	if t.IssuedAt.After(now.Add(skew)) {
		return nil, fmt.Errorf("%w: issued (iat) at %s, in the future: the provider's clock or this one is wrong", ErrProvider, t.IssuedAt.UTC().Format(time.RFC3339))
	}
	if t.IssuedAt.Before(now.Add(-maxAge)) {
		return nil, fmt.Errorf("%w: issued (iat) at %s, more than %s ago", ErrProvider, t.IssuedAt.UTC().Format(time.RFC3339), maxAge)
	}
	if _, ok := t.claims["nbf"]; ok {
		nbf, err := t.date("nbf")
		if err != nil {
			return nil, err
		}
		if nbf.After(now.Add(skew)) {
			return nil, fmt.Errorf("%w: not valid before (nbf) %s", ErrProvider, nbf.UTC().Format(time.RFC3339))
		}
	}
	return t, nil
}

// checkIDToken checks what makes an ID token this login's (OpenID Connect
// Core 3.1.3.7): its audience, its nonce, and that it was issued with the
// access token beside it.
func (c *Client) checkIDToken(t *token, nonce, accessToken string) error {
	if use := t.str("token_use"); use != "" && use != "id" {
		// Cognito says which token is which; one must not stand for
		// the other.
		return fmt.Errorf("%w: token_use is %q, not id", ErrProvider, clip(use))
	}
	aud, err := t.audience()
	if err != nil {
		return err
	}
	if !slices.Contains(aud, c.cfg.ClientID) {
		return fmt.Errorf("%w: issued to %q, not to this client %q", ErrProvider, clip(strings.Join(aud, " ")), c.cfg.ClientID)
	}
	azp, hasAzp := t.claims["azp"]
	if len(aud) > 1 && !hasAzp {
		return fmt.Errorf("%w: issued to several audiences and names no authorized party (azp)", ErrProvider)
	}
	if hasAzp && t.str("azp") != c.cfg.ClientID {
		return fmt.Errorf("%w: authorized party (azp) %s is not this client", ErrProvider, clip(string(azp)))
	}
	// A nonce of another login means the code was injected into this
	// browser's callback: the browser's part, and refused like a state.
	got := t.str("nonce")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
		return fmt.Errorf("%w: the nonce is not the one of the login this browser started", ErrRejected)
	}
	if _, ok := t.claims["at_hash"]; ok {
		sum := sha256.Sum256([]byte(accessToken))
		want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
		if subtle.ConstantTimeCompare([]byte(t.str("at_hash")), []byte(want)) != 1 {
			return fmt.Errorf("%w: at_hash does not match the access token sent with it", ErrProvider)
		}
	}
	return nil
}

// checkAccessToken checks that the access token was issued to this client,
// by the rule API Gateway's JWT authorizer keeps: Cognito names the client
// in client_id and has no aud; other providers (RFC 9068) name the client in
// client_id and the API in aud, or the client in aud.
func (c *Client) checkAccessToken(t *token) error {
	if use := t.str("token_use"); use != "" && use != "access" {
		return fmt.Errorf("%w: token_use is %q, not access", ErrProvider, clip(use))
	}
	if raw, ok := t.claims["client_id"]; ok {
		if t.str("client_id") != c.cfg.ClientID {
			return fmt.Errorf("%w: issued to client %s, not to this client %q", ErrProvider, clip(string(raw)), c.cfg.ClientID)
		}
		return nil
	}
	aud, err := t.audience()
	if err != nil {
		return err
	}
	if !slices.Contains(aud, c.cfg.ClientID) {
		return fmt.Errorf("%w: issued to %q, not to this client %q", ErrProvider, clip(strings.Join(aud, " ")), c.cfg.ClientID)
	}
	return nil
}

// str returns a string claim, or "" if it is missing or not a string.
func (t *token) str(name string) string {
	var s string
	if raw, ok := t.claims[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// email returns the email claim, unless email_verified says it is not
// verified: an address anyone could have typed in at sign-up must not name
// who approved a definition.
func (t *token) email() string {
	if raw, ok := t.claims["email_verified"]; ok {
		// Cognito writes a boolean; some providers write a string.
		var b bool
		if verified := json.Unmarshal(raw, &b) == nil && b || t.str("email_verified") == "true"; !verified {
			return ""
		}
	}
	return t.str("email")
}

// strings returns every claim whose value is a string.
func (t *token) strings() map[string]string {
	m := map[string]string{}
	for name, raw := range t.claims {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			m[name] = s
		}
	}
	return m
}

// date reads a NumericDate claim (RFC 7519 2): seconds since the epoch,
// perhaps with a fraction.
func (t *token) date(name string) (time.Time, error) {
	raw, ok := t.claims[name]
	if !ok {
		return time.Time{}, fmt.Errorf("%w: no %s", ErrProvider, name)
	}
	var f float64
	// Up to year 5000: past it the number is no date a provider means.
	if err := json.Unmarshal(raw, &f); err != nil || f < 0 || f > 95617584000 || math.IsNaN(f) {
		return time.Time{}, fmt.Errorf("%w: %s is not a date in seconds", ErrProvider, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// audience reads aud, a string or an array of strings (RFC 7519 4.1.3).
func (t *token) audience() ([]string, error) {
	raw, ok := t.claims["aud"]
	if !ok {
		return nil, fmt.Errorf("%w: no audience (aud)", ErrProvider)
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, fmt.Errorf("%w: the audience (aud) is neither a string nor strings", ErrProvider)
	}
	return many, nil
}

// scopes reads the access token's scopes: Cognito and RFC 9068 write them
// space-separated in "scope", some providers as an array in "scp".
func (t *token) scopes() []string {
	if s := t.str("scope"); s != "" {
		return strings.Fields(s)
	}
	raw, ok := t.claims["scp"]
	if !ok {
		return nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return slices.DeleteFunc(many, func(s string) bool { return s == "" })
	}
	return strings.Fields(t.str("scp"))
}
