package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// login runs one login: Begin, the fake hosted UI, and Finish with what
// the browser brings back, which alter may change first.
func login(t *testing.T, idp *fakeIdP, c *Client, alter func(p *Pending, state, code *string)) (*Identity, error) {
	t.Helper()
	authURL, p, err := c.Begin(t.Context(), "")
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	state, code := idp.authorize(t, authURL)
	if alter != nil {
		alter(&p, &state, &code)
	}
	id, err := c.Finish(t.Context(), p, state, code)
	noSecretIn(t, err, idp, code, p.Verifier)
	return id, err
}

// wantErr fails t unless err matches want (nil for success) and its text
// holds every one of words.
func wantErr(t *testing.T, err, want error, words ...string) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("error %v, want none", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error %v, want %v", err, want)
	}
	for _, w := range words {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if want != nil {
		other := map[error]error{ErrRejected: ErrProvider, ErrProvider: ErrRejected}[want]
		if errors.Is(err, other) {
			t.Errorf("error %v is both %v and %v", err, want, other)
		}
	}
}

func TestFinish(t *testing.T) {
	now := epoch.Unix()
	other := newKey(t, "key-other", 2048)
	cases := []struct {
		name  string
		setup func(idp *fakeIdP)
		alter func(p *Pending, state, code *string)
		want  error
		words []string
		check func(t *testing.T, id *Identity)
	}{
		{
			name: "a Cognito login gives who it is, the scopes and the earlier expiry",
			check: func(t *testing.T, id *Identity) {
				want := Identity{
					Subject:  "b2c5e4a8-7071-70d3-41f2-0c9a6de1e3f7",
					Email:    "maria.jansen@example.com",
					Username: "maria.jansen",
					Scopes:   []string{"openid", "email", "leadgate/campaigns.read", "leadgate/leads.read"},
					Expiry:   epoch.Add(30 * time.Minute), // the access token's; the ID token's is an hour
				}
				if id.Subject != want.Subject || id.Email != want.Email || id.Username != want.Username ||
					!slices.Equal(id.Scopes, want.Scopes) || !id.Expiry.Equal(want.Expiry) {
					t.Errorf("identity %+v, want %+v", *id, want)
				}
				if id.Claims["username"] != "maria.jansen" || id.Claims["token_use"] != "access" {
					t.Errorf("claims %v lack the access token's username and token_use", id.Claims)
				}
				if _, ok := id.Claims["version"]; ok {
					t.Errorf("claims %v hold a number", id.Claims)
				}
			},
		},
		{
			name:  "a confidential client authenticates with its secret, form-encoded",
			setup: func(idp *fakeIdP) { idp.secret = "s3cr:et+/=x" },
		},
		{
			name:  "the ID token expiring first sets the expiry",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["exp"] = now + 10*60 } },
			check: func(t *testing.T, id *Identity) {
				if !id.Expiry.Equal(epoch.Add(10 * time.Minute)) {
					t.Errorf("expiry %v, want the ID token's %v", id.Expiry, epoch.Add(10*time.Minute))
				}
			},
		},
		{
			name: "scopes as an scp array",
			setup: func(idp *fakeIdP) {
				idp.accessClaims = func(m map[string]any) {
					delete(m, "scope")
					m["scp"] = []string{"leadgate/leads.read", "leadgate/sales.manager"}
				}
			},
			check: func(t *testing.T, id *Identity) {
				if want := []string{"leadgate/leads.read", "leadgate/sales.manager"}; !slices.Equal(id.Scopes, want) {
					t.Errorf("scopes %v, want %v", id.Scopes, want)
				}
			},
		},
		{
			name: "an access token naming the client in aud instead of client_id",
			setup: func(idp *fakeIdP) {
				idp.accessClaims = func(m map[string]any) { delete(m, "client_id"); m["aud"] = []string{testClientID} }
			},
		},
		{
			name: "an ID token for several audiences, authorized for this client",
			setup: func(idp *fakeIdP) {
				idp.idClaims = func(m map[string]any) { m["aud"] = []string{"api", testClientID}; m["azp"] = testClientID }
			},
		},
		{
			name: "an issuer ending in a slash, as Auth0's does",
			setup: func(idp *fakeIdP) {
				idp.issuer += "/"
				idp.discovery = func(doc map[string]any) { doc["jwks_uri"] = idp.srv.URL + poolPath + "/.well-known/jwks.json" }
			},
		},
		{
			name:  "an unverified email is not given",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["email_verified"] = false } },
			check: func(t *testing.T, id *Identity) {
				if id.Email != "" || id.Username != "maria.jansen" {
					t.Errorf("identity %+v, want no email and the user name", *id)
				}
			},
		},
		{
			name:  "a verified email written as a string",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["email_verified"] = "true" } },
			check: func(t *testing.T, id *Identity) {
				if id.Email != "maria.jansen@example.com" {
					t.Errorf("email %q, want maria.jansen@example.com", id.Email)
				}
			},
		},
		{
			name:  "expired a minute ago is within the skew",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["iat"], m["exp"] = now-61*60, now-60 } },
		},

		// The browser's part.
		{
			name:  "the state of another login",
			alter: func(p *Pending, state, code *string) { *state = randomString() },
			want:  ErrRejected,
			words: []string{"state"},
		},
		{
			name:  "no login in progress: an empty pending and an empty state",
			alter: func(p *Pending, state, code *string) { *p, *state = Pending{}, "" },
			want:  ErrRejected,
		},
		{
			name:  "no code",
			alter: func(p *Pending, state, code *string) { *code = "" },
			want:  ErrRejected,
		},
		{
			name:  "the PKCE verifier of another login",
			alter: func(p *Pending, state, code *string) { p.Verifier = randomString() },
			want:  ErrRejected,
			words: []string{"invalid_grant"},
		},
		{
			name:  "the token endpoint says invalid_grant",
			setup: func(idp *fakeIdP) { idp.token = answer(http.StatusBadRequest, `{"error":"invalid_grant"}`) },
			want:  ErrRejected,
			words: []string{"invalid_grant"},
		},
		{
			name:  "the nonce of another login",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["nonce"] = randomString() } },
			want:  ErrRejected,
			words: []string{"nonce"},
		},
		{
			name:  "an ID token without a nonce",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { delete(m, "nonce") } },
			want:  ErrRejected,
			words: []string{"nonce"},
		},
		{
			name:  "an expired ID token",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["iat"], m["exp"] = now-63*60, now-3*60 } },
			want:  ErrRejected,
			words: []string{"ID token", "expired"},
		},
		{
			name: "an expired access token",
			setup: func(idp *fakeIdP) {
				idp.accessClaims = func(m map[string]any) { m["iat"], m["exp"] = now-63*60, now-3*60 }
			},
			want:  ErrRejected,
			words: []string{"access token", "expired"},
		},

		// The provider's part.
		{
			name:  "an ID token from another issuer",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["iss"] = cognitoIssuer } },
			want:  ErrProvider,
			words: []string{"ID token", "issued by"},
		},
		{
			name:  "an access token from another issuer",
			setup: func(idp *fakeIdP) { idp.accessClaims = func(m map[string]any) { m["iss"] = cognitoIssuer } },
			want:  ErrProvider,
			words: []string{"access token", "issued by"},
		},
		{
			name:  "an ID token for another client",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["aud"] = "7a8b9c0d1e2f3g4h5i6j7k8l9m" } },
			want:  ErrProvider,
			words: []string{"ID token", "issued to"},
		},
		{
			name:  "an ID token for several audiences without azp",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["aud"] = []string{testClientID, "api"} } },
			want:  ErrProvider,
			words: []string{"azp"},
		},
		{
			name:  "an ID token authorized for another party",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["azp"] = "someone-else" } },
			want:  ErrProvider,
			words: []string{"azp"},
		},
		{
			name: "an access token for another client",
			setup: func(idp *fakeIdP) {
				idp.accessClaims = func(m map[string]any) { m["client_id"] = "7a8b9c0d1e2f3g4h5i6j7k8l9m" }
			},
			want:  ErrProvider,
			words: []string{"access token", "issued to client"},
		},
		{
			name:  "an access token sent as the ID token",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["token_use"] = "access" } },
			want:  ErrProvider,
			words: []string{"token_use"},
		},
		{
			name:  "an ID token issued with another access token",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["at_hash"] = "Wk2-HZ6x3PqG8M0rYl1u9A" } },
			want:  ErrProvider,
			words: []string{"at_hash"},
		},
		{
			name:  "tokens of two subjects",
			setup: func(idp *fakeIdP) { idp.accessClaims = func(m map[string]any) { m["sub"] = "someone-else" } },
			want:  ErrProvider,
			words: []string{"subjects"},
		},
		{
			name:  "issued in the future",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["iat"] = now + 10*60 } },
			want:  ErrProvider,
			words: []string{"future"},
		},
		{
			name:  "issued two days ago",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["iat"] = now - 48*3600 } },
			want:  ErrProvider,
			words: []string{"ago"},
		},
		{
			name:  "not valid yet",
			setup: func(idp *fakeIdP) { idp.idClaims = func(m map[string]any) { m["nbf"] = now + 10*60 } },
			want:  ErrProvider,
			words: []string{"nbf"},
		},
		{
			name:  "alg none",
			setup: func(idp *fakeIdP) { idp.sign = signNone },
			want:  ErrProvider,
			words: []string{`"none"`, "only RS256"},
		},
		{
			name:  "HS256 forged with the public key as the secret",
			setup: func(idp *fakeIdP) { idp.sign = signHS256WithPublicKey },
			want:  ErrProvider,
			words: []string{`"HS256"`, "only RS256"},
		},
		{
			name: "signed by another key under the published key's id",
			setup: func(idp *fakeIdP) {
				idp.sign = func(t testing.TB, k *testKey, claims map[string]any) string {
					return signRS256(t, &testKey{kid: k.kid, key: other.key}, claims)
				}
			},
			want:  ErrProvider,
			words: []string{"signature does not verify"},
		},
		{
			name:  "the token endpoint does not know the client",
			setup: func(idp *fakeIdP) { idp.token = answer(http.StatusUnauthorized, `{"error":"invalid_client"}`) },
			want:  ErrProvider,
			words: []string{"invalid_client"},
		},
		{
			name:  "the token endpoint fails",
			setup: func(idp *fakeIdP) { idp.token = answer(http.StatusInternalServerError, `{"error":"server_error"}`) },
			want:  ErrProvider,
			words: []string{"status 500"},
		},
		{
			name:  "the token endpoint answers a page",
			setup: func(idp *fakeIdP) { idp.token = answerType(http.StatusOK, "text/html", "<html>maintenance</html>") },
			want:  ErrProvider,
			words: []string{"not JSON"},
		},
		{
			name: "the token endpoint answers over a MiB",
			setup: func(idp *fakeIdP) {
				idp.token = answer(http.StatusOK, `{"token_type":"Bearer","pad":"`+strings.Repeat("x", maxBody)+`"}`)
			},
			want:  ErrProvider,
			words: []string{"over 1048576 bytes"},
		},
		{
			name: "the token endpoint answers two objects",
			setup: func(idp *fakeIdP) {
				idp.token = answer(http.StatusOK, `{"token_type":"Bearer"}{"token_type":"Bearer"}`)
			},
			want:  ErrProvider,
			words: []string{"more after"},
		},
		{
			name: "the token endpoint redirects",
			setup: func(idp *fakeIdP) {
				idp.token = func(w http.ResponseWriter) bool {
					w.Header().Set("Location", "https://elsewhere.example/token")
					w.WriteHeader(http.StatusTemporaryRedirect)
					return true
				}
			},
			want:  ErrProvider,
			words: []string{"status 307"},
		},
		{
			name: "a token type other than Bearer",
			setup: func(idp *fakeIdP) {
				idp.token = answer(http.StatusOK, `{"token_type":"DPoP","id_token":"a.b.c","access_token":"a.b.c"}`)
			},
			want:  ErrProvider,
			words: []string{"DPoP"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			if tc.setup != nil {
				tc.setup(idp)
			}
			id, err := login(t, idp, idp.client(&fakeClock{t: epoch}), tc.alter)
			wantErr(t, err, tc.want, tc.words...)
			if tc.want == nil && tc.check != nil {
				tc.check(t, id)
			}
		})
	}
}

// answer makes a token endpoint or key set that answers status and body as
// JSON.
func answer(status int, body string) func(w http.ResponseWriter) bool {
	return answerType(status, "application/json;charset=UTF-8", body)
}

func answerType(status int, contentType, body string) func(w http.ResponseWriter) bool {
	return func(w http.ResponseWriter) bool {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	}
}

func TestNoTokenRequestWithoutTheState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter func(p *Pending, state, code *string)
	}{
		{"another login's state", func(p *Pending, state, code *string) { *state = randomString() }},
		{"a state one character short", func(p *Pending, state, code *string) { *state = (*state)[1:] }},
		{"no pending login", func(p *Pending, state, code *string) { *p, *state = Pending{}, "" }},
		{"a short pending state that the browser repeats", func(p *Pending, state, code *string) { p.State, *state = "x", "x" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			_, err := login(t, idp, idp.client(&fakeClock{t: epoch}), tc.alter)
			wantErr(t, err, ErrRejected)
			if n := idp.hitsOf("/oauth2/token"); n != 0 {
				t.Errorf("the token endpoint was asked %d times", n)
			}
		})
	}
}

func TestCodeUsedTwice(t *testing.T) {
	idp := newFakeIdP(t)
	c := idp.client(&fakeClock{t: epoch})
	authURL, p, err := c.Begin(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	state, code := idp.authorize(t, authURL)
	if _, err := c.Finish(t.Context(), p, state, code); err != nil {
		t.Fatal(err)
	}
	// The callback page reloaded: the provider refuses the code again.
	_, err = c.Finish(t.Context(), p, state, code)
	wantErr(t, err, ErrRejected, "invalid_grant")
}

func TestBegin(t *testing.T) {
	idp := newFakeIdP(t)
	c := New(Config{
		Issuer:      idp.issuer,
		ClientID:    testClientID,
		RedirectURL: testRedirect,
		Scopes:      []string{"email", "openid", "leadgate/leads.read", "email"},
	}, idp.srv.Client())
	seen := map[string]bool{}
	for range 3 {
		authURL, p, err := c.Begin(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		q := mustQuery(t, authURL)
		sum := sha256.Sum256([]byte(p.Verifier))
		for _, tc := range []struct{ name, got, want string }{
			{"state", q.Get("state"), p.State},
			{"nonce", q.Get("nonce"), p.Nonce},
			{"code_challenge", q.Get("code_challenge"), base64.RawURLEncoding.EncodeToString(sum[:])},
			{"scope", q.Get("scope"), "openid email leadgate/leads.read"},
		} {
			if tc.got != tc.want {
				t.Errorf("%s=%q, want %q", tc.name, tc.got, tc.want)
			}
		}
		for _, v := range []string{p.State, p.Nonce, p.Verifier} {
			if len(v) != 43 {
				t.Errorf("%q is %d characters, want 43 (32 bytes)", v, len(v))
			}
			if seen[v] {
				t.Errorf("%q came twice", v)
			}
			seen[v] = true
		}
		if strings.Contains(authURL, p.Verifier) {
			t.Error("the authorization URL carries the verifier")
		}
	}
	if n := idp.hitsOf(poolPath + "/.well-known/openid-configuration"); n != 1 {
		t.Errorf("discovery read %d times, want once", n)
	}
}

func mustQuery(t *testing.T, s string) url.Values {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestKeyRotation: a token signed by a key the cached set lacks makes the
// client read the set again, once, and not again within a minute.
func TestKeyRotation(t *testing.T) {
	keyA, keyB := newKey(t, "key-a", 2048), newKey(t, "key-b", 2048)
	cases := []struct {
		name      string
		after     time.Duration // from the first login to the rotation
		published []*testKey    // the set after the rotation
		want      error
		wantReads int // key set reads after the second login
	}{
		{"rotated: the set is read again once", 2 * time.Minute, []*testKey{keyA, keyB}, nil, 2},
		{"rotated, the old key withdrawn", 2 * time.Minute, []*testKey{keyB}, nil, 2},
		{"an unknown key and no rotation: read again once, then refused", 2 * time.Minute, []*testKey{keyA}, ErrProvider, 2},
		{"rotated within a minute of the last read: refused, not read", 30 * time.Second, []*testKey{keyA, keyB}, ErrProvider, 1},
	}
	const jwks = poolPath + "/.well-known/jwks.json"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			clock := &fakeClock{t: epoch}
			c := idp.client(clock)
			if _, err := login(t, idp, c, nil); err != nil {
				t.Fatal(err)
			}
			clock.Advance(tc.after)
			idp.mu.Lock()
			idp.published, idp.signer = tc.published, keyB
			idp.mu.Unlock()

			_, err := login(t, idp, c, nil)
			wantErr(t, err, tc.want)
			if n := idp.hitsOf(jwks); n != tc.wantReads {
				t.Fatalf("key set read %d times, want %d", n, tc.wantReads)
			}
			if tc.want == nil {
				return
			}
			// More tokens with the unknown key: the set is not read
			// again until a minute has passed since the last read.
			for range 3 {
				_, err = login(t, idp, c, nil)
				wantErr(t, err, tc.want)
			}
			if n := idp.hitsOf(jwks); n != tc.wantReads {
				t.Fatalf("key set read %d times within the minute, want %d", n, tc.wantReads)
			}
			clock.Advance(refreshEvery)
			_, _ = login(t, idp, c, nil)
			if n := idp.hitsOf(jwks); n != tc.wantReads+1 {
				t.Fatalf("key set read %d times after the minute, want %d", n, tc.wantReads+1)
			}
		})
	}
}

func TestKeySetRefused(t *testing.T) {
	weak := newKey(t, "key-weak", 1024)
	keyA := newKey(t, "key-a", 2048)
	set := func(keys ...map[string]any) string {
		b, err := json.Marshal(map[string]any{"keys": keys})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	with := func(k *testKey, name string, v any) map[string]any {
		m := k.jwk()
		m[name] = v
		return m
	}
	many := make([]map[string]any, maxKeys+1)
	for i := range many {
		many[i] = with(keyA, "kid", fmt.Sprintf("k%d", i))
	}
	many[0] = keyA.jwk()
	cases := []struct {
		name   string
		signer *testKey
		body   string
		words  []string
	}{
		{"a 1024-bit key", weak, set(weak.jwk()), []string{"key-weak-kid", "1024 bits"}},
		{"an encryption key", keyA, set(with(keyA, "use", "enc")), []string{"not sig"}},
		{"a key for another algorithm", keyA, set(with(keyA, "alg", "RS512")), []string{"not RS256"}},
		{"a key of another type", keyA, set(with(keyA, "kty", "EC")), []string{"not RSA"}},
		{"an even exponent", keyA, set(with(keyA, "e", "AQAA")), []string{"exponent"}},
		{"more than 20 keys", keyA, set(many...), []string{"21 keys"}},
		{"no keys", keyA, set(), []string{"no keys"}},
		{"two keys with one id", keyA, set(keyA.jwk(), keyA.jwk()), []string{"two keys"}},
		{"keys that are not objects", keyA, `{"keys":["x"]}`, []string{"not a JSON object"}},
		{"a key set over a MiB", keyA, `{"keys":[],"pad":"` + strings.Repeat("x", maxBody) + `"}`, []string{"over 1048576 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			idp.signer = tc.signer
			idp.jwks = answer(http.StatusOK, tc.body)
			_, err := login(t, idp, idp.client(&fakeClock{t: epoch}), nil)
			wantErr(t, err, ErrProvider, tc.words...)
		})
	}
}

func TestDiscoveryRefused(t *testing.T) {
	cases := []struct {
		name  string
		doc   func(idp *fakeIdP, doc map[string]any)
		words []string
	}{
		{"another issuer", func(idp *fakeIdP, doc map[string]any) { doc["issuer"] = cognitoIssuer }, []string{"names the issuer"}},
		{"the issuer with a trailing slash", func(idp *fakeIdP, doc map[string]any) { doc["issuer"] = idp.issuer + "/" }, []string{"names the issuer"}},
		{"no key set", func(idp *fakeIdP, doc map[string]any) { delete(doc, "jwks_uri") }, []string{"jwks_uri"}},
		{"a token endpoint over plain http", func(idp *fakeIdP, doc map[string]any) {
			doc["token_endpoint"] = "http://leadgate-demo.auth.eu-west-1.amazoncognito.com/oauth2/token"
		}, []string{"token_endpoint", "not https"}},
		{"no RS256", func(idp *fakeIdP, doc map[string]any) {
			doc["id_token_signing_alg_values_supported"] = []string{"HS256"}
		}, []string{"RS256"}},
		{"no S256", func(idp *fakeIdP, doc map[string]any) { doc["code_challenge_methods_supported"] = []string{"plain"} }, []string{"S256"}},
		{"a field of the wrong type", func(idp *fakeIdP, doc map[string]any) { doc["token_endpoint"] = 42 }, []string{"not the JSON expected"}},
		{"over a MiB", func(idp *fakeIdP, doc map[string]any) { doc["pad"] = strings.Repeat("x", maxBody) }, []string{"over 1048576 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			idp.discovery = func(doc map[string]any) { tc.doc(idp, doc) }
			c := idp.client(&fakeClock{t: epoch})
			_, _, err := c.Begin(t.Context(), "")
			wantErr(t, err, ErrProvider, tc.words...)

			// A refused document is not kept: once the provider
			// mends it, the next login reads it again.
			idp.mu.Lock()
			idp.discovery = nil
			idp.mu.Unlock()
			if _, err := login(t, idp, c, nil); err != nil {
				t.Fatalf("after the provider mended its document: %v", err)
			}
		})
	}
}

func TestProviderUnreachable(t *testing.T) {
	idp := newFakeIdP(t)
	c := idp.client(&fakeClock{t: epoch})
	idp.srv.Close()
	_, _, err := c.Begin(t.Context(), "")
	wantErr(t, err, ErrProvider, "discovery")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err = c.Begin(ctx, "")
	wantErr(t, err, ErrProvider, "canceled")
}

// TestConcurrentLogins: logins at once on a new client read the discovery
// document and the key set once between them.
func TestConcurrentLogins(t *testing.T) {
	idp := newFakeIdP(t)
	c := idp.client(&fakeClock{t: epoch})
	type flow struct {
		p           Pending
		state, code string
	}
	// The codes are issued first, since authorize may stop the test and
	// only the test's goroutine may do that.
	urls := make([]string, 8)
	flows := make([]flow, len(urls))
	var wg sync.WaitGroup
	errs := make([]error, len(urls))
	for i := range urls {
		wg.Go(func() { urls[i], flows[i].p, errs[i] = c.Begin(t.Context(), "") })
	}
	wg.Wait()
	for i := range flows {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		flows[i].state, flows[i].code = idp.authorize(t, urls[i])
	}
	for i, f := range flows {
		wg.Go(func() { _, errs[i] = c.Finish(t.Context(), f.p, f.state, f.code) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, path := range []string{poolPath + "/.well-known/openid-configuration", poolPath + "/.well-known/jwks.json"} {
		if n := idp.hitsOf(path); n != 1 {
			t.Errorf("%s read %d times, want once", path, n)
		}
	}
}

func TestCallbackError(t *testing.T) {
	cases := []struct {
		query string
		want  error
		words []string
	}{
		{"code=abc&state=xyz", nil, nil},
		{"error=access_denied&error_description=User+cancelled&state=xyz", ErrRejected, []string{"access_denied"}},
		{"error=login_required", ErrRejected, []string{"login_required"}},
		{"error=invalid_scope&error_description=Invalid+scope+requested", ErrProvider, []string{"invalid_scope"}},
		{"error=server_error", ErrProvider, []string{"server_error"}},
		{"error=", ErrProvider, []string{"not one"}},
		{"error=%3Cscript%3Ealert(1)%3C%2Fscript%3E%0A", ErrProvider, []string{"not one"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			err = CallbackError(q)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			wantErr(t, err, tc.want, tc.words...)
			if strings.Contains(err.Error(), "<") || strings.Contains(err.Error(), "cancelled") || strings.Contains(err.Error(), "requested") {
				t.Errorf("error %q repeats what the callback said", err)
			}
		})
	}
}

func TestEndSessionURL(t *testing.T) {
	const returnTo = "https://console.example.com/console/"
	t.Run("a provider with an end_session_endpoint", func(t *testing.T) {
		idp := newFakeIdP(t)
		idp.discovery = func(doc map[string]any) { doc["end_session_endpoint"] = idp.srv.URL + "/logout?tenant=x" }
		got := idp.client(&fakeClock{t: epoch}).EndSessionURL(t.Context(), returnTo)
		want := idp.srv.URL + "/logout?" + url.Values{"client_id": {testClientID}, "post_logout_redirect_uri": {returnTo}, "tenant": {"x"}}.Encode()
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("a provider without one", func(t *testing.T) {
		idp := newFakeIdP(t)
		if got := idp.client(&fakeClock{t: epoch}).EndSessionURL(t.Context(), returnTo); got != "" {
			t.Errorf("got %s, want none", got)
		}
	})
	t.Run("a provider that cannot be reached", func(t *testing.T) {
		idp := newFakeIdP(t)
		c := idp.client(&fakeClock{t: epoch})
		idp.srv.Close()
		if got := c.EndSessionURL(t.Context(), returnTo); got != "" {
			t.Errorf("got %s, want none", got)
		}
	})
	t.Run("Cognito's hosted UI", func(t *testing.T) {
		b, err := os.ReadFile("testdata/openid-configuration.json")
		if err != nil {
			t.Fatal(err)
		}
		var d discoveryDoc
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		if err := checkDiscovery(&d, cognitoIssuer); err != nil {
			t.Fatal(err)
		}
		got := logoutURL(&d, Config{Issuer: cognitoIssuer, ClientID: testClientID}, returnTo)
		want := cognitoDomain + "/logout?" + url.Values{"client_id": {testClientID}, "logout_uri": {returnTo}}.Encode()
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	good := Config{Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", ClientID: testClientID, RedirectURL: testRedirect}
	cases := []struct {
		name  string
		alter func(c *Config)
		want  string // "" for valid
	}{
		{"Cognito", func(c *Config) {}, ""},
		{"a local provider over http", func(c *Config) {
			c.Issuer, c.RedirectURL = "http://127.0.0.1:8080/realms/leadgate", "http://localhost:3000/console/callback"
		}, ""},
		{"an issuer over plain http", func(c *Config) { c.Issuer = "http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc" }, "not https"},
		{"an issuer with a trailing slash", func(c *Config) { c.Issuer = "https://leadgate.eu.auth0.com/" }, ""},
		{"an issuer with a fragment", func(c *Config) { c.Issuer += "#x" }, "fragment"},
		{"no issuer", func(c *Config) { c.Issuer = "" }, "issuer"},
		{"no client", func(c *Config) { c.ClientID = "" }, "client id"},
		{"a relative redirect", func(c *Config) { c.RedirectURL = "/console/callback" }, "redirect"},
		{"a scope with a space", func(c *Config) { c.Scopes = []string{"email profile"} }, "scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.alter(&cfg)
			err := cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if err == nil {
				return
			}
			// Begin and Finish say the same, and ask nothing of the
			// provider.
			c := New(cfg, nil)
			if _, _, berr := c.Begin(t.Context(), ""); berr == nil || berr.Error() != err.Error() {
				t.Errorf("Begin: %v, want %v", berr, err)
			}
			if errors.Is(err, ErrProvider) || errors.Is(err, ErrRejected) {
				t.Errorf("a configuration error %v blames the provider or the browser", err)
			}
		})
	}
}

// TestRedirectNamedPerLogin: a client configured without a redirect URL
// takes the one each Begin names, and the token request names the same
// (the fake provider refuses the code otherwise).
func TestRedirectNamedPerLogin(t *testing.T) {
	idp := newFakeIdP(t)
	c := New(Config{Issuer: idp.issuer, ClientID: idp.clientID, Scopes: []string{"email"}}, idp.srv.Client())
	c.now = (&fakeClock{t: epoch}).Now
	if _, _, err := c.Begin(t.Context(), ""); err == nil {
		t.Fatal("Begin without any redirect URL succeeded")
	}
	authURL, p, err := c.Begin(t.Context(), testRedirect)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(authURL); u.Query().Get("redirect_uri") != p.RedirectURL || p.RedirectURL == "" {
		t.Fatalf("authorization URL %s, pending %+v", authURL, p)
	}
	state, code := idp.authorize(t, authURL)
	if _, err := c.Finish(t.Context(), p, state, code); err != nil {
		t.Fatalf("Finish: %v", err)
	}
}
