package badgescan

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/capture"
)

// What a column can stand for besides a lead field: things about the scan
// itself, and a name column to split.
const (
	colFullName  = "fullName"
	colNotes     = "notes"
	colTags      = "tags"
	colRating    = "rating"
	colScannedAt = "scannedAt"
	colBooth     = "booth"
	// A webinar attendee export's.
	colAttended     = "attended"
	colMinutes      = "minutes"
	colRegisteredAt = "registeredAt"
	colJoinedAt     = "joinedAt"
)

//go:embed columns.yaml
var columnsYAML []byte

// knownHeaders maps a folded header spelling to what the column holds. It
// is read on first use, not at start-up, to keep cold starts short, behind
// a zero-value sync.Once: a sync.OnceValue made at package init would make
// the YAML decoder reachable from init, and so part of every binary that
// imports this package (the console's through internal/httpapi), used or
// not.
var (
	headersOnce sync.Once
	headers     map[string]string
)

func knownHeaders() map[string]string {
	headersOnce.Do(func() { headers = readHeaders() })
	return headers
}

func readHeaders() map[string]string {
	var table map[string][]string
	if err := yaml.Unmarshal(columnsYAML, &table); err != nil {
		panic(fmt.Sprintf("badgescan: columns.yaml: %v", err))
	}
	m := map[string]string{}
	for target, spellings := range table {
		for _, s := range spellings {
			k := capture.Key(s)
			if other, dup := m[k]; dup && other != target {
				panic(fmt.Sprintf("badgescan: columns.yaml: %q is both %s and %s", s, other, target))
			}
			m[k] = target
		}
	}
	return m
}

// Column is one header of the file and what it was mapped to ("" when the
// column was ignored).
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field,omitempty"`
}

// mapping is where each kind of value is found in a row.
type mapping struct {
	columns   []Column
	index     map[string]int // target -> column position (first wins)
	delimiter rune
	loc       *time.Location // where the file's zone-less times were written
}

// mapColumns maps a file's headers: the campaign's own columns first (its
// qualifier questions), then leadgate's table, then the campaign's fields by
// name. A second column for the same target is ignored, and says so.
func mapColumns(d *campaign.Definition, header []string) mapping {
	m := mapping{index: map[string]int{}, loc: time.UTC}
	own := map[string]string{}
	for h, f := range d.Intake.Columns {
		own[capture.Key(h)] = f
	}
	for i, h := range header {
		k := capture.Key(h)
		target, ok := own[k]
		if !ok {
			target, ok = knownHeaders()[k]
		}
		if !ok {
			target, ok = capture.FieldFor(d, h)
		}
		if _, taken := m.index[target]; !ok || k == "" || taken {
			m.columns = append(m.columns, Column{Header: shortHeader(h)})
			continue
		}
		m.index[target] = i
		m.columns = append(m.columns, Column{Header: shortHeader(h), Field: target})
	}
	return m
}

func (m mapping) has(target string) bool { _, ok := m.index[target]; return ok }

// value returns the row's cell for target, "" when absent.
func (m mapping) value(row []string, target string) string {
	i, ok := m.index[target]
	if !ok || i >= len(row) {
		return ""
	}
	return row[i]
}

// fields lists the lead fields the mapping fills, in header order.
func (m mapping) fields() []string {
	var out []string
	for _, c := range m.columns {
		if c.Field != "" && !slices.Contains([]string{colFullName, colNotes, colTags, colRating, colScannedAt, colBooth, colAttended, colMinutes, colRegisteredAt, colJoinedAt}, c.Field) {
			out = append(out, c.Field)
		}
	}
	return out
}

// ignored lists headers nothing was mapped to.
func (m mapping) ignored() []string {
	var out []string
	for _, c := range m.columns {
		if c.Field == "" {
			out = append(out, c.Header)
		}
	}
	return out
}
