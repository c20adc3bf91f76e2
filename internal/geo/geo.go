package geo

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// tables are the lookups over the country table. They are built on first
// use rather than at start-up: a function that never reads a country pays
// nothing for them in its cold start.
type tables struct {
	// byAlpha2 is keyed by the canonical upper-case code so Region, Name and
	// the Country fast path never need to normalize.
	byAlpha2 map[string]*country
	// byKey holds every accepted spelling (codes, name, aliases) in
	// normalized form, so Country does a single lookup after cleaning.
	byKey map[string]*country
	// byRegion is sorted once here; InRegion hands out copies.
	byRegion map[string][]string
}

var lookup = sync.OnceValue(func() *tables {
	t := &tables{
		byAlpha2: make(map[string]*country, len(countries)),
		byKey:    make(map[string]*country, len(countries)*4),
		byRegion: make(map[string][]string, len(regions)),
	}
	for i := range countries {
		row := &countries[i]
		t.byAlpha2[row.alpha2] = row
		t.byRegion[row.region] = append(t.byRegion[row.region], row.alpha2)
		for _, s := range row.spellings() {
			k := normalize(s)
			// First row wins so a table conflict cannot silently reroute an
			// earlier country; TestNoConflicts names the offending rows.
			if _, dup := t.byKey[k]; !dup {
				t.byKey[k] = row
			}
		}
	}
	for _, codes := range t.byRegion {
		slices.Sort(codes)
	}
	return t
})

// spellings lists everything Country accepts for the row, so init and the
// tests cannot disagree about which fields are matched.
func (c *country) spellings() []string {
	return append([]string{c.alpha2, c.alpha3, c.name}, c.aliases...)
}

// Country returns the ISO 3166-1 alpha-2 code (upper case) for s, which may
// be an alpha-2 code, an alpha-3 code, or an English country name or common
// alternate ("USA", "UK", "Holland", "Korea, Republic of", ...). Case,
// surrounding and repeated inner whitespace, and dots are ignored; accents
// are not stripped, so accented and plain spellings each need a table entry.
// ok is false for "" and anything not in the table.
//
// Region names are not countries: Country("NA") is Namibia.
func Country(s string) (code string, ok bool) {
	// Most values have already been through Country once (stored leads,
	// re-qualification), so a canonical code skips normalization entirely.
	if row, ok := lookup().byAlpha2[s]; ok {
		return row.alpha2, true
	}
	// Cleaning into a stack buffer and indexing with string(bytes) lets the
	// compiler skip the string allocation; only inputs longer than the
	// buffer (never a real country) spill to the heap.
	var buf [64]byte
	b := appendNormalized(buf[:0], s)
	if len(b) == 0 {
		return "", false
	}
	row, ok := lookup().byKey[string(b)]
	if !ok {
		return "", false
	}
	return row.alpha2, true
}

func normalize(s string) string {
	return string(appendNormalized(nil, s))
}

// appendNormalized lower-cases s, drops dots ("U.S.", "St. Lucia"), trims
// and collapses whitespace, and folds the typographic apostrophe that phone
// keyboards substitute ("Côte d’Ivoire") to the ASCII one the table uses.
func appendNormalized(dst []byte, s string) []byte {
	pendingSpace := false
	for _, r := range s {
		switch {
		case r == '.':
			continue
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case r == '\u2019':
			r = '\''
		}
		if pendingSpace && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		pendingSpace = false
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// Region returns the sales region ("NA", "LATAM", "EMEA" or "APAC") of an
// upper-case alpha-2 code. Callers normalize with Country first; accepting
// loose input here would hide places that skipped it.
func Region(code string) (region string, ok bool) {
	row, ok := lookup().byAlpha2[code]
	if !ok {
		return "", false
	}
	return row.region, true
}

// Regions lists the region names in a fixed order: NA, LATAM, EMEA, APAC.
// It returns a fresh slice so callers may modify it.
func Regions() []string {
	return slices.Clone(regions[:])
}

// IsRegion reports whether s names a region, ignoring case, because
// qualification definitions are hand-written and "emea" is as likely as
// "EMEA".
func IsRegion(s string) bool {
	_, ok := canonicalRegion(s)
	return ok
}

func canonicalRegion(s string) (string, bool) {
	for _, r := range regions {
		if strings.EqualFold(s, r) {
			return r, true
		}
	}
	return "", false
}

// Name returns the English short name for an upper-case alpha-2 code
// ("DE" -> "Germany").
func Name(code string) (string, bool) {
	row, ok := lookup().byAlpha2[code]
	if !ok {
		return "", false
	}
	return row.name, true
}

// InRegion returns the sorted alpha-2 codes of region (any case, like
// IsRegion), or nil for an unknown region. The slice is a copy so callers
// cannot corrupt the shared index.
func InRegion(region string) []string {
	r, ok := canonicalRegion(region)
	if !ok {
		return nil
	}
	return slices.Clone(lookup().byRegion[r])
}
