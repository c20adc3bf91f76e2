package oidc

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake provider plays a Cognito user pool: its discovery document is
// Cognito's (testdata/openid-configuration.json) with the pool's and the
// hosted UI's addresses moved to the test server, and its tokens carry the
// claims of testdata/*-token-claims.json.
const (
	cognitoIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
	cognitoDomain = "https://leadgate-demo.auth.eu-west-1.amazoncognito.com"
	poolPath      = "/eu-west-1_Ab12Cd34E"
	testClientID  = "3n4b5urk1ft4fl3mg5e62d9ado"
	testRedirect  = "https://console.example.com/console/callback"
)

// epoch is the tests' now: every token is dated from it, and no test reads
// the wall clock.
var epoch = time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testKey struct {
	kid string
	key *rsa.PrivateKey
}

var testKeys sync.Map // name → *testKey, since generating RSA keys is slow

// newKey returns an RSA key of bits, the same for the same name in the
// whole test binary.
func newKey(t testing.TB, name string, bits int) *testKey {
	t.Helper()
	if k, ok := testKeys.Load(name); ok {
		return k.(*testKey)
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tk := &testKey{kid: name + "-kid", key: k}
	actual, _ := testKeys.LoadOrStore(name, tk)
	return actual.(*testKey)
}

func (k *testKey) jwk() map[string]any {
	return map[string]any{
		"alg": "RS256",
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes()),
		"kid": k.kid,
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
		"use": "sig",
	}
}

// grant is what the authorization endpoint saw when it issued a code.
type grant struct {
	challenge, nonce, redirect, scope string
}

type fakeIdP struct {
	t        *testing.T
	srv      *httptest.Server
	issuer   string
	clientID string
	secret   string // "" for a public client

	idClaimsJSON, accessClaimsJSON []byte // testdata, read once by the test's goroutine

	mu        sync.Mutex
	published []*testKey // the key set
	signer    *testKey   // signs the tokens
	codes     map[string]grant
	hits      map[string]int // by path
	issued    []string       // every token sent, for the tests that no error repeats one

	// Hooks a case sets to make the provider misbehave.
	discovery    func(doc map[string]any)
	jwks         func(w http.ResponseWriter) bool // true: answered
	token        func(w http.ResponseWriter) bool // true: answered
	idClaims     func(m map[string]any)
	accessClaims func(m map[string]any)
	sign         func(t testing.TB, k *testKey, claims map[string]any) string
}

func newFakeIdP(t *testing.T) *fakeIdP {
	t.Helper()
	idp := &fakeIdP{
		t:        t,
		clientID: testClientID,
		codes:    map[string]grant{},
		hits:     map[string]int{},
		sign:     signRS256,
	}
	var err error
	if idp.idClaimsJSON, err = os.ReadFile("testdata/id-token-claims.json"); err != nil {
		t.Fatal(err)
	}
	if idp.accessClaimsJSON, err = os.ReadFile("testdata/access-token-claims.json"); err != nil {
		t.Fatal(err)
	}
	k := newKey(t, "key-a", 2048)
	idp.published, idp.signer = []*testKey{k}, k
	idp.srv = httptest.NewTLSServer(http.HandlerFunc(idp.serve))
	t.Cleanup(idp.srv.Close)
	idp.issuer = idp.srv.URL + poolPath
	return idp
}

// client returns a client for the provider whose clock is clock.
func (idp *fakeIdP) client(clock *fakeClock) *Client {
	c := New(Config{
		Issuer:       idp.issuer,
		ClientID:     idp.clientID,
		ClientSecret: idp.secret,
		RedirectURL:  testRedirect,
		Scopes:       []string{"email", "leadgate/campaigns.read", "leadgate/leads.read"},
	}, idp.srv.Client())
	c.now = clock.Now
	return c
}

func (idp *fakeIdP) hitsOf(path string) int {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return idp.hits[path]
}

func (idp *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.hits[r.URL.Path]++
	switch {
	case r.Method == http.MethodGet && r.URL.Path == poolPath+"/.well-known/openid-configuration":
		idp.serveDiscovery(w)
	case r.Method == http.MethodGet && r.URL.Path == poolPath+"/.well-known/jwks.json":
		if idp.jwks != nil && idp.jwks(w) {
			return
		}
		keys := []any{}
		for _, k := range idp.published {
			keys = append(keys, k.jwk())
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
	case r.Method == http.MethodPost && r.URL.Path == "/oauth2/token":
		idp.serveToken(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (idp *fakeIdP) serveDiscovery(w http.ResponseWriter) {
	b, err := os.ReadFile("testdata/openid-configuration.json")
	if err != nil {
		idp.t.Error(err)
		return
	}
	b = bytes.ReplaceAll(b, []byte(cognitoIssuer), []byte(idp.issuer))
	b = bytes.ReplaceAll(b, []byte(cognitoDomain), []byte(idp.srv.URL))
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		idp.t.Error(err)
		return
	}
	if idp.discovery != nil {
		idp.discovery(doc)
	}
	writeJSON(w, http.StatusOK, doc)
}

// authorize plays the hosted UI: it checks the URL Begin made, as
// Cognito's authorization endpoint would, and issues a code for it as if
// the user had logged in.
func (idp *fakeIdP) authorize(t *testing.T, authURL string) (state, code string) {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, idp.srv.URL+"/oauth2/authorize"; got != want {
		t.Fatalf("authorization URL %s, want %s", got, want)
	}
	q := u.Query()
	for name, want := range map[string]string{
		"response_type":         "code",
		"client_id":             idp.clientID,
		"redirect_uri":          testRedirect,
		"code_challenge_method": "S256",
	} {
		if got := q.Get(name); got != want {
			t.Fatalf("authorization URL: %s=%q, want %q", name, got, want)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization URL lacks a challenge, nonce or state: %s", authURL)
	}
	if q.Has("code_verifier") {
		t.Fatal("the authorization URL carries the verifier")
	}
	code = randomString()[:36]
	idp.mu.Lock()
	idp.codes[code] = grant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirect: q.Get("redirect_uri"), scope: q.Get("scope")}
	idp.mu.Unlock()
	return q.Get("state"), code
}

// serveToken is Cognito's token endpoint for the authorization-code grant.
func (idp *fakeIdP) serveToken(w http.ResponseWriter, r *http.Request) {
	if idp.token != nil && idp.token(w) {
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.PostForm.Get("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if r.PostForm.Get("client_id") != idp.clientID {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case idp.secret == "" && ok,
		idp.secret != "" && (!ok || unescape(user) != idp.clientID || unescape(pass) != idp.secret):
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	g, ok := idp.codes[code]
	delete(idp.codes, code) // a code is good once
	if !ok || r.PostForm.Get("redirect_uri") != g.redirect {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	// PKCE (RFC 7636 4.6): the verifier must hash to the challenge the
	// authorization URL carried.
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}

	now := epoch.Unix()
	access := claimsOf(idp.t, idp.accessClaimsJSON)
	access["iss"], access["client_id"], access["iat"], access["auth_time"], access["exp"] = idp.issuer, idp.clientID, now-5, now-5, now+30*60
	access["scope"] = g.scope
	if idp.accessClaims != nil {
		idp.accessClaims(access)
	}
	at := idp.sign(idp.t, idp.signer, access)

	id := claimsOf(idp.t, idp.idClaimsJSON)
	id["iss"], id["aud"], id["iat"], id["auth_time"], id["exp"] = idp.issuer, idp.clientID, now-5, now-5, now+60*60
	id["nonce"] = g.nonce
	h := sha256.Sum256([]byte(at))
	id["at_hash"] = base64.RawURLEncoding.EncodeToString(h[:16])
	if idp.idClaims != nil {
		idp.idClaims(id)
	}
	it := idp.sign(idp.t, idp.signer, id)

	idp.issued = append(idp.issued, at, it)
	writeJSON(w, http.StatusOK, map[string]any{
		"id_token":      it,
		"access_token":  at,
		"refresh_token": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.refresh",
		"expires_in":    3600,
		"token_type":    "Bearer",
	})
}

// claimsOf decodes a fresh copy of a token's claims. It runs in the
// server's goroutines, where a test may report but not stop.
// unescape undoes the form encoding RFC 6749 2.3.1 puts on the client's
// id and secret; "\x00" for a malformed one, which matches no secret.
func unescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		return "\x00"
	}
	return u
}

func claimsOf(t testing.TB, b []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Error(err)
	}
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func jwsPart(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Error(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// signRS256 signs as Cognito does: RS256, the key named by kid.
func signRS256(t testing.TB, k *testKey, claims map[string]any) string {
	signed := jwsPart(t, map[string]any{"kid": k.kid, "alg": "RS256"}) + "." + jwsPart(t, claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Error(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// signNone is the forgery that needs no key.
func signNone(t testing.TB, k *testKey, claims map[string]any) string {
	return jwsPart(t, map[string]any{"kid": k.kid, "alg": "none"}) + "." + jwsPart(t, claims) + "."
}

// signHS256WithPublicKey is the forgery anyone who read the key set can
// make: an HMAC keyed with the public key, for a verifier that takes the
// key it looked up as whatever secret the header's alg asks for.
func signHS256WithPublicKey(t testing.TB, k *testKey, claims map[string]any) string {
	der, err := x509.MarshalPKIXPublicKey(&k.key.PublicKey)
	if err != nil {
		t.Error(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	signed := jwsPart(t, map[string]any{"kid": k.kid, "alg": "HS256"}) + "." + jwsPart(t, claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issuedTokens returns every token the provider sent.
func (idp *fakeIdP) issuedTokens() []string {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return append([]string(nil), idp.issued...)
}

// noSecretIn fails t if err's text holds a token, the code or the
// verifier.
func noSecretIn(t *testing.T, err error, idp *fakeIdP, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append(idp.issuedTokens(), secrets...) {
		for _, part := range strings.Split(s, ".") {
			if len(part) >= 16 && strings.Contains(err.Error(), part) {
				t.Errorf("the error repeats a secret: %v", err)
			}
		}
	}
}
