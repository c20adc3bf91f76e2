package console

import (
	"strconv"
	"strings"
)

// The pages are written by hand, not by html/template: executing a
// template calls reflect's MethodByName, and a binary that can reach that
// keeps every exported method of every type it links (the linker cannot
// tell which a template might call), which made the console function 14
// MiB. The escapers below do what html/template's do in the contexts the
// pages put values in, and TestRenderMatchesTemplates holds every page,
// byte for byte, to the templates it replaced (testdata/templates).

// esc escapes a value shown as text, in the title or in a quoted
// attribute that is not a URL, as html/template does there: NUL becomes
// U+FFFD, and " & ' + < > character references (html.EscapeString
// differs: &#34; against &quot;, and + is kept). Invalid UTF-8 is kept as
// it is, as html/template keeps it.
var esc = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;",
).Replace

// escURL escapes a value that is a whole URL attribute (href="{{.}}"): a
// scheme other than http, https or mailto (javascript:, data:) makes it
// "#ZgotmplZ", html/template's failsafe, and the rest is normalised as in
// escPath.
func escURL(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		return "#ZgotmplZ"
	}
	return escPath(s)
}

// escPath escapes a value within a URL attribute before its query
// (href="/console/leads/{{.}}"): it percent-encodes every byte that may
// not stand in a URL as it is, keeping the URL's own delimiters and valid
// percent escapes, then escapes for the attribute (& and +).
func escPath(s string) string { return esc(percentEncode(s, true)) }

// escQuery escapes a value in a URL's query (…?next={{.}}): every byte but
// letters, digits and - . _ ~ is percent-encoded, as JavaScript's
// encodeURIComponent does (but for ! ' ( ) *), which leaves nothing the
// attribute needs escaped.
func escQuery(s string) string { return percentEncode(s, false) }

// percentEncode is html/template's URL normaliser (keep, true) and escaper
// (keep, false): keep keeps the URL delimiters ! # $ & * + , / : ; = ? @
// [ ] and valid %XX escapes. Its escapes are lower case, as
// html/template's are.
func percentEncode(s string, keep bool) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlSafe(c) || keep && (urlDelimiter(c) || c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
			continue
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteString(strconv.FormatUint(uint64(c)>>4, 16))
		b.WriteString(strconv.FormatUint(uint64(c)&0xf, 16))
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// urlSafe reports whether c is unreserved in a URL (RFC 3986, 2.3).
func urlSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
}

// urlDelimiter reports whether c is one of the URL delimiters the
// normaliser keeps (RFC 3986's reserved characters, but for ' ( ), which
// it encodes so a URL can stand in a single-quoted attribute).
func urlDelimiter(c byte) bool { return strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0 }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
