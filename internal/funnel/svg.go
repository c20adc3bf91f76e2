package funnel

import (
	"fmt"
	"html"
	"strings"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
)

// The charts are drawn on the server as SVG: they need no script, print as
// they show, and every value in them is escaped, since campaign names come
// from people.

const (
	chartWidth = 560
	labelWidth = 110 // left of the plot: stage names
	plotWidth  = chartWidth - labelWidth - 50
	barHeight  = 20
	barGap     = 6
)

// SVG draws a report's whole period: the stages and the leakage.
func SVG(r Report) string {
	var b strings.Builder
	stages, sh := stagesBody(r.Total, 0)
	leak, lh := leakageBody(r.Total, r.Bounds, r.Verdict, sh+10)
	h := sh + lh + 10
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="Funnel of %s">`,
		chartWidth, h, chartWidth, h, html.EscapeString(r.Campaign))
	b.WriteString(chartStyle)
	b.WriteString(stages)
	b.WriteString(leak)
	b.WriteString(`</svg>`)
	return b.String()
}

// StagesSVG draws how many leads entered each stage, as bars on a counted
// axis, titled title.
func StagesSVG(title string, n Numbers) string {
	body, h := stagesBody(n, 0)
	return wrap(title, body, h)
}

// LeakageSVG draws the MQL→SQL leakage on a 0–100 % scale, with the band the
// definition agrees and how many MQLs the figure stands on.
func LeakageSVG(title string, n Numbers, bounds *campaign.Leakage, verdict string) string {
	body, h := leakageBody(n, bounds, verdict, 0)
	return wrap(title, body, h)
}

const chartStyle = `<style>text{font:13px system-ui,sans-serif;fill:#1c2430}.n{fill:#3d4756}.axis{stroke:#6b7585;stroke-width:1}.tick{fill:#3d4756;font-size:11px}</style>`

func wrap(title, body string, h int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		chartWidth, h, chartWidth, h, html.EscapeString(title))
	b.WriteString(`<title>` + html.EscapeString(title) + `</title>`)
	b.WriteString(chartStyle)
	b.WriteString(body)
	b.WriteString(`</svg>`)
	return b.String()
}

// niceMax rounds n up to an axis end with round ticks: 1, 2, 5 × 10^k.
func niceMax(n int) (end, step int) {
	if n <= 5 {
		return 5, 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			step := m * p
			if step*5 >= n {
				return step * ((n + step - 1) / step), step
			}
		}
	}
}

// stagesBody draws the stage bars starting at y0 and returns its height.
func stagesBody(n Numbers, y0 int) (string, int) {
	var b strings.Builder
	maxN := 0
	for _, s := range Stages {
		maxN = max(maxN, n.Entered[string(s)])
	}
	end, step := niceMax(maxN)
	x := func(v int) int { return labelWidth + plotWidth*v/end }
	for i, s := range Stages {
		v := n.Entered[string(s)]
		y := y0 + 8 + i*(barHeight+barGap)
		color := "#2f5fc4"
		if s == lead.StageDisqualified || s == lead.StageNurture {
			color = "#6b7585"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text><rect x="%d" y="%d" width="%d" height="%d" fill="%s" rx="2"/><text class="n" x="%d" y="%d">%d</text>`,
			y+15, html.EscapeString(string(s)), labelWidth, y, max(x(v)-labelWidth, 1), barHeight, color, x(v)+6, y+15, v)
	}
	axisY := y0 + 8 + len(Stages)*(barHeight+barGap)
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, labelWidth, axisY, labelWidth+plotWidth, axisY)
	for v := 0; v <= end; v += step {
		fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/><text class="tick" x="%d" y="%d" text-anchor="middle">%d</text>`,
			x(v), axisY, x(v), axisY+4, x(v), axisY+16, v)
	}
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="middle">leads entering the stage</text>`, labelWidth+plotWidth/2, axisY+32)
	return b.String(), axisY + 40 - y0
}

// leakageBody draws the leakage scale starting at y0 and returns its
// height.
func leakageBody(n Numbers, bounds *campaign.Leakage, verdict string, y0 int) (string, int) {
	var b strings.Builder
	x := func(f float64) int { return labelWidth + int(f*float64(plotWidth)) }
	mqls := n.Entered[string(lead.StageMQL)]
	title := "MQL→SQL leakage: not measured (0 MQLs)"
	if n.Leakage != nil {
		title = fmt.Sprintf("MQL→SQL leakage %.0f%% of %d MQL(s)", *n.Leakage*100, mqls)
	}
	if bounds != nil {
		title += fmt.Sprintf(", agreed %.0f–%.0f%%", bounds.Min*100, bounds.Max*100)
	}
	if verdict != "" {
		title += " — " + verdict
	}
	fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y0+14, html.EscapeString(title))
	barY := y0 + 26
	fmt.Fprintf(&b, `<text x="0" y="%d">leakage</text>`, barY+13)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#eef1f5" stroke="#6b7585"/>`, labelWidth, barY, plotWidth)
	if bounds != nil {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#b9e3c4"><title>agreed band</title></rect>`, x(bounds.Min), barY, max(x(bounds.Max)-x(bounds.Min), 1))
	}
	if n.Leakage != nil {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="4" height="24" fill="#b03020"><title>measured</title></rect>`, x(*n.Leakage)-2, barY-4)
	}
	axisY := barY + 22
	for p := 0; p <= 100; p += 20 {
		xx := x(float64(p) / 100)
		fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/><text class="tick" x="%d" y="%d" text-anchor="middle">%d%%</text>`,
			xx, axisY, xx, axisY+4, xx, axisY+16, p)
	}
	return b.String(), axisY + 24 - y0
}
