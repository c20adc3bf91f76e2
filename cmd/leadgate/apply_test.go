package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// fakeAPI stands in for the drafts API. It does not validate: these tests
// are about what the CLI sends and how it reports the replies.
type fakeAPI struct {
	replies map[string]fakeReply // a new draft's reply, by campaign id; unlisted ids are new campaigns
	preview string               // the answer to a draft's preview

	mu       sync.Mutex
	requests []sentRequest
}

type fakeReply struct {
	status int
	body   string
}

type sentRequest struct {
	method, path, contentType, auth, body string
}

// newCampaignDraft answers a draft of a campaign not yet published.
const newCampaignDraft = `{"id":"d1","revision":1,"basedOn":0,"state":"awaiting marketing and sales","changes":[]}`

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, sentRequest{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(body)})
	f.mu.Unlock()

	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/campaigns/"), "/") // {id} drafts [{draftId} [approvals]]
	reply := fakeReply{http.StatusNotFound, `{"type":"https://github.com/leadgate/leadgate/blob/main/docs/errors.md#not_found","title":"Not found","status":404,"detail":"No such route.","code":"not_found"}`}
	switch {
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "drafts":
		var ok bool
		if reply, ok = f.replies[parts[0]]; !ok {
			reply = fakeReply{http.StatusCreated, newCampaignDraft}
		}
	case r.Method == http.MethodGet && len(parts) == 4 && parts[3] == "preview" && f.preview != "":
		reply = fakeReply{http.StatusOK, f.preview}
	case r.Method == http.MethodPut && (strings.HasPrefix(r.URL.Path, "/v1/reps/") || strings.HasPrefix(r.URL.Path, "/v1/accounts/")):
		reply = fakeReply{http.StatusCreated, "{}"}
	case r.Method == http.MethodDelete && len(parts) == 3:
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method == http.MethodPost && len(parts) == 4 && parts[3] == "approvals" && strings.Contains(string(body), `"marketing"`):
		reply = fakeReply{http.StatusOK, `{"draft":{"state":"approved by marketing, awaiting sales"}}`}
	case r.Method == http.MethodPost && len(parts) == 4 && parts[3] == "approvals":
		reply = fakeReply{http.StatusCreated, `{"draft":{"state":"published as version 1"},"published":{"version":1}}`}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.status)
	io.WriteString(w, reply.body)
}

func (f *fakeAPI) sent() []sentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentRequest(nil), f.requests...)
}

// paths summarises the requests as "METHOD path" in the order they came.
func paths(rs []sentRequest) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.method+" "+r.path)
	}
	return out
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/apply/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApply(t *testing.T) {
	const unprocessable = `{"type":"https://github.com/leadgate/leadgate/blob/main/docs/errors.md#invalid","title":"The input breaks the rules",` +
		`"status":422,"detail":"The definition breaks 2 rules.","code":"invalid","problems":[` +
		`{"path":"engagement.threshold","message":"must be above 0"},{"path":"","message":"no sales owner signed off"}]}`

	tests := []struct {
		name    string
		args    []string          // "{url}" becomes the fake's address
		env     map[string]string // on top of LEADGATE_URL and LEADGATE_TOKEN cleared
		replies map[string]fakeReply

		wantStdout, wantStderr string
		wantErr                string // a substring; "" wants no error
		wantSent               []string
		check                  func(t *testing.T, sent []sentRequest)
	}{
		{
			name: "created",
			args: []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			replies: map[string]fakeReply{"demo-request": {http.StatusCreated, `{"id":"d4","revision":1,"basedOn":3,"state":"awaiting marketing and sales",` +
				`"changes":[{"summary":"MQL threshold 50 → 45"},{"summary":"Title + Head of Platform"}],` +
				`"warnings":[{"path":"reviewBy","message":"2027-12-01 is more than six months away"}]}`}},
			wantStdout: "campaign/demo-request draft d4 proposed, changing version 3:\n" +
				"  ~ MQL threshold 50 → 45\n  ~ Title + Head of Platform\n" +
				"  warning: reviewBy: 2027-12-01 is more than six months away\n" +
				"  awaiting marketing and sales: each side signs with POST /v1/campaigns/demo-request/drafts/d4/approvals\n",
			wantSent: []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/demo-request/drafts?mode=forward"},
			check: func(t *testing.T, sent []sentRequest) {
				r := sent[0]
				if r.contentType != "application/yaml" {
					t.Errorf("Content-Type = %q, want application/yaml", r.contentType)
				}
				if r.auth != "Bearer s3cret" {
					t.Errorf("Authorization = %q, want Bearer s3cret", r.auth)
				}
				if want := readTestdata(t, "demo-request.yaml"); r.body != want {
					t.Errorf("body = %q, want the file as written %q", r.body, want)
				}
			},
		},
		{
			name:       "unchanged: no draft is left",
			args:       []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			replies:    map[string]fakeReply{"demo-request": {http.StatusOK, `{"id":"","revision":1,"basedOn":3,"state":"awaiting marketing and sales","changes":[]}`}},
			wantStdout: "campaign/demo-request unchanged (version 3)\n",
			wantSent:   []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true"},
		},
		{
			name: "publish signs for each side",
			args: []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret", "--publish", "--mode", "rejudge"},
			wantStdout: "campaign/demo-request draft d1 proposed (a new campaign)\n" +
				"campaign/demo-request published (version 1)\n",
			wantSent: []string{"POST /v1/campaigns/demo-request/drafts?mode=rejudge&dryRun=true", "POST /v1/campaigns/demo-request/drafts?mode=rejudge",
				"POST /v1/campaigns/demo-request/drafts/d1/approvals", "POST /v1/campaigns/demo-request/drafts/d1/approvals"},
			check: func(t *testing.T, sent []sentRequest) {
				if !strings.Contains(sent[2].body, `"side": "marketing"`) || !strings.Contains(sent[3].body, `"side": "sales"`) {
					t.Errorf("approvals sent %q, %q", sent[2].body, sent[3].body)
				}
			},
		},
		{
			name: "dry run: the server checks and compares, nothing is stored",
			args: []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret", "--dry-run"},
			replies: map[string]fakeReply{"demo-request": {http.StatusOK, `{"id":"","revision":0,"basedOn":2,"state":"awaiting marketing and sales",` +
				`"changes":[{"summary":"DACH: Company size min 51 → 20"}]}`}},
			wantStdout: "campaign/demo-request would change version 2:\n  ~ DACH: Company size min 51 → 20\n",
			wantSent:   []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true"},
		},
		{
			name:       "422 lists the problems and the other definitions are still sent",
			args:       []string{"-f", "testdata/apply/webinar-q1.yaml", "-f", "testdata/apply/demo-request.yaml", "--url", "{url}/", "--token", "s3cret"},
			replies:    map[string]fakeReply{"webinar-q1": {http.StatusUnprocessableEntity, unprocessable}},
			wantStdout: "campaign/demo-request draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/demo-request/drafts/d1/approvals\n",
			wantStderr: "campaign/webinar-q1 rejected: The definition breaks 2 rules.\n" +
				"  engagement.threshold: must be above 0\n" +
				"  no sales owner signed off\n",
			wantErr:  "1 of 2 campaign definitions failed",
			wantSent: []string{"POST /v1/campaigns/webinar-q1/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/demo-request/drafts?mode=forward"},
		},
		{
			name: "multi-document file sends each document alone",
			args: []string{"-f", "testdata/apply/launch.yaml", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/launch-landing draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/launch-landing/drafts/d1/approvals\n" +
				"campaign/launch-webinar draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/launch-webinar/drafts/d1/approvals\n",
			wantSent: []string{"POST /v1/campaigns/launch-landing/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/launch-landing/drafts?mode=forward", "POST /v1/campaigns/launch-webinar/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/launch-webinar/drafts?mode=forward"},
			check: func(t *testing.T, sent []sentRequest) {
				for _, r := range sent {
					if strings.Contains(r.body, "---") || strings.Count(r.body, "id: ") != 1 {
						t.Errorf("%s body = %q, want exactly one document", r.path, r.body)
					}
				}
			},
		},
		{
			name: "directory: its yaml and yml files in name order, not recursive",
			args: []string{"-f", "testdata/apply/dir", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/dir-booth draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/dir-booth/drafts/d1/approvals\n" +
				"campaign/dir-webinar draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/dir-webinar/drafts/d1/approvals\n",
			wantSent: []string{"POST /v1/campaigns/dir-booth/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/dir-booth/drafts?mode=forward", "POST /v1/campaigns/dir-webinar/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/dir-webinar/drafts?mode=forward"},
		},
		{
			name:       "missing token sends no Authorization header and a 401 says how to give one",
			args:       []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}"},
			replies:    map[string]fakeReply{"demo-request": {http.StatusUnauthorized, `{"title":"Authentication required","status":401,"detail":"A bearer token is required.","code":"unauthorized"}`}},
			wantStderr: "campaign/demo-request rejected: A bearer token is required. (no token given: pass --token or set LEADGATE_TOKEN)\n",
			wantErr:    "1 of 1 campaign definitions failed",
			wantSent:   []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true"},
			check: func(t *testing.T, sent []sentRequest) {
				if sent[0].auth != "" {
					t.Errorf("Authorization = %q, want none", sent[0].auth)
				}
			},
		},
		{
			name:       "url and token from the environment",
			args:       []string{"-f", "testdata/apply/demo-request.yaml"},
			env:        map[string]string{"LEADGATE_URL": "{url}", "LEADGATE_TOKEN": "from-env"},
			wantStdout: "campaign/demo-request draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/demo-request/drafts/d1/approvals\n",
			wantSent:   []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/demo-request/drafts?mode=forward"},
			check: func(t *testing.T, sent []sentRequest) {
				if sent[0].auth != "Bearer from-env" {
					t.Errorf("Authorization = %q, want Bearer from-env", sent[0].auth)
				}
			},
		},
		{
			name:       "file that does not parse is reported and not sent",
			args:       []string{"-f", "testdata/apply/broken.yaml", "-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/demo-request draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/demo-request/drafts/d1/approvals\n",
			wantStderr: "testdata/apply/broken.yaml rejected: The definition could not be read.\n" +
				"  line 5: unknown key \"threshhold\"\n",
			wantErr:  "1 of 2 campaign definitions failed",
			wantSent: []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/demo-request/drafts?mode=forward"},
		},
		{
			name:       "document that does not parse is named by its number and file line",
			args:       []string{"-f", "testdata/apply/launch-broken.yaml", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/launch-landing draft d1 proposed (a new campaign)\n  awaiting marketing and sales: each side signs with POST /v1/campaigns/launch-landing/drafts/d1/approvals\n",
			wantStderr: "testdata/apply/launch-broken.yaml (document 2) rejected: The definition could not be read.\n" +
				"  line 7: unknown key \"chanel\"\n",
			wantErr:  "1 of 2 campaign definitions failed",
			wantSent: []string{"POST /v1/campaigns/launch-landing/drafts?mode=forward&dryRun=true", "POST /v1/campaigns/launch-landing/drafts?mode=forward"},
		},
		{
			name:       "a reply that is not the API's JSON still reports the status",
			args:       []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			replies:    map[string]fakeReply{"demo-request": {http.StatusBadGateway, "<html>Bad Gateway</html>"}},
			wantStderr: "campaign/demo-request rejected: HTTP 502 Bad Gateway\n",
			wantErr:    "1 of 1 campaign definitions failed",
			wantSent:   []string{"POST /v1/campaigns/demo-request/drafts?mode=forward&dryRun=true"},
		},
		{
			name:       "reps and accounts are put at their paths, as written",
			args:       []string{"-f", "testdata/apply/team.yaml", "--url", "{url}"},
			wantStdout: "rep/anna.berg created\naccount/acme created\n",
			wantSent:   []string{"PUT /v1/reps/anna.berg", "PUT /v1/accounts/acme"},
			check: func(t *testing.T, sent []sentRequest) {
				if !strings.HasPrefix(sent[1].body, "kind: account\n") || sent[1].contentType != "application/yaml" {
					t.Errorf("account sent as %q: %q", sent[1].contentType, sent[1].body)
				}
			},
		},
		{
			name:    "missing path fails before anything is sent",
			args:    []string{"-f", "testdata/apply/demo-request.yaml", "-f", "testdata/apply/nope.yaml", "--url", "{url}"},
			wantErr: "nope.yaml",
		},
		{
			name:    "directory without definitions",
			args:    []string{"-f", "testdata/apply/empty", "--url", "{url}"},
			wantErr: "no *.yaml or *.yml files",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{replies: tt.replies}
			srv := httptest.NewServer(api)
			defer srv.Close()
			// Cleared so the developer's own settings never reach a real API;
			// port 1 refuses connections if a case forgets --url.
			t.Setenv("LEADGATE_URL", "http://127.0.0.1:1")
			t.Setenv("LEADGATE_TOKEN", "")
			for k, v := range tt.env {
				t.Setenv(k, strings.ReplaceAll(v, "{url}", srv.URL))
			}
			var args []string
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "{url}", srv.URL))
			}

			var stdout, stderr bytes.Buffer
			err := runApply(context.Background(), args, &stdout, &stderr)

			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("runApply: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("runApply error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := stdout.String(); got != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, tt.wantStdout)
			}
			if tt.wantErr == "" || tt.wantStderr != "" {
				if got := stderr.String(); got != tt.wantStderr {
					t.Errorf("stderr:\n%s\nwant:\n%s", got, tt.wantStderr)
				}
			}
			sent := api.sent()
			if got := paths(sent); strings.Join(got, "\n") != strings.Join(tt.wantSent, "\n") {
				t.Fatalf("sent %q, want %q", got, tt.wantSent)
			}
			if tt.check != nil {
				tt.check(t, sent)
			}
		})
	}
}

func TestApplyUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-f", "testdata/apply/demo-request.yaml", "extra"}, {"--bogus"}} {
		var stdout, stderr bytes.Buffer
		if err := runApply(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("runApply(%q) = nil, want a usage error", args)
		}
		if stdout.Len() > 0 {
			t.Errorf("runApply(%q) wrote %q to stdout, want nothing", args, stdout.String())
		}
	}
}

func TestApplyHelpHidesToken(t *testing.T) {
	t.Setenv("LEADGATE_TOKEN", "do-not-print-me")
	var stdout, stderr bytes.Buffer
	_ = runApply(context.Background(), []string{"-h"}, &stdout, &stderr)
	if strings.Contains(stderr.String(), "do-not-print-me") {
		t.Errorf("help shows the token:\n%s", stderr.String())
	}
}
