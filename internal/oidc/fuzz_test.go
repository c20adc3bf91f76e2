package oidc

import (
	"crypto/rsa"
	"testing"
	"time"
)

// FuzzVerify: whatever token the token endpoint sends, verify neither
// panics nor accepts one whose every byte the key's holder did not sign: a
// token it accepts is one of the seeds signed by the key, byte for byte, so
// no other encoding of a signed token (padding, a changed header, another
// algorithm) passes.
func FuzzVerify(f *testing.F) {
	key := newKey(f, "key-a", 2048)
	const issuer = cognitoIssuer
	c := New(Config{Issuer: issuer, ClientID: testClientID, RedirectURL: testRedirect}, nil)
	c.now = func() time.Time { return epoch }
	c.keys.set.Store(&keySet{keys: map[string]*rsa.PublicKey{key.kid: &key.key.PublicKey}, refused: map[string]string{"weak": "too small"}})
	// The set counts as just read, so an unknown kid is refused without a
	// request.
	c.keys.tried = epoch
	d := &discoveryDoc{Issuer: issuer}

	claims := map[string]any{"iss": issuer, "sub": "b2c5e4a8", "aud": testClientID, "iat": epoch.Unix(), "exp": epoch.Unix() + 3600, "nonce": "n"}
	signed := map[string]bool{}
	for _, tok := range []string{
		signRS256(f, key, claims),
		signRS256(f, key, map[string]any{"iss": issuer, "sub": "x", "iat": float64(epoch.Unix()) - 1.5, "exp": float64(epoch.Unix()) + 0.25}),
	} {
		signed[tok] = true
		f.Add(tok)
	}
	f.Add(signNone(f, key, claims))
	f.Add(signHS256WithPublicKey(f, key, claims))
	f.Add(signRS256(f, &testKey{kid: "weak", key: key.key}, claims))
	f.Add("a.b.c.d.e")
	f.Add("")

	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := c.verify(t.Context(), d, raw, epoch)
		if err == nil && !signed[raw] {
			t.Fatalf("accepted a token nobody signed: %q (claims %v)", raw, tok.claims)
		}
	})
}
