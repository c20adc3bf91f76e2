package document

import (
	"io"
	"strings"
)

// The two renderings are written out by hand, not by text/template and
// html/template: executing a template calls reflect's MethodByName, and a
// binary that can reach that keeps every exported method of every type it
// links (the linker cannot tell which a template might call), which made
// the campaigns function 13 MiB. TestRenderingMatchesTemplates holds both
// to the templates they replace.

// write renders o with render and writes it to w in one piece.
func write(w io.Writer, render func(*strings.Builder)) error {
	var b strings.Builder
	render(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// markdown writes the outline as Markdown, author text escaped
// (markdownEscaper).
func (o outline) markdown(b *strings.Builder) {
	md := markdownEscaper.Replace
	b.WriteString("# " + md(o.Title) + "\n\n_" + md(o.Subtitle) + "_\n")
	for _, n := range o.Notices {
		b.WriteString("\n> **" + md(n) + "**\n")
	}
	b.WriteString("\n| | |\n|---|---|\n")
	for _, f := range o.Facts {
		b.WriteString("| " + md(f.Label) + " | " + md(f.Text) + " |\n")
	}
	for _, s := range o.Sections {
		b.WriteString("\n## " + md(s.Title) + "\n")
		if s.Intro != "" {
			b.WriteString("\n" + md(s.Intro) + "\n")
		}
		if len(s.Items) > 0 {
			b.WriteString("\n")
			for _, it := range s.Items {
				b.WriteString("- **" + md(it.Label) + ":** " + md(it.Text) + "\n")
			}
		}
		if len(s.Table) > 0 {
			// The column names are the package's own words, not escaped.
			b.WriteString("\n| " + s.Head[0] + " | " + s.Head[1] + " |\n|---|---|\n")
			for _, row := range s.Table {
				b.WriteString("| " + md(row[0]) + " | " + md(row[1]) + " |\n")
			}
		}
	}
}

const htmlHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>`

const htmlStyle = ` — lead definition</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1c2430}
h1{margin-bottom:.2rem}.sub{color:#5b6575;margin-top:0}
.notice{background:#fff4d6;border-left:4px solid #e0a100;padding:.5rem .8rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #dde2ea;padding:.25rem .8rem .25rem 0;text-align:left}
h2{margin-top:2rem;border-bottom:1px solid #dde2ea}
</style>
</head>
<body>
<h1>`

// html writes the outline as a standalone page. Every value is text
// between tags (or in the title), escaped as html/template escapes text
// there (escapeHTML).
func (o outline) html(b *strings.Builder) {
	h := escapeHTML
	b.WriteString(htmlHead + h(o.Title) + htmlStyle + h(o.Title) + "</h1>\n")
	o.definition(b)
	b.WriteString("</body>\n</html>\n")
}

// definition writes the page's body after its heading: the fragment the
// console's campaign page embeds under a title of its own.
func (o outline) definition(b *strings.Builder) {
	h := escapeHTML
	b.WriteString("<p class=\"sub\">" + h(o.Subtitle) + "</p>\n")
	for _, n := range o.Notices {
		b.WriteString("<p class=\"notice\"><strong>" + h(n) + "</strong></p>\n")
	}
	b.WriteString("<table>\n")
	for _, f := range o.Facts {
		b.WriteString("<tr><th>" + h(f.Label) + "</th><td>" + h(f.Text) + "</td></tr>\n")
	}
	b.WriteString("</table>\n")
	for _, s := range o.Sections {
		b.WriteString("<h2>" + h(s.Title) + "</h2>\n")
		if s.Intro != "" {
			b.WriteString("<p>" + h(s.Intro) + "</p>\n")
		}
		if len(s.Items) > 0 {
			b.WriteString("<ul>\n")
			for _, it := range s.Items {
				b.WriteString("<li><strong>" + h(it.Label) + ":</strong> " + h(it.Text) + "</li>\n")
			}
			b.WriteString("</ul>\n")
		}
		if len(s.Table) > 0 {
			b.WriteString("<table><tr><th>" + h(s.Head[0]) + "</th><th>" + h(s.Head[1]) + "</th></tr>\n")
			for _, row := range s.Table {
				b.WriteString("<tr><td>" + h(row[0]) + "</td><td>" + h(row[1]) + "</td></tr>\n")
			}
			b.WriteString("</table>\n")
		}
	}
}

// escapeHTML escapes text as html/template does in text and RCDATA (the
// title): NUL becomes U+FFFD, and " & ' + < > character references.
// html.EscapeString differs (&#34; against &quot;, and + is kept).
var escapeHTML = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;",
).Replace
