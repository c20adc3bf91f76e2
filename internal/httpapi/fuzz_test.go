package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/leadgate/leadgatetest"
	"github.com/leadgate/leadgate/internal/qualify"
	"github.com/leadgate/leadgate/internal/sales"
)

// The decoders at the edge meet whatever the internet sends. For any input
// they must answer with a domain error a caller can read (never EINTERNAL,
// which would be a 500) and never panic.

func FuzzDefinitionDocument(f *testing.F) {
	f.Add([]byte("id: x\nname: y\n"))
	f.Add([]byte("{\"id\": \"x\", \"engagement\": {\"points\": {\"demo-request\": -1}}}"))
	f.Add([]byte("geographies:\n  - {name: a, countries: [Narnia], threshold: -5}\n"))
	f.Add([]byte("reviewBy: !!binary aGk=\n"))
	f.Add([]byte("&a [*a, *a, *a]"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		d, err := authored.Parse(doc)
		if err != nil {
			if c := leadgate.ErrorCode(err); c != leadgate.EINVALID && c != leadgate.ETOOLARGE {
				t.Fatalf("parse error code %q: %v", c, err)
			}
			return
		}
		if _, err := d.Validate(time.Now()); err != nil && leadgate.ErrorCode(err) != leadgate.EINVALID {
			t.Fatalf("validate error code %q: %v", leadgate.ErrorCode(err), err)
		}
	})
}

func FuzzFeedback(f *testing.F) {
	f.Add([]byte(`{"action":"qualify","bant":{"budget":"y","authority":"y","need":"y","timeframe":"y"}}`), "sal")
	f.Add([]byte(`{"action":"reject","reason":"competitor"}`), "mql")
	f.Add([]byte(`{"action":"won"}`), "suspect")
	f.Add([]byte(`{"action":1}`), "mql")
	f.Fuzz(func(t *testing.T, body []byte, stage string) {
		var fb sales.Feedback
		if err := decodeStrictJSON(body, &fb); err != nil {
			leadgatetest.APIWords(t, err)
			return
		}
		r := &lead.Record{Lead: lead.Lead{ID: "ld_x"}, Stage: lead.Stage(stage), Owner: "r"}
		if _, err := sales.Apply(r, fb, "r", time.Now()); err != nil {
			if c := leadgate.ErrorCode(err); c != leadgate.EINVALID && c != leadgate.ECONFLICT {
				t.Fatalf("feedback error code %q: %v", c, err)
			}
		}
	})
}

// FuzzAccountDocument: whatever an account document holds, it is read and
// checked into a 422 or an account whose domains are normalized hosts,
// none of them free mail, none twice, at most MaxAccountDomains.
func FuzzAccountDocument(f *testing.F) {
	f.Add([]byte("kind: account\nname: Acme\ndomains: [acme.com, https://www.Acme.de/x]\nowner: anna.berg\n"))
	f.Add([]byte(`{"name": "M", "domains": ["gmail.com", "acme.com", "ACME.com"], "owner": ""}`))
	f.Add([]byte("domains: [\"http://[::1\", \"a..b\", \"xn--80ak6aa92e.com\"]\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var a struct {
			Kind          string `yaml:"kind"`
			sales.Account `yaml:",inline"`
		}
		if err := authored.Decode(doc, &a); err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			if leadgate.ErrorCode(err) != leadgate.EINVALID {
				t.Fatalf("validate error code %q: %v", leadgate.ErrorCode(err), err)
			}
			return
		}
		seen := map[string]bool{}
		for _, d := range a.Domains {
			if d != strings.ToLower(strings.TrimSpace(d)) || qualify.FreeMail(d) || seen[d] {
				t.Fatalf("accepted domain %q of %v", d, a.Domains)
			}
			seen[d] = true
		}
		if len(a.Domains) == 0 || len(a.Domains) > sales.MaxAccountDomains {
			t.Fatalf("accepted %d domains", len(a.Domains))
		}
	})
}
