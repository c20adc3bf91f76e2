package devstack_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/samtemplate"
	"github.com/leadgate/leadgate/internal/webhook"
	"github.com/leadgate/leadgate/internal/webhook/signing"
	webhookswiring "github.com/leadgate/leadgate/internal/wiring/webhooks"
)

func whsec(s string) string { return "whsec_" + base64.StdEncoding.EncodeToString([]byte(s)) }

// signed posts body to a source's webhook URL the Standard Webhooks way,
// signed with secret at the given time.
func (c client) signed(source, query, secret, id string, at time.Time, body []byte) response {
	c.t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		c.t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	return c.do("POST", "/v1/webhooks/"+source+query, "application/json", body,
		"webhook-id", id, "webhook-timestamp", ts, "webhook-signature", "v1,"+signing.Sign(key, id, ts, body))
}

// TestSignedWebhooks: the two tools' documented payloads, signed, become
// touch points; an unsigned, wrongly signed, stale or replayed request is
// refused with 401 and writes nothing; a rotated secret is still taken.
func TestSignedWebhooks(t *testing.T) {
	oldZoom, newZoom := whsec("zoom, the secret being rotated out"), whsec("zoom, the new secret")
	sys := startOpts(t, devstack.Options{WebhookSecrets: map[string]string{"sendgrid": whsec("sendgrid secret"), "zoom": newZoom + " " + oldZoom}})
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	doc := strings.ReplaceAll(minimalDefinition, "ID", "q3-webinar")
	doc = strings.Replace(doc, "points: {webinar-registered: 10}", "points: {webinar-registered: 10, webinar-attended: 20, email-open: 1, email-click: 3}", 1)
	if r := c.do("PUT", "/v1/campaigns/q3-webinar", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	registration, _ := os.ReadFile("../../internal/webhook/testdata/zoom-registration-created.json")
	joined, _ := os.ReadFile("../../internal/webhook/testdata/zoom-participant-joined.json")
	events, _ := os.ReadFile("../../internal/webhook/testdata/sendgrid-events.json")
	now := time.Now()
	person := lead.IDFor("jchill@example.com")

	refused := []struct {
		name   string
		secret string
		at     time.Time
	}{
		{"the wrong secret", whsec("a guess"), now},
		{"stale", newZoom, now.Add(-6 * time.Minute)},
		{"from the future", newZoom, now.Add(6 * time.Minute)},
	}
	for _, tt := range refused {
		if r := public.signed("zoom", "?campaign=q3-webinar", tt.secret, "msg_refused", tt.at, registration); r.status != 401 {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	if r := public.do("POST", "/v1/webhooks/zoom?campaign=q3-webinar", "application/json", registration); r.status != 401 {
		t.Errorf("unsigned: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/v1/leads/"+person, "", nil); r.status != 404 {
		t.Fatalf("a refused webhook wrote a lead: %d", r.status)
	}

	// Zoom, signed with the secret being rotated out: still taken.
	r := public.signed("zoom", "?campaign=q3-webinar", oldZoom, "msg_reg_1", now, registration)
	var ans webhook.Answer
	r.json(t, &ans)
	if r.status != 200 || ans.Counts["recorded"] != 1 {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	if r := public.signed("zoom", "?campaign=q3-webinar", newZoom, "msg_reg_1", now, registration); r.status != 401 {
		t.Errorf("replayed: %d %s", r.status, r.body)
	}
	if r := public.signed("zoom", "?campaign=q3-webinar", newZoom, "msg_join_1", now, joined); r.status != 200 {
		t.Errorf("joined: %d %s", r.status, r.body)
	}
	v := c.lead(person)
	if len(v.Touches) != 2 || v.FirstName != "Jill" || v.Company != "Cooking Org" || v.Title != "Chef" || v.Verdict.Score != 30 ||
		v.Touches[0].System != "zoom" || v.Touches[0].Source != lead.SourceForm {
		t.Errorf("lead: %d touches, %+v, score %v", len(v.Touches), v.Lead, v.Verdict.Score)
	}

	// Anyone can register anyone on a webinar page: a registration does
	// not replace what the person's own browser said.
	own := jsonForm(map[string]any{"email": "pat.own@example.com", "firstName": "Pat", "lastName": "Own", "company": "Acme", "jobTitle": "CTO", "_ts": renderedAt()})
	if r := public.do("POST", "/v1/campaigns/q3-webinar/submissions", "application/json", own); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	forged := []byte(strings.NewReplacer("jchill@example.com", "pat.own@example.com", "Cooking Org", "Competitor Inc", `"Chef"`, `"Intern"`, "abcdefghij0-klmnopq23456", "forged-1", "1626983208000", strconv.FormatInt(time.Now().UnixMilli(), 10)).Replace(string(registration)))
	if r := public.signed("zoom", "?campaign=q3-webinar", newZoom, "msg_forged", now, forged); r.status != 200 || !strings.Contains(string(r.body), `"recorded": 1`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if v := c.lead(lead.IDFor("pat.own@example.com")); v.Company != "Acme" || v.Title != "CTO" || len(v.Proposed) == 0 {
		t.Errorf("a registration in the person's name replaced their own words: %+v, proposed %+v", v.Lead, v.Proposed)
	}

	// SendGrid: a batch of eleven events, two of them touch points.
	r = public.signed("sendgrid", "?campaign=q3-webinar", whsec("sendgrid secret"), "msg_sg_1", now, events)
	r.json(t, &ans)
	if r.status != 200 || ans.Counts["recorded"] != 2 || ans.Skipped != 9 {
		t.Errorf("sendgrid: %d %s", r.status, r.body)
	}
	if r := public.signed("nosuchtool", "", whsec("x"), "msg_x", now, events); r.status != 404 {
		t.Errorf("an unknown source: %d", r.status)
	}
	if r := public.signed("sendgrid", "", whsec("sendgrid secret"), strings.Repeat("i", 3000), now, events); r.status != 401 {
		t.Errorf("an id of 3,000 bytes: %d %s", r.status, r.body)
	}
	if r := public.signed("sendgrid", "?campaign=q3-webinar", whsec("sendgrid secret"), "msg_trail", now, append(append([]byte{}, events...), events...)); r.status != 400 {
		t.Errorf("two JSON documents back to back: %d %s", r.status, r.body)
	}

	// A tool's batch bigger than the API's: recorded in parts.
	var many strings.Builder
	many.WriteString("[")
	for i := range 1200 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"email": "reader%d@example.com", "timestamp": %d, "event": "open", "sg_event_id": "bulk-%d"}`, i%300, now.Unix(), i)
	}
	many.WriteString("]")
	r = public.signed("sendgrid", "?campaign=q3-webinar", whsec("sendgrid secret"), "msg_bulk", now, []byte(many.String()))
	r.json(t, &ans)
	if r.status != 200 || ans.Counts["recorded"] != 1200 || len(ans.Results) != 1200 || ans.Results[1199].Index != 1199 {
		t.Errorf("1,200 events: %d %v", r.status, ans.Counts)
	}
}

// TestWebhookSampleEvent feeds events/webhooks-zoom-registration.json to
// the webhooks function's handler as Lambda would, signed afresh.
func TestWebhookSampleEvent(t *testing.T) {
	secret := whsec("zoom sample secret")
	sys := startOpts(t, devstack.Options{WebhookSecrets: map[string]string{"zoom": secret}})
	c := client{t, sys.URL, sys.Token}
	doc := strings.ReplaceAll(minimalDefinition, "ID", "q3-webinar")
	if r := c.do("PUT", "/v1/campaigns/q3-webinar", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	ev := sample[events.APIGatewayV2HTTPRequest](t, "webhooks-zoom-registration.json")
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	ev.Headers["webhook-timestamp"] = ts
	ev.Headers["webhook-signature"] = "v1," + signing.Sign(key, ev.Headers["webhook-id"], ts, []byte(ev.Body))
	env, err := devstack.FunctionEnv(mustTemplate(t), sys.Resources, "WebhooksFunction")
	if err != nil {
		t.Fatal(err)
	}
	h, err := webhookswiring.Wire(cfg, func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h(context.Background(), ev)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"recorded": 1`) {
		t.Errorf("%v %d %s", err, resp.StatusCode, resp.Body)
	}
}

func mustTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}
