package qualify

import "testing"

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
