package console

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// Render writes page, laid out, to w. It renders into a buffer first, so a
// page that fails never sends half of itself.
func Render(w io.Writer, page string, v View) error {
	content := contentOf(page)
	if content == nil {
		return fmt.Errorf("console: no page %q", page)
	}
	var p writer
	p.layout(v, content)
	if p.err != nil {
		return fmt.Errorf("console: render %s: %w", page, p.err)
	}
	_, err := p.b.WriteTo(w)
	return err
}

// contentOf is the function writing a page's content, nil for no page.
func contentOf(page string) func(*writer, View) {
	switch page {
	case PageLogin:
		return (*writer).login
	case PageError:
		return (*writer).errorPage
	case PageCampaigns:
		return (*writer).campaigns
	case PageCampaign:
		return (*writer).campaign
	case PageLookup:
		return (*writer).lookup
	case PageLead:
		return (*writer).lead
	case PageQueue:
		return (*writer).queue
	}
	return nil
}

// writer is a page being written. Markup goes in as it is, values through
// the escaper of where they stand (escape.go). It keeps the first error,
// so the page's parts need not each return one.
type writer struct {
	b   bytes.Buffer
	err error
}

// put writes markup and values already escaped.
func (w *writer) put(parts ...string) {
	for _, s := range parts {
		w.b.WriteString(s)
	}
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// missing fails the page for a value it needs and was not given, as the
// templates failed on a nil pointer.
func (w *writer) missing(what string) { w.fail(fmt.Errorf("no %s to show", what)) }

func itoa(n int) string { return strconv.Itoa(n) }

// pageOf is the view's page as a *T: the adapter passes some pages by
// value and some by pointer, and the templates took either.
func pageOf[T any](w *writer, v View) *T {
	switch p := v.Page.(type) {
	case T:
		return &p
	case *T:
		if p != nil {
			return p
		}
	}
	w.fail(fmt.Errorf("page data is %T, want a %T", v.Page, new(T)))
	return nil
}

// layout writes the page around its content: the head, the navigation the
// viewer may use, and the flash.
func (w *writer) layout(v View, content func(*writer, View)) {
	w.put(layoutHead, esc(v.Title), layoutStyle)
	if v.Viewer.Name != "" {
		w.put("<nav aria-label=\"Console\"><ul>\n<li><a href=\"/console\">Campaigns</a></li>\n")
		if v.Viewer.LeadsRead {
			w.put("<li><a href=\"/console/leads\">Lead lookup</a></li>\n<li><a href=\"/console/queue\">Sales queue</a></li>")
		}
		w.put("\n</ul></nav>\n<div class=\"who\"><span>Signed in as ", esc(v.Viewer.Name), "</span>\n",
			`<form method="post" action="/console/logout">`, csrfInput(v.Viewer.CSRF), `<button type="submit">Sign out</button></form></div>`)
	}
	w.put("\n</header>\n<main id=\"main\">\n")
	if v.Flash != "" {
		w.put(`<p class="notice" role="status">`, esc(v.Flash), "</p>")
	}
	w.put("\n")
	content(w, v)
	w.put("\n</main>\n</body>\n</html>")
}

const layoutHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>`

const layoutStyle = ` — leadgate console</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1c2430;background:#fff}
a{color:#1a4fb4}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #e0a100;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
header{background:#1c2430;color:#fff;padding:.6rem 1rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem}
header .who{margin-left:auto;display:flex;gap:.8rem;align-items:center}
main{max-width:72rem;margin:1.5rem auto;padding:0 1rem}
h1{margin:.2rem 0 .4rem}h2{margin-top:2rem;border-bottom:1px solid #c9d0da}
.sub{color:#3d4756;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #dde2ea;padding:.3rem .9rem .3rem 0;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:600;padding:.3rem 0}
.flag{background:#fff4d6;border-left:4px solid #8a6200;padding:.15rem .5rem;display:inline-block}
.bad{color:#a02818;font-weight:600}.good{color:#1d6b3f;font-weight:600}
.notice{background:#e8f0fd;border-left:4px solid #1a4fb4;padding:.4rem .8rem}
.error{background:#fdecea;border-left:4px solid #a02818;padding:.4rem .8rem}
button{background:#1a4fb4;color:#fff;border:0;border-radius:3px;padding:.35rem .9rem;font:inherit;cursor:pointer}
button.secondary{background:#fff;color:#1a4fb4;border:1px solid #1a4fb4}
header button{background:transparent;border:1px solid #fff}
form.inline{display:inline-flex;gap:.5rem;align-items:end;flex-wrap:wrap;margin:.3rem 0}
label{display:inline-flex;flex-direction:column;font-size:.9rem}
input,select,textarea{font:inherit;padding:.2rem .3rem;border:1px solid #6b7585;border-radius:3px}
.cols{display:flex;gap:2rem;flex-wrap:wrap}
.card{border:1px solid #c9d0da;border-radius:4px;padding:.6rem 1rem;margin:.8rem 0}
</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<strong>leadgate</strong>
`

// csrfInput is the hidden field every form sends its token back in.
func csrfInput(token string) string {
	return `<input type="hidden" name="csrf" value="` + esc(token) + `">`
}

// th is a table's header cell for a column.
func th(label string) string { return `<th scope="col">` + label + `</th>` }

// td is a table cell holding text.
func td(text string) string { return "<td>" + esc(text) + "</td>" }

// login writes the sign-in page: leadgate local's token form, or a link
// to the identity provider.
func (w *writer) login(v View) {
	p := pageOf[LoginPage](w, v)
	if p == nil {
		return
	}
	w.put("<h1>Sign in</h1>\n")
	if p.Error != "" {
		w.put(`<p class="error" role="alert">`, esc(p.Error), "</p>")
	}
	w.put("\n")
	if !p.Local {
		// The identity provider's sign-in starts at a link; next is a
		// query value, encoded whole.
		w.put(`<p><a href="/console/login?start=1`)
		if p.Next != "" {
			w.put("&amp;next=", escQuery(p.Next))
		}
		w.put("\">Sign in with your company account</a></p>\n")
		return
	}
	w.put("<p>This is <code>leadgate local</code>: sign in with the bearer token it printed at start, as one of the roles below.</p>\n",
		"<form method=\"post\" action=\"/console/login\">\n",
		`<input type="hidden" name="login" value="`, esc(p.LoginID), "\">\n",
		`<input type="hidden" name="next" value="`, esc(p.Next), "\">\n",
		`<p><label for="token">Bearer token<input id="token" name="token" type="password" autocomplete="off" required></label></p>`, "\n",
		`<p><label for="name">Your name or email<input id="name" name="name" type="text" maxlength="120" required></label></p>`, "\n",
		`<p><label for="role">Role<select id="role" name="role">`)
	for _, r := range p.Roles {
		w.put(`<option value="`, esc(r.ID), `">`, esc(r.Label), "</option>")
	}
	w.put("</select></label></p>\n<p><button type=\"submit\">Sign in</button></p>\n</form>\n\n")
}

// errorPage says what went wrong and links back.
func (w *writer) errorPage(v View) {
	p := pageOf[ErrorPage](w, v)
	if p == nil {
		return
	}
	w.put("<h1>", esc(p.Heading), "</h1>\n<p class=\"error\" role=\"alert\">", esc(p.Message), "</p>\n")
	if len(p.Problems) > 0 {
		w.put("<ul>")
		for _, pr := range p.Problems {
			w.put("<li><strong>", esc(pr.Path), "</strong>: ", esc(pr.Message), "</li>")
		}
		w.put("</ul>")
	}
	// Back is a whole URL: one with a scheme that runs (javascript:) is
	// defused, as html/template defused it.
	w.put("\n<p><a href=\"", escURL(p.Back), "\">Go back</a></p>\n")
}
