package funnel_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/funnel"
)

// wellFormed parses svg as XML: an unescaped value breaks it.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func TestChartsEscapeAndLabel(t *testing.T) {
	counters := []funnel.Counter{{Key: funnel.Key{Version: 1}, Counts: map[string]int{"entered.mql": 8, "entered.sql": 2, "entered.suspect": 30}}}
	r := funnel.Build(`<script>alert("x")</script>&co`, time.Now().AddDate(0, 0, -30), time.Now(), counters, &campaign.Leakage{Min: 0.2, Max: 0.6})
	tests := []struct {
		name string
		svg  string
		want []string
	}{
		{"whole report", funnel.SVG(r), []string{"&lt;script&gt;", "agreed 20–60%", "75% of 8 MQL(s)", ">30<", ">100%<"}},
		{"stages", funnel.StagesSVG(`Stages of <b>`, r.Total), []string{"Stages of &lt;b&gt;", "leads entering the stage", ">0<", ">30<"}},
		{"leakage", funnel.LeakageSVG("Leakage", r.Total, r.Bounds, r.Verdict), []string{"agreed band", "measured", "too-high", ">60%<"}},
		{"leakage without MQLs", funnel.LeakageSVG("Leakage", funnel.Numbers{Entered: map[string]int{}}, nil, ""), []string{"not measured (0 MQLs)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wellFormed(t, tt.svg)
			if strings.Contains(tt.svg, "<script>") || strings.Contains(tt.svg, "<b>") {
				t.Fatalf("markup from a value reached the chart:\n%s", tt.svg)
			}
			for _, w := range tt.want {
				if !strings.Contains(tt.svg, w) {
					t.Errorf("chart lacks %q:\n%s", w, tt.svg)
				}
			}
		})
	}
}
