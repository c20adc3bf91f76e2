package export_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/export"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

func TestLeadsKeepsFormulasText(t *testing.T) {
	leads := []*lead.Record{
		{Lead: lead.Lead{ID: "l1", Email: "ana@example.com", FirstName: `=HYPERLINK("http://x","y")`, Company: "Acme"}, Stage: lead.StageMQL, UpdatedAt: time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC)},
	}
	var b bytes.Buffer
	err := export.Leads(&b, func(each func(*lead.Record) error) error {
		for _, r := range leads {
			if err := each(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[0]) != len(export.Columns) || rows[1][0] != "l1" || rows[1][7] != "mql" || rows[1][12] != "2026-11-02T03:04:05Z" {
		t.Fatalf("rows: %q", rows)
	}
	if first := rows[1][2]; first[0] == '=' {
		t.Fatalf("a formula stayed a formula: %q", first)
	}
}

func TestLeadsReportsTheListsError(t *testing.T) {
	boom := errors.New("store down")
	if err := export.Leads(&bytes.Buffer{}, func(func(*lead.Record) error) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

// TestAnswerStaysInsideOneAnswer: an export that would pass Lambda's 6 MB
// response is refused as too large, and the read of the leads stops there;
// a smaller one is answered whole.
func TestAnswerStaysInsideOneAnswer(t *testing.T) {
	tests := []struct {
		name  string
		leads int
		large bool
	}{{"a few", 3, false}, {"past the bound", 60_000, true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := 0
			body, err := export.Answer(func(each func(*lead.Record) error) error {
				for i := range tt.leads {
					read++
					r := &lead.Record{Lead: lead.Lead{ID: fmt.Sprintf("ld_%024d", i), Email: fmt.Sprintf("person%d@example.com", i),
						FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines Ltd", Title: "Head of Platform Engineering"}}
					if err := each(r); err != nil {
						return err
					}
				}
				return nil
			})
			if !tt.large {
				if err != nil || strings.Count(body, "\n") != tt.leads+1 {
					t.Fatalf("err %v, %d lines", err, strings.Count(body, "\n"))
				}
				return
			}
			if leadgate.ErrorCode(err) != leadgate.ETOOLARGE {
				t.Fatalf("err = %v, want ETOOLARGE", err)
			}
			if read >= tt.leads {
				t.Errorf("all %d leads were read before the export was refused", read)
			}
		})
	}
}
