package httpapi

import (
	"context"
	_ "embed"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// OpenAPI is the description of this API (OpenAPI 3.1), written by hand and
// kept next to the handlers it describes. Tests keep its routes and their
// security equal to template.yaml's and the handlers', and check the
// handlers' real answers against it.
//
//go:embed openapi.json
var OpenAPI []byte

// OpenAPIMediaType is what the document is served as.
const OpenAPIMediaType = "application/vnd.oai.openapi+json;version=3.1"

// openAPI serves the document: public, the same for everyone, and
// cacheable (the router sets no-store only where a route sets nothing).
func openAPI(context.Context, *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": OpenAPIMediaType, "Cache-Control": "public, max-age=300"},
		Body:       string(OpenAPI),
	}, nil
}
