package devstack

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/samtemplate"
)

// TestServerBuildsPayloadV2Events checks the adapter against what API
// Gateway puts in an HTTP API payload v2 event.
func TestServerBuildsPayloadV2Events(t *testing.T) {
	var got events.APIGatewayV2HTTPRequest
	var requestID string
	echo := func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		got = ev
		lc, _ := lambdacontext.FromContext(ctx)
		requestID = lc.AwsRequestID
		if ev.RawPath == "/v1/boom/x" {
			panic("boom")
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode: 202, Headers: map[string]string{"X-Echo": ev.RouteKey},
			Cookies: []string{"a=1"}, Body: base64.StdEncoding.EncodeToString([]byte("binary\x00")), IsBase64Encoded: true,
		}, nil
	}
	routes := []samtemplate.Route{
		{Function: "Fn", Method: "POST", Path: "/v1/campaigns/{campaignId}/submissions"},
		{Function: "Fn", Method: "GET", Path: "/v1/private/{id}", Authorizer: "Jwt"},
		{Function: "Fn", Method: "GET", Path: "/v1/boom/{rest+}"},
	}
	h, err := NewServer(routes, map[string]httpapi.Handler{"Fn": echo}, Gateway{Token: "tok", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("public route", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/v1/campaigns/demo/submissions?utm_source=a&utm_source=b&x=1", strings.NewReader("email=a%40b.c"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Add("X-Multi", "1")
		req.Header.Add("X-Multi", "2")
		req.Header.Set("Cookie", "c1=x; c2=y")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 202 || rec.Header().Get("X-Echo") != "POST /v1/campaigns/{campaignId}/submissions" ||
			rec.Header().Get("Set-Cookie") != "a=1" || rec.Body.String() != "binary\x00" {
			t.Errorf("response %d %v %q", rec.Code, rec.Header(), rec.Body.String())
		}
		if got.Version != "2.0" || got.RouteKey != "POST /v1/campaigns/{campaignId}/submissions" ||
			got.PathParameters["campaignId"] != "demo" || got.QueryStringParameters["utm_source"] != "a,b" ||
			got.Headers["x-multi"] != "1,2" || got.Headers["content-type"] != "application/x-www-form-urlencoded" ||
			strings.Join(got.Cookies, "|") != "c1=x|c2=y" || got.Body != "email=a%40b.c" || got.IsBase64Encoded ||
			got.RequestContext.HTTP.Method != "POST" || got.RequestContext.Authorizer != nil || requestID == "" {
			t.Errorf("event = %+v", got)
		}
	})

	t.Run("binary bodies are base64", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/v1/campaigns/demo/submissions", bytes.NewReader([]byte{0x1f, 0x8b, 0, 1}))
		req.Header.Set("Content-Type", "application/gzip")
		h.ServeHTTP(httptest.NewRecorder(), req)
		if !got.IsBase64Encoded || got.Body != base64.StdEncoding.EncodeToString([]byte{0x1f, 0x8b, 0, 1}) {
			t.Errorf("body %q base64 %v", got.Body, got.IsBase64Encoded)
		}
	})

	t.Run("authorized route", func(t *testing.T) {
		for token, want := range map[string]int{"": 401, "Bearer nope": 401, "tok": 401, "Bearer tok": 202} {
			req := httptest.NewRequest("GET", "/v1/private/7", nil)
			if token != "" {
				req.Header.Set("Authorization", token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Errorf("Authorization %q: %d, want %d", token, rec.Code, want)
			}
		}
		if got.RequestContext.Authorizer == nil || !strings.Contains(got.RequestContext.Authorizer.JWT.Claims["scope"], scopes.CampaignsWrite) {
			t.Errorf("claims not injected: %+v", got.RequestContext.Authorizer)
		}
	})

	t.Run("greedy path and panics", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/boom/x", nil))
		if rec.Code != 500 || got.PathParameters["rest"] != "x" {
			t.Errorf("panic: %d, rest=%q", rec.Code, got.PathParameters["rest"])
		}
	})

	t.Run("too large and unknown", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/campaigns/demo/submissions", bytes.NewReader(make([]byte, MaxBody+1))))
		if rec.Code != 413 {
			t.Errorf("oversize: %d", rec.Code)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/campaigns/demo/submissions", nil))
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Not Found") {
			t.Errorf("wrong method: %d %s", rec.Code, rec.Body)
		}
	})
}

func TestServerRefusesRoutesWithoutHandlers(t *testing.T) {
	_, err := NewServer([]samtemplate.Route{{Function: "Ghost", Method: "GET", Path: "/x"}}, nil, Gateway{Token: "t", Log: slog.Default()})
	if err == nil || !strings.Contains(err.Error(), "Ghost") {
		t.Errorf("err = %v", err)
	}
}

// TestServerThrottlesLikeAPIGateway: past a route's burst the gateway
// answers 429 with Retry-After until its rate refills the bucket; other
// routes keep their own buckets. The clock is stepped, not waited on.
func TestServerThrottlesLikeAPIGateway(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	calls := 0
	ok := func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		calls++
		return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	}
	routes := []samtemplate.Route{
		{Function: "Fn", Method: "POST", Path: "/v1/open", Throttle: samtemplate.Throttle{Rate: 0.5, Burst: 2}},
		{Function: "Fn", Method: "GET", Path: "/v1/other", Throttle: samtemplate.Throttle{Rate: 100, Burst: 200}},
	}
	h, err := NewServer(routes, map[string]httpapi.Handler{"Fn": ok}, Gateway{Throttle: true, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec
	}
	for i := range 2 {
		if rec := send("POST", "/v1/open"); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := send("POST", "/v1/open")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" || !strings.Contains(rec.Body.String(), "Too Many Requests") {
		t.Errorf("past the burst: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if calls != 2 {
		t.Errorf("the function ran %d times, want the 2 let through", calls)
	}
	if rec := send("GET", "/v1/other"); rec.Code != 200 {
		t.Errorf("another route shares the bucket: %d", rec.Code)
	}
	now = now.Add(2 * time.Second) // 0.5/s: one token back
	if rec := send("POST", "/v1/open"); rec.Code != 200 {
		t.Errorf("after the rate refilled one token: %d", rec.Code)
	}
	if rec := send("POST", "/v1/open"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the refilled token spent twice: %d", rec.Code)
	}
}
