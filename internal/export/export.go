// Package export writes a campaign's leads as CSV for a spreadsheet: the
// one description of the export's columns, used by the API and the console.
package export

import (
	"io"
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
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
