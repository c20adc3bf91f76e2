package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/emulators"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/wiring"
)

var cfg aws.Config

// TestMain starts DynamoDB Local and moto once for the package (or uses the
// servers AWS_ENDPOINT_URL_DYNAMODB / _SQS name); each test gets its own
// tables and queues through a name prefix.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		ctx := context.Background()
		stack, err := emulators.Start(ctx, emulators.Options{Log: os.Stderr})
		if err != nil {
			fmt.Fprintln(os.Stderr, "start local AWS servers:", err)
			return 1
		}
		defer stack.Stop()
		if err := stack.Setenv(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if cfg, err = devstack.AWSConfig(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

var prefixes atomic.Int64

// noRedirects returns a 303 as it came: the thank-you pages are not ours to
// fetch, and tests talk only to 127.0.0.1.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// start runs leadgate locally on a free port with fresh resources.
// functionEnv is the environment the template gives the function: what
// Lambda would hand its wiring.
func functionEnv(t *testing.T, sys *devstack.System, logicalID string) wiring.Env {
	t.Helper()
	env, err := devstack.FunctionEnv(mustTemplate(t), sys.Resources, logicalID)
	if err != nil {
		t.Fatal(err)
	}
	return func(k string) string { return env[k] }
}

func start(t *testing.T, campaigns string) *devstack.System { return startWith(t, campaigns) }

func startWith(t testing.TB, campaigns string) *devstack.System {
	t.Helper()
	return startOpts(t, devstack.Options{Campaigns: campaigns})
}

func startOpts(t testing.TB, opt devstack.Options) *devstack.System {
	t.Helper()
	opt.Template, opt.Addr, opt.Token = "../../template.yaml", "127.0.0.1:0", "test-token"
	if opt.Log == nil {
		opt.Log = testLog()
	}
	opt.Prefix = fmt.Sprintf("t%d-%d-", os.Getpid(), prefixes.Add(1))
	if opt.FunctionTimeout == 0 {
		// Deadlines are tested where a test shortens them; elsewhere a
		// machine busy with other work must not turn a slow answer into a
		// 503 (a 1,200-event webhook on two shared cores can take 30 s).
		opt.FunctionTimeout = 2 * time.Minute
	}
	sys, err := devstack.Start(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	})
	return sys
}

type client struct {
	t     testing.TB
	base  string
	token string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c client) do(method, path, contentType string, body []byte, header ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func readExample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../campaigns/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadsExampleCampaignsAndServesThem(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	var list struct {
		Campaigns []httpapi.CampaignSummary `json:"campaigns"`
	}
	r := c.do("GET", "/v1/campaigns", "", nil)
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	r.json(t, &list)
	var ids []string
	for _, s := range list.Campaigns {
		ids = append(ids, fmt.Sprintf("%s@%d", s.ID, s.Version))
	}
	if got := strings.Join(ids, " "); got != "cloud-cost-whitepaper@1 demo-request@1 devops-summit-2026-booth@1" {
		t.Errorf("campaigns = %s", got)
	}
	if list.Campaigns[0].ReviewBy.String() != "2027-05-15" {
		t.Errorf("reviewBy = %q", list.Campaigns[0].ReviewBy)
	}
}

func TestPublishReadAndRender(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	doc := readExample(t, "demo-request")

	var pub httpapi.PublishResponse
	r := c.do("PUT", "/v1/campaigns/demo-request", "application/yaml", doc)
	if r.status != http.StatusCreated {
		t.Fatalf("first publish: %d %s", r.status, r.body)
	}
	r.json(t, &pub)
	if pub.Version != 1 || !pub.Created || r.header.Get("Location") != "/v1/campaigns/demo-request/versions/1" {
		t.Errorf("first publish = %+v, Location %q", pub, r.header.Get("Location"))
	}

	// The same document again is not an edit.
	r = c.do("PUT", "/v1/campaigns/demo-request", "", doc)
	r.json(t, &pub)
	if r.status != http.StatusOK || pub.Version != 1 || pub.Created {
		t.Errorf("re-publish: %d %+v", r.status, pub)
	}

	// An edit is a new version; the old one stays readable.
	edited := bytes.Replace(doc, []byte("threshold: 50"), []byte("threshold: 45"), 1)
	r = c.do("PUT", "/v1/campaigns/demo-request", "application/yaml; charset=utf-8", edited)
	r.json(t, &pub)
	if r.status != http.StatusCreated || pub.Version != 2 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	var current, first struct {
		Version    int `json:"version"`
		Definition struct {
			Engagement struct {
				Threshold float64 `json:"threshold"`
			} `json:"engagement"`
			ReviewBy string `json:"reviewBy"`
		} `json:"definition"`
		PublishedBy string `json:"publishedBy"`
	}
	c.do("GET", "/v1/campaigns/demo-request", "", nil).json(t, &current)
	c.do("GET", "/v1/campaigns/demo-request/versions/1", "", nil).json(t, &first)
	if current.Version != 2 || current.Definition.Engagement.Threshold != 45 || current.PublishedBy != "operator@leadgate.local" {
		t.Errorf("current = %+v", current)
	}
	if first.Version != 1 || first.Definition.Engagement.Threshold != 50 || first.Definition.ReviewBy != "2027-04-30" {
		t.Errorf("version 1 = %+v", first)
	}
	c.do("GET", "/v1/campaigns/demo-request?version=1", "", nil).json(t, &first)
	if first.Version != 1 {
		t.Errorf("?version=1 gave version %d", first.Version)
	}

	var versions struct {
		Versions []httpapi.VersionSummary `json:"versions"`
	}
	c.do("GET", "/v1/campaigns/demo-request/versions", "", nil).json(t, &versions)
	if len(versions.Versions) != 2 || versions.Versions[0].Version != 2 || versions.Versions[1].Version != 1 {
		t.Errorf("versions = %+v", versions.Versions)
	}

	// What version 2 changed, in the domain's words, and nothing else.
	var diff, back httpapi.DiffResponse
	c.do("GET", "/v1/campaigns/demo-request/versions/2/diff", "", nil).json(t, &diff)
	if diff.From != 1 || diff.To != 2 || len(diff.Changes) != 1 || diff.Changes[0].Summary != "MQL threshold 50 → 45" {
		t.Errorf("diff = %+v", diff)
	}
	c.do("GET", "/v1/campaigns/demo-request/versions/1/diff?from=2", "", nil).json(t, &back)
	if back.From != 2 || back.To != 1 || len(back.Changes) != 1 || back.Changes[0].Summary != "MQL threshold 45 → 50" {
		t.Errorf("diff backwards = %+v", back)
	}
	if r := c.do("GET", "/v1/campaigns/demo-request/versions/1/diff", "", nil); r.status != 422 {
		t.Errorf("version 1 has nothing before it: %d %s", r.status, r.body)
	}

	md := c.do("GET", "/v1/campaigns/demo-request/definition", "", nil)
	if md.status != 200 || md.header.Get("Content-Type") != "text/markdown; charset=utf-8" ||
		!strings.Contains(string(md.body), "# Book a demo") || !strings.Contains(string(md.body), "version 2") ||
		!strings.Contains(string(md.body), "MQL threshold is 45") ||
		!strings.Contains(string(md.body), "by operator@leadgate.local:** MQL threshold 50 → 45") || !strings.Contains(string(md.body), "the first version") {
		t.Errorf("markdown (with its change log): %d %s\n%s", md.status, md.header.Get("Content-Type"), md.body)
	}
	html := c.do("GET", "/v1/campaigns/demo-request/definition?version=1", "", nil, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if html.status != 200 || !strings.HasPrefix(html.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(html.body), "<h1>Book a demo</h1>") || !strings.Contains(string(html.body), "version 1") {
		t.Errorf("html: %d %s\n%s", html.status, html.header.Get("Content-Type"), html.body)
	}
}

func TestBadDefinitionsStoreNothing(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	if r := c.do("PUT", "/v1/campaigns/demo-request", "application/yaml", readExample(t, "demo-request")); r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	tests := []struct {
		name        string
		path        string
		contentType string
		body        []byte
		status      int
		code        string
		problems    []string
	}{
		{
			name: "every problem listed", path: "/v1/campaigns/demo-request", contentType: "application/yaml",
			body:   []byte("id: demo-request\nname: Book a demo\nchannel: radio\nfunnel: top\nowner: a@b.c\nreviewBy: 2027-01-01\nengagement: {threshold: 0, points: {}}\nfit: {countries: [Narnia]}\n"),
			status: 422, code: "invalid",
			problems: []string{"channel", "salesOwner", "fit.countries[0]", "engagement.threshold", "engagement.points"},
		},
		{
			name: "unknown key", path: "/v1/campaigns/demo-request", contentType: "application/yaml",
			body:   bytes.Replace(readExample(t, "demo-request"), []byte("  threshold:"), []byte("  threshhold:"), 1),
			status: 422, code: "invalid", problems: []string{"line 40"},
		},
		{
			name: "id does not match the URL", path: "/v1/campaigns/other-campaign", contentType: "application/yaml",
			body: readExample(t, "demo-request"), status: 422, code: "invalid", problems: []string{"id"},
		},
		{
			name: "malformed JSON", path: "/v1/campaigns/demo-request", contentType: "application/json",
			body: []byte(`{"id": "demo-request", "name": `), status: 422, code: "invalid", problems: []string{"line 1"},
		},
		{
			name: "wrong content type", path: "/v1/campaigns/demo-request", contentType: "application/x-www-form-urlencoded",
			body: []byte("id=demo-request"), status: 415, code: "unsupported",
		},
		{
			name: "oversize", path: "/v1/campaigns/demo-request", contentType: "application/yaml",
			body: bytes.Repeat([]byte("# padding\n"), 20000), status: 413, code: "too_large",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("PUT", tt.path, tt.contentType, tt.body)
			var e httpapi.Problem
			r.json(t, &e)
			if r.status != tt.status || e.Code != tt.code || e.Detail == "" {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			var paths []string
			for _, p := range e.Problems {
				paths = append(paths, p.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tt.problems, " ") {
				t.Errorf("problem paths = %q, want %q", paths, tt.problems)
			}
		})
	}
	var versions struct {
		Versions []httpapi.VersionSummary `json:"versions"`
	}
	c.do("GET", "/v1/campaigns/demo-request/versions", "", nil).json(t, &versions)
	if len(versions.Versions) != 1 {
		t.Errorf("bad definitions were stored: %+v", versions.Versions)
	}
	if r := c.do("GET", "/v1/campaigns/other-campaign", "", nil); r.status != 404 {
		t.Errorf("other-campaign: %d %s", r.status, r.body)
	}
}

func TestAuthAndUnknowns(t *testing.T) {
	sys := start(t, "../../campaigns")
	tests := []struct {
		name, token, method, path string
		status                    int
	}{
		{"no token", "", "GET", "/v1/campaigns", 401},
		{"wrong token", "guess", "GET", "/v1/campaigns/demo-request", 401},
		{"wrong token on write", "guess", "PUT", "/v1/campaigns/demo-request", 401},
		{"unknown campaign", sys.Token, "GET", "/v1/campaigns/nope", 404},
		{"unknown version", sys.Token, "GET", "/v1/campaigns/demo-request/versions/9", 404},
		{"version not a number", sys.Token, "GET", "/v1/campaigns/demo-request/versions/latest", 400},
		{"version zero", sys.Token, "GET", "/v1/campaigns/demo-request?version=0", 400},
		{"unknown route", sys.Token, "GET", "/v1/nothing-here", 404},
		{"unknown method", sys.Token, "DELETE", "/v1/campaigns/demo-request", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := client{t, sys.URL, tt.token}.do(tt.method, tt.path, "", nil)
			if r.status != tt.status {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, r.status, r.body, tt.status)
			}
		})
	}
}

// TestConcurrentPublishesGetDistinctVersions races edits of one campaign:
// every distinct document gets its own version number, none is lost.
func TestConcurrentPublishesGetDistinctVersions(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	doc := readExample(t, "demo-request")
	const n = 8
	var wg sync.WaitGroup
	versions := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := bytes.Replace(doc, []byte("threshold: 50"), fmt.Appendf(nil, "threshold: %d", 60+i), 1)
			r := c.do("PUT", "/v1/campaigns/demo-request", "application/yaml", body)
			var pub httpapi.PublishResponse
			if err := json.Unmarshal(r.body, &pub); err != nil || r.status != 201 {
				t.Errorf("publish %d: %d %s", i, r.status, r.body)
				return
			}
			versions[i] = pub.Version
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, v := range versions {
		if v < 1 || v > n || seen[v] {
			t.Errorf("versions = %v, want each of 1..%d once", versions, n)
			break
		}
		seen[v] = true
	}
}

// testLog shows the functions' logs when LEADGATE_TEST_LOG is set, for
// debugging a failing integration test.
func testLog() *slog.Logger {
	if os.Getenv("LEADGATE_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}
