package wiring

import (
	"os/exec"
	"strings"
	"testing"
)

// TestIntakeLinksTheLeanStores: the public form endpoint is the function
// whose cold start and binary (8 MiB, issue 16) matter most, so it stores
// through leadtable and campaigntable, whose items are coded by hand. A
// change that has it import package dynamo, or attributevalue by any road,
// brings back the reflection codec and the stream types it links (about
// 130 KB, and their package init on every cold start).
func TestIntakeLinksTheLeanStores(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../functions/intake").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "github.com/leadgate/leadgate/internal/dynamo",
			strings.HasSuffix(pkg, "/attributevalue"),
			strings.Contains(pkg, "/service/dynamodbstreams"):
			t.Errorf("functions/intake links %s: find who imports it (go list -deps -f '{{.ImportPath}} {{.Imports}}' ./functions/intake)", pkg)
		}
	}
}
