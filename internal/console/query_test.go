package console

import (
	"testing"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// TestCampaignQueryNamesWhatExists: a version the campaign does not have,
// or half a comparison, is refused with the parameter named, rather than
// answered with an empty funnel or no diff.
func TestCampaignQueryNamesWhatExists(t *testing.T) {
	tests := []struct {
		name string
		q    CampaignQuery
		bad  string // the parameter named; "" for none
	}{
		{"nothing asked", CampaignQuery{}, ""},
		{"the latest version", CampaignQuery{Version: 3}, ""},
		{"a comparison", CampaignQuery{DiffFrom: 1, DiffTo: 3}, ""},
		{"a version past the latest", CampaignQuery{Version: 4}, "version"},
		{"a comparison with a missing version", CampaignQuery{DiffFrom: 1, DiffTo: 9}, "diffTo"},
		{"diffFrom alone", CampaignQuery{DiffFrom: 2}, "diffTo"},
		{"diffTo alone", CampaignQuery{DiffTo: 2}, "diffTo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.check(3)
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if leadgate.ErrorCode(err) != leadgate.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if ps := leadgate.ErrorProblems(err); len(ps) == 0 || ps[0].Path != tt.bad {
				t.Errorf("problems = %+v, want one naming %s", ps, tt.bad)
			}
		})
	}
}
