package badgescan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

// readDialectFixture reads one file written by testdata/dialects/gen.go.
func readDialectFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "dialects", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// drainRows reads rows until io.EOF, failing the test on any other error.
func drainRows(t *testing.T, r *Reader) []Row {
	t.Helper()
	var rows []Row
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("Read after %d rows: %v", len(rows), err)
		}
		rows = append(rows, row)
	}
}

func TestReaderFixtures(t *testing.T) {
	tests := []struct {
		file    string
		err     error
		dialect Dialect
		header  []string
		rows    []Row
	}{
		{
			file:    "comma-utf8.csv",
			dialect: Dialect{"UTF-8", ','},
			header:  []string{"First Name", "Last Name", "Email", "Company", "Notes"},
			rows: []Row{
				{1, 2, []string{"Ana", "Nuñez", "ana@example.com", "Acme", "Wants a demo, Q3"}},
				{2, 3, []string{"Jörg", "Müller", "jm@example.de", "Société Générale", ""}},
			},
		},
		{
			file:    "comma-utf8-bom.csv",
			dialect: Dialect{"UTF-8 with BOM", ','},
			header:  []string{"Badge ID", "First Name", "Email"},
			rows: []Row{
				{1, 2, []string{"1001", "Zoë", "zoe@example.com"}},
				{2, 3, []string{"1002", "Ana", "ana@example.com"}},
			},
		},
		{
			file:    "semicolon-windows1252.csv",
			dialect: Dialect{"Windows-1252", ';'},
			header:  []string{"Vorname", "Nachname", "Firma", "Budget", "Notiz"},
			rows: []Row{
				{1, 2, []string{"Ana", "Nuñez", "Société Générale", "€ 1.250,00", "Preis; inkl. MwSt"}},
				{2, 3, []string{"Jürgen", "Müller", "Müller GmbH", "€ 99,50", "Halle 4 – Stand B12"}},
			},
		},
		{
			file:    "tab-utf16le-bom.txt",
			dialect: Dialect{"UTF-16LE", '\t'},
			header:  []string{"First Name", "Last Name", "Email", "Company"},
			rows: []Row{
				{1, 2, []string{"Ana", "Nuñez", "ana@example.com", "Société Générale"}},
				{2, 3, []string{"Li", "李", "li@example.cn", `Stand "B12"`}},
				{3, 4, []string{"Sam", "O'Neil 🙂", "sam@example.com", "Acme, Inc."}},
			},
		},
		{
			file:    "crlf-quoted-multiline.csv",
			dialect: Dialect{"UTF-8", ','},
			header:  []string{"Badge", "Name", "Notes"},
			rows: []Row{
				{1, 2, []string{"A1", "Ana", "Met at booth, wants pricing\nCall back Monday"}},
				{2, 4, []string{"A2", "Bo", `Said "maybe"`}},
				{3, 5, []string{"A3", "Cy", "plain"}},
			},
		},
		{
			file:    "ragged.csv",
			dialect: Dialect{"UTF-8", ','},
			header:  []string{"Badge", "Name", "Email", "", "Phone"},
			rows: []Row{
				{1, 2, []string{"B1", "Ana"}},
				{2, 3, []string{"B2", "Bo", "bo@example.com", "", "555-0100", "extra", "more"}},
				{3, 4, []string{"B3", "Cy", "cy@example.com", "", "555-0101"}},
				{4, 5, []string{"B4"}},
			},
		},
		{
			file:    "blank-lines.csv",
			dialect: Dialect{"UTF-8", ','},
			header:  []string{"Name", "Email"},
			rows: []Row{
				{1, 5, []string{"Ana", "ana@example.com"}},
				{2, 9, []string{"Bo", "bo@example.com"}},
			},
		},
		{file: "empty.csv", err: ErrEmpty},
		{file: "only-bom.csv", err: ErrEmpty},
		{
			file:    "header-only.csv",
			dialect: Dialect{"UTF-8", ','},
			header:  []string{"Badge", "Name", "Email"},
		},
		{
			file:    "stray-quotes.csv",
			dialect: Dialect{"UTF-8", ','},
			header:  []string{"Badge", "Product", "Notes"},
			rows: []Row{
				{1, 2, []string{"S1", `5" display`, "ok"}},
				{2, 3, []string{"S2", `12" tablet`, "fine"}},
				{3, 4, []string{"S3", `Say "hi" twice`, "x"}},
				{4, 5, []string{"S4", `quoted "bad" inner`, "y"}},
				{5, 6, []string{"S5", `trailing quote"`, "z"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(readDialectFixture(t, tt.file)))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("NewReader error = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			if got := r.Dialect(); got != tt.dialect {
				t.Errorf("Dialect = %+v, want %+v", got, tt.dialect)
			}
			if got := r.Header(); !reflect.DeepEqual(got, tt.header) {
				t.Errorf("Header = %q, want %q", got, tt.header)
			}
			if got := drainRows(t, r); !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows:\n got %+v\nwant %+v", got, tt.rows)
			}
			// EOF is sticky, so a caller's loop cannot read past the end.
			if _, err := r.Read(); err != io.EOF {
				t.Errorf("Read after EOF = %v, want io.EOF", err)
			}
		})
	}
}

// With lazy quotes off, encoding/csv rejects stray quotes; each bad row must
// surface as a RowError at the right place and the rows after it still read.
func TestReaderRowErrors(t *testing.T) {
	r, err := newReader(bytes.NewReader(readDialectFixture(t, "stray-quotes.csv")), false)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		row   Row
		cause error // nil for a good row
	}
	want := []result{
		{Row{Number: 1, Line: 2}, csv.ErrBareQuote},
		{Row{Number: 2, Line: 3, Fields: []string{"S2", `12" tablet`, "fine"}}, nil},
		{Row{Number: 3, Line: 4}, csv.ErrBareQuote},
		{Row{Number: 4, Line: 5}, csv.ErrQuote},
		{Row{Number: 5, Line: 6}, csv.ErrBareQuote},
	}
	for i, w := range want {
		t.Run(fmt.Sprint("row ", i+1), func(t *testing.T) {
			row, err := r.Read()
			if !reflect.DeepEqual(row, w.row) {
				t.Errorf("row = %+v, want %+v", row, w.row)
			}
			if w.cause == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (%T), want *RowError", err, err)
			}
			if re.Number != w.row.Number || re.Line != w.row.Line {
				t.Errorf("RowError at row %d line %d, want row %d line %d", re.Number, re.Line, w.row.Number, w.row.Line)
			}
			if !errors.Is(err, w.cause) {
				t.Errorf("err = %v, want it to wrap %v", err, w.cause)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("data row %d (line %d)", w.row.Number, w.row.Line)) {
				t.Errorf("message %q does not locate the row", err.Error())
			}
		})
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("final Read = %v, want io.EOF", err)
	}
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func TestReaderEncodings(t *testing.T) {
	// asciiTo pads with ASCII rows so that the next byte lands at offset n.
	asciiTo := func(n int) string {
		head := "Name,Note\n"
		var sb strings.Builder
		sb.WriteString(head)
		for sb.Len() < n {
			sb.WriteString("a,b\n")
		}
		s := sb.String()
		// Trim the last row back to exactly n bytes with a final "x\n".
		return s[:n-2] + "x\n"
	}
	tests := []struct {
		name   string
		input  []byte
		enc    string
		header []string
		last   []string // Fields of the last row
	}{
		{
			name:   "UTF-16BE with BOM",
			input:  append([]byte{0xFE, 0xFF}, utf16Bytes("Name\tFirma\r\nAna\tSociété\r\n", true)...),
			enc:    "UTF-16BE",
			header: []string{"Name", "Firma"},
			last:   []string{"Ana", "Société"},
		},
		{
			name:   "UTF-16LE, odd trailing byte",
			input:  append(append([]byte{0xFF, 0xFE}, utf16Bytes("Name\nAna", false)...), 'x'),
			enc:    "UTF-16LE",
			header: []string{"Name"},
			last:   []string{"Ana\uFFFD"},
		},
		{
			name:   "Windows-1252 euro and Latin-1 letters",
			input:  []byte("Name,Preis\nNu\xF1ez,\x80 5\n"),
			enc:    "Windows-1252",
			header: []string{"Name", "Preis"},
			last:   []string{"Nuñez", "€ 5"},
		},
		{
			name:   "truncated UTF-8 at the very end is not UTF-8",
			input:  []byte("Name\nJos\xC3"),
			enc:    "Windows-1252",
			header: []string{"Name"},
			last:   []string{"JosÃ"},
		},
		{
			// "é" is C3 A9; the 64 KiB sniff window ends between them.
			name:   "UTF-8 character cut by the sniff window",
			input:  []byte(asciiTo(sniffSize-4) + "Jos\u00e9,x\n"),
			enc:    "UTF-8",
			header: []string{"Name", "Note"},
			last:   []string{"Jos\u00e9", "x"},
		},
		{
			name:   "Latin-1 after the sniff window is not seen",
			input:  []byte(asciiTo(sniffSize) + "Nu\xF1ez,x\n"),
			enc:    "UTF-8",
			header: []string{"Name", "Note"},
			last:   []string{"Nu\xF1ez", "x"},
		},
		{
			name:   "second BOM left in the header",
			input:  []byte("\xEF\xBB\xBF\xEF\xBB\xBF Name ,Email\nAna,a@example.com\n"),
			enc:    "UTF-8 with BOM",
			header: []string{"Name", "Email"},
			last:   []string{"Ana", "a@example.com"},
		},
	}
	if b := tests[4].input[sniffSize-1]; b != 0xC3 {
		t.Fatalf("test input misplaced: byte %#x at the window edge", b)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Dialect().Encoding; got != tt.enc {
				t.Errorf("Encoding = %q, want %q", got, tt.enc)
			}
			if got := r.Header(); !reflect.DeepEqual(got, tt.header) {
				t.Errorf("Header = %q, want %q", got, tt.header)
			}
			rows := drainRows(t, r)
			if len(rows) == 0 {
				t.Fatal("no rows")
			}
			if got := rows[len(rows)-1].Fields; !reflect.DeepEqual(got, tt.last) {
				t.Errorf("last row = %q, want %q", got, tt.last)
			}
		})
	}
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  rune
	}{
		{"commas", "a,b,c\n1;2;3;4;5\n", ','},
		{"semicolons beat commas in the header", "Name;Budget;Note, short\n", ';'},
		{"tabs", "a\tb\tc\n", '\t'},
		{"no delimiter", "Email\nx@example.com\n", ','},
		{"empty", "", ','},
		{"tie comma over semicolon", "a,b;c\n", ','},
		{"tie semicolon over tab", "a;b\tc\n", ';'},
		{"tie comma over tab", "a,b\tc\n", ','},
		{"quoted delimiters do not count", "\"a;b;c\",d,e\n", ','},
		{"quoted newline in the header", "\"Notes\n;;;;\",a,b\n", ','},
		{"no final newline", "a;b", ';'},
		{"blank lines before the header", "\n  \r\n\t\t\na;b\n", ';'},
		{"Excel empty row before the header", ";;;;\na,b\n", ','},
		{"only delimiters", ",,\n;;;\n", ','},
		{"only delimiters, the first such line wins", ";;;\n,,\n", ';'},
		{"CRLF", "a;b\r\nc,d,e\r\n", ';'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffDelimiter([]byte(tt.input), 1, false); got != tt.want {
				t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.input, got, tt.want)
			}
			le := utf16Bytes(tt.input, false)
			if got := sniffDelimiter(le, 2, false); got != tt.want {
				t.Errorf("UTF-16LE: got %q, want %q", got, tt.want)
			}
			be := utf16Bytes(tt.input, true)
			if got := sniffDelimiter(be, 2, true); got != tt.want {
				t.Errorf("UTF-16BE: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReaderEmptyInputs(t *testing.T) {
	for _, input := range []string{"", "\n\n\r\n", "  \n\t\n", ",,,\n,,\n", ";;;\r\n;;\r\n", "\xEF\xBB\xBF\n", "\xFF\xFE", "\xFE\xFF\x00\n"} {
		t.Run(fmt.Sprintf("%q", input), func(t *testing.T) {
			if _, err := NewReader(strings.NewReader(input)); !errors.Is(err, ErrEmpty) {
				t.Errorf("err = %v, want ErrEmpty", err)
			}
		})
	}
}

func TestReaderHeaderIsACopy(t *testing.T) {
	r, err := NewReader(strings.NewReader("a,b\n1,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.Header()[0] = "changed"
	if got := r.Header()[0]; got != "a" {
		t.Errorf("Header()[0] = %q after the caller changed its copy", got)
	}
}

// A row swallowed by an unclosed quote must fail at the limit instead of
// buffering the rest of the file, and the failure must stick.
func TestReaderRowTooLong(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("Badge,Notes\nB1,fine\nB2,\"never closed\n")
	for sb.Len() < 3*maxRowBytes {
		sb.WriteString("more notes that keep the quote open\n")
	}
	r, err := NewReader(strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Read(); err != nil || row.Number != 1 {
		t.Fatalf("first row = %+v, %v", row, err)
	}
	_, err = r.Read()
	if !errors.Is(err, errRowTooLong) {
		t.Fatalf("err = %v, want errRowTooLong", err)
	}
	var re *RowError
	if errors.As(err, &re) {
		t.Errorf("got a RowError, but reading cannot continue")
	}
	if _, again := r.Read(); again != err {
		t.Errorf("second Read = %v, want the same error", again)
	}
}

// Rows just under the limit are fine, however many there are: the budget
// is per row, not per file.
func TestReaderLongRowsWithinLimit(t *testing.T) {
	cell := strings.Repeat("x", maxRowBytes/2)
	input := "a,b\n" + strings.Repeat("1,\""+cell+"\"\n", 5)
	r, err := NewReader(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	rows := drainRows(t, r)
	if len(rows) != 5 {
		t.Fatalf("read %d rows, want 5", len(rows))
	}
	if rows[4].Fields[1] != cell {
		t.Errorf("last cell has %d bytes, want %d", len(rows[4].Fields[1]), len(cell))
	}
}

func TestReaderIOErrors(t *testing.T) {
	boom := errors.New("boom")
	t.Run("before the header", func(t *testing.T) {
		if _, err := NewReader(iotest.ErrReader(boom)); !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	})
	t.Run("after the sniff window", func(t *testing.T) {
		body := "Name,Email\n" + strings.Repeat("Ana,ana@example.com\n", sniffSize/10)
		r, err := NewReader(io.MultiReader(strings.NewReader(body), iotest.ErrReader(boom)))
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for range sniffSize {
			if _, last = r.Read(); last != nil {
				break
			}
		}
		if !errors.Is(last, boom) {
			t.Fatalf("err = %v, want boom", last)
		}
		if _, again := r.Read(); again != last {
			t.Errorf("second Read = %v, want the same error", again)
		}
	})
	t.Run("one byte at a time", func(t *testing.T) {
		r, err := NewReader(iotest.OneByteReader(bytes.NewReader(readDialectFixture(t, "tab-utf16le-bom.txt"))))
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Dialect(); d != (Dialect{"UTF-16LE", '\t'}) {
			t.Errorf("Dialect = %+v", d)
		}
		if n := len(drainRows(t, r)); n != 3 {
			t.Errorf("read %d rows, want 3", n)
		}
	})
}

// benchmarkInput is a 20,000-row export shaped like a real one: accents,
// a quoted notes cell with a comma, CRLF.
func benchmarkInput() []byte {
	var b bytes.Buffer
	b.WriteString("Badge ID,First Name,Last Name,Email,Company,Title,Phone,Country,Notes,Scanned At\r\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "B%06d,Zoë,Nuñez-%d,zoe.%d@example.com,Société Générale,Head of Platform,+33 1 23 45 67 %02d,FR,\"Wants a demo, Q%d\",2025-03-%02dT10:%02d:00Z\r\n",
			i, i, i, i%100, i%4+1, i%28+1, i%60)
	}
	return b.Bytes()
}

func BenchmarkReader(b *testing.B) {
	input := benchmarkInput()
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(input))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 20000 {
			b.Fatalf("read %d rows", n)
		}
	}
}
