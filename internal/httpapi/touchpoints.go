package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// MaxTouchPointBytes bounds a touch-point batch: 500 items of a couple of
// KiB each.
const MaxTouchPointBytes = 1 << 20

// touchPoints records a batch of touch points other systems send.
func (b *BadgeScans) touchPoints(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.TouchPointsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if edge.MediaType(req) != "application/json" {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, `Send {"touchPoints": [...]} as application/json.`)
	}
	raw, err := edge.Body(req, MaxTouchPointBytes)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var batch struct {
		TouchPoints []json.RawMessage `json:"touchPoints"`
	}
	if err := decodeStrictJSON(raw, &batch); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if len(batch.TouchPoints) == 0 {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("The batch is empty.", []leadgate.Problem{{Path: "touchPoints", Message: "required: a list of touch points"}})
	}
	ans, err := b.touchpoints.Record(ctx, batch.TouchPoints, b.now())
	if err != nil && ans != nil {
		return events.APIGatewayV2HTTPResponse{}, &edge.Partial{Err: err, Done: ans}
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, ans), nil
}
