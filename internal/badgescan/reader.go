package badgescan

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ErrEmpty: the file has no header row (empty, or only blank lines / a BOM).
// Callers tell the exhibitor they uploaded the wrong file, which is more
// useful than an import of zero leads.
var ErrEmpty = errors.New("the file is empty: no header row")

const (
	// sniffSize bounds how much of the file is held in memory to guess the
	// dialect: a few hundred rows, plenty to see the header and judge the
	// encoding, and small enough for a Lambda handling many uploads at once.
	sniffSize = 64 << 10

	// maxRowBytes bounds one row. With lazy quotes an unclosed quote turns
	// the rest of the file into one cell; failing at 1 MiB keeps memory
	// constant and tells the exhibitor where to look, where no real
	// badge-scan row (even with long notes) comes close.
	maxRowBytes = 1 << 20
)

// errRowTooLong ends the read: encoding/csv cannot resynchronise in the
// middle of a row.
var errRowTooLong = fmt.Errorf("a row is longer than %d MiB: an unclosed quote probably swallowed the rest of the file", maxRowBytes>>20)

// errBlankRun ends the read too: encoding/csv skips blank lines inside one
// read, so a long run of them looks like one endless row.
var errBlankRun = fmt.Errorf("over %d MiB of blank lines in a row: remove them and upload again", maxRowBytes>>20)

// Encoding names as they appear in the import report.
const (
	encUTF8        = "UTF-8"
	encUTF8BOM     = "UTF-8 with BOM"
	encWindows1252 = "Windows-1252"
	encUTF16LE     = "UTF-16LE"
	encUTF16BE     = "UTF-16BE"
)

// Dialect says how a file was written, for the import report.
type Dialect struct {
	Encoding  string // "UTF-8", "UTF-8 with BOM", "Windows-1252", "UTF-16LE", "UTF-16BE"
	Delimiter rune   // ',', ';' or '\t'
}

// Row is one data row.
type Row struct {
	// Number counts the rows Read has returned, from 1, so that an import
	// report can say "row 12" without gaps where blank lines were skipped.
	// Rows that fail to parse still take a number: the exhibitor sees them.
	Number int
	// Line is where the row starts in the file, for finding it in a text
	// editor: a quoted cell can span lines, so it drifts from Number.
	Line int
	// Fields are as written, and as many as the row has: apps append
	// columns per show and Excel drops trailing empty cells, so rows can
	// be shorter or longer than the header. Mapping is the caller's job.
	Fields []string
}

// RowError reports a row that could not be parsed. It carries the row's
// position so the import can skip it, report it and go on.
type RowError struct {
	Number, Line int
	Err          error
}

func (e *RowError) Error() string {
	return fmt.Sprintf("badgescan: data row %d (line %d): %v", e.Number, e.Line, e.Err)
}

// Unwrap lets callers match the encoding/csv cause, e.g. csv.ErrBareQuote.
func (e *RowError) Unwrap() error { return e.Err }

// Reader reads rows from a CSV export, in constant memory: a big show's
// export runs to hundreds of thousands of rows and is imported inside a
// Lambda, so only the sniff window and the current row are ever held.
type Reader struct {
	csv      *csv.Reader
	limit    *rowLimiter
	header   []string
	dialect  Dialect
	number   int   // Number of the last row returned
	nextLine int   // the line after the last row returned
	err      error // sticky: once the stream is broken, every Read says so
}

// NewReader sniffs the encoding and delimiter from the start of r (it
// buffers at most 64 KiB to do so) and reads the header row, so that a file
// the import cannot use is rejected before any lead is stored. It returns
// ErrEmpty when there is no header row.
func NewReader(r io.Reader) (*Reader, error) {
	return newReader(r, true)
}

// newReader exists so that tests can turn lazy quotes off: with them on,
// encoding/csv never reports a parse error, and the RowError path would go
// untested.
func newReader(r io.Reader, lazyQuotes bool) (*Reader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	window, err := br.Peek(sniffSize)
	atEOF := false
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		atEOF = true
	default:
		return nil, fmt.Errorf("badgescan: reading the start of the file: %w", err)
	}

	enc, bom := sniffEncoding(window, atEOF)
	window = window[bom:]
	var delim rune
	var src io.Reader = br
	switch enc {
	case encUTF16LE, encUTF16BE:
		endian := xunicode.LittleEndian
		if enc == encUTF16BE {
			endian = xunicode.BigEndian
		}
		delim = sniffDelimiter(window, 2, enc == encUTF16BE)
		src = transform.NewReader(br, xunicode.UTF16(endian, xunicode.IgnoreBOM).NewDecoder())
	case encWindows1252:
		// The bytes that matter to the sniff (quotes, delimiters, line
		// ends) are ASCII, which Windows-1252 leaves alone.
		delim = sniffDelimiter(window, 1, false)
		src = transform.NewReader(br, windows1252{})
	default:
		delim = sniffDelimiter(window, 1, false)
	}
	// Discard only after sniffing: window aliases br's buffer.
	if _, err := br.Discard(bom); err != nil {
		return nil, fmt.Errorf("badgescan: skipping the byte order mark: %w", err)
	}

	limit := &rowLimiter{r: src}
	cr := csv.NewReader(limit)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = lazyQuotes
	cr.ReuseRecord = false
	cr.TrimLeadingSpace = false

	rd := &Reader{csv: cr, limit: limit, dialect: Dialect{Encoding: enc, Delimiter: delim}}
	for {
		rec, err := rd.next()
		if errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		if err != nil {
			return nil, fmt.Errorf("badgescan: reading the header row: %w", err)
		}
		if blankRecord(rec) {
			continue
		}
		for i, cell := range rec {
			rec[i] = trimCell(cell)
		}
		rd.header = rec
		rd.follow(rec)
		return rd, nil
	}
}

// Header returns the header cells, trimmed of surrounding spaces and of a
// leading BOM, because exporters pad them and Excel can leave a second BOM
// behind; blank cells stay "" so the mapper can name the column by position.
// The slice is the caller's to keep.
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Dialect says how the file was written, so an import report can explain
// garbled names ("read as Windows-1252") without anyone opening the file.
func (r *Reader) Dialect() Dialect { return r.dialect }

// Read returns the next row that has any non-blank cell, or io.EOF. Blank
// rows are skipped because spreadsheets leave them behind and they carry no
// lead.
//
// A row that cannot be parsed comes back with Number and Line set (Fields
// nil, as only part of it was understood) and a *RowError, and the next Read
// carries on with the following row. Any other error means the stream is
// unusable; Read keeps returning it.
func (r *Reader) Read() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		rec, err := r.next()
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			r.number++
			return Row{Number: r.number, Line: pe.StartLine}, &RowError{Number: r.number, Line: pe.StartLine, Err: pe}
		}
		if errors.Is(err, io.EOF) {
			r.err = io.EOF
			return Row{}, io.EOF
		}
		if err != nil {
			r.err = fmt.Errorf("badgescan: reading data row %d: %w", r.number+1, err)
			return Row{}, r.err
		}
		if blankRecord(rec) {
			continue
		}
		line, _ := r.csv.FieldPos(0)
		r.number++
		r.follow(rec)
		return Row{Number: r.number, Line: line, Fields: rec}, nil
	}
}

// rebase makes a row read as data the header instead (a report's table
// under its summary): rows are numbered from the one after it.
func (r *Reader) rebase(header []string) {
	r.header = header
	r.number = 0
}

// Position is where reading stands: the number the next row would have,
// and the line it would start on.
func (r *Reader) Position() (row, line int) {
	return r.number + 1, r.nextLine
}

// LineReached is the line the file had been read to: after an error that
// ends the stream, where the file broke.
func (r *Reader) LineReached() int { return r.limit.lines + 1 }

// follow notes where the record just read ends.
func (r *Reader) follow(rec []string) {
	line, _ := r.csv.FieldPos(0)
	breaks := 0
	for _, f := range rec {
		breaks += strings.Count(f, "\n")
	}
	r.nextLine = line + breaks + 1
}

// next reads one record and restarts the row-size budget after it.
func (r *Reader) next() ([]string, error) {
	rec, err := r.csv.Read()
	r.limit.rowStart, r.limit.content = r.csv.InputOffset(), 0
	return rec, err
}

// rowLimiter sits between the decoder and encoding/csv, which would
// otherwise grow one record without bound. It counts what it hands over and
// refuses more once the current row, which began at rowStart, is too long.
// The overshoot is at most csv's internal buffer.
type rowLimiter struct {
	r         io.Reader
	delivered int64
	rowStart  int64
	content   int64 // bytes other than line breaks handed over since rowStart
	lines     int   // line breaks handed over
}

func (l *rowLimiter) Read(p []byte) (int, error) {
	if l.delivered-l.rowStart > maxRowBytes {
		if l.content == 0 {
			return 0, errBlankRun
		}
		return 0, errRowTooLong
	}
	n, err := l.r.Read(p)
	l.delivered += int64(n)
	for _, c := range p[:n] {
		switch c {
		case '\n':
			l.lines++
		case '\r':
		default:
			l.content++
		}
	}
	return n, err
}

// readProblem says in a phrase what broke a file, without the Go packages'
// own words.
func readProblem(err error) string {
	var pe *csv.ParseError
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, errRowTooLong):
		return errRowTooLong.Error()
	case errors.Is(err, errBlankRun):
		return errBlankRun.Error()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends in the middle: the upload was cut short"
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt):
		return "the gzip data is damaged"
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return "the bytes cannot be decoded"
}

// sniffEncoding names the encoding of a file from its first bytes and says
// how many of them are a byte order mark. Without a BOM the choice is
// between UTF-8 and Windows-1252 only: those are what lead apps and Excel
// actually write, and Windows-1252 decodes any byte, so a wrong guess
// garbles a few accents instead of failing the import.
func sniffEncoding(b []byte, atEOF bool) (enc string, bom int) {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return encUTF8BOM, 3
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return encUTF16LE, 2
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return encUTF16BE, 2
	}
	if !atEOF {
		// The window may end inside a character that the next byte would
		// complete; judge only what is complete.
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	if utf8.Valid(b) {
		return encUTF8, 0
	}
	return encWindows1252, 0
}

// sniffDelimiter picks the delimiter that splits the header line most often.
// The header is judged because data cells hold commas (addresses, decimal
// commas in ';' files) while header names rarely do. Lines before it that
// hold no name (blank, or only delimiters as Excel writes empty rows) are
// passed over; a line of only delimiters is the fallback when no line has a
// name. b holds code units of width 1 (UTF-8, Windows-1252: the ASCII bytes
// that matter cannot occur inside a multi-byte character) or 2 (UTF-16, in
// which they are single units as well).
func sniffDelimiter(b []byte, width int, bigEndian bool) rune {
	var cur, fallback [3]int // counts of ',', ';', '\t'
	haveFallback := false
	inQuotes := false
	named := false    // the line has a character that can only be content
	nonBlank := false // the line has anything besides whitespace
	for i := 0; i+width <= len(b); i += width {
		c := rune(b[i])
		if width == 2 {
			if bigEndian {
				c = rune(b[i])<<8 | rune(b[i+1])
			} else {
				c = rune(b[i+1])<<8 | rune(b[i])
			}
		}
		switch {
		case c == '"':
			inQuotes = !inQuotes
			nonBlank = true
		case inQuotes:
			if !unicode.IsSpace(c) {
				named, nonBlank = true, true
			}
		case c == '\n':
			if named {
				return pickDelimiter(cur)
			}
			if nonBlank && !haveFallback {
				fallback, haveFallback = cur, true
			}
			cur, named, nonBlank = [3]int{}, false, false
		case c == ',':
			cur[0]++
			nonBlank = true
		case c == ';':
			cur[1]++
			nonBlank = true
		case c == '\t':
			cur[2]++
		case c == ' ' || c == '\r':
		default:
			named, nonBlank = true, true
		}
	}
	switch {
	case named:
		return pickDelimiter(cur)
	case haveFallback:
		return pickDelimiter(fallback)
	default:
		return pickDelimiter(cur)
	}
}

// pickDelimiter breaks ties towards ',' then ';': a one-column file has no
// delimiter at all and should still read as ordinary CSV.
func pickDelimiter(n [3]int) rune {
	switch {
	case n[2] > n[0] && n[2] > n[1]:
		return '\t'
	case n[1] > n[0]:
		return ';'
	default:
		return ','
	}
}

// trimCell trims what exporters pad cells with, including a stray BOM that
// survives when a file was saved with one twice.
func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

func blankRecord(rec []string) bool {
	return !slices.ContainsFunc(rec, func(f string) bool { return trimCell(f) != "" })
}
