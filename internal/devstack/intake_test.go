package devstack_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	submissionapi "github.com/leadgate/leadgate/internal/httpapi/submissions"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/lead"
)

const submissions = "/v1/campaigns/cloud-cost-whitepaper/submissions"

// renderedAt is a page render time far enough back to pass the fill-time
// check: a person took a minute over the form.
func renderedAt() string { return strconv.FormatInt(time.Now().Add(-time.Minute).UnixMilli(), 10) }

func jsonForm(fields map[string]any) []byte {
	var b strings.Builder
	b.WriteString("{")
	i := 0
	for k, v := range fields {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:", k)
		switch x := v.(type) {
		case string:
			fmt.Fprintf(&b, "%q", x)
		default:
			fmt.Fprintf(&b, "%v", x)
		}
		i++
	}
	b.WriteString("}")
	return []byte(b.String())
}

func ana() map[string]any {
	return map[string]any{
		"email": "ana.silva@acme-health.com", "first_name": "Ana", "lastName": "Silva", "company": "Acme Health",
		"jobTitle": "VP Engineering", "country": "United States", "industry": "Healthcare", "employees": "1001-5000",
		"cloudSpend": "Unexpected overruns", "consent": true, "_ts": renderedAt(),
	}
}

func (c client) lead(id string) httpapi.LeadView {
	c.t.Helper()
	var v httpapi.LeadView
	r := c.do("GET", "/v1/leads/"+id, "", nil)
	if r.status != 200 {
		c.t.Fatalf("get lead %s: %d %s", id, r.status, r.body)
	}
	r.json(c.t, &v)
	return v
}

func TestSubmitEachContentType(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}

	// JSON, as a page's fetch posts it.
	var res intake.Result
	r := public.do("POST", submissions, "application/json", jsonForm(ana()))
	if r.status != http.StatusAccepted {
		t.Fatalf("json: %d %s", r.status, r.body)
	}
	r.json(t, &res)
	if res.LeadID != lead.IDFor("ana.silva@acme-health.com") || !strings.HasPrefix(res.Visitor, "lgv_") || strings.Contains(string(r.body), "stage") {
		t.Errorf("json result = %s", r.body)
	}

	// A plain HTML form: urlencoded, answered with 303 to the thank-you page.
	form := url.Values{
		"email": {"  Ana.Silva@ACME-health.com "}, "fname": {"Ana"}, "surname": {"Silva"}, "company": {"Acme Health"},
		"utm_source": {"newsletter"}, "gclid": {"g-123"}, "is_admin": {"true"}, "_ts": {renderedAt()},
	}
	r = public.do("POST", submissions, "application/x-www-form-urlencoded", []byte(form.Encode()))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "https://www.leadgate.example/whitepapers/cloud-sprawl/thanks" {
		t.Fatalf("urlencoded: %d %v %s", r.status, r.header, r.body)
	}

	// Multipart, with a redirect the campaign allows, from Ana's browser:
	// its visitor token lets it leave out what Ana told us already, and
	// change what she said.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	for k, v := range map[string]string{"email": "ana.silva@acme-health.com", "employees": "5000+", "_ts": renderedAt(), "redirect": "https://go.leadgate.example/next?step=2", "_visitor": res.Visitor} {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	r = public.do("POST", submissions, w.FormDataContentType(), mp.Bytes())
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "https://go.leadgate.example/next?step=2" {
		t.Fatalf("multipart: %d %v %s", r.status, r.header, r.body)
	}

	// One person, three touch points; the newest non-empty values won.
	// Without its token the same multipart post is refused for what it
	// leaves out, as it would be for someone new.
	if r := public.do("POST", submissions, w.FormDataContentType(), bytes.ReplaceAll(mp.Bytes(), []byte(res.Visitor), []byte("lgv_nottheone")), "Accept", "application/json"); r.status != 422 {
		t.Errorf("a post leaving out required fields without a token: %d %s", r.status, r.body)
	}
	v := c.lead(res.LeadID)
	if len(v.Touches) != 3 || v.Email != "ana.silva@acme-health.com" || v.Fields["employees"] != "5000+" ||
		v.Title != "VP Engineering" || v.Country != "US" || v.Fields["consent"] != "yes" {
		t.Errorf("lead = %+v", v.Record.Lead)
	}
	tp := v.Touches[1]
	if tp.UTM["utm_source"] != "newsletter" || tp.Hidden["gclid"] != "g-123" || tp.Type != lead.TouchContentDownload || tp.Version != 1 {
		t.Errorf("touch point = %+v", tp)
	}
	if _, stored := v.Fields["is_admin"]; stored {
		t.Error("an undeclared field was stored")
	}
	if v.Verdict.Campaign != "cloud-cost-whitepaper" || v.Verdict.Score != 45 || v.Stage != lead.StageMQL || len(v.Verdict.Criteria) == 0 {
		t.Errorf("verdict = %s score %v criteria %d; reasons %q", v.Stage, v.Verdict.Score, len(v.Verdict.Criteria), v.Reasons)
	}
}

func TestSubmitRefusesBadInputAndStoresNothing(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	tests := []struct {
		name, path, contentType string
		body                    []byte
		status                  int
		code                    string
		paths                   []string
	}{
		{"unknown campaign", "/v1/campaigns/nope/submissions", "application/json", jsonForm(ana()), 404, "not_found", nil},
		{"invalid email and missing required", submissions, "application/json",
			jsonForm(map[string]any{"email": "ana@", "industry": "Mining", "consent": "maybe", "_ts": renderedAt()}), 422, "invalid",
			[]string{"consent", "email", "industry", "firstName", "lastName", "company"}},
		{"missing email", submissions, "application/json", jsonForm(map[string]any{"firstName": "Ana", "company": "A", "lastName": "S"}), 422, "invalid", []string{"email"}},
		{"unknown country", submissions, "application/json", jsonForm(map[string]any{"email": "a@b.co", "firstName": "A", "lastName": "B", "company": "C", "country": "Narnia"}), 422, "invalid", []string{"country"}},
		{"nested value", submissions, "application/json", []byte(`{"email":"a@b.co","company":{"name":"x"}}`), 422, "invalid", []string{"company"}},
		{"malformed JSON", submissions, "application/json", []byte(`{"email": "a@b.co",`), 400, "bad_request", nil},
		{"not an object", submissions, "application/json", []byte(`["a@b.co"]`), 400, "bad_request", nil},
		{"wrong content type", submissions, "text/csv", []byte("email\na@b.co\n"), 415, "unsupported", nil},
		{"no content type", submissions, "", []byte(`{"email":"a@b.co"}`), 415, "unsupported", nil},
		{"oversize", submissions, "application/json", jsonForm(map[string]any{"email": "a@b.co", "notes": strings.Repeat("x", submissionapi.MaxBytes)}), 413, "too_large", nil},
		{"paused campaign", "/v1/campaigns/paused-webinar/submissions", "application/json", jsonForm(ana()), 409, "conflict", nil},
		{"ended campaign", "/v1/campaigns/ended-webinar/submissions", "application/json", jsonForm(ana()), 410, "gone", nil},
	}
	c := client{t, sys.URL, sys.Token}
	for _, id := range []string{"paused-webinar", "ended-webinar"} {
		doc := strings.ReplaceAll(minimalDefinition, "ID", id)
		if id == "paused-webinar" {
			doc += "status: paused\n"
		} else {
			doc += "starts: 2026-01-01\nends: 2026-02-01\n"
		}
		if r := c.do("PUT", "/v1/campaigns/"+id, "application/yaml", []byte(doc)); r.status != 201 {
			t.Fatalf("publish %s: %d %s", id, r.status, r.body)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := public.do("POST", tt.path, tt.contentType, tt.body, "Accept", "application/json")
			var e httpapi.Problem
			r.json(t, &e)
			if r.status != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			var paths []string
			for _, p := range e.Problems {
				paths = append(paths, p.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tt.paths, " ") {
				t.Errorf("problems at %q, want %q", paths, tt.paths)
			}
		})
	}
	if r := c.do("GET", "/v1/leads/"+lead.IDFor("ana.silva@acme-health.com"), "", nil); r.status != 404 {
		t.Errorf("a refused submission stored a lead: %d %s", r.status, r.body)
	}

	// A plain HTML form gets its errors as a page a person can read.
	r := public.do("POST", submissions, "application/x-www-form-urlencoded", []byte("email=nope&_ts="+renderedAt()))
	if r.status != 422 || !strings.Contains(string(r.body), "<li><strong>email</strong>") {
		t.Errorf("form errors: %d %s", r.status, r.body)
	}
}

const minimalDefinition = `id: ID
name: A webinar
channel: webinar
funnel: middle
owner: ops@leadgate.example
salesOwner: sales@example.com
reviewBy: 2027-03-01
engagement:
  threshold: 30
  points: {webinar-registered: 10}
`

func TestSubmitNormalizesRatherThanRejects(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	var res intake.Result
	r := public.do("POST", submissions, "application/json", jsonForm(map[string]any{
		"email": "  Zoë.Nuñez+Cloud@Empresa.ES ", "firstName": "  Zoe\u0308  ", "lastName": "Nuñez\tGarcía", "company": " Empresa  SA ", "_ts": renderedAt(),
	}))
	if r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r.json(t, &res)
	v := client{t, sys.URL, sys.Token}.lead(res.LeadID)
	if v.Email != "zoë.nuñez+cloud@empresa.es" || v.FirstName != "Zoë" || v.LastName != "Nuñez García" || v.Company != "Empresa SA" {
		t.Errorf("normalized to %q %q %q %q", v.Email, v.FirstName, v.LastName, v.Company)
	}
}

func TestSubmitIsIdempotent(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	body := jsonForm(ana())
	var first, again, keyed, keyedAgain intake.Result
	public.do("POST", submissions, "application/json", body).json(t, &first)
	public.do("POST", submissions, "application/json", body).json(t, &again) // double click
	public.do("POST", submissions, "application/json", jsonForm(map[string]any{"email": "ana.silva@acme-health.com", "_ts": "1", "_visitor": first.Visitor}), "Idempotency-Key", "k-1", "Accept", "application/json").json(t, &keyed)
	other := ana()
	other["_ts"] = strconv.FormatInt(time.Now().Add(-2*time.Minute).UnixMilli(), 10) // a different body, retried with the same key
	public.do("POST", submissions, "application/json", jsonForm(other), "Idempotency-Key", "k-1").json(t, &keyedAgain)
	// A retry is answered like the first post: the answer says nothing of
	// what was stored.
	if first.LeadID != again.LeadID || keyed.LeadID != keyedAgain.LeadID || again.Visitor == "" || keyed.Visitor != first.Visitor {
		t.Errorf("first %+v again %+v keyed %+v keyedAgain %+v", first, again, keyed, keyedAgain)
	}
	v := client{t, sys.URL, sys.Token}.lead(first.LeadID)
	if len(v.Touches) != 2 {
		t.Errorf("%d touch points, want 2 (one per distinct submission)", len(v.Touches))
	}
}

// TestSubmitConcurrently posts 50 submissions of one person and of 50
// people at once: every submission lands, none twice.
func TestSubmitConcurrently(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	c := client{t, sys.URL, sys.Token}
	const n = 50
	var wg sync.WaitGroup
	statuses := make([]int, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			f := map[string]any{"email": "same.person@acme-health.com", "firstName": "Sam", "lastName": "Person", "company": "Acme", "_ts": renderedAt()}
			statuses[i] = public.do("POST", submissions, "application/json", jsonForm(f), "Idempotency-Key", fmt.Sprintf("same-%d", i)).status
		}()
		go func() {
			defer wg.Done()
			f := map[string]any{"email": fmt.Sprintf("person%d@acme-health.com", i), "firstName": "P", "lastName": strconv.Itoa(i), "company": "Acme", "_ts": renderedAt()}
			statuses[n+i] = public.do("POST", submissions, "application/json", jsonForm(f)).status
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 202 {
			t.Fatalf("submission %d: status %d", i, s)
		}
	}
	// Every submission is one write (rev); the nurture consumer may add
	// its enrollment on top.
	if v := c.lead(lead.IDFor("same.person@acme-health.com")); len(v.Touches) != n || v.Rev < n {
		t.Errorf("same person: %d touch points, rev %d; want %d", len(v.Touches), v.Rev, n)
	}
	for i := range n {
		if v := c.lead(lead.IDFor(fmt.Sprintf("person%d@acme-health.com", i))); len(v.Touches) != 1 {
			t.Errorf("person %d: %d touch points", i, len(v.Touches))
		}
	}
}

func TestSubmitCORS(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	r := public.do("OPTIONS", submissions, "", nil, "Origin", "https://www.leadgate.example", "Access-Control-Request-Method", "POST")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "https://www.leadgate.example" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Content-Type") || r.header.Get("Access-Control-Allow-Methods") != "POST, OPTIONS" {
		t.Errorf("allowed preflight: %d %v", r.status, r.header)
	}
	r = public.do("OPTIONS", submissions, "", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if r.status != 403 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign preflight: %d %v", r.status, r.header)
	}
	r = public.do("POST", submissions, "application/json", jsonForm(ana()), "Origin", "https://evil.example")
	if r.status != 403 || r.header.Get("Content-Type") != "application/problem+json" || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign post: %d %v %s", r.status, r.header, r.body)
	}
	// A plain HTML form refused for its origin gets a page a person reads.
	r = public.do("POST", submissions, "application/x-www-form-urlencoded", []byte("email=ana%40acme.example"), "Origin", "https://evil.example")
	if r.status != 403 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "may not post to this campaign") {
		t.Errorf("foreign form post: %d %v %s", r.status, r.header, r.body)
	}
	r = public.do("POST", submissions, "application/json", []byte(`{}`), "Origin", "https://go.leadgate.example")
	if r.status != 422 || r.header.Get("Access-Control-Allow-Origin") != "https://go.leadgate.example" {
		t.Errorf("allowed origin's error lacks CORS: %d %v", r.status, r.header)
	}
}

func TestSpamGetsTheSameAnswer(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	tests := map[string]map[string]any{
		"honeypot":    {"email": "bot1@spam.example", "firstName": "B", "lastName": "O", "company": "T", "_hp": "http://buy.example", "_ts": renderedAt()},
		"too fast":    {"email": "bot2@spam.example", "firstName": "B", "lastName": "O", "company": "T", "_ts": strconv.FormatInt(time.Now().UnixMilli(), 10)},
		"invalid too": {"email": "not-an-email", "_hp": "x"},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			r := public.do("POST", submissions, "application/json", jsonForm(f))
			var res intake.Result
			r.json(t, &res)
			if r.status != 202 || res.LeadID == "" || !strings.HasPrefix(res.Visitor, "lgv_") {
				t.Errorf("bot answered differently: %d %s", r.status, r.body)
			}
			if got := (client{t, sys.URL, sys.Token}).do("GET", "/v1/leads/"+res.LeadID, "", nil); got.status != 404 {
				t.Errorf("bot stored as a lead: %d", got.status)
			}
		})
	}
	store := dynamo.NewLeadStore(dynamodb.NewFromConfig(cfg), sys.Resources.Tables["LeadsTable"])
	if n, err := store.SpamCount(context.Background(), "cloud-cost-whitepaper", time.Now()); err != nil || n != len(tests) {
		t.Errorf("spam counted %d (%v), want %d", n, err, len(tests))
	}
}
