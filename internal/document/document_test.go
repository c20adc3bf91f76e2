package document_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/document"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestDocumentGolden renders every example definition both ways and compares
// with testdata/; run `go test ./internal/document -update` after a deliberate
// change and read the diff.
func TestDocumentGolden(t *testing.T) {
	for id, d := range examples(t) {
		p := &campaign.Published{Version: 2, PublishedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), PublishedBy: "maria.lopez@leadgate.example", Definition: d}
		// Version 1 asked 5 more points: the change log says so.
		v1 := &campaign.Published{Version: 1, PublishedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), PublishedBy: "daniel.osei@leadgate.example", Definition: clone(t, d)}
		v1.Definition.Engagement.Threshold += 5
		history := []*campaign.Published{p, v1}
		for ext, write := range map[string]func(*bytes.Buffer) error{
			"md":   func(b *bytes.Buffer) error { return document.Markdown(b, p, history, now) },
			"html": func(b *bytes.Buffer) error { return document.HTML(b, p, history, now) },
		} {
			t.Run(id+"."+ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := write(&b); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", id+"."+ext)
				if *update {
					if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(b.Bytes(), want) {
					t.Errorf("%s differs from the rendering; run with -update and review the diff", golden)
				}
			})
		}
	}
}

func TestDocumentEscapesAuthorText(t *testing.T) {
	d := mustParse(t, strings.Replace(minimal, "name: Spring webinar", `name: "<script>alert(1)</script> *Launch* | x"`, 1))
	if _, err := d.Validate(now); err != nil {
		t.Fatal(err)
	}
	p := &campaign.Published{Version: 1, Definition: d}
	var h, m bytes.Buffer
	if err := document.HTML(&h, p, nil, now); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<script>") || !strings.Contains(h.String(), "&lt;script&gt;") {
		t.Errorf("HTML does not escape the name:\n%s", h.String())
	}
	if err := document.Markdown(&m, p, nil, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.String(), `# &lt;script&gt;alert(1)&lt;/script&gt; \*Launch\* \| x`) {
		t.Errorf("Markdown does not escape the name:\n%s", m.String())
	}
}

func TestDocumentFlagsOverdueReview(t *testing.T) {
	d := mustParse(t, strings.Replace(minimal, "2027-03-01", "2026-10-01", 1))
	if _, err := d.Validate(now); err != nil {
		t.Fatal(err)
	}
	var m bytes.Buffer
	if err := document.Markdown(&m, &campaign.Published{Version: 1, Definition: d}, nil, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.String(), "Overdue for review") {
		t.Errorf("no overdue notice:\n%s", m.String())
	}
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// examples returns the definitions shipped in campaigns/, validated.
func examples(t testing.TB) map[string]*campaign.Definition {
	t.Helper()
	files, err := filepath.Glob("../../campaigns/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("want the example definitions, got %v (%v)", files, err)
	}
	out := map[string]*campaign.Definition{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := mustParse(t, string(b))
		if _, err := d.Validate(now); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[d.ID] = d
	}
	return out
}

const minimal = `id: spring-webinar
name: Spring webinar
channel: landing-page
funnel: top
owner: ops@example.com
salesOwner: sales@example.com
reviewBy: 2027-03-01
engagement:
  threshold: 30
  points: {webinar-attended: 20}
`

func mustParse(t testing.TB, doc string) *campaign.Definition {
	t.Helper()
	d, err := authored.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestChangeLogCoversTheVersionsGiven: each version's line says what it
// changed from the one before; a log cut short says where the rest is.
func TestChangeLogCoversTheVersionsGiven(t *testing.T) {
	d := mustParse(t, minimal)
	if _, err := d.Validate(now); err != nil {
		t.Fatal(err)
	}
	var history []*campaign.Published
	for v := 4; v >= 2; v-- {
		dv := clone(t, d)
		dv.Engagement.Threshold = float64(20 + 5*v)
		history = append(history, &campaign.Published{Version: v, PublishedBy: "maria", Definition: dv})
	}
	var m bytes.Buffer
	if err := document.Markdown(&m, history[0], history, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Change log", "The last 2 versions", "Version 4, 0001-01-01 by maria:** MQL threshold 35 → 40", "Version 3, 0001-01-01 by maria:** MQL threshold 30 → 35"} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("no %q in:\n%s", want, m.String())
		}
	}
}

func clone(t testing.TB, d *campaign.Definition) *campaign.Definition {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out campaign.Definition
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}
