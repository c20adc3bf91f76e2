package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/leadgate"
)

const (
	defaultAPIURL = "http://127.0.0.1:3000"
	// requestTimeout covers one request and its answer; an upload part's
	// import takes longer and says so.
	requestTimeout = 30 * time.Second
	// maxReplyBytes bounds what is read of a reply: ours are small, and a
	// misconfigured URL could point at something that streams.
	maxReplyBytes = 1 << 20
	// maxRetries and maxRetryWait bound how long a command waits out a
	// throttled or busy API before it gives up and says so.
	maxRetries   = 3
	maxRetryWait = 30 * time.Second
)

// apiClient is the one HTTP client of the leadgate commands. Its reply
// types are declared by the commands rather than imported from
// internal/httpapi, so the CLI does not pull in the Lambda runtime.
type apiClient struct {
	http  *http.Client
	base  string
	token string
}

// clientFlags adds --url and --token to a command's flags and returns what
// builds the client once they are parsed. The token's default is read from
// the environment after parsing, not given to the flag, so -h never prints
// the secret.
func clientFlags(fs *flag.FlagSet) func() (*apiClient, error) {
	base := fs.String("url", "", "API base `URL` (default $LEADGATE_URL, else "+defaultAPIURL+")")
	token := fs.String("token", "", "bearer `TOKEN` (default $LEADGATE_TOKEN)")
	return func() (*apiClient, error) {
		return newAPIClient(cmp.Or(*base, os.Getenv("LEADGATE_URL"), defaultAPIURL), cmp.Or(*token, os.Getenv("LEADGATE_TOKEN")))
	}
}

func newAPIClient(base, token string) (*apiClient, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q: want http(s)://host[:port][/path]", base)
	}
	// A trailing slash is kept off so a base with a stage path ("/prod/")
	// still joins to a single "/v1".
	return &apiClient{http: &http.Client{Timeout: requestTimeout}, base: strings.TrimRight(base, "/"), token: token}, nil
}

// request is one call to the API.
type request struct {
	method string
	path   string // from /v1, path segments already escaped
	body   []byte
	header map[string]string
	limit  int64 // most bytes of the answer read; maxReplyBytes when 0
}

// reply is an answer as read.
type reply struct {
	status int
	body   []byte
}

// do sends r and reads the answer. An answer of 400 or more is returned
// with the *leadgate.Error the server started from, so a caller can still
// read what the body says of work done (an upload's report).
//
// A 429 is retried after its Retry-After (API Gateway refused it before
// anything ran), and so is a 503 to a GET or PUT (both are safe to
// repeat), at most maxRetries times.
func (c *apiClient) do(ctx context.Context, r request) (*reply, error) {
	for attempt := 0; ; attempt++ {
		rep, wait, err := c.once(ctx, r)
		retryable := rep != nil && (rep.status == http.StatusTooManyRequests ||
			rep.status == http.StatusServiceUnavailable && (r.method == http.MethodGet || r.method == http.MethodPut))
		if !retryable || attempt == maxRetries {
			return rep, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return rep, err
		case <-t.C:
		}
	}
}

// once sends r once; wait is what the answer asks before a retry.
func (c *apiClient) once(ctx context.Context, r request) (*reply, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return nil, 0, err
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json, application/problem+json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, cmp.Or(r.limit, maxReplyBytes)))
	if err != nil {
		return nil, 0, fmt.Errorf("HTTP %s: reading the reply: %w", resp.Status, err)
	}
	rep := &reply{status: resp.StatusCode, body: body}
	if resp.StatusCode < 400 {
		return rep, 0, nil
	}
	return rep, retryAfter(resp.Header.Get("Retry-After")), c.replyError(resp, body)
}

// retryAfter reads a Retry-After in seconds (the form leadgate and API
// Gateway use); none, or a date, waits a second.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return time.Second
	}
	return min(time.Duration(n)*time.Second, maxRetryWait)
}

// json sends r and decodes a successful JSON answer into out; what names
// the answer expected, for the error when it is something else.
func (c *apiClient) json(ctx context.Context, r request, what string, out any) (*reply, error) {
	rep, err := c.do(ctx, r)
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(rep.body, out); err != nil {
		return rep, fmt.Errorf("HTTP %d: the reply is not %s (is --url the leadgate API?): %w", rep.status, what, err)
	}
	return rep, nil
}

// errorReply is an RFC 9457 problem as the API answers it, or API
// Gateway's own {"message"} (a 401 from the authorizer, a 429).
type errorReply struct {
	Title    string             `json:"title"`
	Detail   string             `json:"detail"`
	Code     string             `json:"code"`
	Problems []leadgate.Problem `json:"problems"`
	Message  string             `json:"message"`
}

// replyError turns an error reply into the *leadgate.Error the server started
// from. Replies that are not ours (a proxy's 502 page) still get a message.
func (c *apiClient) replyError(resp *http.Response, body []byte) error {
	var r errorReply
	_ = json.Unmarshal(body, &r)
	e := &leadgate.Error{Code: r.Code, Message: cmp.Or(r.Detail, r.Title, r.Message, "HTTP "+resp.Status), Problems: r.Problems}
	if resp.StatusCode == http.StatusUnauthorized && c.token == "" {
		e.Message += " (no token given: pass --token or set LEADGATE_TOKEN)"
	}
	return e
}
