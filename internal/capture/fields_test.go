package capture

import (
	"testing"

	"github.com/leadgate/leadgate/internal/campaign"
)

// TestNumbersFallIntoBands: a company size given as a number takes the
// band it falls in; words and numbers outside every band are refused.
func TestNumbersFallIntoBands(t *testing.T) {
	d := &campaign.Definition{Fields: campaign.Fields{Custom: []campaign.Field{{Name: "employees", Type: campaign.FieldChoice,
		Options: []string{"1-50", "51-200", "201-1000", "1,001–5,000", "5000+"}}}}}
	tests := map[string]string{"800": "201-1000", "51": "51-200", "2,500": "1,001–5,000", "12000": "5000+", "201-1000": "201-1000", "0": "", "lots": ""}
	for in, want := range tests {
		got, _, problem := NormalizeField(d, "employees", in)
		if got != want || (want == "") != (problem != "") {
			t.Errorf("%q: %q (%s), want %q", in, got, problem, want)
		}
	}
}

func TestLabelsMapLikeNames(t *testing.T) {
	d := &campaign.Definition{Fields: campaign.Fields{Custom: []campaign.Field{{Name: "employees", Label: "Company size", Type: campaign.FieldChoice, Options: []string{"1-50"}}}}}
	for _, name := range []string{"employees", "Company size", "company_size", "COMPANY SIZE"} {
		if f, ok := FieldFor(d, name); !ok || f != "employees" {
			t.Errorf("%q: %q %v", name, f, ok)
		}
	}
	if f, ok := FieldFor(d, "Company"); !ok || f != "company" {
		t.Errorf("Company: %q %v", f, ok)
	}
}
