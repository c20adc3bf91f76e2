package devstack_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/apidoc"
	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/samtemplate"
	"github.com/leadgate/leadgate/internal/webhook/signing"
	"github.com/leadgate/leadgate/internal/wiring"
	webhookswiring "github.com/leadgate/leadgate/internal/wiring/webhooks"
)

// routeParam finds a route's path parameters.
var routeParam = regexp.MustCompile(`\{(\w+)\}`)

// apiRoutes are the routes the OpenAPI document describes: all but the
// console's pages, which answer browsers with HTML (console_test.go).
func apiRoutes(sys *devstack.System) []samtemplate.Route {
	return slices.DeleteFunc(slices.Clone(sys.Routes), func(r samtemplate.Route) bool { return strings.HasPrefix(r.Path, "/console") })
}

// httpHandlers wires every HTTP function of template.yaml against sys's
// tables, as its Lambda bootstrap would, by logical ID.
func httpHandlers(t *testing.T, sys *devstack.System) map[string]httpapi.Handler {
	t.Helper()
	build := map[string]func(aws.Config, wiring.Env, *slog.Logger) (httpapi.Handler, error){
		"CampaignsFunction": wiring.Campaigns, "IntakeFunction": wiring.Intake, "LeadsFunction": wiring.Leads,
		"BadgeScanFunction": wiring.BadgeScans, "RepsFunction": wiring.Reps, "ReportsFunction": wiring.Reports,
		"WebhooksFunction": webhookswiring.Wire, "SubscriptionsFunction": wiring.Subscriptions,
	}
	tpl := mustTemplate(t)
	out := map[string]httpapi.Handler{}
	for _, r := range apiRoutes(sys) {
		if _, done := out[r.Function]; done {
			continue
		}
		b, ok := build[r.Function]
		if !ok {
			t.Fatalf("no wiring for %s", r.Function)
		}
		env, err := devstack.FunctionEnv(tpl, sys.Resources, r.Function)
		if err != nil {
			t.Fatal(err)
		}
		h, err := b(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		out[r.Function] = h
	}
	return out
}

func loadAPIDoc(t *testing.T) *apidoc.Doc {
	t.Helper()
	doc, err := apidoc.Load(httpapi.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkAnswer checks a handler's answer against the document.
func checkAnswer(t *testing.T, doc *apidoc.Doc, key string, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	if err := doc.CheckAnswer(key, resp); err != nil {
		t.Error(err)
	}
}

// TestAnswersMatchTheOpenAPIDocument: the handlers' real answers to the
// events/ samples (and, over HTTP, to the routes that have none) are what
// internal/httpapi/openapi.json says: a documented status and content type,
// a body valid by its schema (read strictly: no field the document does not
// describe), the headers it says are there. Every route answers with a
// success at least once.
func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	secret := whsec("zoom sample secret")
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", Reps: "../../reps", WebhookSecrets: map[string]string{"zoom": secret}})
	c := client{t, sys.URL, sys.Token}
	if r := c.do("PUT", "/v1/campaigns/q3-webinar", "application/yaml", []byte(strings.ReplaceAll(minimalDefinition, "ID", "q3-webinar"))); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	doc := loadAPIDoc(t)
	handlers := httpHandlers(t, sys)
	function := map[string]string{}
	for _, r := range apiRoutes(sys) {
		function[r.Key()] = r.Function
	}
	succeeded := map[string]bool{}

	var importID string
	samples := []struct {
		file    string
		prepare func(*events.APIGatewayV2HTTPRequest)
	}{
		{"openapi-get.json", nil},
		{"campaigns-list.json", nil},
		{"campaigns-get.json", nil},
		{"campaigns-definition-html.json", nil},
		{"campaigns-put.json", nil},
		{"campaigns-put-invalid.json", nil},
		{"campaigns-draft-propose.json", nil},
		{"intake-json.json", nil},
		{"intake-form.json", nil},
		{"intake-bad.json", nil},
		{"intake-preflight.json", nil},
		{"leads-find-by-email.json", nil},
		{"reps-account-put.json", nil},
		{"subscriptions-put.json", nil},
		{"touch-points-batch.json", nil},
		{"badge-scans-upload.json", nil},
		{"badge-scans-issues.json", func(ev *events.APIGatewayV2HTTPRequest) { ev.PathParameters["importId"] = importID }},
		{"webhooks-zoom-registration.json", func(ev *events.APIGatewayV2HTTPRequest) {
			// A signature holds for five minutes: sign it again.
			key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			ev.Headers["webhook-timestamp"] = ts
			ev.Headers["webhook-signature"] = "v1," + signing.Sign(key, ev.Headers["webhook-id"], ts, []byte(ev.Body))
		}},
	}

	t.Run("every HTTP sample is here", func(t *testing.T) {
		files, _ := filepath.Glob("../../events/*.json")
		for _, f := range files {
			var ev struct {
				RouteKey string `json:"routeKey"`
			}
			b, _ := os.ReadFile(f)
			if json.Unmarshal(b, &ev) != nil || ev.RouteKey == "" {
				continue // not an API Gateway event
			}
			if strings.Contains(ev.RouteKey, " /console") {
				continue // a console page, not the API (runtimeapi runs it)
			}
			if !slices.ContainsFunc(samples, func(s struct {
				file    string
				prepare func(*events.APIGatewayV2HTTPRequest)
			}) bool {
				return s.file == filepath.Base(f)
			}) {
				t.Errorf("%s is not checked against the document", f)
			}
		}
	})

	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			ev := sample[events.APIGatewayV2HTTPRequest](t, s.file)
			if s.prepare != nil {
				s.prepare(&ev)
			}
			h, ok := handlers[function[ev.RouteKey]]
			if !ok {
				t.Fatalf("template.yaml has no route %s", ev.RouteKey)
			}
			resp, err := h(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode < 300 {
				succeeded[ev.RouteKey] = true
			}
			if s.file == "badge-scans-upload.json" {
				var rep badgescan.Report
				if err := json.Unmarshal([]byte(resp.Body), &rep); err != nil {
					t.Fatal(err)
				}
				importID = rep.ImportID
			}
			checkAnswer(t, doc, ev.RouteKey, resp)
		})
	}

	// The routes no sample reaches, over HTTP (with the local token, which
	// holds every scope), and a few errors.
	ana, jonas := lead.IDFor("ana.silva@acme-health.com"), lead.IDFor("jonas.koch@maschinenbau-koch.de")
	draft := []byte(strings.ReplaceAll(strings.Replace(minimalDefinition, "name:", "description: Threshold lowered\nname:", 1), "ID", "q3-webinar"))
	rep := []byte("kind: rep\nname: Nina Novak\nemail: nina.novak@leadgate.example\nterritories: [Poland, APAC]\nactive: true\ncapacity: 10\n")
	requests := []struct {
		key, method, path, contentType string
		body                           []byte
	}{
		{"GET /v1/campaigns/{campaignId}/versions", "GET", "/v1/campaigns/demo-request/versions", "", nil},
		{"GET /v1/campaigns/{campaignId}/versions/{version}", "GET", "/v1/campaigns/demo-request/versions/1", "", nil},
		{"GET /v1/campaigns/{campaignId}/versions/{version}/diff", "GET", "/v1/campaigns/demo-request/versions/1/diff?from=1", "", nil},
		{"GET /v1/campaigns/{campaignId}/versions/{version}/diff", "GET", "/v1/campaigns/demo-request/versions/1/diff", "", nil},
		{"GET /v1/campaigns/{campaignId}/definition", "GET", "/v1/campaigns/demo-request/definition", "", nil},
		{"POST /v1/campaigns/{campaignId}/drafts", "POST", "/v1/campaigns/q3-webinar/drafts", "application/yaml", []byte("{}")},
		{"POST /v1/campaigns/{campaignId}/drafts", "POST", "/v1/campaigns/q3-webinar/drafts?dryRun=true", "application/yaml", draft},
		{"POST /v1/campaigns/{campaignId}/drafts", "POST", "/v1/campaigns/q3-webinar/drafts?mode=rejudge", "application/yaml", draft},
		{"GET /v1/campaigns/{campaignId}/drafts", "GET", "/v1/campaigns/q3-webinar/drafts", "", nil},
		{"PUT /v1/campaigns/{campaignId}/drafts/{draftId}", "PUT", "/v1/campaigns/q3-webinar/drafts/d1", "application/yaml", draft},
		{"GET /v1/campaigns/{campaignId}/drafts/{draftId}/diff", "GET", "/v1/campaigns/q3-webinar/drafts/d1/diff", "", nil},
		{"GET /v1/campaigns/{campaignId}/drafts/{draftId}/preview", "GET", "/v1/campaigns/q3-webinar/drafts/d1/preview", "", nil},
		{"GET /v1/campaigns/{campaignId}/drafts/{draftId}/preview", "GET", "/v1/campaigns/q3-webinar/drafts/d1/preview?format=csv", "", nil},
		{"GET /v1/campaigns/{campaignId}/drafts/{draftId}/preview", "GET", "/v1/campaigns/q3-webinar/drafts/d1/preview?days=0", "", nil},
		{"POST /v1/campaigns/{campaignId}/drafts/{draftId}/approvals", "POST", "/v1/campaigns/q3-webinar/drafts/d1/approvals", "application/json", []byte(`{"decision": "approve"}`)},
		{"POST /v1/campaigns/{campaignId}/drafts/{draftId}/approvals", "POST", "/v1/campaigns/q3-webinar/drafts/d1/approvals", "application/json", []byte(`{"decision": "approve", "side": "marketing"}`)},
		{"GET /v1/campaigns/{campaignId}/drafts/{draftId}", "GET", "/v1/campaigns/q3-webinar/drafts/d1", "", nil},
		{"POST /v1/campaigns/{campaignId}/drafts/{draftId}/approvals", "POST", "/v1/campaigns/q3-webinar/drafts/d1/approvals", "application/json", []byte(`{"decision": "approve", "side": "sales"}`)},
		{"GET /v1/campaigns/{campaignId}/drafts/{draftId}", "GET", "/v1/campaigns/q3-webinar/drafts/d1", "", nil},
		{"POST /v1/campaigns/{campaignId}/drafts", "POST", "/v1/campaigns/q3-webinar/drafts", "application/yaml", draft},
		{"DELETE /v1/campaigns/{campaignId}/drafts/{draftId}", "DELETE", "/v1/campaigns/q3-webinar/drafts/d2", "", nil},
		{"GET /v1/campaigns/{campaignId}", "GET", "/v1/campaigns/q3-webinar", "", nil},
		{"PUT /v1/campaigns/{campaignId}", "PUT", "/v1/campaigns/q3-webinar?mode=rejudge", "application/yaml", []byte(strings.ReplaceAll(strings.Replace(minimalDefinition, "threshold: 30", "threshold: 25", 1), "ID", "q3-webinar"))},
		{"POST /v1/campaigns/{campaignId}/rejudge-jobs", "POST", "/v1/campaigns/q3-webinar/rejudge-jobs", "", nil},
		{"GET /v1/campaigns/{campaignId}/rejudge-jobs/{jobId}", "GET", "/v1/campaigns/q3-webinar/rejudge-jobs/j2", "", nil},
		{"GET /v1/campaigns/{campaignId}/rejudge-jobs/{jobId}", "GET", "/v1/campaigns/q3-webinar/rejudge-jobs/x", "", nil},
		{"GET /v1/leads/{leadId}", "GET", "/v1/leads/" + ana, "", nil},
		{"POST /v1/leads/{leadId}/feedback", "POST", "/v1/leads/" + ana + "/feedback", "application/json", []byte(`{"action": "accept", "note": "Call booked"}`)},
		{"POST /v1/leads/{leadId}/assign", "POST", "/v1/leads/" + ana + "/assign", "application/json", []byte(`{"rep": "auto", "note": "Tom is on leave"}`)},
		{"POST /v1/leads/{leadId}/assign", "POST", "/v1/leads/" + ana + "/assign", "application/json", []byte(`{"rep": "nobody-here"}`)},
		{"POST /v1/leads/{leadId}/feedback", "POST", "/v1/leads/" + ana + "/feedback", "application/json", []byte(`{"action": "won"}`)},
		{"GET /v1/campaigns/{campaignId}/funnel", "GET", "/v1/campaigns/cloud-cost-whitepaper/funnel", "", nil},
		{"GET /v1/campaigns/{campaignId}/funnel", "GET", "/v1/campaigns/cloud-cost-whitepaper/funnel?from=yesterday", "", nil},
		{"GET /v1/campaigns/{campaignId}/leads.csv", "GET", "/v1/campaigns/cloud-cost-whitepaper/leads.csv", "", nil},
		{"GET /v1/reports", "GET", "/v1/reports", "", nil},
		{"GET /v1/reports/{campaignId}/funnel.svg", "GET", "/v1/reports/cloud-cost-whitepaper/funnel.svg", "", nil},
		{"PUT /v1/reps/{repId}", "PUT", "/v1/reps/nina.novak", "application/yaml", rep},
		{"PUT /v1/reps/{repId}", "PUT", "/v1/reps/nina.novak", "application/yaml", rep},
		{"PUT /v1/reps/{repId}", "PUT", "/v1/reps/nina.novak", "text/csv", rep},
		{"GET /v1/reps", "GET", "/v1/reps", "", nil},
		{"GET /v1/reps/{repId}", "GET", "/v1/reps/tom.evans", "", nil},
		{"GET /v1/reps/{repId}/leads", "GET", "/v1/reps/local-operator/leads", "", nil},
		{"GET /v1/reps/{repId}/leads", "GET", "/v1/reps/daniel.osei/leads", "", nil},
		{"PUT /v1/accounts/{accountId}", "PUT", "/v1/accounts/acme", "application/yaml", []byte("kind: account\nname: Acme\ndomains: [acme-corp.example, https://www.acme.example]\nowner: tom.evans\ntier: strategic\n")},
		{"PUT /v1/accounts/{accountId}", "PUT", "/v1/accounts/acme", "application/json", []byte(`{"name": "Acme", "domains": ["acme-corp.example"], "owner": "tom.evans"}`)},
		{"PUT /v1/accounts/{accountId}", "PUT", "/v1/accounts/rival", "application/yaml", []byte("name: Rival\ndomains: [acme-corp.example]\nowner: tom.evans\n")},
		{"PUT /v1/accounts/{accountId}", "PUT", "/v1/accounts/mail", "application/yaml", []byte("name: Mail\ndomains: [gmail.com]\nowner: nobody\n")},
		{"GET /v1/accounts", "GET", "/v1/accounts", "", nil},
		{"GET /v1/accounts", "GET", "/v1/accounts?cursor=%20", "", nil},
		{"GET /v1/accounts/{accountId}", "GET", "/v1/accounts/acme", "", nil},
		{"GET /v1/accounts/{accountId}", "GET", "/v1/accounts/rival", "", nil},
		{"DELETE /v1/accounts/{accountId}", "DELETE", "/v1/accounts/acme", "", nil},
		{"DELETE /v1/accounts/{accountId}", "DELETE", "/v1/accounts/acme", "", nil},
		{"POST /v1/touch-points", "POST", "/v1/touch-points", "application/json", []byte(`{"touchPoints": []}`)},
		{"DELETE /v1/leads/{leadId}", "DELETE", "/v1/leads/" + jonas, "", nil},
		{"POST /v1/erasures", "POST", "/v1/erasures", "application/json", []byte(`{"email": "Ana.Silva@acme-health.com"}`)},
		{"GET /v1/leads/{leadId}", "GET", "/v1/leads/" + ana, "", nil},
		{"PUT /v1/webhooks/subscriptions/{subscriptionId}", "PUT", "/v1/webhooks/subscriptions/crm-sync", "application/json", []byte(`{"url": "https://hooks.example.com/leadgate", "events": ["lead.sales_ready"]}`)},
		{"PUT /v1/webhooks/subscriptions/{subscriptionId}", "PUT", "/v1/webhooks/subscriptions/team-chat", "application/json", []byte(`{"url": "https://hooks.slack.example/T0/B0/x", "events": ["lead.sales_ready"], "format": "slack", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}`)},
		{"PUT /v1/webhooks/subscriptions/{subscriptionId}", "PUT", "/v1/webhooks/subscriptions/bad", "application/json", []byte(`{"url": "http://169.254.169.254/", "events": []}`)},
		{"GET /v1/webhooks/subscriptions", "GET", "/v1/webhooks/subscriptions", "", nil},
		{"GET /v1/webhooks/subscriptions/{subscriptionId}", "GET", "/v1/webhooks/subscriptions/crm-sync", "", nil},
		{"DELETE /v1/webhooks/subscriptions/{subscriptionId}", "DELETE", "/v1/webhooks/subscriptions/team-chat", "", nil},
		{"GET /v1/webhooks/subscriptions/{subscriptionId}", "GET", "/v1/webhooks/subscriptions/team-chat", "", nil},
	}
	for _, rq := range requests {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			r := c.do(rq.method, rq.path, rq.contentType, rq.body)
			resp := events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: map[string]string{}, Cookies: r.header.Values("Set-Cookie"), Body: string(r.body)}
			for k := range r.header {
				resp.Headers[http.CanonicalHeaderKey(k)] = r.header.Get(k)
			}
			if r.status < 300 {
				succeeded[rq.key] = true
			}
			checkAnswer(t, doc, rq.key, resp)
		})
	}

	t.Run("the document over HTTP, without a token", func(t *testing.T) {
		r := client{t, sys.URL, ""}.do("GET", "/v1/openapi.json", "", nil)
		if r.status != 200 || !bytes.Equal(r.body, httpapi.OpenAPI) || r.header.Get("Cache-Control") != "public, max-age=300" ||
			r.header.Get("Content-Type") != httpapi.OpenAPIMediaType {
			t.Errorf("%d %v %.100s", r.status, r.header, r.body)
		}
	})

	t.Run("every route answered with a success", func(t *testing.T) {
		for _, r := range apiRoutes(sys) {
			if !succeeded[r.Key()] {
				t.Errorf("%s: no success answer was checked against the document", r.Key())
			}
		}
	})
}

// TestDocumentedScopesAreEnforced: the scopes the document gives each
// route are the ones its handler takes, no more and no fewer. template.yaml
// names only the authorizer (API Gateway checks the token; the handler the
// scope), so the handlers are the other half of the route's security: a
// token with each scope alone is let in exactly when the document lists
// the scope, and a public route takes a request with no token.
func TestDocumentedScopesAreEnforced(t *testing.T) {
	sys := start(t, "../../campaigns")
	doc := loadAPIDoc(t)
	handlers := httpHandlers(t, sys)
	ids := map[string]string{
		"campaignId": "demo-request", "version": "1", "leadId": "ld_aaaaaaaaaaaaaaaaaaaaaaaa", "repId": "tom.evans",
		"importId": "im_00000000000000000000", "source": "zoom", "draftId": "d1", "jobId": "j1", "accountId": "acme",
		"subscriptionId": "crm-sync",
	}
	for _, r := range apiRoutes(sys) {
		t.Run(r.Key(), func(t *testing.T) {
			op, ok := doc.Operation(r.Key())
			if !ok {
				t.Fatal("not in the document")
			}
			// Each alternative of the security list is a set of scopes
			// needed together.
			var documented []string
			var alternatives [][]string
			security, _ := op.Raw["security"].([]any)
			for _, alt := range security {
				for _, scopes := range alt.(map[string]any) {
					var set []string
					for _, s := range scopes.([]any) {
						set = append(set, s.(string))
					}
					alternatives = append(alternatives, set)
					documented = append(documented, set...)
				}
			}
			ask := func(scope *string) events.APIGatewayV2HTTPResponse {
				t.Helper()
				ev := events.APIGatewayV2HTTPRequest{
					RouteKey: r.Key(), RawPath: r.Path, PathParameters: map[string]string{},
					Headers: map[string]string{"content-type": "application/json", "origin": "https://www.leadgate.example"},
					Body:    "{}",
				}
				for _, m := range routeParam.FindAllStringSubmatch(r.Path, -1) {
					ev.PathParameters[m[1]] = ids[m[1]]
				}
				if scope != nil {
					ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
						JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
							Claims: map[string]string{"sub": "caller", "username": "tom.evans", "scope": *scope},
						},
					}
				}
				resp, err := handlers[r.Function](context.Background(), ev)
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			if r.Authorizer == "" {
				if len(documented) > 0 {
					t.Fatalf("public in template.yaml, scopes %q in the document", documented)
				}
				resp := ask(nil)
				if resp.StatusCode == 403 || (resp.StatusCode == 401 && strings.Contains(resp.Body, "bearer token")) {
					t.Errorf("a public route refused a request without a token: %d %s", resp.StatusCode, resp.Body)
				}
				return
			}
			none := ""
			if resp := ask(&none); resp.StatusCode != 403 {
				t.Errorf("a token without scopes: %d %s", resp.StatusCode, resp.Body)
			}
			letIn := func(scopes []string) bool {
				t.Helper()
				s := strings.Join(scopes, " ")
				resp := ask(&s)
				return resp.StatusCode != 401 && resp.StatusCode != 403
			}
			for _, set := range alternatives {
				if !letIn(set) {
					t.Errorf("the documented scopes %q together are refused", set)
				}
				for i := range set {
					if rest := slices.Delete(slices.Clone(set), i, i+1); len(set) > 1 && letIn(rest) {
						t.Errorf("%q are let in without %s, which the document requires with them", rest, set[i])
					}
				}
			}
			for _, scope := range scopes.All {
				if !slices.Contains(documented, scope) && letIn([]string{scope}) {
					t.Errorf("scope %s alone is let in; the document lists %q", scope, documented)
				}
			}
		})
	}
	if len(slices.Collect(maps.Keys(handlers))) < 7 {
		t.Errorf("only %d functions wired", len(handlers))
	}
}
