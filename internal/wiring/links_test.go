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

// TestFunctionsLinkNoServiceSchemas: since mid-2026 the SDK's service
// clients serialise through schemas, and a service's schemas package
// builds every shape of its API at package init, used or not: DynamoDB's
// allocated 587 KB in 3,151 allocations at every cold start, and
// hello + one DynamoDB client went from 1.04–1.19× to 1.32–1.54× a bare
// hello (BENCHMARKS.md, "schema serde"). go.mod keeps each client at its
// last release before that; an upgrade that brings a schemas package back
// fails here. Lift the pin when the SDK builds schemas lazily, with
// BenchmarkColdStart's figures to show it.
func TestFunctionsLinkNoServiceSchemas(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../functions/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/") && strings.HasSuffix(pkg, "/schemas") {
			t.Errorf("a function links %s: its package init builds the whole API's schemas on every cold start (see go.mod)", pkg)
		}
	}
}
