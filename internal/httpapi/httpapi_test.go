package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/logging"
)

// TestErrorsAreMappedAtTheEdge: each domain code becomes its status, internal
// details are logged (one line, with the request id) and never shown.
func TestErrorsAreMappedAtTheEdge(t *testing.T) {
	tests := []struct {
		err     error
		status  int
		message string
	}{
		{leadgate.Errorf(leadgate.ENOTFOUND, "No campaign %q.", "x"), 404, `No campaign "x".`},
		{leadgate.Invalid("bad", []leadgate.Problem{{Path: "id", Message: "required"}}), 422, "bad"},
		{leadgate.Errorf(leadgate.EFORBIDDEN, "scope"), 403, "scope"},
		{leadgate.Errorf(leadgate.ETOOLARGE, "big"), 413, "big"},
		{errors.New("dial tcp 10.0.0.1:443: secret internals"), 500, "Internal error."},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			var logs bytes.Buffer
			rt := &router{log: logging.New(&logs), routes: map[string]route{
				"GET /x": func(context.Context, *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
					return events.APIGatewayV2HTTPResponse{}, tt.err
				},
			}}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			resp, err := rt.handle(ctx, events.APIGatewayV2HTTPRequest{RouteKey: "GET /x"})
			if err != nil {
				t.Fatal(err)
			}
			var body ErrorBody
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body.Error.Message != tt.message {
				t.Errorf("got %d %q", resp.StatusCode, body.Error.Message)
			}
			if strings.Contains(resp.Body, "secret internals") {
				t.Error("internal error shown to the caller")
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			var line map[string]any
			if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &line) != nil {
				t.Fatalf("want one JSON log line, got %q", logs.String())
			}
			if line["request_id"] != "req-1" || line["status"] != float64(tt.status) {
				t.Errorf("log line = %v", line)
			}
			if tt.status == 500 && line["error"] != tt.err.Error() {
				t.Errorf("internal error not logged: %v", line)
			}
		})
	}
}

func TestScopesAreChecked(t *testing.T) {
	req := &events.APIGatewayV2HTTPRequest{}
	if _, err := authorize(req, ScopeCampaignsRead); leadgate.ErrorCode(err) != leadgate.EUNAUTHORIZED {
		t.Errorf("no authorizer: %v", err)
	}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"scope": "openid leadgate/campaigns.read", "client_id": "crm-sync"},
		},
	}
	c, err := authorize(req, ScopeCampaignsRead)
	if err != nil || c.id != "crm-sync" {
		t.Errorf("read: %v %+v", err, c)
	}
	if _, err := authorize(req, ScopeCampaignsWrite); leadgate.ErrorCode(err) != leadgate.EFORBIDDEN {
		t.Errorf("write without scope: %v", err)
	}
	req.RequestContext.Authorizer.JWT.Claims = nil
	req.RequestContext.Authorizer.JWT.Scopes = []string{ScopeCampaignsWrite}
	if _, err := authorize(req, ScopeCampaignsWrite); err != nil {
		t.Errorf("scopes list: %v", err)
	}
}
