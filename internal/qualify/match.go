package qualify

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leadgate/leadgate/internal/geo"
)

var regionOf = geo.Region

// choices is a list of answers compiled for equalAny: each with whether it
// is ASCII, so that most comparisons are a length check and a byte loop
// rather than Unicode case folding.
type choices []choice

type choice struct {
	text  string
	lower string // text in ASCII lower case, when ascii
	ascii bool
}

func compileChoices(list []string) choices {
	if len(list) == 0 {
		return nil
	}
	out := make(choices, len(list))
	for i, x := range list {
		out[i] = choice{text: x, ascii: isASCII(x)}
		if out[i].ascii {
			out[i].lower = strings.ToLower(x)
		}
	}
	return out
}

// equalAny reports whether s equals one of list, ignoring case and
// surrounding space: forms send "Software " and "software" alike.
func equalAny(s string, list choices) bool {
	s = trimSpace(s)
	if s == "" {
		return false
	}
	ascii := isASCII(s)
	for _, x := range list {
		// Between two ASCII strings strings.EqualFold is ASCII case
		// folding, and strings of different lengths differ. A non-ASCII
		// side may fold to ASCII (the Kelvin sign is a k): EqualFold.
		if ascii && x.ascii {
			if len(s) == len(x.lower) && asciiEqualLower(s, x.lower) {
				return true
			}
		} else if strings.EqualFold(s, x.text) {
			return true
		}
	}
	return false
}

// phrases is a list of phrases compiled for matchAny: each phrase's first
// byte lower-cased and whether it is ASCII, so most word starts are passed
// over on one byte and most comparisons need no Unicode folding.
type phrases []phrase

type phrase struct {
	text  string
	lower string // text in ASCII lower case, when ascii
	first byte
	ascii bool
}

func compilePhrases(list []string) phrases {
	if len(list) == 0 {
		return nil
	}
	out := make(phrases, len(list))
	for i, p := range list {
		out[i] = phrase{text: p, ascii: isASCII(p)}
		if out[i].ascii {
			out[i].lower = strings.ToLower(p)
		}
		if p != "" {
			out[i].first = lowerASCII(p[0])
		}
	}
	return out
}

// maxWordStarts bounds the word starts looked at in one text: past it the
// rest of the text is ignored, which only a title of absurd length reaches.
const maxWordStarts = 48

// wordFirsts is the set of bytes, ASCII lower-cased, that start a word of
// a text: a phrase whose first byte is not in it cannot match anywhere, so
// it is passed over without looking at each word.
type wordFirsts struct {
	ascii    [2]uint64 // bit b: some word starts with byte b (lower-cased)
	nonASCII bool      // some word starts with a non-ASCII byte: anything may match there
}

func firstsOf(s string, starts []int) wordFirsts {
	var f wordFirsts
	for _, i := range starts {
		c := s[i]
		if c >= utf8.RuneSelf {
			f.nonASCII = true
			continue
		}
		c = lowerASCII(c)
		f.ascii[c>>6] |= 1 << (c & 63)
	}
	return f
}

// mayStart reports whether a phrase starting with first (lower-cased) may
// match at one of the words: phrase.at tells two ASCII bytes apart only.
func (f *wordFirsts) mayStart(first byte) bool {
	return first >= utf8.RuneSelf || f.nonASCII || f.ascii[first>>6]&(1<<(first&63)) != 0
}

// matchAny reports the first phrase of list found in s as whole words,
// ignoring case: "VP" matches "VP Engineering" but "intern" does not match
// "Internal Audit". starts are s's word starts (wordStarts), firsts their
// first bytes (firstsOf).
func matchAny(s string, starts []int, firsts *wordFirsts, list phrases) (string, bool) {
	if s == "" {
		return "", false
	}
	for i := range list {
		if firsts.mayStart(list[i].first) && list[i].at(s, starts) {
			return list[i].text, true
		}
	}
	return "", false
}

func containsPhrase(s, p string) bool {
	var buf [maxWordStarts]int
	ph := compilePhrases([]string{p})
	return ph[0].at(s, wordStarts(s, buf[:0]))
}

// at reports whether the phrase starts at one of starts in s and ends at a
// word boundary.
func (p *phrase) at(s string, starts []int) bool {
	n := len(p.text)
	if n == 0 {
		return false
	}
	for _, i := range starts {
		if i+n > len(s) {
			return false
		}
		if c := s[i]; p.first < utf8.RuneSelf && c < utf8.RuneSelf && lowerASCII(c) != p.first {
			continue
		}
		if p.equalFold(s[i:i+n]) && (i+n == len(s) || boundaryAt(s, i+n)) {
			return true
		}
	}
	return false
}

// equalFold is strings.EqualFold(sub, p.text) for sub of p.text's length.
// For an ASCII phrase that is ASCII case folding: a non-ASCII byte in sub
// starts a rune of two bytes or more (or is an invalid byte, which folds to
// nothing ASCII), leaving sub fewer runes than the phrase, so never equal.
func (p *phrase) equalFold(sub string) bool {
	if p.ascii {
		return asciiEqualLower(sub, p.lower)
	}
	return strings.EqualFold(sub, p.text)
}

// asciiEqualLower reports whether a, ASCII letters lower-cased, is lower,
// an ASCII lower-case string of a's length. A non-ASCII byte of a stays
// itself, which no byte of lower is, so it never compares equal.
func asciiEqualLower(a, lower string) bool {
	lower = lower[:len(a)]
	for i := 0; i < len(a); i++ {
		if c := a[i]; c != lower[i] && ('A' > c || c > 'Z' || c+('a'-'A') != lower[i]) {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// trimSpace is strings.TrimSpace, with the common case of nothing to trim
// (an ASCII non-space at both ends) decided on two bytes.
func trimSpace(s string) string {
	if n := len(s); n > 0 && asciiNonSpace(s[0]) && asciiNonSpace(s[n-1]) {
		return s
	}
	return strings.TrimSpace(s)
}

// asciiNonSpace reports a byte that is ASCII and not white space: a string
// that starts or ends with one keeps it through strings.TrimSpace.
func asciiNonSpace(c byte) bool { return c > ' ' && c < utf8.RuneSelf }

// wordStarts appends the byte offsets where words start; past cap(dst) the
// rest of s is ignored, which only a title of absurd length reaches.
func wordStarts(s string, dst []int) []int {
	afterWord := false
	for i := 0; i < len(s); {
		c, size, word := s[i], 1, false
		if c < utf8.RuneSelf {
			word = isASCIIWord(c)
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = isWord(r)
		}
		if word && !afterWord {
			if len(dst) == cap(dst) {
				return dst
			}
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

// isASCIIWord reports an ASCII letter or digit: OR-ing 0x20 lower-cases
// exactly the upper-case letters, and the subtractions wrap below zero.
func isASCIIWord(c byte) bool {
	return (c|0x20)-'a' < 26 || c-'0' < 10
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
	s = trimSpace(s)
	return slices.ContainsFunc([]string{"yes", "y", "true", "1", "on", "ja", "oui", "si", "sí"}, func(y string) bool { return strings.EqualFold(s, y) })
}

// lowerBound reads the lower end of a size or revenue answer as forms and
// enrichment tools write it: "201-500", "1,000+", "10k", "$10M–$50M",
// "Less than 50" (0). ok is false when there is no number in it.
func lowerBound(s string) (int64, bool) {
	// The first ASCII digit: a byte scan finds what strings.IndexFunc would,
	// as no byte of a multi-byte UTF-8 sequence is ASCII.
	i := 0
	for i < len(s) && (s[i] < '0' || s[i] > '9') {
		i++
	}
	if i == len(s) {
		return 0, false
	}
	if prefix := s[:i]; prefix != "" && prefix != "$" {
		if strings.Contains(prefix, "<") {
			return 0, true
		}
		var buf [8]int
		starts := wordStarts(prefix, buf[:0])
		// Words that say the number is an upper bound ("less than 50").
		below := [...]phrase{
			{text: "less than", lower: "less than", first: 'l', ascii: true},
			{text: "under", lower: "under", first: 'u', ascii: true},
			{text: "up to", lower: "up to", first: 'u', ascii: true},
			{text: "below", lower: "below", first: 'b', ascii: true},
		}
		for i := range below {
			if below[i].at(prefix, starts) {
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
