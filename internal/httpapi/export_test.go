package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// TestLeadsCSVStaysInsideOneAnswer: an export that would pass Lambda's
// 6 MB response is refused as too large, and the read of the leads stops
// there; a smaller one is answered whole.
func TestLeadsCSVStaysInsideOneAnswer(t *testing.T) {
	tests := []struct {
		name  string
		leads int
		large bool
	}{{"a few", 3, false}, {"past the bound", 60_000, true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := 0
			campaignLeads := func(_ context.Context, _ string, each func(*lead.Record) error) error {
				for i := range tt.leads {
					read++
					r := &lead.Record{Lead: lead.Lead{ID: fmt.Sprintf("ld_%024d", i), Email: fmt.Sprintf("person%d@example.com", i),
						FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines Ltd", Title: "Head of Platform Engineering"}}
					if err := each(r); err != nil {
						return err
					}
				}
				return nil
			}
			resp, err := leadsCSV(context.Background(), "c", campaignLeads)
			if !tt.large {
				if err != nil || strings.Count(resp.Body, "\n") != tt.leads+1 {
					t.Fatalf("err %v, %d lines", err, strings.Count(resp.Body, "\n"))
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
