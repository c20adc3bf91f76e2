// Package safecsv writes CSV that spreadsheets open as data, whatever the
// cells hold. People type anything into forms and badge apps, and a cell
// such as =HYPERLINK(…) or x;=cmd|'/C calc'!A0 runs as a formula in Excel,
// LibreOffice or Google Sheets; a European locale splits on ';', and some
// tools split on tabs.
//
// Two rules (after OWASP's advice on CSV injection):
//   - a cell is quoted whenever it holds a delimiter of any common dialect
//     (',' ';' tab), a quote or a line break, so no dialect splits it;
//   - every piece a spreadsheet might split out of it, and the cell itself,
//     that would start with = + - @ (or a tab or carriage return) gets a
//     leading apostrophe, which spreadsheets show as text.
package safecsv

import (
	"bufio"
	"io"
	"strings"
)

// Writer writes records, one per line, with CRLF line ends as RFC 4180
// and Excel want.
type Writer struct {
	w *bufio.Writer
}

// NewWriter returns a Writer on w; call Flush when done.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Write writes one record, each cell made safe.
func (w *Writer) Write(record []string) error {
	for i, cell := range record {
		if i > 0 {
			w.w.WriteByte(',')
		}
		cell = Cell(cell)
		if strings.ContainsAny(cell, ",;\t\"\r\n") || strings.TrimSpace(cell) != cell {
			w.w.WriteByte('"')
			w.w.WriteString(strings.ReplaceAll(cell, `"`, `""`))
			w.w.WriteByte('"')
		} else {
			w.w.WriteString(cell)
		}
	}
	_, err := w.w.WriteString("\r\n")
	return err
}

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// Cell neutralises what a spreadsheet would run as a formula: the cell, and
// each piece after a delimiter or line break, that starts (after spaces)
// with a formula character gets a leading apostrophe.
func Cell(s string) string {
	var b strings.Builder
	start := true // at the start of the cell or of a piece
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start {
			if c == ' ' {
				b.WriteByte(c)
				continue
			}
			if strings.IndexByte("=+-@\t\r", c) >= 0 {
				b.WriteByte('\'')
			}
			start = false
		}
		b.WriteByte(c)
		if strings.IndexByte(",;\t\n\r", c) >= 0 {
			start = true
		}
	}
	return b.String()
}
