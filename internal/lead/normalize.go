package lead

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Limits on single values: long enough for any real answer, short enough
// that a lead item stays small.
const (
	MaxName  = 200  // names, company, title, UTM parameters
	MaxText  = 1000 // answers, hidden fields, notes
	MaxURL   = 2000 // page URL and referrer
	MaxEmail = 254
)

// NormalizeEmail lower-cases and checks an address, and says what is wrong
// with it ("" when nothing is). A +tag is part of the address:
// ana+cloud@acme.com is kept as written, in lower case.
func NormalizeEmail(raw string) (string, string) {
	v := strings.ToLower(Clean(raw, MaxEmail+1))
	if v == "" {
		return "", ""
	}
	if len(v) > MaxEmail {
		return "", "longer than an email address can be"
	}
	a, err := mail.ParseAddress(v)
	at := strings.LastIndexByte(v, '@')
	if err != nil || a.Address != v || at < 1 || !strings.Contains(v[at+1:], ".") || strings.HasSuffix(v, ".") {
		return "", fmt.Sprintf("%s is not an email address", Quoted(v))
	}
	return v, ""
}

// CleanText normalizes free text (notes, tags) the way field values are,
// but keeps its line breaks: booth notes are written in lines.
func CleanText(s string) string {
	out, _ := CleanTextCut(s)
	return out
}

// CleanTextCut is CleanText, and says whether the text had to be cut to
// the length leadgate keeps.
func CleanTextCut(s string) (string, bool) {
	var lines []string
	cut := false
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		l, c := CleanCut(l, MaxText)
		cut = cut || c
		if l != "" || len(lines) > 0 {
			lines = append(lines, l)
		}
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	out := strings.Join(lines, "\n")
	for len(out) > MaxText {
		cut = true
		_, size := lastRune(out)
		out = out[:len(out)-size]
	}
	return out, cut
}

// Clean normalizes text as people type it: NFC, no control characters,
// single spaces, no surrounding space, at most max bytes.
func Clean(s string, max int) string {
	v, _ := CleanCut(s, max)
	return v
}

// CleanCut is Clean, and says whether the text had to be cut to max bytes.
func CleanCut(s string, max int) (string, bool) {
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	out := b.String()
	cut := len(out) > max
	for len(out) > max {
		_, size := lastRune(out)
		out = out[:len(out)-size]
	}
	return out, cut
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// Quoted quotes a value for a problem message, cut short: a message quotes
// what it refuses, and what it refuses can be megabytes.
func Quoted(v string) string {
	const max = 60
	if len(v) <= max {
		return fmt.Sprintf("%q", v)
	}
	short, _ := CleanCut(v, max)
	return fmt.Sprintf("%q…", short)
}
