package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// TestClientRetriesWhatIsSafeToRetry: a 429 is retried after Retry-After
// whatever the method (the gateway ran nothing); a 503 only for GET and
// PUT; at most maxRetries times; the last answer's problem is the error.
func TestClientRetriesWhatIsSafeToRetry(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		answers   []int // status of each answer in turn; the last repeats
		wantCalls int
		wantCode  string
	}{
		{"429 then 200", http.MethodPost, []int{429, 429, 200}, 3, ""},
		{"503 to a GET", http.MethodGet, []int{503, 200}, 2, ""},
		{"503 to a PUT", http.MethodPut, []int{503, 201}, 2, ""},
		{"503 to a POST is not repeated", http.MethodPost, []int{503}, 1, leadgate.EUNAVAILABLE},
		{"422 is not repeated", http.MethodPut, []int{422}, 1, leadgate.EINVALID},
		{"busy for good", http.MethodGet, []int{503}, maxRetries + 1, leadgate.EUNAVAILABLE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				status := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				switch status {
				case 429:
					w.Header().Set("Retry-After", "0") // the wait is taken from here: none
					w.WriteHeader(status)
					_, _ = w.Write([]byte(`{"message":"Too Many Requests"}`))
				case 503, 422:
					code := map[int]string{503: "unavailable", 422: "invalid"}[status]
					w.Header().Set("Content-Type", "application/problem+json")
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(status)
					_, _ = w.Write([]byte(`{"title":"t","status":` + itoa(status) + `,"detail":"d","code":"` + code + `"}`))
				default:
					w.WriteHeader(status)
					_, _ = w.Write([]byte(`{}`))
				}
			}))
			defer srv.Close()
			c, err := newAPIClient(srv.URL, "tok")
			if err != nil {
				t.Fatal(err)
			}
			rep, err := c.do(context.Background(), request{method: tt.method, path: "/v1/x"})
			if calls != tt.wantCalls || leadgate.ErrorCode(err) != tt.wantCode {
				t.Errorf("%d calls, err %v; want %d calls, code %q", calls, err, tt.wantCalls, tt.wantCode)
			}
			if err == nil && rep.status >= 400 {
				t.Errorf("answer %d without an error", rep.status)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for in, want := range map[string]string{"": "1s", "0": "0s", "7": "7s", "3600": "30s", "Wed, 21 Oct 2015 07:28:00 GMT": "1s", "-2": "1s"} {
		if got := retryAfter(in).String(); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
