package webhooks_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/webhooks"
)

// TestSourceIDChecked: the webhook route refuses a source that cannot be
// one before the service sees it, as it did when the route shared
// httpapi's id table (the service here is nil: reaching it would panic).
func TestSourceIDChecked(t *testing.T) {
	h := webhooks.New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	for _, source := range []string{"UPPER", strings.Repeat("a", 64), "a/b", ""} {
		t.Run(source, func(t *testing.T) {
			resp, _ := h(context.Background(), events.APIGatewayV2HTTPRequest{
				RouteKey:       "POST /v1/webhooks/{source}",
				PathParameters: map[string]string{"source": source},
				Body:           "{}",
			})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("source %q: status %d, want 404", source, resp.StatusCode)
			}
		})
	}
}
