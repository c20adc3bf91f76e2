// Package leadgatetest holds what tests of leadgate's edges share.
package leadgatetest

import (
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// APIWords fails when what a caller reads of err (its message and its
// problems) names Go's types or packages instead of the API's fields.
func APIWords(t testing.TB, err error) {
	t.Helper()
	text := leadgate.ErrorMessage(err)
	for _, p := range leadgate.ErrorProblems(err) {
		text += " " + p.Path + " " + p.Message
	}
	for _, leak := range []string{"Go ", "struct", "sales.", "json:", "interface {", "map[string]"} {
		if strings.Contains(text, leak) {
			t.Fatalf("the answer names %q: %s", leak, text)
		}
	}
}
