// Package apidoc reads the API's OpenAPI document (internal/httpapi's
// openapi.json) for the tests that keep it true: its operations by the route
// keys template.yaml declares, and JSON Schema 2020-12 validation of bodies
// against it. Only tests import it, so no function's binary links it.
package apidoc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// URL is where the compiler files the document so that its "#/components/…"
// references resolve; nothing is fetched from it.
const URL = "https://leadgate.example/openapi.json"

// Methods are the operation keys a path item may hold.
var Methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Doc is a loaded document.
type Doc struct {
	// Raw is the document as encoding/json reads it.
	Raw map[string]any

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by JSON pointer
}

// Load reads a document. Its schemas are compiled strictly: every object
// schema that names its properties and says nothing of others takes no
// others, so an answer carrying a field the document does not describe
// fails (the published document leaves them open, for clients to ignore).
func Load(doc []byte) (*Doc, error) {
	var raw map[string]any
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not JSON: %w", err)
	}
	strict, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	closeObjects(strict)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(URL, strict); err != nil {
		return nil, err
	}
	return &Doc{Raw: raw, compiler: c, schemas: map[string]*jsonschema.Schema{}}, nil
}

// closeObjects adds unevaluatedProperties: false to every object schema
// with properties that leaves other properties open.
func closeObjects(v any) {
	switch x := v.(type) {
	case map[string]any:
		_, props := x["properties"].(map[string]any)
		_, add := x["additionalProperties"]
		_, uneval := x["unevaluatedProperties"]
		if x["type"] == "object" && props && !add && !uneval {
			x["unevaluatedProperties"] = false
		}
		for k, c := range x {
			if k != "examples" && k != "example" {
				closeObjects(c)
			}
		}
	case []any:
		for _, c := range x {
			closeObjects(c)
		}
	}
}

// Operation is one path and method of the document.
type Operation struct {
	Method string // upper case, as in a route key
	Path   string // as template.yaml writes it: /v1/campaigns/{campaignId}
	// Pointer is the operation's JSON pointer in the document.
	Pointer string
	Raw     map[string]any
	// PathParameters are the names of the path parameters the operation
	// declares (its own and its path item's).
	PathParameters []string
}

// Key is the route key API Gateway would match: "GET /v1/campaigns".
func (o Operation) Key() string { return o.Method + " " + o.Path }

// Operations lists every operation, by key.
func (d *Doc) Operations() []Operation {
	paths, _ := d.Raw["paths"].(map[string]any)
	var out []Operation
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item, _ := paths[path].(map[string]any)
		for _, m := range Methods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			o := Operation{Method: strings.ToUpper(m), Path: path, Pointer: Pointer("paths", path, m), Raw: op}
			for _, list := range []any{item["parameters"], op["parameters"]} {
				ps, _ := list.([]any)
				for _, p := range ps {
					pm, _ := d.deref(p).(map[string]any)
					if pm["in"] == "path" {
						o.PathParameters = append(o.PathParameters, fmt.Sprint(pm["name"]))
					}
				}
			}
			slices.Sort(o.PathParameters)
			out = append(out, o)
		}
	}
	return out
}

// Operation returns the operation of a route key.
func (d *Doc) Operation(key string) (Operation, bool) {
	for _, o := range d.Operations() {
		if o.Key() == key {
			return o, true
		}
	}
	return Operation{}, false
}

// Pointer builds a JSON pointer from its tokens.
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// Get returns the value at a JSON pointer, or nil.
func (d *Doc) Get(pointer string) any {
	var v any = d.Raw
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if pointer == "" {
			break
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// deref follows a {"$ref": "#/…"} (and the one it may name in turn).
func (d *Doc) deref(v any) any {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return v
		}
		v = d.Get(strings.TrimPrefix(ref, "#"))
	}
	return v
}

// Resolve returns the value at pointer with references followed, and the
// pointer of where it was found.
func (d *Doc) Resolve(pointer string) (any, string) {
	v := d.Get(pointer)
	for range 10 {
		m, ok := v.(map[string]any)
		ref, isRef := m["$ref"].(string)
		if !ok || !isRef || !strings.HasPrefix(ref, "#/") {
			break
		}
		pointer = strings.TrimPrefix(ref, "#")
		v = d.Get(pointer)
	}
	return v, pointer
}

// Schema compiles the schema at pointer (in the strict form Load makes).
func (d *Doc) Schema(pointer string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.schemas[pointer]; ok {
		return s, nil
	}
	var frag strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		frag.WriteString("/" + url.PathEscape(tok))
	}
	s, err := d.compiler.Compile(URL + "#" + frag.String())
	if err != nil {
		return nil, err
	}
	d.schemas[pointer] = s
	return s, nil
}

// Validate checks a JSON text against the schema at pointer.
func (d *Doc) Validate(pointer string, body []byte) error {
	s, err := d.Schema(pointer)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// ValidateValue checks a value (as encoding/json decodes it) against the
// schema at pointer.
func (d *Doc) ValidateValue(pointer string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.Validate(pointer, b)
}

// IsJSON reports whether a media type is JSON (application/json, or a
// +json type such as application/problem+json).
func IsJSON(mediaType string) bool {
	mt, _, err := mime.ParseMediaType(mediaType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// Response returns the pointer of the response an operation documents for a
// status: the status itself, its range ("4XX"), or "default".
func (d *Doc) Response(key string, status int) (string, error) {
	op, ok := d.Operation(key)
	if !ok {
		return "", fmt.Errorf("the document has no operation %s", key)
	}
	for _, code := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"} {
		p := op.Pointer + Pointer("responses", code)
		if d.Get(p) != nil {
			_, at := d.Resolve(p)
			return at, nil
		}
	}
	return "", fmt.Errorf("%s documents no %d answer", key, status)
}

// CheckAnswer checks a handler's answer against what the document says of
// the route's answers with its status: a documented status, a documented
// content type, a body that validates against that content's schema, and
// every header the document says is required.
func (d *Doc) CheckAnswer(key string, resp events.APIGatewayV2HTTPResponse) error {
	at, err := d.Response(key, resp.StatusCode)
	if err != nil {
		return err
	}
	r, _ := d.Get(at).(map[string]any)
	headers, _ := r["headers"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		h, _ := d.deref(headers[name]).(map[string]any)
		if h["required"] != true || answerHeader(resp, name) != "" {
			continue
		}
		return fmt.Errorf("%s %d: no %s header, which the document says it has", key, resp.StatusCode, name)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return err
		}
	}
	content, _ := r["content"].(map[string]any)
	ct := answerHeader(resp, "Content-Type")
	if len(content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("%s %d: a %s body where the document says there is none", key, resp.StatusCode, ct)
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("%s %d: content type %q: %w", key, resp.StatusCode, ct, err)
	}
	for _, declared := range slices.Sorted(maps.Keys(content)) {
		if dt, _, err := mime.ParseMediaType(declared); err != nil || dt != mt {
			continue
		}
		schema := at + Pointer("content", declared, "schema")
		if d.Get(schema) == nil {
			return nil
		}
		if IsJSON(mt) {
			err = d.Validate(schema, body)
		} else {
			err = d.ValidateValue(schema, string(body))
		}
		if err != nil {
			return fmt.Errorf("%s %d %s: the body does not match the document: %w", key, resp.StatusCode, mt, err)
		}
		return nil
	}
	return fmt.Errorf("%s %d: content type %s is not one the document names (%s)", key, resp.StatusCode, mt, strings.Join(slices.Sorted(maps.Keys(content)), ", "))
}

// answerHeader reads a header of an answer, whatever its case; Set-Cookie
// is Lambda's list of cookies.
func answerHeader(resp events.APIGatewayV2HTTPResponse, name string) string {
	if strings.EqualFold(name, "Set-Cookie") && len(resp.Cookies) > 0 {
		return resp.Cookies[0]
	}
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
