package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// fakeAPI stands in for PUT /v1/campaigns/{id}. It does not validate: these
// tests are about what the CLI sends and how it reports the replies.
type fakeAPI struct {
	replies map[string]fakeReply // by campaign id; unlisted ids are created as version 1

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

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, sentRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(body)})
	f.mu.Unlock()

	id, ok := strings.CutPrefix(r.URL.Path, "/v1/campaigns/")
	if r.Method != http.MethodPut || !ok {
		http.Error(w, `{"type":"https://github.com/leadgate/leadgate/blob/main/docs/errors.md#not_found","title":"Not found","status":404,"detail":"No such route.","code":"not_found"}`, http.StatusNotFound)
		return
	}
	reply, ok := f.replies[id]
	if !ok {
		reply = fakeReply{http.StatusCreated, fmt.Sprintf(`{"id":%q,"version":1,"created":true,"digest":"d1"}`, id)}
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
			replies: map[string]fakeReply{"demo-request": {http.StatusCreated, `{"id":"demo-request","version":1,"created":true,"digest":"d1",` +
				`"warnings":[{"path":"salesOwner","message":"no sales owner: who signed off on the hand-over?"}]}`}},
			wantStdout: "campaign/demo-request created (version 1)\n" +
				"  warning: salesOwner: no sales owner: who signed off on the hand-over?\n",
			wantSent: []string{"PUT /v1/campaigns/demo-request"},
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
			name:       "unchanged",
			args:       []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			replies:    map[string]fakeReply{"demo-request": {http.StatusOK, `{"id":"demo-request","version":3,"created":false,"digest":"d3"}`}},
			wantStdout: "campaign/demo-request unchanged (version 3)\n",
			wantSent:   []string{"PUT /v1/campaigns/demo-request"},
		},
		{
			name:       "422 lists the problems and the other definitions are still sent",
			args:       []string{"-f", "testdata/apply/webinar-q1.yaml", "-f", "testdata/apply/demo-request.yaml", "--url", "{url}/", "--token", "s3cret"},
			replies:    map[string]fakeReply{"webinar-q1": {http.StatusUnprocessableEntity, unprocessable}},
			wantStdout: "campaign/demo-request created (version 1)\n",
			wantStderr: "campaign/webinar-q1 rejected: The definition breaks 2 rules.\n" +
				"  engagement.threshold: must be above 0\n" +
				"  no sales owner signed off\n",
			wantErr:  "1 of 2 campaign definitions failed",
			wantSent: []string{"PUT /v1/campaigns/webinar-q1", "PUT /v1/campaigns/demo-request"},
		},
		{
			name: "multi-document file sends each document alone",
			args: []string{"-f", "testdata/apply/launch.yaml", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/launch-landing created (version 1)\n" +
				"campaign/launch-webinar created (version 1)\n",
			wantSent: []string{"PUT /v1/campaigns/launch-landing", "PUT /v1/campaigns/launch-webinar"},
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
			wantStdout: "campaign/dir-booth created (version 1)\n" +
				"campaign/dir-webinar created (version 1)\n",
			wantSent: []string{"PUT /v1/campaigns/dir-booth", "PUT /v1/campaigns/dir-webinar"},
		},
		{
			name: "dry run sends nothing",
			args: []string{"-f", "testdata/apply/dir", "-f", "testdata/apply/launch.yaml", "--url", "{url}", "--dry-run"},
			wantStdout: "campaign/dir-booth would be applied\n" +
				"campaign/dir-webinar would be applied\n" +
				"campaign/launch-landing would be applied\n" +
				"campaign/launch-webinar would be applied\n",
		},
		{
			name:       "missing token sends no Authorization header and a 401 says how to give one",
			args:       []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}"},
			replies:    map[string]fakeReply{"demo-request": {http.StatusUnauthorized, `{"title":"Authentication required","status":401,"detail":"A bearer token is required.","code":"unauthorized"}`}},
			wantStderr: "campaign/demo-request rejected: A bearer token is required. (no token given: pass --token or set LEADGATE_TOKEN)\n",
			wantErr:    "1 of 1 campaign definitions failed",
			wantSent:   []string{"PUT /v1/campaigns/demo-request"},
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
			wantStdout: "campaign/demo-request created (version 1)\n",
			wantSent:   []string{"PUT /v1/campaigns/demo-request"},
			check: func(t *testing.T, sent []sentRequest) {
				if sent[0].auth != "Bearer from-env" {
					t.Errorf("Authorization = %q, want Bearer from-env", sent[0].auth)
				}
			},
		},
		{
			name:       "file that does not parse is reported and not sent",
			args:       []string{"-f", "testdata/apply/broken.yaml", "-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/demo-request created (version 1)\n",
			wantStderr: "testdata/apply/broken.yaml rejected: The definition could not be read.\n" +
				"  line 5: unknown key \"threshhold\"\n",
			wantErr:  "1 of 2 campaign definitions failed",
			wantSent: []string{"PUT /v1/campaigns/demo-request"},
		},
		{
			name:       "document that does not parse is named by its number and file line",
			args:       []string{"-f", "testdata/apply/launch-broken.yaml", "--url", "{url}", "--token", "s3cret"},
			wantStdout: "campaign/launch-landing created (version 1)\n",
			wantStderr: "testdata/apply/launch-broken.yaml (document 2) rejected: The definition could not be read.\n" +
				"  line 7: unknown key \"chanel\"\n",
			wantErr:  "1 of 2 campaign definitions failed",
			wantSent: []string{"PUT /v1/campaigns/launch-landing"},
		},
		{
			name:       "a reply that is not the API's JSON still reports the status",
			args:       []string{"-f", "testdata/apply/demo-request.yaml", "--url", "{url}", "--token", "s3cret"},
			replies:    map[string]fakeReply{"demo-request": {http.StatusBadGateway, "<html>Bad Gateway</html>"}},
			wantStderr: "campaign/demo-request rejected: HTTP 502 Bad Gateway\n",
			wantErr:    "1 of 1 campaign definitions failed",
			wantSent:   []string{"PUT /v1/campaigns/demo-request"},
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
