// Package session keeps who is signed in to the console in a cookie the
// server signs, so the console needs no session table: the cookie is the
// session, and nothing but the server's key can make one.
package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MinKeyBytes is the shortest signing key accepted: HMAC-SHA256 wants at
// least its own output size.
const MinKeyBytes = 32

// MaxValueBytes bounds a sealed value: browsers keep about 4 KB per cookie,
// and a value the server cannot set whole would sign nobody in.
const MaxValueBytes = 3800

// Errors Open reports. Both mean "sign in again"; they differ for the log.
var (
	ErrInvalid = errors.New("session: not a value this server sealed")
	ErrExpired = errors.New("session: expired")
)

// Session is who is signed in: enough to decide what each page shows and
// allows, and to name them in a record.
type Session struct {
	ID       string   `json:"sid"` // random; binds the CSRF token to this sign-in
	Subject  string   `json:"sub"`
	Email    string   `json:"email,omitempty"`
	Username string   `json:"usr,omitempty"` // the rep id, where the person is a rep
	Scopes   []string `json:"scp"`
	// Expires is when the identity provider's tokens expire: the session
	// ends with them.
	Expires int64 `json:"exp"`
}

// Name is how the session's person is named in records.
func (s Session) Name() string {
	for _, n := range []string{s.Email, s.Username, s.Subject} {
		if n != "" {
			return n
		}
	}
	return ""
}

// Has reports whether the session holds scope.
func (s Session) Has(scope string) bool { return slices.Contains(s.Scopes, scope) }

// Sealer seals values into cookie-safe strings and opens them again. A
// purpose names what a value is for, and is signed with it, so a value
// sealed as one thing (a pending login) cannot be replayed as another (a
// session).
type Sealer struct {
	key []byte
	now func() time.Time
}

// NewSealer returns a Sealer signing with key.
func NewSealer(key []byte, now func() time.Time) (*Sealer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("session: the signing key has %d bytes; want at least %d", len(key), MinKeyBytes)
	}
	return &Sealer{key: append([]byte(nil), key...), now: now}, nil
}

// envelope is what is signed: the value and when it stops being good.
type envelope struct {
	Exp   int64           `json:"e"`
	Value json.RawMessage `json:"v"`
}

// Seal returns v, valid until expires, signed for purpose.
func (s *Sealer) Seal(purpose string, v any, expires time.Time) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("session: seal %s: %w", purpose, err)
	}
	body, err := json.Marshal(envelope{Exp: expires.Unix(), Value: raw})
	if err != nil {
		return "", fmt.Errorf("session: seal %s: %w", purpose, err)
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	out := payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(purpose, payload))
	if len(out) > MaxValueBytes {
		return "", fmt.Errorf("session: seal %s: %d bytes, more than a cookie holds (%d)", purpose, len(out), MaxValueBytes)
	}
	return out, nil
}

// Open checks that sealed was sealed by this key for purpose and has not
// expired, and decodes it into v.
func (s *Sealer) Open(purpose, sealed string, v any) error {
	if len(sealed) > MaxValueBytes {
		return ErrInvalid
	}
	payload, sig, ok := strings.Cut(sealed, ".")
	if !ok {
		return ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(purpose, payload)) {
		return ErrInvalid
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ErrInvalid
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return ErrInvalid
	}
	if !s.now().Before(time.Unix(env.Exp, 0)) {
		return ErrExpired
	}
	if err := json.Unmarshal(env.Value, v); err != nil {
		return ErrInvalid
	}
	return nil
}

func (s *Sealer) mac(purpose, payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// CSRF returns the token a form of this session must send back: only a
// page the server rendered for this sign-in knows it.
func (s *Sealer) CSRF(sess Session) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", sess.ID))
}

// CheckCSRF reports whether token is the session's CSRF token.
func (s *Sealer) CheckCSRF(sess Session, token string) bool {
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && sess.ID != "" && hmac.Equal(got, s.mac("csrf", sess.ID))
}

// NewID returns a random identifier, for a session or a login attempt.
func NewID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
