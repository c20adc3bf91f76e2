// Package export writes a campaign's leads as CSV for a spreadsheet: the
// one description of the export's columns, used by the API and the console.
package export

import (
	"bytes"
	"io"
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/safecsv"
)

// Columns are the export's columns.
var Columns = []string{"lead_id", "email", "first_name", "last_name", "company", "title", "country", "stage", "grade", "score", "owner", "definition_version", "updated_at"}

// Leads writes the header, then every lead list hands it, spreadsheet-safe:
// a name typed as =HYPERLINK(...) into a form stays text in a spreadsheet.
func Leads(w io.Writer, list func(each func(*lead.Record) error) error) error {
	cw := safecsv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	err := list(func(r *lead.Record) error {
		return cw.Write([]string{r.ID, r.Email, r.FirstName, r.LastName, r.Company, r.Title, r.Country, string(r.Stage), r.Verdict.Grade.String(),
			strconv.FormatFloat(r.Verdict.Score, 'f', 1, 64), r.Owner, strconv.Itoa(r.Verdict.Version), r.UpdatedAt.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return err
	}
	return cw.Flush()
}

// MaxBytes keeps an export inside Lambda's 6 MB response: past it API
// Gateway would answer a bare 500, after every lead had been read.
const MaxBytes = 5 << 20

// Answer is Leads as one HTTP answer's body, for the API and the console
// alike: an export that would grow past MaxBytes is refused as too large
// (ETOOLARGE), and the read of the leads stops there.
func Answer(list func(each func(*lead.Record) error) error) (string, error) {
	var b bounded
	if err := Leads(&b, list); err != nil {
		return "", err
	}
	return b.String(), nil
}

// bounded is an export's answer, refusing to grow past MaxBytes.
type bounded struct{ bytes.Buffer }

func (b *bounded) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxBytes {
		return 0, leadgate.Errorf(leadgate.ETOOLARGE, "The campaign's leads are over %d MB of CSV, more than one answer can carry.", MaxBytes>>20)
	}
	return b.Buffer.Write(p)
}
