// Package runtimeapi is a minimal Lambda Runtime API (the
// AWS_LAMBDA_RUNTIME_API protocol a provided.al2023 bootstrap speaks), so
// the real function binaries can be started and invoked on this machine:
// for cold-start measurements and for tests that run them as Lambda does.
package runtimeapi

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server hands events to one bootstrap process and collects its answers.
type Server struct {
	URL  string // host:port, the value of AWS_LAMBDA_RUNTIME_API
	srv  *http.Server
	next chan invocation

	mu        sync.Mutex
	firstNext chan struct{} // closed at the bootstrap's first /next
	results   map[string]chan Result
	initErr   chan string
}

type invocation struct {
	id    string
	event []byte
}

// Result is what the function answered to one invocation.
type Result struct {
	Body  []byte
	Error bool // the function reported an error instead of a response
}

// Start listens on a free loopback port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: ln.Addr().String(), next: make(chan invocation), firstNext: make(chan struct{}), results: map[string]chan Result{}, initErr: make(chan string, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) { s.finish(w, r, false) })
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) { s.finish(w, r, true) })
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case s.initErr <- string(b):
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	})
	s.srv = &http.Server{Handler: mux}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *Server) handleNext(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	select {
	case <-s.firstNext:
	default:
		close(s.firstNext)
	}
	s.mu.Unlock()
	select {
	case inv := <-s.next:
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:local")
		w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		_, _ = w.Write(inv.event)
	case <-r.Context().Done():
	}
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, isErr bool) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	ch := s.results[r.PathValue("id")]
	s.mu.Unlock()
	if ch != nil {
		ch <- Result{Body: b, Error: isErr}
	}
	w.WriteHeader(http.StatusAccepted)
}

// FirstNext is closed when the bootstrap first asks for an event: its
// initialization is done.
func (s *Server) FirstNext() <-chan struct{} { return s.firstNext }

// InitError reports a bootstrap that failed to initialize.
func (s *Server) InitError() <-chan string { return s.initErr }

// Invoke sends one event and waits for the answer.
func (s *Server) Invoke(ctx context.Context, event []byte) (Result, error) {
	id := fmt.Sprintf("req-%d", time.Now().UnixNano())
	ch := make(chan Result, 1)
	s.mu.Lock()
	s.results[id] = ch
	s.mu.Unlock()
	select {
	case s.next <- invocation{id: id, event: event}:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
