package apidoc_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/apidoc"
)

const doc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/v1/things/{id}": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "put": {
        "responses": {
          "201": {
            "description": "made",
            "headers": {"Location": {"required": true, "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
          },
          "204": {"description": "nothing"},
          "4XX": {"description": "no", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
      }
    }
  },
  "components": {
    "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
    "schemas": {
      "Thing": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}},
      "Problem": {"type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}}, "additionalProperties": true}
    }
  }
}`

// TestCheckAnswer: an answer passes only as the document describes it.
func TestCheckAnswer(t *testing.T) {
	d, err := apidoc.Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ops := d.Operations()
	if len(ops) != 1 || ops[0].Key() != "PUT /v1/things/{id}" || strings.Join(ops[0].PathParameters, ",") != "id" {
		t.Fatalf("operations: %+v", ops)
	}
	json := map[string]string{"Content-Type": "application/json", "Location": "/v1/things/a"}
	tests := []struct {
		name string
		resp events.APIGatewayV2HTTPResponse
		want string // "" for valid
	}{
		{"as described", events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: json, Body: `{"id": "a", "at": "2026-11-20T10:00:00Z"}`}, ""},
		{"a field the document does not name", events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: json, Body: `{"id": "a", "extra": 1}`}, "extra"},
		{"a bad format", events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: json, Body: `{"id": "a", "at": "yesterday"}`}, "date-time"},
		{"a missing header", events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"id": "a"}`}, "Location"},
		{"another content type", events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: map[string]string{"Content-Type": "text/plain", "Location": "x"}, Body: `a`}, "text/plain"},
		{"an undocumented status", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: json, Body: `{"id": "a"}`}, "no 200"},
		{"a body where none is", events.APIGatewayV2HTTPResponse{StatusCode: 204, Headers: json, Body: `{}`}, "none"},
		{"a range", events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: map[string]string{"Content-Type": "application/problem+json"}, Body: `{"status": 404, "more": true}`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.CheckAnswer("PUT /v1/things/{id}", tt.resp)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
