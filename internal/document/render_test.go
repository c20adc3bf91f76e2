package document

import (
	"html/template"
	"strings"
	"testing"
	texttemplate "text/template"
)

// The templates the renderings replaced (render.go), kept here as what the
// renderings must still write byte for byte.
var (
	markdownTemplate = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap{"md": markdownEscaper.Replace}).Parse(
		`# {{md .Title}}

_{{md .Subtitle}}_
{{range .Notices}}
> **{{md .}}**
{{end}}
| | |
|---|---|
{{range .Facts}}| {{md .Label}} | {{md .Text}} |
{{end}}{{range .Sections}}
## {{md .Title}}
{{with .Intro}}
{{md .}}
{{end}}{{if .Items}}
{{range .Items}}- **{{md .Label}}:** {{md .Text}}
{{end}}{{end}}{{if .Table}}
| {{index .Head 0}} | {{index .Head 1}} |
|---|---|
{{range .Table}}| {{md (index . 0)}} | {{md (index . 1)}} |
{{end}}{{end}}{{end}}`))
	htmlTemplate = template.Must(template.New("html").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — lead definition</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1c2430}
h1{margin-bottom:.2rem}.sub{color:#5b6575;margin-top:0}
.notice{background:#fff4d6;border-left:4px solid #e0a100;padding:.5rem .8rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #dde2ea;padding:.25rem .8rem .25rem 0;text-align:left}
h2{margin-top:2rem;border-bottom:1px solid #dde2ea}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{template "definition" .}}</body>
</html>
{{define "definition"}}<p class="sub">{{.Subtitle}}</p>
{{range .Notices}}<p class="notice"><strong>{{.}}</strong></p>
{{end}}<table>
{{range .Facts}}<tr><th>{{.Label}}</th><td>{{.Text}}</td></tr>
{{end}}</table>
{{range .Sections}}<h2>{{.Title}}</h2>
{{with .Intro}}<p>{{.}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li><strong>{{.Label}}:</strong> {{.Text}}</li>
{{end}}</ul>
{{end}}{{if .Table}}<table><tr><th>{{index .Head 0}}</th><th>{{index .Head 1}}</th></tr>
{{range .Table}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>
{{end}}</table>
{{end}}{{end}}{{end}}`))
)

// TestRenderingMatchesTemplates renders outlines that take every branch,
// with every character either escaper touches, both ways.
func TestRenderingMatchesTemplates(t *testing.T) {
	nasty := "<script>alert('x')</script> & \"q\" + *b* _i_ `c` [l](u) | # \\ \x00 \xff é — 😀"
	outlines := []outline{
		{},
		{Title: "T", Subtitle: "S", Facts: []item{{"L", "V"}}},
		{
			Title: nasty, Subtitle: nasty, Notices: []string{nasty, "plain"},
			Facts: []item{{nasty, nasty}, {"Owner", "ops@example.com"}},
			Sections: []section{
				{Title: nasty, Intro: nasty, Items: []item{{nasty, nasty}, {"a", ""}}},
				{Title: "Only a table", Head: [2]string{"Version", "Change <b>"}, Table: [][2]string{{nasty, nasty}, {"", "x"}}},
				{Title: "Empty"},
				{Title: "All", Intro: "i", Items: []item{{"k", "v"}}, Head: [2]string{"A", "B"}, Table: [][2]string{{"1", "2"}}},
			},
		},
	}
	for i, o := range outlines {
		var md, html strings.Builder
		o.markdown(&md)
		o.html(&html)
		var wantMD, wantHTML strings.Builder
		if err := markdownTemplate.Execute(&wantMD, o); err != nil {
			t.Fatal(err)
		}
		if err := htmlTemplate.Execute(&wantHTML, o); err != nil {
			t.Fatal(err)
		}
		if md.String() != wantMD.String() {
			t.Errorf("outline %d, Markdown:\n%s\nwant:\n%s", i, md.String(), wantMD.String())
		}
		if html.String() != wantHTML.String() {
			t.Errorf("outline %d, HTML:\n%s\nwant:\n%s", i, html.String(), wantHTML.String())
		}
		var fragment, wantFragment strings.Builder
		o.definition(&fragment)
		if err := htmlTemplate.ExecuteTemplate(&wantFragment, "definition", o); err != nil {
			t.Fatal(err)
		}
		if fragment.String() != wantFragment.String() {
			t.Errorf("outline %d, fragment:\n%s\nwant:\n%s", i, fragment.String(), wantFragment.String())
		}
	}
}
