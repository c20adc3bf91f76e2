// Package awsmeter counts what an SDK configuration's clients ask of AWS:
// every request, by service and operation, and the DynamoDB capacity each
// one consumed, by table and index, as DynamoDB itself reports it
// (ReturnConsumedCapacity INDEXES, asked on every call that takes it).
// Tests put it on the configuration a function is wired with, so the
// capacity model in SCALING.md and BENCHMARKS.md is counted, not guessed.
// Product code never imports it.
package awsmeter

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Usage is what a stretch of work asked of AWS.
type Usage struct {
	// Requests by "service operation", e.g. "DynamoDB PutItem", "SQS
	// SendMessageBatch".
	Requests map[string]int
	// Read and Write are DynamoDB capacity units by table, and by
	// "table/index" for a global secondary index, as the responses
	// reported them. A read or write is told apart by its operation.
	Read, Write map[string]float64
}

func newUsage() Usage {
	return Usage{Requests: map[string]int{}, Read: map[string]float64{}, Write: map[string]float64{}}
}

// Sub is u less what before had: the usage between two snapshots.
func (u Usage) Sub(before Usage) Usage {
	d := newUsage()
	for k, v := range u.Requests {
		if n := v - before.Requests[k]; n != 0 {
			d.Requests[k] = n
		}
	}
	for k, v := range u.Read {
		if n := v - before.Read[k]; n != 0 {
			d.Read[k] = n
		}
	}
	for k, v := range u.Write {
		if n := v - before.Write[k]; n != 0 {
			d.Write[k] = n
		}
	}
	return d
}

// Service is the requests made to one service ("DynamoDB", "SQS").
func (u Usage) Service(name string) int {
	n := 0
	for k, v := range u.Requests {
		if strings.HasPrefix(k, name+" ") {
			n += v
		}
	}
	return n
}

// Sum adds the units whose key passes keep.
func Sum(units map[string]float64, keep func(key string) bool) float64 {
	total := 0.0
	for k, v := range units {
		if keep(k) {
			total += v
		}
	}
	return total
}

// String lists the usage, sorted, for a log line.
func (u Usage) String() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(u.Requests)) {
		fmt.Fprintf(&b, "%s=%d ", k, u.Requests[k])
	}
	for _, k := range slices.Sorted(maps.Keys(u.Write)) {
		fmt.Fprintf(&b, "WCU[%s]=%g ", k, u.Write[k])
	}
	for _, k := range slices.Sorted(maps.Keys(u.Read)) {
		fmt.Fprintf(&b, "RCU[%s]=%g ", k, u.Read[k])
	}
	return strings.TrimSpace(b.String())
}

// Meter counts. The zero value is not ready: use New.
type Meter struct {
	mu    sync.Mutex
	usage Usage
	// name turns a table's name into the name it is counted under (tests
	// drop their prefix); nil keeps it.
	name func(string) string
}

// New returns a meter that counts a table under name(table).
func New(name func(table string) string) *Meter {
	return &Meter{usage: newUsage(), name: name}
}

// Snapshot is the usage so far.
func (m *Meter) Snapshot() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return newUsage().add(m.usage)
}

func (u Usage) add(o Usage) Usage {
	for k, v := range o.Requests {
		u.Requests[k] += v
	}
	for k, v := range o.Read {
		u.Read[k] += v
	}
	for k, v := range o.Write {
		u.Write[k] += v
	}
	return u
}

// Config returns cfg with the meter on every client made from it.
func (m *Meter) Config(cfg aws.Config) aws.Config {
	c := cfg.Copy()
	c.APIOptions = append(slices.Clone(cfg.APIOptions), m.apiOption)
	return c
}

// reads are the DynamoDB operations whose capacity is read capacity.
var reads = map[string]bool{"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "TransactGetItems": true}

func (m *Meter) apiOption(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("leadgateMeter", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
		if service == "DynamoDB" {
			askCapacity(in.Parameters)
		}
		out, md, err := next.HandleInitialize(ctx, in)
		m.mu.Lock()
		defer m.mu.Unlock()
		// One request however often the SDK retried it: a retry is the
		// service's doing, not leadgate's, and retries are billed the same.
		m.usage.Requests[service+" "+op]++
		if service == "DynamoDB" && err == nil {
			units := m.usage.Write
			if reads[op] {
				units = m.usage.Read
			}
			for _, c := range consumed(out.Result) {
				m.count(units, c)
			}
		}
		return out, md, err
	}), middleware.After)
}

func (m *Meter) count(units map[string]float64, c types.ConsumedCapacity) {
	table := aws.ToString(c.TableName)
	if m.name != nil {
		table = m.name(table)
	}
	parts := 0.0
	if c.Table != nil {
		units[table] += aws.ToFloat64(c.Table.CapacityUnits)
		parts += aws.ToFloat64(c.Table.CapacityUnits)
	}
	for name, ic := range c.GlobalSecondaryIndexes {
		units[table+"/"+name] += aws.ToFloat64(ic.CapacityUnits)
		parts += aws.ToFloat64(ic.CapacityUnits)
	}
	// A response that reports the total only: the table's.
	if rest := aws.ToFloat64(c.CapacityUnits) - parts; rest > 0.0001 {
		units[table] += rest
	}
}

// askCapacity sets ReturnConsumedCapacity to INDEXES on an input that has
// it (every item and query operation).
func askCapacity(params any) {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("ReturnConsumedCapacity")
	if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeFor[types.ReturnConsumedCapacity]() {
		f.Set(reflect.ValueOf(types.ReturnConsumedCapacityIndexes))
	}
}

// consumed reads the ConsumedCapacity of an output: one, or one per table.
func consumed(result any) []types.ConsumedCapacity {
	v := reflect.ValueOf(result)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	switch c := v.Elem().FieldByName("ConsumedCapacity"); {
	case !c.IsValid():
		return nil
	case c.Type() == reflect.TypeFor[*types.ConsumedCapacity]():
		if c.IsNil() {
			return nil
		}
		return []types.ConsumedCapacity{*c.Interface().(*types.ConsumedCapacity)}
	case c.Type() == reflect.TypeFor[[]types.ConsumedCapacity]():
		return c.Interface().([]types.ConsumedCapacity)
	}
	return nil
}
