package devstack_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/lead"
)

// TestMalformedInputNeverFails5xx feeds every route of template.yaml
// truncated, oversized, wrongly typed, binary and deeply nested bodies, bad
// content types and abusive headers, with and without a token: every answer
// must be a 4xx (or a 2xx where the input happens to be acceptable), never a
// 5xx, and the server must stay up.
func TestMalformedInputNeverFails5xx(t *testing.T) {
	sys := start(t, "../../campaigns")
	ids := map[string]string{"campaignId": "demo-request", "leadId": lead.IDFor("nobody@example.com"), "repId": "emea-1", "version": "1", "importId": "im_00000000000000000000"}
	bodies := map[string][]byte{
		"empty":       nil,
		"truncated":   []byte(`{"email": "ana@acme.com", "firstName": "An`),
		"wrong type":  []byte(`[1, "two", {"three": 3}]`),
		"binary":      {0x00, 0xff, 0xfe, 0x1f, 0x8b, 0x08, 0x00, 0x00},
		"nested":      bytes.Repeat([]byte("["), 200000),
		"oversize":    bytes.Repeat([]byte("x"), 6<<20+1),
		"yaml bomb":   []byte("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"),
		"csv formula": []byte("Email,Name\n=cmd|'/C calc'!A0,x\n"),
		"wide":        []byte(strings.Repeat("c,", 20000) + "Email\n" + strings.Repeat(",", 20000) + "a@b.co\n"),
		"many fields": []byte("{" + strings.Repeat(`"f":"v",`, 5000) + `"email":"a@b.co"}`),
	}
	contentTypes := []string{"", "application/json", "text/csv", "multipart/form-data; boundary=", "garbage/;;;", "application/x-www-form-urlencoded", "application/yaml"}
	headers := [][]string{nil, {"X-Huge", strings.Repeat("h", 60<<10)}, {"Content-Encoding", "gzip"}, {"Idempotency-Key", strings.Repeat("k", 10<<10)}, {"Origin", "null"}}
	count := 0
	for _, rt := range sys.Routes {
		path := rt.Path
		for k, v := range ids {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		for _, token := range []string{"", sys.Token} {
			for name, body := range bodies {
				for i, ct := range contentTypes {
					h := headers[(count+i)%len(headers)]
					r := client{t, sys.URL, token}.do(rt.Method, path, ct, body, h...)
					count++
					if r.status >= 500 {
						t.Errorf("%s %s (%s body, %q, token %v, headers %v): %d %s", rt.Method, path, name, ct, token != "", len(h) > 0, r.status, truncate(r.body))
					}
				}
			}
		}
	}
	if r := (client{t, sys.URL, sys.Token}).do("GET", "/v1/campaigns", "", nil); r.status != http.StatusOK {
		t.Fatalf("server down after the sweep: %d", r.status)
	}
	t.Logf("%d malformed requests over %d routes, none answered 5xx", count, len(sys.Routes))
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%s… (%d bytes)", b[:300], len(b))
	}
	return string(b)
}
