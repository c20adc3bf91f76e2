package submissions_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/submissions"
)

// TestCampaignIDChecked: both submission routes refuse a campaign id that
// cannot be one before the service sees it, as they did when they shared
// httpapi's id table (the service here is nil: reaching it would panic).
func TestCampaignIDChecked(t *testing.T) {
	h := submissions.New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	for _, method := range []string{"POST", "OPTIONS"} {
		for _, id := range []string{"UPPER", strings.Repeat("a", 64), "a_b"} {
			t.Run(method+" "+id, func(t *testing.T) {
				resp, _ := h(context.Background(), events.APIGatewayV2HTTPRequest{
					RouteKey:       method + " /v1/campaigns/{campaignId}/submissions",
					PathParameters: map[string]string{"campaignId": id},
					Headers:        map[string]string{"content-type": "application/json", "origin": "https://example.com"},
					Body:           "{}",
				})
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("campaign %q: status %d, want 404", id, resp.StatusCode)
				}
			})
		}
	}
}
