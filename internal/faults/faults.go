// Package faults injects failures for tests: a share of AWS SDK calls fail
// with throttling or a 5xx before they reach the server, and consumers
// crash halfway through a batch. Only tests turn it on (through
// devstack.Options); product code never imports it.
package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Injector decides which calls fail. Its random source is seeded, so a
// failing run can be repeated.
type Injector struct {
	CallFailure  float64 // share of SDK calls that fail
	BatchCrashes float64 // share of consumer batches that crash midway

	mu  sync.Mutex
	rnd *rand.Rand

	// Stalled, while set, makes every call hang as a service that stopped
	// answering would: it returns only when the caller's context ends.
	Stalled atomic.Bool

	Calls, FailedCalls, Batches, CrashedBatches atomic.Int64
}

// New returns an injector with a fixed seed.
func New(seed uint64, callFailure, batchCrashes float64) *Injector {
	return &Injector{CallFailure: callFailure, BatchCrashes: batchCrashes, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (in *Injector) roll(p float64) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.rnd.Float64() < p
}

// Crash reports whether this batch should crash.
func (in *Injector) Crash() bool {
	in.Batches.Add(1)
	if in.roll(in.BatchCrashes) {
		in.CrashedBatches.Add(1)
		return true
	}
	return false
}

// APIOption adds the failing middleware to an SDK configuration's
// clients: cfg.APIOptions = append(cfg.APIOptions, in.APIOption). It sits
// inside the SDK's retry loop, so the retryer sees the failures as it would
// real ones, and some still get through to leadgate's code.
func (in *Injector) APIOption(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("leadgateFaults", func(ctx context.Context, req middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		in.Calls.Add(1)
		if in.Stalled.Load() {
			<-ctx.Done()
			return middleware.FinalizeOutput{}, middleware.Metadata{}, ctx.Err()
		}
		if !in.roll(in.CallFailure) {
			return next.HandleFinalize(ctx, req)
		}
		in.FailedCalls.Add(1)
		if in.roll(0.5) {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "injected throttling", Fault: smithy.FaultServer}
		}
		return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}},
			Err:      fmt.Errorf("injected 503"),
		}
	}), middleware.After)
}
