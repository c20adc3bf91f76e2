package qualify

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leadgate/leadgate/internal/geo"
)

var regionOf = geo.Region

// equalAny reports whether s equals one of list, ignoring case and
// surrounding space: forms send "Software " and "software" alike.
func equalAny(s string, list []string) bool {
	s = strings.TrimSpace(s)
	return s != "" && slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(s, x) })
}

// matchAny reports the first phrase of list found in s as whole words,
// ignoring case: "VP" matches "VP Engineering" but "intern" does not match
// "Internal Audit".
func matchAny(s string, list []string) (string, bool) {
	if s == "" {
		return "", false
	}
	// Find where words start once, then try each phrase only there: titles
	// are short and phrase lists long.
	var buf [48]int
	starts := wordStarts(s, buf[:0])
	for _, p := range list {
		if phraseAt(s, p, starts) {
			return p, true
		}
	}
	return "", false
}

func containsPhrase(s, phrase string) bool {
	var buf [48]int
	return phraseAt(s, phrase, wordStarts(s, buf[:0]))
}

func phraseAt(s, phrase string, starts []int) bool {
	n := len(phrase)
	if n == 0 {
		return false
	}
	first := lowerASCII(phrase[0])
	for _, i := range starts {
		if i+n > len(s) {
			return false
		}
		if c := s[i]; first < utf8.RuneSelf && c < utf8.RuneSelf && lowerASCII(c) != first {
			continue
		}
		if strings.EqualFold(s[i:i+n], phrase) && (i+n == len(s) || boundaryAt(s, i+n)) {
			return true
		}
	}
	return false
}

// wordStarts appends the byte offsets where words start; past cap(dst) the
// rest of s is ignored, which only a title of absurd length reaches.
func wordStarts(s string, dst []int) []int {
	afterWord := false
	for i := 0; i < len(s) && len(dst) < cap(dst); {
		c, size, word := s[i], 1, false
		if c < utf8.RuneSelf {
			word = isASCIIWord(c)
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = isWord(r)
		}
		if word && !afterWord {
			dst = append(dst, i)
		}
		afterWord = word
		i += size
	}
	return dst
}

func boundaryAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return !isASCIIWord(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isWord(r)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCIIWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// emailDomain returns the part after the last @, "" if there is none. Emails
// reach the engine already lower-cased.
func emailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 || at == len(email)-1 {
		return ""
	}
	return email[at+1:]
}

// domainIn reports whether domain is one of list or a subdomain of one:
// mail.competitor.com is the competitor too.
func domainIn(domain string, list []string) bool {
	for _, d := range list {
		if domain == d || (len(domain) > len(d) && domain[len(domain)-len(d)-1] == '.' && domain[len(domain)-len(d):] == d) {
			return true
		}
	}
	return false
}

// yes reports whether a boolean answer means consent. Forms send checkboxes
// as "on", selects as "Yes", JSON as "true".
func yes(s string) bool {
	s = strings.TrimSpace(s)
	return slices.ContainsFunc([]string{"yes", "y", "true", "1", "on", "ja", "oui", "si", "sí"}, func(y string) bool { return strings.EqualFold(s, y) })
}

// lowerBound reads the lower end of a size or revenue answer as forms and
// enrichment tools write it: "201-500", "1,000+", "10k", "$10M–$50M",
// "Less than 50" (0). ok is false when there is no number in it.
func lowerBound(s string) (int64, bool) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return 0, false
	}
	if prefix := s[:i]; prefix != "" && prefix != "$" {
		if strings.Contains(prefix, "<") {
			return 0, true
		}
		var buf [8]int
		starts := wordStarts(prefix, buf[:0])
		for _, below := range [...]string{"less than", "under", "up to", "below"} {
			if phraseAt(prefix, below, starts) {
				return 0, true
			}
		}
	}
	var n, frac, fracDiv int64 = 0, 0, 1
	inFrac := false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if inFrac {
				if fracDiv < 1e6 {
					frac = frac*10 + int64(c-'0')
					fracDiv *= 10
				}
				continue
			}
			if n > (1<<62)/10 {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		case c == ',' || c == '_' || c == '\'':
			// thousands separators
		case c == '.' && !inFrac:
			inFrac = true
		default:
			return scale(n, frac, fracDiv, s[i:]), true
		}
	}
	return n, true
}

// scale applies a k/m/b (or "million"/"billion") suffix.
func scale(n, frac, fracDiv int64, rest string) int64 {
	rest = strings.TrimLeft(rest, " ")
	var mul int64 = 1
	if rest != "" {
		switch rest[0] | 0x20 {
		case 'k', 't': // k, thousand
			mul = 1e3
		case 'm':
			mul = 1e6
		case 'b':
			mul = 1e9
		}
	}
	if mul == 1 {
		return n
	}
	return n*mul + frac*mul/fracDiv
}
