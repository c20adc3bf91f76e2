package devstack

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/samtemplate"
)

// MaxBody is what Lambda accepts in a synchronous invocation: API Gateway
// passes bigger bodies on and Lambda refuses them with 413.
const MaxBody = 6 << 20

// gatewayMessage is how API Gateway itself answers (not the function).
func gatewayMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"message\":%q}\n", msg)
}

// Gateway is how the local stand-in for API Gateway behaves.
type Gateway struct {
	Timeouts map[string]time.Duration // function -> its Timeout (default 3 s)
	Token    string                   // the one bearer token accepted
	Log      *slog.Logger
	// Throttle applies each route's throttle from template.yaml, as API
	// Gateway does. Tests that load the system on purpose leave it off.
	Throttle bool
	// Now is the throttle's clock (time.Now when nil), so a test can step
	// it instead of waiting.
	Now func() time.Time
}

// NewServer serves each route with its function's handler the way API
// Gateway would: it throttles each route to its template limits (when
// gw.Throttle), checks the bearer token on authorized routes (standing in
// for the JWT authorizer), builds a payload v2 event and writes back the
// handler's response.
//
// Each invocation gets its function's timeout as its deadline, as Lambda
// gives it.
func NewServer(routes []samtemplate.Route, handlers map[string]httpapi.Handler, gw Gateway) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	now := gw.Now
	if now == nil {
		now = time.Now
	}
	for _, rt := range routes {
		h, ok := handlers[rt.Function]
		if !ok {
			return nil, fmt.Errorf("template.yaml routes %s to %s, which leadgate local has no handler for", rt.Key(), rt.Function)
		}
		e := &endpoint{route: rt, handler: h, timeout: cmp.Or(gw.Timeouts[rt.Function], 3*time.Second), token: gw.Token, log: gw.Log}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			e.params = append(e.params, m[1])
		}
		if gw.Throttle && rt.Throttle.Rate > 0 {
			e.limit = newBucket(rt.Throttle, now)
		}
		mux.Handle(rt.Method+" "+muxPath(rt.Path), e)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { gatewayMessage(w, http.StatusNotFound, "Not Found") })
	return mux, nil
}

// ServeExamples serves the example pages in dir at /examples/, next to the
// API, so that a page's form posts to the API from an origin the example
// campaign allows. It is leadgate local's own: nothing in AWS serves them.
func ServeExamples(mux *http.ServeMux, dir string) {
	mux.Handle("GET /examples/", http.StripPrefix("/examples/", http.FileServer(http.Dir(dir))))
}

var greedy = regexp.MustCompile(`\{(\w+)\+\}`)

// muxPath turns API Gateway's {proxy+} into net/http's {proxy...}.
func muxPath(p string) string { return greedy.ReplaceAllString(p, "{$1...}") }

var pathParam = regexp.MustCompile(`\{(\w+)\+?\}`)

type endpoint struct {
	route   samtemplate.Route
	handler httpapi.Handler
	timeout time.Duration
	token   string
	log     *slog.Logger
	limit   *bucket  // nil: not throttled
	params  []string // the route's path parameters, read once
}

// localClaims are what the local authorizer says about the one local token:
// an operator allowed every scope.
func localClaims() map[string]string {
	return map[string]string{
		"sub": "local-operator", "email": "operator@leadgate.local", "username": "local-operator", "iss": "leadgate-local",
		"scope": strings.Join(scopes.All, " "),
	}
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.limit != nil {
		if ok, wait := e.limit.take(); !ok {
			// API Gateway's own 429 has no Retry-After; this one says what
			// its docs tell a client to do anyway: wait, then retry.
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
			gatewayMessage(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
	}
	var claims map[string]string
	if e.route.Authorizer != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(e.token)) != 1 {
			gatewayMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		claims = localClaims()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		gatewayMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	ev := e.event(r, body, claims)
	lc := &lambdacontext.LambdaContext{
		AwsRequestID:       newID(),
		InvokedFunctionArn: "arn:aws:lambda:" + region + ":" + accountID + ":function:" + e.route.Function,
	}
	ctx, cancel := context.WithTimeout(lambdacontext.NewContext(r.Context(), lc), e.timeout)
	defer cancel()
	resp, err := e.invoke(ctx, ev)
	if err != nil {
		e.log.ErrorContext(r.Context(), "function failed", "function", e.route.Function, "route", e.route.Key(), "error", err)
		gatewayMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	writeResponse(w, resp)
}

// invoke calls the handler, turning a panic into the error Lambda would
// report instead of taking the whole local server down.
func (e *endpoint) invoke(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return e.handler(ctx, ev)
}

func (e *endpoint) event(r *http.Request, body []byte, claims map[string]string) events.APIGatewayV2HTTPRequest {
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       e.route.Key(),
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Headers:        map[string]string{},
		PathParameters: map[string]string{},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:  accountID,
			APIID:      "local",
			DomainName: r.Host,
			RequestID:  newID(),
			RouteKey:   e.route.Key(),
			Stage:      "$default",
			Time:       now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
			},
		},
	}
	// Payload v2 joins repeated headers and query parameters with commas and
	// moves cookies to their own list.
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if r.Host != "" {
		ev.Headers["host"] = r.Host
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	for _, name := range e.params {
		ev.PathParameters[name] = r.PathValue(name)
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// isText mirrors which bodies API Gateway passes as text rather than base64.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType == ""
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded", "application/yaml", "application/x-yaml":
		return true
	}
	return false
}

func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			gatewayMessage(w, http.StatusBadGateway, "Bad Gateway")
			return
		}
		body = b
	}
	w.WriteHeader(cmp.Or(resp.StatusCode, http.StatusOK))
	_, _ = w.Write(body)
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// newID returns a random UUID-shaped id, as Lambda and API Gateway use.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// bucket is API Gateway's throttle for one route: a token bucket holding
// at most Burst requests, refilled at Rate a second.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newBucket(th samtemplate.Throttle, now func() time.Time) *bucket {
	burst := float64(max(th.Burst, 1))
	return &bucket{rate: th.Rate, burst: burst, tokens: burst, last: now(), now: now}
}

// take lets one request through if a token is left, or says how long
// until one will be.
func (b *bucket) take() (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}
