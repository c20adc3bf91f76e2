// Package edge is the shape every HTTP function shares: one Router that
// adapts API Gateway HTTP API (payload v2) events to the domain. Here, and
// only here, error codes become statuses and problem+json bodies, request
// bodies are decoded within their limits, and path ids are checked. The
// handler sets (package httpapi, the submission endpoint in package
// submissions) are built on it; it is a package of its own so that a
// function links its own handlers and not every other one.
package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// Handler is what an HTTP function runs: the signature lambda.Start takes and
// the local server calls.
type Handler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Route answers one route; it returns a domain error rather than writing one.
type Route func(context.Context, *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Router dispatches on the route key API Gateway matched ("PUT
// /v1/campaigns/{campaignId}"), the same string template.yaml declares, and
// logs one line per request. Every HTTP function answers through one.
type Router struct {
	Log    *slog.Logger
	Routes map[string]Route
	// IDs are the rules of the path parameters the routes take (see
	// IDRule): each handler set gives its own, so that a function links
	// the validators of its own ids only.
	IDs map[string]IDRule
	// Fail answers an error; nil answers it as problem+json. The console
	// answers with a page.
	Fail func(*events.APIGatewayV2HTTPRequest, error) events.APIGatewayV2HTTPResponse
}

// Handle answers one request: the Handler of a function.
func (rt *Router) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, budget(ctx))
	defer cancel()
	var resp events.APIGatewayV2HTTPResponse
	r, ok := rt.Routes[req.RouteKey]
	err := checkIDs(rt.IDs, &req)
	switch {
	case !ok:
		err = leadgate.Errorf(leadgate.ENOTFOUND, "No route %s.", req.RouteKey)
	case err == nil:
		resp, err = r(ctx, &req)
	}
	err = Unavailable(ctx, err)
	var a *Answered
	switch {
	case errors.As(err, &a):
		resp, err = a.Resp, a.Err
	case err != nil && rt.Fail != nil:
		resp = rt.Fail(&req, err)
	case err != nil:
		resp = ErrorResponse(err)
	}
	if resp.Headers == nil {
		resp.Headers = map[string]string{}
	}
	resp.Headers["X-Content-Type-Options"] = "nosniff"
	if _, set := resp.Headers["Cache-Control"]; !set {
		resp.Headers["Cache-Control"] = "no-store"
	}
	attrs := []any{
		slog.String("route", req.RouteKey),
		slog.String("api_request_id", req.RequestContext.RequestID),
		slog.Int("status", resp.StatusCode),
		slog.Int64("duration_ms", time.Since(start).Milliseconds()),
	}
	for k, v := range req.PathParameters {
		if len(v) > 80 { // a refused id can be kilobytes long
			v = v[:80] + "…"
		}
		attrs = append(attrs, slog.String(k, v))
	}
	switch code := leadgate.ErrorCode(err); code {
	case "":
		rt.Log.InfoContext(ctx, "request", attrs...)
	case leadgate.EINTERNAL:
		rt.Log.ErrorContext(ctx, "request", append(attrs, slog.String("error", err.Error()))...)
	case leadgate.EUNAVAILABLE:
		rt.Log.WarnContext(ctx, "request", append(attrs, slog.String("code", code), slog.String("error", err.Error()))...)
	default:
		rt.Log.InfoContext(ctx, "request", append(attrs, slog.String("code", code))...)
	}
	// Errors are answered, never returned: a returned error would make
	// API Gateway answer 500 with no body.
	return resp, nil
}

// Answered is an error a route has already turned into its response (with
// headers of its own); the router logs the error and sends the response.
type Answered struct {
	Err  error
	Resp events.APIGatewayV2HTTPResponse
}

func (a *Answered) Error() string { return a.Err.Error() }
func (a *Answered) Unwrap() error { return a.Err }

// budget is how long a request may take: Lambda's deadline less a reserve
// to answer in, or a default where there is no deadline.
func budget(ctx context.Context) time.Duration {
	const fallback = 10 * time.Second
	d, ok := ctx.Deadline()
	if !ok {
		return fallback
	}
	left := time.Until(d)
	return left - min(time.Second, left/5)
}

// Unavailable turns a failure that came from running out of time, or from a
// table or queue that kept throttling through the SDK's retries, into
// EUNAVAILABLE: the caller may retry (every write is conditional or
// idempotent), and a throttle is load, not a fault of ours to page on.
func Unavailable(ctx context.Context, err error) error {
	if err == nil || leadgate.ErrorCode(err) != leadgate.EINTERNAL {
		return err
	}
	if ctx.Err() == nil && throttled.IsErrorThrottle(err) != aws.TrueTernary {
		return err
	}
	return &leadgate.Error{Code: leadgate.EUNAVAILABLE, Message: "The service is busy; try again in a few seconds.", Cause: err}
}

// throttled recognises the AWS services' throttling answers
// (ThrottlingException, ProvisionedThroughputExceededException,
// RequestLimitExceeded, …) anywhere in an error's chain.
var throttled = retry.IsErrorThrottles(retry.DefaultThrottles)

// retryAfter is what a 503 asks the caller to wait, in seconds.
const retryAfter = "5"

// ProblemKind is what the edge says of an error code: its status and the
// title RFC 9457 wants to be the same for every occurrence.
type ProblemKind struct {
	Status int
	Title  string
}

var problemKinds = map[string]ProblemKind{
	leadgate.EBADREQUEST:   {http.StatusBadRequest, "The request cannot be read"},
	leadgate.EINVALID:      {http.StatusUnprocessableEntity, "The input breaks the rules"},
	leadgate.ENOTFOUND:     {http.StatusNotFound, "Not found"},
	leadgate.ECONFLICT:     {http.StatusConflict, "Conflict with the current state"},
	leadgate.EGONE:         {http.StatusGone, "No longer available"},
	leadgate.EUNAUTHORIZED: {http.StatusUnauthorized, "Authentication required"},
	leadgate.EFORBIDDEN:    {http.StatusForbidden, "Not allowed"},
	leadgate.ETOOLARGE:     {http.StatusRequestEntityTooLarge, "Too large"},
	leadgate.EUNSUPPORTED:  {http.StatusUnsupportedMediaType, "Unsupported media type"},
	leadgate.EUNAVAILABLE:  {http.StatusServiceUnavailable, "Busy: try again later"},
	leadgate.EINTERNAL:     {http.StatusInternalServerError, "Internal error"},
}

// ProblemTypeBase is where each error code's type URI points: docs/errors.md
// has a section per code saying what it means and what to do.
const ProblemTypeBase = "https://github.com/leadgate/leadgate/blob/main/docs/errors.md#"

// Problem is the RFC 9457 body every error answers with, as
// application/problem+json. Code, Problems and Report are extension
// members: the code a program switches on, every field problem of the
// input, and the account of work done before the error where there was
// some (an upload that stopped midway).
type Problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail"`
	Code     string             `json:"code"`
	Problems []leadgate.Problem `json:"problems,omitempty"`
	Report   any                `json:"report,omitempty"`
}

// Partial is an error that came after work was done: its answer carries
// the account of that work (Done) as the problem's report.
type Partial struct {
	Err  error
	Done any
}

func (p *Partial) Error() string { return p.Err.Error() }
func (p *Partial) Unwrap() error { return p.Err }

// KindOf is the code and kind an error is answered as: an error without a
// known code is internal.
func KindOf(err error) (string, ProblemKind) {
	code := leadgate.ErrorCode(err)
	kind, ok := problemKinds[code]
	if !ok {
		code, kind = leadgate.EINTERNAL, problemKinds[leadgate.EINTERNAL]
	}
	return code, kind
}

// ErrorResponse answers an error as problem+json.
func ErrorResponse(err error) events.APIGatewayV2HTTPResponse {
	code, kind := KindOf(err)
	body := Problem{
		Type:     ProblemTypeBase + code,
		Title:    kind.Title,
		Status:   kind.Status,
		Detail:   leadgate.ErrorMessage(err),
		Code:     code,
		Problems: leadgate.ErrorProblems(err),
	}
	if p, ok := errors.AsType[*Partial](err); ok {
		body.Report = p.Done
	}
	resp := JSONResponse(kind.Status, body)
	resp.Headers["Content-Type"] = "application/problem+json"
	if kind.Status == http.StatusServiceUnavailable {
		resp.Headers["Retry-After"] = retryAfter
	}
	return resp
}

// JSONResponse answers with v as JSON.
func JSONResponse(status int, v any) events.APIGatewayV2HTTPResponse {
	// No HTML escaping: the answer is JSON served as such with nosniff,
	// and escaping makes a quoted "<" six bytes.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		// Our own response types always marshal; this is a programming error.
		panic("edge: marshal response: " + err.Error())
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       b.String(),
	}
}

// TextResponse answers with a text body of the given content type.
func TextResponse(status int, contentType, body string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": contentType, "Vary": "Accept"},
		Body:       body,
	}
}

// Attachment answers with a file to download: body, of the given content
// type, saved as filename (which the caller keeps to letters, digits,
// dots and dashes, as ids are).
func Attachment(contentType, filename, body string) events.APIGatewayV2HTTPResponse {
	resp := TextResponse(http.StatusOK, contentType, body)
	resp.Headers["Content-Disposition"] = `attachment; filename="` + filename + `"`
	return resp
}

// Header returns a request header. API Gateway lower-cases header names in
// payload v2; the local server does the same.
func Header(req *events.APIGatewayV2HTTPRequest, name string) string {
	return req.Headers[strings.ToLower(name)]
}

// Body returns the raw request body, decoding API Gateway's base64 and
// enforcing limit.
func Body(req *events.APIGatewayV2HTTPRequest, limit int) ([]byte, error) {
	if !req.IsBase64Encoded {
		if len(req.Body) > limit {
			return nil, tooLarge(limit)
		}
		return []byte(req.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > limit+3 {
		return nil, tooLarge(limit)
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The body is marked base64 but is not.")
	}
	if len(b) > limit {
		return nil, tooLarge(limit)
	}
	return b, nil
}

func tooLarge(limit int) error {
	return leadgate.Errorf(leadgate.ETOOLARGE, "The body is over the %d KiB this endpoint takes.", limit>>10)
}

// MediaType returns the request's content type without parameters, lower case.
func MediaType(req *events.APIGatewayV2HTTPRequest) string {
	ct := Header(req, "content-type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "invalid"
	}
	return mt
}

// Accepts reports whether the client's Accept header names mediaType
// explicitly (wildcards do not count: a browser asks for text/html by name).
func Accepts(req *events.APIGatewayV2HTTPRequest, mediaType string) bool {
	for _, part := range strings.Split(Header(req, "accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == mediaType {
			return true
		}
	}
	return false
}

// JSONProblems says what is wrong with a JSON body in the API's words: the
// decoder's own messages name Go types.
func JSONProblems(err error) []leadgate.Problem {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return []leadgate.Problem{{Message: "the JSON ends early"}}
	case errors.As(err, &syntax):
		return []leadgate.Problem{{Message: fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)}}
	case errors.As(err, &typ):
		return []leadgate.Problem{{Path: typ.Field, Message: fmt.Sprintf("got %s, want %s", article(typ.Value), jsonKind(typ.Type))}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []leadgate.Problem{{Path: strings.Trim(name, `"`), Message: "unknown field"}}
	}
	return []leadgate.Problem{{Message: "not valid JSON"}}
}

// jsonKind names what a Go type takes in JSON.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}

// article puts the JSON decoder's word for a value ("array", "number") in
// a sentence.
func article(value string) string {
	switch value {
	case "array", "object":
		return "an " + value
	case "string":
		return "text"
	case "bool":
		return "true or false"
	}
	return "a " + value
}

// Cookie returns the value of the named cookie (API Gateway passes them in
// their own list).
func Cookie(req *events.APIGatewayV2HTTPRequest, name string) string {
	for _, c := range req.Cookies {
		if v, ok := strings.CutPrefix(strings.TrimSpace(c), name+"="); ok {
			return v
		}
	}
	return ""
}
