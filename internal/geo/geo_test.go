package geo

import (
	"slices"
	"strings"
	"testing"
)

func TestCountry(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		// alpha-2
		{"alpha2 upper", "DE", "DE", true},
		{"alpha2 lower", "de", "DE", true},
		{"alpha2 mixed", "uS", "US", true},
		{"alpha2 padded", "  gb\t", "GB", true},
		{"alpha2 NA is Namibia, not the region", "NA", "NA", true},
		// alpha-3
		{"alpha3 upper", "DEU", "DE", true},
		{"alpha3 lower", "fra", "FR", true},
		{"alpha3 USA", "USA", "US", true},
		{"alpha3 dotted", "U.S.A.", "US", true},
		// names
		{"name", "Germany", "DE", true},
		{"name multiword", "United Arab Emirates", "AE", true},
		{"name upper", "NEW ZEALAND", "NZ", true},
		{"name accented", "Côte d'Ivoire", "CI", true},
		{"name accented upper", "CÔTE D'IVOIRE", "CI", true},
		{"name typographic apostrophe", "Côte d’Ivoire", "CI", true},
		{"name with comma", "Bonaire, Sint Eustatius and Saba", "BQ", true},
		// aliases
		{"USA", "USA", "US", true},
		{"United States of America", "United States of America", "US", true},
		{"U.S.", "U.S.", "US", true},
		{"UK", "UK", "GB", true},
		{"U.K.", "U.K.", "GB", true},
		{"Great Britain", "Great Britain", "GB", true},
		{"England", "England", "GB", true},
		{"Scotland", "Scotland", "GB", true},
		{"Wales", "Wales", "GB", true},
		{"Deutschland", "Deutschland", "DE", true},
		{"Holland", "Holland", "NL", true},
		{"The Netherlands", "The Netherlands", "NL", true},
		{"South Korea", "South Korea", "KR", true},
		{"Korea, Republic of", "Korea, Republic of", "KR", true},
		{"North Korea", "North Korea", "KP", true},
		{"Russia", "Russia", "RU", true},
		{"Russian Federation", "Russian Federation", "RU", true},
		{"Czech Republic", "Czech Republic", "CZ", true},
		{"Czechia", "Czechia", "CZ", true},
		{"Türkiye", "Türkiye", "TR", true},
		{"TÜRKIYE", "TÜRKIYE", "TR", true},
		{"Turkiye", "Turkiye", "TR", true},
		{"Turkey", "Turkey", "TR", true},
		{"Viet Nam", "Viet Nam", "VN", true},
		{"Vietnam", "Vietnam", "VN", true},
		{"UAE", "UAE", "AE", true},
		{"U.A.E.", "U.A.E.", "AE", true},
		{"Ivory Coast", "Ivory Coast", "CI", true},
		{"St. Lucia", "St. Lucia", "LC", true},
		{"Trinidad & Tobago", "Trinidad & Tobago", "TT", true},
		{"US Virgin Islands", "US Virgin Islands", "VI", true},
		// whitespace and dots
		{"inner whitespace collapsed", "United   \t States", "US", true},
		{"surrounding whitespace", "\n  Germany  \r\n", "DE", true},
		{"non-breaking space", "New\u00a0Zealand", "NZ", true},
		{"dots anywhere", "Ger.many.", "DE", true},
		{"dot-only between letters", "u.s", "US", true},
		// unknowns
		{"empty", "", "", false},
		{"blank", "   ", "", false},
		{"dots only", "...", "", false},
		{"unknown alpha2", "XX", "", false},
		{"unknown alpha3", "XXX", "", false},
		{"unknown name", "Atlantis", "", false},
		{"region is not a country", "EMEA", "", false},
		{"partial name", "United", "", false},
		{"ambiguous Virgin Islands", "Virgin Islands", "", false},
		{"accent stripped spelling not listed", "Cote d Ivoire", "", false},
		{"inner space not removed", "D E", "", false},
		{"very long", strings.Repeat("x", 200), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Country(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Country(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRegion(t *testing.T) {
	tests := []struct {
		code, want string
		ok         bool
	}{
		{"US", "NA", true},
		{"CA", "NA", true},
		{"MX", "LATAM", true},
		{"BR", "LATAM", true},
		{"PA", "LATAM", true},
		{"JM", "LATAM", true},
		{"PR", "LATAM", true},
		{"DE", "EMEA", true},
		{"GB", "EMEA", true},
		{"AE", "EMEA", true},
		{"ZA", "EMEA", true},
		{"NA", "EMEA", true}, // Namibia
		{"RU", "EMEA", true},
		{"TR", "EMEA", true},
		{"JP", "APAC", true},
		{"IN", "APAC", true},
		{"AU", "APAC", true},
		{"NZ", "APAC", true},
		{"FJ", "APAC", true},
		{"de", "", false}, // contract: input is already canonical
		{"DEU", "", false},
		{"XX", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := Region(tt.code)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Region(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	want := []string{"NA", "LATAM", "EMEA", "APAC"}
	if got := Regions(); !slices.Equal(got, want) {
		t.Fatalf("Regions() = %v, want %v", got, want)
	}
	Regions()[0] = "mutated"
	if got := Regions(); !slices.Equal(got, want) {
		t.Fatalf("Regions() after caller mutation = %v, want %v", got, want)
	}
}

func TestIsRegion(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"NA", true},
		{"na", true},
		{"LATAM", true},
		{"Latam", true},
		{"EMEA", true},
		{"emea", true},
		{"APAC", true},
		{"apac", true},
		{"", false},
		{"EU", false},
		{"AMER", false},
		{" EMEA", false},
		{"DE", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := IsRegion(tt.in); got != tt.want {
				t.Errorf("IsRegion(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		code, want string
		ok         bool
	}{
		{"DE", "Germany", true},
		{"US", "United States", true},
		{"GB", "United Kingdom", true},
		{"CI", "Côte d'Ivoire", true},
		{"de", "", false},
		{"XX", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := Name(tt.code)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Name(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestInRegion(t *testing.T) {
	if got, want := InRegion("NA"), []string{"CA", "US"}; !slices.Equal(got, want) {
		t.Errorf(`InRegion("NA") = %v, want %v`, got, want)
	}
	if got := InRegion("emea"); !slices.Contains(got, "DE") {
		t.Errorf(`InRegion("emea") lacks DE: %v`, got)
	}
	if got := InRegion("Mars"); got != nil {
		t.Errorf(`InRegion("Mars") = %v, want nil`, got)
	}
	InRegion("NA")[0] = "XX"
	if got := InRegion("NA"); got[0] != "CA" {
		t.Errorf("InRegion shares its backing array with callers: %v", got)
	}

	total := 0
	for _, r := range Regions() {
		t.Run(r, func(t *testing.T) {
			codes := InRegion(r)
			if len(codes) == 0 {
				t.Fatalf("region %s is empty", r)
			}
			if !slices.IsSorted(codes) {
				t.Errorf("InRegion(%q) not sorted: %v", r, codes)
			}
			for _, code := range codes {
				if got, _ := Region(code); got != r {
					t.Errorf("InRegion(%q) lists %s, but Region(%s) = %q", r, code, code, got)
				}
			}
		})
		total += len(InRegion(r))
	}
	if total != len(countries) {
		t.Errorf("regions cover %d codes, table has %d", total, len(countries))
	}
}

func TestTable(t *testing.T) {
	// ISO 3166-1 has 249 entries; a different count means a row was lost
	// or invented.
	if len(countries) != 249 {
		t.Errorf("table has %d rows, want 249", len(countries))
	}
	isUpper := func(s string, n int) bool {
		if len(s) != n {
			return false
		}
		for i := 0; i < n; i++ {
			if s[i] < 'A' || s[i] > 'Z' {
				return false
			}
		}
		return true
	}
	for _, row := range countries {
		t.Run(row.alpha2, func(t *testing.T) {
			if !isUpper(row.alpha2, 2) {
				t.Errorf("alpha2 %q is not two upper-case letters", row.alpha2)
			}
			if !isUpper(row.alpha3, 3) {
				t.Errorf("alpha3 %q is not three upper-case letters", row.alpha3)
			}
			if !slices.Contains(Regions(), row.region) {
				t.Errorf("region %q is not one of %v", row.region, Regions())
			}
			if row.name == "" {
				t.Error("empty name")
			}
			// Every spelling must lead back to this row; a conflict with
			// another row shows up here as well as in TestNoConflicts.
			for _, s := range row.spellings() {
				if got, ok := Country(s); !ok || got != row.alpha2 {
					t.Errorf("Country(%q) = %q, %v; want %q", s, got, ok, row.alpha2)
				}
			}
			if got, ok := Region(row.alpha2); !ok || got != row.region {
				t.Errorf("Region(%q) = %q, %v; want %q", row.alpha2, got, ok, row.region)
			}
			if got, ok := Name(row.alpha2); !ok || got != row.name {
				t.Errorf("Name(%q) = %q, %v; want %q", row.alpha2, got, ok, row.name)
			}
		})
	}
}

// TestNoConflicts fails when two rows claim the same code or the same
// normalized spelling, since init would otherwise quietly route one of them
// to the wrong country. Redundant spellings within a row are reported too:
// they mean an alias only differs by what normalization already ignores.
func TestNoConflicts(t *testing.T) {
	alpha2 := map[string]bool{}
	alpha3 := map[string]bool{}
	owner := map[string]string{}
	for _, row := range countries {
		if alpha2[row.alpha2] {
			t.Errorf("alpha2 %s appears twice", row.alpha2)
		}
		alpha2[row.alpha2] = true
		if alpha3[row.alpha3] {
			t.Errorf("alpha3 %s appears twice", row.alpha3)
		}
		alpha3[row.alpha3] = true
		for _, s := range row.spellings() {
			k := normalize(s)
			if k == "" {
				t.Errorf("%s: spelling %q normalizes to nothing", row.alpha2, s)
				continue
			}
			switch prev, seen := owner[k]; {
			case !seen:
				owner[k] = row.alpha2
			case prev == row.alpha2:
				t.Errorf("%s: spelling %q is redundant after normalization", row.alpha2, s)
			default:
				t.Errorf("spelling %q (normalized %q) claimed by both %s and %s", s, k, prev, row.alpha2)
			}
		}
	}
}

func TestCountryAllocs(t *testing.T) {
	for _, in := range []string{"DE", "de", "  United   States of America ", "Türkiye", "nowhere"} {
		if n := testing.AllocsPerRun(100, func() { Country(in) }); n != 0 {
			t.Errorf("Country(%q) allocates %v times per call, want 0", in, n)
		}
	}
}

func BenchmarkCountry(b *testing.B) {
	for _, in := range []string{"DE", "deu", " United  Kingdom "} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Country(in)
			}
		})
	}
}
