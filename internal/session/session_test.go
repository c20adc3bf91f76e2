package session_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/session"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func sealer(t *testing.T, now *time.Time) *session.Sealer {
	t.Helper()
	s, err := session.NewSealer(key, func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := sealer(t, &now)
	in := session.Session{ID: session.NewID(), Subject: "u-1", Email: "ana@example.com", Scopes: []string{"leadgate/leads.read"}, Expires: now.Add(time.Hour).Unix()}
	sealed, err := s.Seal("session", in, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := session.NewSealer([]byte("another key that is long enough!!"), func() time.Time { return now })

	tests := []struct {
		name    string
		open    func() error
		wantErr error
	}{
		{"as sealed", func() error { var got session.Session; return s.Open("session", sealed, &got) }, nil},
		{"for another purpose", func() error { var got session.Session; return s.Open("login", sealed, &got) }, session.ErrInvalid},
		{"by another key", func() error { var got session.Session; return other.Open("session", sealed, &got) }, session.ErrInvalid},
		{"payload changed", func() error {
			payload, sig, _ := strings.Cut(sealed, ".")
			b := []byte(payload)
			b[5] ^= 1
			var got session.Session
			return s.Open("session", string(b)+"."+sig, &got)
		}, session.ErrInvalid},
		{"no signature", func() error { var got session.Session; return s.Open("session", strings.Split(sealed, ".")[0], &got) }, session.ErrInvalid},
		{"oversized", func() error {
			var got session.Session
			return s.Open("session", strings.Repeat("a", session.MaxValueBytes+1), &got)
		}, session.ErrInvalid},
		{"expired", func() error {
			later := now.Add(time.Hour)
			var got session.Session
			return sealer(t, &later).Open("session", sealed, &got)
		}, session.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.open(); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open: %v, want %v", err, tt.wantErr)
			}
		})
	}
	var got session.Session
	if err := s.Open("session", sealed, &got); err != nil || got.Email != in.Email || !got.Has("leadgate/leads.read") || got.Has("leadgate/privacy") {
		t.Fatalf("round trip: %+v %v", got, err)
	}
}

func TestCSRFBelongsToTheSession(t *testing.T) {
	now := time.Now()
	s := sealer(t, &now)
	a, b := session.Session{ID: session.NewID()}, session.Session{ID: session.NewID()}
	if !s.CheckCSRF(a, s.CSRF(a)) {
		t.Fatal("a session's own token is refused")
	}
	for name, token := range map[string]string{"another session's": s.CSRF(b), "empty": "", "garbage": "%%%"} {
		if s.CheckCSRF(a, token) {
			t.Errorf("%s token accepted", name)
		}
	}
	if s.CheckCSRF(session.Session{}, s.CSRF(session.Session{})) {
		t.Error("a session without an id has a valid token")
	}
}

func TestShortKeyRefused(t *testing.T) {
	if _, err := session.NewSealer([]byte("short"), time.Now); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}

func TestSealRefusesWhatACookieCannotHold(t *testing.T) {
	now := time.Now()
	s := sealer(t, &now)
	if _, err := s.Seal("session", strings.Repeat("x", session.MaxValueBytes), now.Add(time.Minute)); err == nil {
		t.Fatal("sealed a value no cookie holds")
	}
}
