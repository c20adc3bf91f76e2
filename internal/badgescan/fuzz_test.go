package badgescan

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzOutcome is everything a read exposes, so two reads of one input can
// be compared whole.
type fuzzOutcome struct {
	NewErr  string
	Dialect Dialect
	Header  []string
	Rows    []Row
	RowErrs []string
	EndErr  string
}

// fuzzRead reads input to the end, checking the ordering invariants the
// import report relies on as it goes.
func fuzzRead(t *testing.T, input []byte, lazyQuotes bool) fuzzOutcome {
	t.Helper()
	var out fuzzOutcome
	r, err := newReader(bytes.NewReader(input), lazyQuotes)
	if err != nil {
		out.NewErr = err.Error()
		return out
	}
	out.Dialect = r.Dialect()
	out.Header = r.Header()
	switch out.Dialect.Delimiter {
	case ',', ';', '\t':
	default:
		t.Fatalf("delimiter %q", out.Dialect.Delimiter)
	}
	// Each row starts on a new line and every encoding spends at least one
	// input byte per line, so more rows than bytes means Read stopped
	// making progress.
	maxRows := len(input) + 1
	lastLine := 0
	for {
		row, err := r.Read()
		var re *RowError
		switch {
		case err == nil:
		case errors.As(err, &re):
			if re.Number != row.Number || re.Line != row.Line {
				t.Fatalf("RowError at %d/%d, row at %d/%d", re.Number, re.Line, row.Number, row.Line)
			}
			out.RowErrs = append(out.RowErrs, err.Error())
		case errors.Is(err, io.EOF):
			out.EndErr = err.Error()
			return out
		default:
			out.EndErr = err.Error()
			if _, again := r.Read(); again != err {
				t.Fatalf("error not sticky: %v then %v", err, again)
			}
			return out
		}
		if row.Number != len(out.Rows)+1 {
			t.Fatalf("row %d numbered %d", len(out.Rows)+1, row.Number)
		}
		if row.Line <= lastLine {
			t.Fatalf("row %d at line %d, after line %d", row.Number, row.Line, lastLine)
		}
		lastLine = row.Line
		out.Rows = append(out.Rows, row)
		if len(out.Rows) > maxRows {
			t.Fatalf("more than %d rows from %d bytes", maxRows, len(input))
		}
	}
}

func FuzzReader(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "dialects", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		if filepath.Ext(p) == ".go" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, lazy := range []bool{true, false} {
			first := fuzzRead(t, input, lazy)
			if again := fuzzRead(t, input, lazy); !reflect.DeepEqual(first, again) {
				t.Fatalf("lazy=%v: second read differs:\n%+v\n%+v", lazy, first, again)
			}
		}
	})
}
