package devstack_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
)

// TestFindByNameTakesEachWordAsTheLastName: a lookup queries the byName
// index once per word (side by side), taking that word as the last name and
// the others as the start of the first name, and lists the first word's
// matches first, each lead once, at most limit.
func TestFindByNameTakesEachWordAsTheLastName(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t: t, base: sys.URL}
	for i, p := range []struct{ first, last string }{
		{"Ada", "Lovelace"}, {"Ada", "Byron"}, {"Lovelace", "Ada"}, {"Adalbert", "Lovelace"}, {"Grace", "Hopper"},
	} {
		body := jsonForm(map[string]any{"email": fmt.Sprintf("person%d@names%d.example", i, i), "firstName": p.first, "lastName": p.last,
			"company": "Names", "jobTitle": "CTO", "country": "US", "consent": true, "_ts": renderedAt()})
		if r := c.do("POST", submissions, "application/json", body); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	store := dynamo.NewLeadStore(dynamodb.NewFromConfig(cfg), sys.Resources.Tables["LeadsTable"])
	names := func(query string, limit int) []string {
		t.Helper()
		leads, err := store.FindByName(context.Background(), query, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range leads {
			out = append(out, l.FirstName+" "+l.LastName)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		limit int
		want  []string
	}{
		{"lovelace", 20, []string{"Ada Lovelace", "Adalbert Lovelace"}},
		// "ada" as the last name first (Lovelace Ada), then "lovelace" as
		// the last name with a first name starting "ada".
		{"ada lovelace", 20, []string{"Lovelace Ada", "Ada Lovelace", "Adalbert Lovelace"}},
		{"LOVELACE  ada", 20, []string{"Ada Lovelace", "Adalbert Lovelace", "Lovelace Ada"}},
		{"lovelace ada", 1, []string{"Ada Lovelace"}},
		{"hopper grace", 20, []string{"Grace Hopper"}},
		{"byron ada hopper", 20, nil}, // no one is "ada hopper…" or "byron hopper…"
		{"nobody", 20, nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := names(tc.query, tc.limit)
			// Within one word's matches the index orders by first name
			// then id; across words, the order of the words.
			if !slices.Equal(got, tc.want) {
				t.Errorf("%q finds %q, want %q", tc.query, got, tc.want)
			}
		})
	}
}
