package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leadgate/leadgate/internal/apidoc"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/samtemplate"
)

func loadDoc(t *testing.T) *apidoc.Doc {
	t.Helper()
	d, err := apidoc.Load(httpapi.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func templateRoutes(t *testing.T) []samtemplate.Route {
	t.Helper()
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The console's pages are for browsers, not the API this document
	// describes: they answer HTML to a session cookie (README, "Console").
	return slices.DeleteFunc(tpl.Routes(), func(r samtemplate.Route) bool { return strings.HasPrefix(r.Path, "/console") })
}

var pathParam = regexp.MustCompile(`\{(\w+)\+?\}`)

// TestOpenAPIRoutesAreTheTemplates: the document describes exactly the
// routes template.yaml declares, no more and no fewer, with the same path
// parameters.
func TestOpenAPIRoutesAreTheTemplates(t *testing.T) {
	doc := loadDoc(t)
	ops := map[string]apidoc.Operation{}
	for _, o := range doc.Operations() {
		ops[o.Key()] = o
	}
	routes := map[string]samtemplate.Route{}
	for _, r := range templateRoutes(t) {
		routes[r.Key()] = r
	}
	if len(routes) == 0 {
		t.Fatal("template.yaml declares no routes")
	}
	for _, key := range slices.Sorted(maps.Keys(routes)) {
		t.Run(key, func(t *testing.T) {
			o, ok := ops[key]
			if !ok {
				t.Fatalf("template.yaml declares %s; the document does not describe it", key)
			}
			var want []string
			for _, m := range pathParam.FindAllStringSubmatch(routes[key].Path, -1) {
				want = append(want, m[1])
			}
			slices.Sort(want)
			if !slices.Equal(o.PathParameters, want) {
				t.Errorf("path parameters %q, want %q", o.PathParameters, want)
			}
		})
	}
	for _, key := range slices.Sorted(maps.Keys(ops)) {
		if _, ok := routes[key]; !ok {
			t.Errorf("the document describes %s, which template.yaml does not declare", key)
		}
	}
}

// TestOpenAPISecurityIsTheTemplates: each operation states its security,
// and it is template.yaml's: none for a public route (Auth: Authorizer:
// NONE), the route's authorizer with scopes for the others. That the
// handlers enforce exactly these scopes is checked against the running
// handlers in internal/devstack (TestDocumentedScopesAreEnforced).
func TestOpenAPISecurityIsTheTemplates(t *testing.T) {
	doc := loadDoc(t)
	if _, ok := doc.Raw["security"]; ok {
		t.Error("the document sets a default security; each operation states its own")
	}
	schemes, _ := doc.Get("/components/securitySchemes").(map[string]any)
	for _, r := range templateRoutes(t) {
		t.Run(r.Key(), func(t *testing.T) {
			o, ok := doc.Operation(r.Key())
			if !ok {
				t.Skip("not described (TestOpenAPIRoutesAreTheTemplates says so)")
			}
			sec, ok := o.Raw["security"].([]any)
			if !ok {
				t.Fatalf("no security stated: %v", o.Raw["security"])
			}
			if r.Authorizer == "" {
				if len(sec) != 0 {
					t.Errorf("template.yaml makes the route public; the document asks for %v", sec)
				}
				return
			}
			scheme, _ := schemes[r.Authorizer].(map[string]any)
			if scheme["type"] != "http" || scheme["scheme"] != "bearer" || scheme["bearerFormat"] != "JWT" {
				t.Errorf("security scheme %s (template.yaml's authorizer) = %v, want a JWT bearer scheme", r.Authorizer, scheme)
			}
			if len(sec) == 0 {
				t.Fatalf("template.yaml guards the route with %s; the document makes it public", r.Authorizer)
			}
			for _, alt := range sec {
				req, _ := alt.(map[string]any)
				listed, ok := req[r.Authorizer].([]any)
				if len(req) != 1 || !ok || len(listed) == 0 {
					t.Errorf("requirement %v: want {%q: [scope]}", alt, r.Authorizer)
					continue
				}
				for _, s := range listed {
					if !slices.Contains(scopes.All, fmt.Sprint(s)) {
						t.Errorf("scope %v is none of leadgate's", s)
					}
				}
			}
		})
	}
}

// TestOpenAPIDocumentIsValid: the document is an OpenAPI 3.1 document (by
// the OpenAPI Initiative's own schema), its schemas are JSON Schema 2020-12,
// every reference resolves, and every JSON example is valid by its schema.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadDoc(t)
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(httpapi.OpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	meta2020, err := c.Compile("https://json-schema.org/draft/2020-12/schema")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OpenAPI 3.1 schema", func(t *testing.T) {
		f, err := os.Open("testdata/openapi-3.1-schema-2022-10-07.json")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		oas, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		const id = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
		if err := c.AddResource(id, oas); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(id)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(instance); err != nil {
			t.Fatal(err)
		}
		// The check can fail.
		if err := s.Validate(map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "x"}}); err == nil {
			t.Error("a 3.0 document without a version passed")
		}
	})

	t.Run("header", func(t *testing.T) {
		if doc.Raw["openapi"] != "3.1.0" || doc.Raw["jsonSchemaDialect"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("openapi %v, jsonSchemaDialect %v", doc.Raw["openapi"], doc.Raw["jsonSchemaDialect"])
		}
	})

	t.Run("operations", func(t *testing.T) {
		ids := map[string]string{}
		for _, o := range doc.Operations() {
			id, _ := o.Raw["operationId"].(string)
			summary, _ := o.Raw["summary"].(string)
			if id == "" || summary == "" {
				t.Errorf("%s: operationId %q, summary %q", o.Key(), id, summary)
			}
			if other, dup := ids[id]; dup {
				t.Errorf("operationId %s names %s and %s", id, other, o.Key())
			}
			ids[id] = o.Key()
			responses, _ := o.Raw["responses"].(map[string]any)
			var success, failure bool
			for code := range responses {
				success = success || code[0] == '2'
				failure = failure || code[0] == '4' || code[0] == '5'
			}
			if !success || !failure {
				t.Errorf("%s: responses %v: want a success and the errors", o.Key(), slices.Sorted(maps.Keys(responses)))
			}
		}
	})

	// Every schema in the document, wherever it stands.
	var schemas []string
	var walk func(v any, at string, isSchema bool)
	walk = func(v any, at string, isSchema bool) {
		switch x := v.(type) {
		case map[string]any:
			if isSchema {
				schemas = append(schemas, at)
				return // its subschemas are compiled with it
			}
			for k, c := range x {
				if k == "example" || k == "examples" {
					continue
				}
				walk(c, at+apidoc.Pointer(k), k == "schema")
			}
		case []any:
			for i, c := range x {
				walk(c, at+apidoc.Pointer(fmt.Sprint(i)), false)
			}
		}
	}
	walk(doc.Raw["paths"], "/paths", false)
	for name := range doc.Get("/components/schemas").(map[string]any) {
		schemas = append(schemas, apidoc.Pointer("components", "schemas", name))
	}
	for _, kind := range []string{"parameters", "headers", "responses"} {
		walk(doc.Get("/components/"+kind), "/components/"+kind, false)
	}
	slices.Sort(schemas)

	t.Run("schemas", func(t *testing.T) {
		if len(schemas) < 50 {
			t.Fatalf("found only %d schemas", len(schemas))
		}
		for _, at := range schemas {
			raw, err := json.Marshal(doc.Get(at))
			if err != nil {
				t.Fatal(err)
			}
			v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := meta2020.Validate(v); err != nil {
				t.Errorf("%s is not JSON Schema 2020-12: %v", at, err)
			}
			if _, err := doc.Schema(at); err != nil {
				t.Errorf("%s: %v", at, err)
			}
		}
	})

	t.Run("references", func(t *testing.T) {
		var refs func(v any)
		refs = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if ref, ok := x["$ref"].(string); ok {
					if !strings.HasPrefix(ref, "#/") || doc.Get(strings.TrimPrefix(ref, "#")) == nil {
						t.Errorf("$ref %s resolves to nothing", ref)
					}
				}
				for k, c := range x {
					if k != "example" && k != "examples" {
						refs(c)
					}
				}
			case []any:
				for _, c := range x {
					refs(c)
				}
			}
		}
		refs(doc.Raw)
	})

	t.Run("examples", func(t *testing.T) {
		n := 0
		for _, o := range doc.Operations() {
			var media []string // pointers of media type objects
			if _, at := doc.Resolve(o.Pointer + "/requestBody"); doc.Get(at) != nil {
				media = append(media, mediaTypes(doc, at)...)
			}
			responses, _ := o.Raw["responses"].(map[string]any)
			for code := range responses {
				_, at := doc.Resolve(o.Pointer + apidoc.Pointer("responses", code))
				media = append(media, mediaTypes(doc, at)...)
			}
			for _, at := range media {
				mt := at[strings.LastIndex(at, "/")+1:]
				mt = strings.ReplaceAll(mt, "~1", "/")
				examples, _ := doc.Get(at + "/examples").(map[string]any)
				for name, ex := range examples {
					value, ok := ex.(map[string]any)["value"]
					if !ok {
						t.Errorf("%s example %s has no value", at, name)
						continue
					}
					form := mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
					if !apidoc.IsJSON(mt) && !form {
						if _, isText := value.(string); !isText {
							t.Errorf("%s example %s: want the %s text", at, name, mt)
						}
						continue
					}
					n++
					if err := doc.ValidateValue(at+"/schema", value); err != nil {
						t.Errorf("%s example %s: %v", o.Key(), name, err)
					}
				}
			}
		}
		if n < 15 {
			t.Errorf("only %d JSON examples checked", n)
		}
	})

	// The strict reading the tests validate with refuses what the document
	// does not describe.
	t.Run("strict", func(t *testing.T) {
		tests := []struct {
			schema string
			value  string
		}{
			{"/components/schemas/CampaignList", `{"campaigns": [], "total": 0}`},
			{"/components/schemas/ProblemNotFound", `{"type": "https://github.com/leadgate/leadgate/blob/main/docs/errors.md#invalid", "title": "x", "status": 404, "detail": "x", "code": "invalid"}`},
			{"/components/schemas/Problem", `{"error": {"code": "not_found", "message": "No lead."}}`},
			{"/components/schemas/Lead", `{"id": "ld_265ll2fhiyvbn3tvby3t2e2q"}`},
			{"/components/schemas/Verdict", `{"stage": "mql", "grade": "E", "score": 1, "campaign": "x", "version": 1, "at": "2026-11-20T10:00:00Z", "criteria": []}`},
		}
		for _, tt := range tests {
			if err := doc.Validate(tt.schema, []byte(tt.value)); err == nil {
				t.Errorf("%s took %s", tt.schema, tt.value)
			}
		}
	})
}

// mediaTypes lists the pointers of the media type objects under a request
// body or response.
func mediaTypes(doc *apidoc.Doc, at string) []string {
	content, _ := doc.Get(at + "/content").(map[string]any)
	var out []string
	for mt := range content {
		out = append(out, at+apidoc.Pointer("content", mt))
	}
	return out
}

// TestOpenAPIIsServed: GET /v1/openapi.json answers the embedded document,
// without a token, cacheable.
func TestOpenAPIIsServed(t *testing.T) {
	h := httpapi.NewCampaigns(nil, nil, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now)
	tests := []struct {
		name   string
		accept string
	}{
		{"no Accept", ""},
		{"a browser", "text/html,application/xhtml+xml,*/*;q=0.8"},
		{"JSON", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := events.APIGatewayV2HTTPRequest{
				RouteKey: "GET /v1/openapi.json", RawPath: "/v1/openapi.json",
				Headers: map[string]string{"accept": tt.accept},
			}
			resp, err := h(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || resp.Body != string(httpapi.OpenAPI) {
				t.Fatalf("%d %.200s", resp.StatusCode, resp.Body)
			}
			want := map[string]string{
				"Content-Type": "application/vnd.oai.openapi+json;version=3.1", "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
			}
			for k, v := range want {
				if resp.Headers[k] != v {
					t.Errorf("%s: %q, want %q", k, resp.Headers[k], v)
				}
			}
			if err := loadDoc(t).CheckAnswer(ev.RouteKey, resp); err != nil {
				t.Error(err)
			}
		})
	}
}
