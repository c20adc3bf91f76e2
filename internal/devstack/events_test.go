package devstack_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/wiring"
)

// TestSampleEvents feeds the events/ files, which `sam local invoke -e`
// uses, to the function's handler as Lambda would: they must stay real.
func TestSampleEvents(t *testing.T) {
	sys := start(t, "")
	env, err := devstack.FunctionEnv(mustTemplate(t), sys.Resources, "CampaignsFunction")
	if err != nil {
		t.Fatal(err)
	}
	h, err := wiring.Campaigns(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file        string
		status      int
		contentType string
		contains    string
	}{
		{"campaigns-put.json", 201, "application/json", `"version": 1`},
		{"campaigns-put-invalid.json", 422, "application/problem+json", `"path": "handRaisers[0]"`},
		{"campaigns-get.json", 200, "application/json", `"publishedBy": "maria.lopez@leadgate.example"`},
		{"campaigns-definition-html.json", 200, "text/html; charset=utf-8", "<h1>Book a demo</h1>"},
		{"campaigns-list.json", 200, "application/json", `"id": "demo-request"`},
		{"campaigns-draft-propose.json", 201, "application/json", `"summary": "MQL threshold 50 → 45"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			resp := invokeSample(t, h, tt.file)
			if resp.StatusCode != tt.status || resp.Headers["Content-Type"] != tt.contentType || !strings.Contains(resp.Body, tt.contains) {
				t.Errorf("%d %s\n%s", resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
			}
		})
	}
}

// TestIntakeSampleEvents feeds the intake events/ files to the intake
// handler as Lambda would.
func TestIntakeSampleEvents(t *testing.T) {
	sys := start(t, "../../campaigns")
	env := map[string]string{"CAMPAIGNS_TABLE": sys.Resources.Tables["CampaignsTable"], "LEADS_TABLE": sys.Resources.Tables["LeadsTable"]}
	h, err := wiring.Intake(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file     string
		status   int
		header   string
		contains string
	}{
		{"intake-json.json", 202, "Access-Control-Allow-Origin", `"visitor": "lgv_`},
		{"intake-form.json", 303, "Location", ""},
		{"intake-bad.json", 422, "Access-Control-Allow-Origin", `"path": "email"`},
		{"intake-preflight.json", 204, "Access-Control-Allow-Methods", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			resp := invokeSample(t, h, tt.file)
			if resp.StatusCode != tt.status || resp.Headers[tt.header] == "" || !strings.Contains(resp.Body, tt.contains) {
				t.Errorf("%d %v\n%s", resp.StatusCode, resp.Headers, resp.Body)
			}
		})
	}
}

// TestBadgeScanSampleEvent feeds events/badge-scans-upload.json to the
// upload handler as Lambda would.
func TestBadgeScanSampleEvent(t *testing.T) {
	sys := start(t, "../../campaigns")
	env := map[string]string{"CAMPAIGNS_TABLE": sys.Resources.Tables["CampaignsTable"], "LEADS_TABLE": sys.Resources.Tables["LeadsTable"]}
	h, err := wiring.BadgeScans(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp := invokeSample(t, h, "badge-scans-upload.json")
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"rowsRead": 8`) || !strings.Contains(resp.Body, `"leadsCreated": 5`) {
		t.Errorf("%d %s", resp.StatusCode, resp.Body)
	}
	var rep badgescan.Report
	if err := json.Unmarshal([]byte(resp.Body), &rep); err != nil || rep.IssuesURL == "" {
		t.Fatalf("no issue list: %v %s", err, resp.Body)
	}

	// The issue list, as events/badge-scans-issues.json asks for it (with
	// this upload's import id in place of the sample's).
	ev := sample[events.APIGatewayV2HTTPRequest](t, "badge-scans-issues.json")
	ev.PathParameters["importId"] = rep.ImportID
	resp, err = h(context.Background(), ev)
	if err != nil || resp.StatusCode != 200 || resp.Headers["Content-Encoding"] != "gzip" || !resp.IsBase64Encoded {
		t.Fatalf("issues: %v %d %v", err, resp.StatusCode, resp.Headers)
	}
	gz, _ := base64.StdEncoding.DecodeString(resp.Body)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil || len(rows) != 1+rep.RejectedTotal+rep.WarningsTotal || strings.Join(rows[0], ",") != "row,line,kind,reason" {
		t.Errorf("issues CSV (%v): %q for %d rejects and %d warnings", err, rows, rep.RejectedTotal, rep.WarningsTotal)
	}
	ev.PathParameters["importId"] = "im_00000000000000000000"
	if resp, _ := h(context.Background(), ev); resp.StatusCode != 404 {
		t.Errorf("an unknown import's issues: %d %s", resp.StatusCode, resp.Body)
	}
}

// sample reads an events/ file as the event Lambda hands the function: an
// API Gateway request, a queue's batch.
func sample[E any](t *testing.T, file string) E {
	t.Helper()
	var ev E
	b, err := os.ReadFile("../../events/" + file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func invokeSample(t *testing.T, h httpapi.Handler, file string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := h(context.Background(), sample[events.APIGatewayV2HTTPRequest](t, file))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestFindLeadByEmail: "was X a lead?" by email, however it is typed, as
// events/leads-find-by-email.json asks it and over HTTP.
func TestFindLeadByEmail(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	if r := public.do("POST", submissions, "application/json", jsonForm(ana())); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	h, err := wiring.Leads(cfg, functionEnv(t, sys, "LeadsFunction"), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp := invokeSample(t, h, "leads-find-by-email.json")
	var v httpapi.LeadView
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil || resp.StatusCode != 200 || v.ID != lead.IDFor("ana.silva@acme-health.com") || v.Email != "ana.silva@acme-health.com" {
		t.Errorf("sample: %d %s", resp.StatusCode, resp.Body)
	}
	tests := []struct {
		query  string
		status int
	}{
		{"?email=%20ANA.SILVA%40acme-health.com%20", 200},
		{"?email=nobody%40acme-health.com", 404},
		{"?email=not-an-address", 422},
		{"", 422},
	}
	for _, tt := range tests {
		if r := c.do("GET", "/v1/leads"+tt.query, "", nil); r.status != tt.status {
			t.Errorf("%s: %d %s", tt.query, r.status, r.body)
		}
	}
	if r := public.do("GET", "/v1/leads?email=ana.silva%40acme-health.com", "", nil); r.status != 401 {
		t.Errorf("without a token: %d", r.status)
	}
}

// TestRejudgeSampleEvent feeds events/rejudge-sweep.json (what the decay
// schedule puts on the re-judge queue) to the re-judge function as Lambda
// would: it starts a decay job for each campaign whose points decay.
func TestRejudgeSampleEvent(t *testing.T) {
	sys := start(t, "../../campaigns")
	env, err := devstack.FunctionEnv(mustTemplate(t), sys.Resources, "RejudgeFunction")
	if err != nil {
		t.Fatal(err)
	}
	h, err := wiring.Rejudge(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ev := sample[events.SQSEvent](t, "rejudge-sweep.json")
	resp, err := h(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("err %v, failures %+v", err, resp.BatchItemFailures)
	}
	store := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), sys.Resources.Tables["CampaignsTable"])
	j, err := store.Job(context.Background(), "cloud-cost-whitepaper", "j1")
	if err != nil || j.Kind != "decay" || j.Version != 1 || j.StartedBy != "decay sweep" {
		t.Errorf("the whitepaper's job: %+v, %v", j, err)
	}
}

// TestFollowUpSampleEvent feeds events/followup-tick.json (what the
// follow-up schedule puts on its queue) to the follow-up function as
// Lambda would: a lead waiting with the fallback owner goes to the rep
// who has just joined, and the next one to them when sales' answer frees
// their room. A message that is not a tick is refused.
func TestFollowUpSampleEvent(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest("fay@fleetworks.de", "DE")); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("fay@fleetworks.de")
	eventually(t, "the lead with the fallback owner", func() bool { return c.lead(id).Owner == "sales-queue" })
	putRep(t, c, "dach-new", "DE", 1)
	h, err := wiring.FollowUp(cfg, functionEnv(t, sys, "FollowUpFunction"), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ev := sample[events.SQSEvent](t, "followup-tick.json")
	resp, err := h(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("err %v, failures %+v", err, resp.BatchItemFailures)
	}
	if l := c.lead(id); l.Owner != "dach-new" {
		t.Errorf("after one sweep the lead is with %q, want the new rep", l.Owner)
	}

	// The rep is full: the next lead waits, until sales' answer frees room.
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", demoRequest("gus@hafenlogistik.de", "DE")); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	gus := lead.IDFor("gus@hafenlogistik.de")
	eventually(t, "the second lead with the fallback owner", func() bool { return c.lead(gus).Owner == "sales-queue" })
	if r := c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(`{"action": "reject", "reason": "not-a-fit"}`)); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if resp, err := h(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("err %v, failures %+v", err, resp.BatchItemFailures)
	}
	if l := c.lead(gus); l.Owner != "dach-new" {
		t.Errorf("after room was freed the lead is with %q, want dach-new", l.Owner)
	}
	ev.Records[0].Body = `{"schema": "leadgate.rejudge.v1", "kind": "sweep"}`
	if resp, _ := h(context.Background(), ev); len(resp.BatchItemFailures) != 1 {
		t.Errorf("a message for another consumer: failures %+v", resp.BatchItemFailures)
	}
}
