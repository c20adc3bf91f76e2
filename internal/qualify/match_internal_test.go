package qualify

import (
	"slices"
	"strings"
	"testing"
)

func TestLowerBound(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"201-500", 201, true},
		{"1,000+", 1000, true},
		{"1.001–5.000", 1, true}, // a decimal point is read as one; European thousands need a comma
		{"10k", 10000, true},
		{"10K-50K employees", 10000, true},
		{"$10M-$50M", 10000000, true},
		{"$1.5B", 1500000000, true},
		{"€ 2,5 Mio", 25000000, true}, // a decimal comma reads as a thousands separator: known limit
		{"2 million", 2000000, true},
		{"Less than 50", 0, true},
		{"< 10", 0, true},
		{"up to 200", 0, true},
		{"5000", 5000, true},
		{"lots", 0, false},
		{"", 0, false},
		{"99999999999999999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := lowerBound(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("lowerBound(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestContainsPhrase(t *testing.T) {
	tests := []struct {
		s, phrase string
		want      bool
	}{
		{"VP Engineering", "vp", true},
		{"SVP, Engineering", "vp", false},
		{"Head of Platform", "head of", true},
		{"Headquarters office", "head of", false},
		{"Internal Audit Director", "intern", false},
		{"Summer Intern", "intern", true},
		{"Directeur Général", "général", true},
		{"CTO/Co-founder", "cto", true},
		{"", "cto", false},
		{"cto", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.s+"~"+tt.phrase, func(t *testing.T) {
			if got := containsPhrase(tt.s, tt.phrase); got != tt.want {
				t.Errorf("containsPhrase(%q, %q) = %v", tt.s, tt.phrase, got)
			}
		})
	}
}

func TestDomainIn(t *testing.T) {
	list := []string{"rival.com"}
	for domain, want := range map[string]bool{"rival.com": true, "eu.rival.com": true, "notrival.com": false, "rival.com.au": false, "": false} {
		if got := domainIn(domain, list); got != want {
			t.Errorf("domainIn(%q) = %v", domain, got)
		}
	}
}

// TestCompiledMatchingAgreesWithFolding holds the engine's compiled
// matching (ASCII shortcuts, first-byte filter) to what it stands in for:
// strings.TrimSpace and strings.EqualFold over every answer, and every
// phrase tried at every word start. Verdicts must not change with speed.
func TestCompiledMatchingAgreesWithFolding(t *testing.T) {
	texts := []string{
		"", " ", "Director", "director ", " DIRECTOR", "Senior Director, Platform Engineering",
		"VP Engineering", "SVP, Engineering", "Head of Platform", "Headquarters", "Summer Intern",
		"Directeur Général", "GÉNÉRAL", "CTO/Co-founder", "\u212Aelvin", "kelvin", "\u212A", "k",
		"ſoftware", "software", "SOFTWARE", "Software\u00a0", "\u0085Software", "yes", "Sí", "SÍ",
		"\xffdirector", "dir\xffector", "vp\xff", "Ünternehmen", "über", "ÜBER", "Logistics", "lo gistics",
		"Cost overruns", "COST OVERRUNS", "cost overrun", "@", "`", "[", "{", "a@b", "a`b",
		strings.Repeat("word ", 60) + "director",
	}
	lists := [][]string{
		{"director"}, {"Director", "VP", "Head of"}, {"kelvin", "k"}, {"\u212Aelvin"}, {"software"},
		{"ſoftware"}, {"général"}, {"über", "Über"}, {"cost overruns", "no visibility"}, {"@", "`"},
		{"a@b"}, {""}, {"intern", "student"}, {"sí", "yes"},
	}
	for _, s := range texts {
		var buf [maxWordStarts]int
		starts := wordStarts(s, buf[:0])
		firsts := firstsOf(s, starts)
		for _, list := range lists {
			want := slices.ContainsFunc(list, func(x string) bool {
				tr := strings.TrimSpace(s)
				return tr != "" && strings.EqualFold(tr, x)
			})
			if got := equalAny(s, compileChoices(list)); got != want {
				t.Errorf("equalAny(%q, %q) = %v, want %v", s, list, got, want)
			}
			wantPhrase, wantOK := "", false
			for _, p := range list {
				if phraseAtByFolding(s, p, starts) {
					wantPhrase, wantOK = p, true
					break
				}
			}
			if s == "" {
				wantPhrase, wantOK = "", false
			}
			if got, ok := matchAny(s, starts, &firsts, compilePhrases(list)); got != wantPhrase || ok != wantOK {
				t.Errorf("matchAny(%q, %q) = %q, %v, want %q, %v", s, list, got, ok, wantPhrase, wantOK)
			}
		}
		if got, want := present(s), strings.TrimSpace(s) != ""; got != want {
			t.Errorf("present(%q) = %v, want %v", s, got, want)
		}
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Errorf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

// phraseAtByFolding is the matching the compiled phrases replaced: fold
// every candidate with strings.EqualFold.
func phraseAtByFolding(s, phrase string, starts []int) bool {
	n := len(phrase)
	if n == 0 {
		return false
	}
	for _, i := range starts {
		if i+n > len(s) {
			return false
		}
		if strings.EqualFold(s[i:i+n], phrase) && (i+n == len(s) || boundaryAt(s, i+n)) {
			return true
		}
	}
	return false
}

func TestPointTableIsTheMap(t *testing.T) {
	points := map[string]float64{"email-click": 3, "content-download": 15, "webinar-attended": 20, "demo-request": 50}
	table := compilePoints(points)
	for _, typ := range []string{"email-click", "content-download", "webinar-attended", "demo-request", "", "email-clicks", "Email-click", "pricing-visit"} {
		if got, want := table.of(typ), points[typ]; got != want {
			t.Errorf("points of %q = %v, want %v", typ, got, want)
		}
	}
}

func TestIsASCIIWord(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		want := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		if got := isASCIIWord(b); got != want {
			t.Errorf("isASCIIWord(%#x) = %v", b, got)
		}
	}
}
