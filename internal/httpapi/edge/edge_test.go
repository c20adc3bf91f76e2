package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/smithy-go"

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
		{fmt.Errorf("put lead: %w", &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "table throttled"}), 503,
			"The service is busy; try again in a few seconds."},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			var logs bytes.Buffer
			rt := &Router{Log: logging.New(&logs), Routes: map[string]Route{
				"GET /x": func(context.Context, *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
					return events.APIGatewayV2HTTPResponse{}, tt.err
				},
			}}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			resp, err := rt.Handle(ctx, events.APIGatewayV2HTTPRequest{RouteKey: "GET /x"})
			if err != nil {
				t.Fatal(err)
			}
			var body Problem
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body.Status != tt.status || body.Detail != tt.message {
				t.Errorf("got %d %+v", resp.StatusCode, body)
			}
			// RFC 9457: the problem media type, a type URI per code that
			// docs/errors.md explains, a title per code.
			code := leadgate.ErrorCode(Unavailable(ctx, tt.err))
			if resp.Headers["Content-Type"] != "application/problem+json" || body.Code != code ||
				body.Type != ProblemTypeBase+code || body.Title != problemKinds[code].Title {
				t.Errorf("not an RFC 9457 problem for %s: %v %+v", code, resp.Headers, body)
			}
			if (tt.status == 503) != (resp.Headers["Retry-After"] != "") {
				t.Errorf("Retry-After %q on a %d", resp.Headers["Retry-After"], tt.status)
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
			if logged, _ := line["error"].(string); tt.status >= 500 && !strings.Contains(logged, tt.err.Error()) {
				t.Errorf("internal error not logged: %v", line)
			}
		})
	}
}

// TestEveryProblemTypeIsDocumented: each code's type URI lands on a
// section of docs/errors.md.
func TestEveryProblemTypeIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, kind := range problemKinds {
		// GitHub's anchor for a heading "## `not_found` — 404 Not found"
		// would mangle; each section carries an explicit anchor instead.
		if !bytes.Contains(doc, []byte(`<a id="`+code+`"></a>`)) {
			t.Errorf("docs/errors.md has no section for %s", code)
		}
		if !bytes.Contains(doc, []byte(fmt.Sprintf("%d", kind.Status))) {
			t.Errorf("docs/errors.md does not give %s's status %d", code, kind.Status)
		}
	}
}
