package definitions

import (
	"testing"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// TestSideOf: the side signed for is the one named, which the signer's
// scopes must allow, or the signer's only side.
func TestSideOf(t *testing.T) {
	both := Signer{ID: "ops", Sides: []string{"marketing", "sales"}}
	sales := Signer{ID: "anna", Sides: []string{"sales"}}
	none := Signer{ID: "eve"}
	tests := []struct {
		name  string
		who   Signer
		named string
		side  string
		code  string
	}{
		{"the only side", sales, "", "sales", ""},
		{"named and allowed", both, "marketing", "marketing", ""},
		{"named, not allowed", sales, "marketing", "", leadgate.EFORBIDDEN},
		{"unknown side", sales, "finance", "", leadgate.EINVALID},
		{"two sides, none named", both, "", "", leadgate.EINVALID},
		{"no side at all", none, "", "", leadgate.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			side, err := sideOf(tt.who, tt.named)
			if side != tt.side || leadgate.ErrorCode(err) != tt.code {
				t.Errorf("sideOf = %q, %v; want %q, code %q", side, err, tt.side, tt.code)
			}
		})
	}
}

func TestMode(t *testing.T) {
	for in, want := range map[string]string{"": "forward", "forward": "forward", "rejudge": "rejudge"} {
		if got, err := Mode(in); got != want || err != nil {
			t.Errorf("Mode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := Mode("now"); leadgate.ErrorCode(err) != leadgate.EINVALID {
		t.Errorf("Mode(now): %v", err)
	}
}
