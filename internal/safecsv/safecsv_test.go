package safecsv_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/safecsv"
)

func TestCell(t *testing.T) {
	tests := map[string]string{
		"Ana":                      "Ana",
		"=HYPERLINK(\"x\")":        "'=HYPERLINK(\"x\")",
		"+1 555":                   "'+1 555",
		"-5":                       "'-5",
		"@SUM(A1)":                 "'@SUM(A1)",
		"x;=cmd|'/C calc'!A0":      "x;'=cmd|'/C calc'!A0",
		"a,b, =1":                  "a,b, '=1",
		"notes\n=2+2":              "notes\n'=2+2",
		"  =1":                     "  '=1",
		"\t=1":                     "'\t'=1",
		"a=b":                      "a=b",
		"VP, Engineering; Finance": "VP, Engineering; Finance",
		"":                         "",
	}
	for in, want := range tests {
		if got := safecsv.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoDialectSeesAFormula writes hostile cells and reads the file back
// as each common dialect would: no cell may start with a formula.
func TestNoDialectSeesAFormula(t *testing.T) {
	cells := []string{"x;=cmd|'/C calc'!A0", "=1+1", "a\tb\t-2", "q\"uote;@x", "line\n+1", "plain", " padded "}
	var b bytes.Buffer
	w := safecsv.NewWriter(&b)
	if err := w.Write(cells); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, comma := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(b.Bytes()))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = comma, true, -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", comma, err)
		}
		for _, row := range rows {
			for _, c := range row {
				if c = strings.TrimLeft(c, " "); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
					t.Errorf("split on %q, a cell starts a formula: %q", comma, c)
				}
			}
		}
	}
	// Read as the comma dialect it is, every cell comes back whole.
	rows, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
	if err != nil || len(rows) != 1 || len(rows[0]) != len(cells) || rows[0][5] != "plain" || rows[0][6] != " padded " || rows[0][0] != "x;'=cmd|'/C calc'!A0" {
		t.Errorf("read back %q (%v)", rows, err)
	}
}
