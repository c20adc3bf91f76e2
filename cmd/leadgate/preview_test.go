package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPreview: the file becomes a draft, its preview is printed in the
// terminal's words, and the draft is discarded again.
func TestPreview(t *testing.T) {
	api := &fakeAPI{
		replies: map[string]fakeReply{"demo-request": {http.StatusCreated, `{"id":"d7","revision":1,"basedOn":2,"state":"awaiting marketing and sales",` +
			`"changes":[{"summary":"Company size min 51 → 201"}]}`}},
		preview: `{"version":2,"days":30,"leads":4,"currentStages":{"mql":3,"nurture":1},"draftStages":{"mql":1,"nurture":3},"changes":2,` +
			`"changed":[{"lead":"ld_a","company":"Fleetworks","from":"mql","to":"nurture","flipped":["fit.employees: pass → fail"]}],` +
			`"sales":{"answered":3,"lost":1,"keptRejected":0,"keptRecycled":0,"keptByReason":{},"heldRejected":1,"stillAccepted":1},` +
			`"leakage":{"current":1,"currentSample":1,"draft":null,"draftSample":0,"bounds":{"min":0.15,"max":0.5},"verdict":"not-enough-data","advice":"Fewer than 5 MQLs: too few to judge the leakage."},` +
			`"reviewBy":"2027-04-30","reviewOverdue":false}`,
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	err := runPreview(context.Background(), []string{"-f", "testdata/apply/demo-request.yaml", "--days", "30", "--url", srv.URL, "--token", "s3cret"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	want := `campaign/demo-request: this file against version 2, 4 leads of the last 30 days
  ~ Company size min 51 → 201
  stage today     version 2      draft
  mql                     3          1
  nurture                 1          3
  leads that change stage: 2
    ld_a (Fleetworks): mql → nurture; fit.employees: pass → fail
  sales answered for 3 handed-over leads: 1 accepted or better would not have been handed over, 1 still would; 0 rejected and 0 recycled would still be handed over, 1 rejected would be held back
  MQL→SQL leakage: today 100% of 1 decided, draft n/a of 0 decided (agreed 15%–50%): Fewer than 5 MQLs: too few to judge the leakage.
  review by 2027-04-30
`
	if got := stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if got := strings.Join(paths(api.sent()), "\n"); got != "POST /v1/campaigns/demo-request/drafts\nGET /v1/campaigns/demo-request/drafts/d7/preview?days=30\nDELETE /v1/campaigns/demo-request/drafts/d7" {
		t.Errorf("sent:\n%s", got)
	}
}

// TestPreviewLeavesAnOpenDraft: a file an open draft already proposes is
// previewed through that draft, which is not discarded.
func TestPreviewLeavesAnOpenDraft(t *testing.T) {
	api := &fakeAPI{
		replies: map[string]fakeReply{"demo-request": {http.StatusOK, `{"id":"d3","revision":2,"basedOn":2,"state":"approved by marketing, awaiting sales","changes":[]}`}},
		preview: `{"version":2,"days":90,"leads":0,"currentStages":{},"draftStages":{},"changes":0,"changed":[],"sales":{"keptByReason":{}},"leakage":{"verdict":"not-enough-data","advice":"x"},"reviewBy":"2027-04-30"}`,
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	if err := runPreview(context.Background(), []string{"-f", "testdata/apply/demo-request.yaml", "--url", srv.URL}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "campaign/demo-request: this file (open as draft d3) against version 2") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if got := strings.Join(paths(api.sent()), "\n"); got != "POST /v1/campaigns/demo-request/drafts\nGET /v1/campaigns/demo-request/drafts/d3/preview?days=90" {
		t.Errorf("sent:\n%s", got)
	}
}
