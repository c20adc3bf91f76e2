package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/faults"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/samtemplate"
	"github.com/leadgate/leadgate/internal/stream"
)

// Locally, event source mappings are polling loops. They follow the
// template's settings (batch size, batching window, partial batch failures,
// retries, the on-failure destination), with two deliberate differences
// that keep local runs and tests quick: an idle poll waits a fraction of a
// second, and a failed SQS message becomes visible again after retryAfter
// rather than the queue's visibility timeout, so its way to the dead-letter
// queue takes seconds.
const (
	idlePoll   = 100 * time.Millisecond
	retryAfter = 1 // seconds
)

// trigger is one event source mapping of the template.
type trigger struct {
	function   string
	batchSize  int
	maxRetries int
	streamARN  string // DynamoDB source
	queueURL   string // SQS source
	onFailure  string // queue URL for a stream batch that kept failing
	// pollers is how many batches of the queue are handled at once: the
	// event source's ScalingConfig.MaximumConcurrency, where it sets one.
	pollers int
	// window is MaximumBatchingWindowInSeconds: how long a batch that is
	// not full may wait for more records before the function gets it. It
	// is what speed to lead pays on every lead, so local pays it too.
	window time.Duration
}

// triggers reads the DynamoDB and SQS event sources of the template's
// functions (HttpApi events are the server's). Any other kind is refused:
// a trigger leadgate local silently skipped would be code that never runs
// before it is deployed.
func triggers(t *samtemplate.Template, res *Resources) ([]trigger, error) {
	var out []trigger
	for _, f := range t.Functions() {
		for _, e := range f.Events {
			switch e.Type {
			case "DynamoDB", "SQS":
			case "HttpApi":
				continue
			default:
				return nil, fmt.Errorf("template.yaml gives %s a %s trigger (%s), which leadgate local cannot drive yet", f.LogicalID, e.Type, e.Name)
			}
			tr := trigger{
				function: f.LogicalID, batchSize: intProp(e.Properties, "BatchSize", 10), maxRetries: intProp(e.Properties, "MaximumRetryAttempts", -1),
				window: time.Duration(intProp(e.Properties, "MaximumBatchingWindowInSeconds", 0)) * time.Second,
			}
			var err error
			if e.Type == "DynamoDB" {
				tr.streamARN, err = res.Resolver.String(e.Properties["Stream"])
				if dc, ok := e.Properties["DestinationConfig"].(map[string]any); ok {
					of, _ := dc["OnFailure"].(map[string]any)
					if arn, derr := res.Resolver.String(of["Destination"]); derr == nil {
						tr.onFailure = res.queueURLByARN(arn)
					}
				}
			} else {
				var arn string
				arn, err = res.Resolver.String(e.Properties["Queue"])
				tr.queueURL = res.queueURLByARN(arn)
				tr.pollers = queuePollers
				if sc, ok := e.Properties["ScalingConfig"].(map[string]any); ok {
					tr.pollers = min(tr.pollers, max(1, intProp(sc, "MaximumConcurrency", queuePollers)))
				}
			}
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", f.LogicalID, e.Name, err)
			}
			out = append(out, tr)
		}
	}
	return out, nil
}

func (r *Resources) queueURLByARN(arn string) string {
	for id, url := range r.Queues {
		if r.Resolver.Attrs[id+".Arn"] == arn {
			return url
		}
	}
	return ""
}

func intProp(props map[string]any, name string, def int) int {
	if n, ok := props[name].(int); ok {
		return n
	}
	return def
}

// pollers runs every trigger until ctx ends.
type pollers struct {
	wg sync.WaitGroup
}

func (p *pollers) wait() { p.wg.Wait() }

func (p *pollers) streamLoop(ctx context.Context, cfg aws.Config, tr trigger, h stream.Handler, q *sqs.Client, log *slog.Logger) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		client := dynamodbstreams.NewFromConfig(cfg)
		shards := map[string]bool{}
		for ctx.Err() == nil {
			out, err := client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &tr.streamARN})
			if err != nil {
				sleep(ctx, idlePoll)
				continue
			}
			for _, sh := range out.StreamDescription.Shards {
				id := aws.ToString(sh.ShardId)
				if !shards[id] {
					shards[id] = true
					p.wg.Add(1)
					go func() {
						defer p.wg.Done()
						shardLoop(ctx, client, tr, id, h, q, log)
					}()
				}
			}
			sleep(ctx, time.Second)
		}
	}()
}

// shardLoop reads one shard from its start, handing batches to the
// function; a reported failure is retried from its sequence number, up to
// the mapping's retry limit, then the batch goes to the on-failure queue.
func shardLoop(ctx context.Context, client *dynamodbstreams.Client, tr trigger, shard string, h stream.Handler, q *sqs.Client, log *slog.Logger) {
	// lastRead is the sequence number of the last record fetched: a fresh
	// iterator starts after it. DynamoDB Local invalidates an iterator taken
	// on an empty shard (TrimmedDataAccessException), so iterators are
	// taken again whenever a read fails.
	lastRead := ""
	newIterator := func() *string {
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &tr.streamARN, ShardId: &shard, ShardIteratorType: st.ShardIteratorTypeTrimHorizon}
		if lastRead != "" {
			in.ShardIteratorType, in.SequenceNumber = st.ShardIteratorTypeAfterSequenceNumber, &lastRead
		}
		it, err := client.GetShardIterator(ctx, in)
		if err != nil {
			return nil
		}
		return it.ShardIterator
	}
	iterator := newIterator()
	var pending []st.Record
	var gatheringSince time.Time // when the first record of the batch arrived
	attempts := 0
	for ctx.Err() == nil && (iterator != nil || len(pending) > 0) {
		fetched := 0
		if len(pending) < tr.batchSize && iterator != nil {
			out, err := client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iterator, Limit: aws.Int32(int32(tr.batchSize - len(pending)))})
			if err != nil {
				sleep(ctx, idlePoll)
				if iterator = newIterator(); iterator == nil && len(pending) == 0 {
					return
				}
				continue
			}
			if len(pending) == 0 && len(out.Records) > 0 {
				gatheringSince = time.Now()
			}
			pending = append(pending, out.Records...)
			if fetched = len(out.Records); fetched > 0 {
				lastRead = aws.ToString(out.Records[fetched-1].Dynamodb.SequenceNumber)
			}
			iterator = out.NextShardIterator
		}
		if len(pending) == 0 {
			sleep(ctx, idlePoll)
			continue
		}
		// A batch that is not full waits out the batching window, reading
		// on; a retry (attempts > 0) goes at once, as Lambda's does.
		if wait := tr.window - time.Since(gatheringSince); wait > 0 && attempts == 0 && len(pending) < tr.batchSize && iterator != nil {
			if fetched == 0 {
				sleep(ctx, min(idlePoll, wait))
			}
			continue
		}
		batch := pending[:min(len(pending), tr.batchSize)]
		resp, err := h(ctx, dynamoEvent(tr.streamARN, batch))
		failed := -1 // index of the first record to retry from
		switch {
		case err != nil:
			failed = 0 // a returned error fails the whole batch
		case len(resp.BatchItemFailures) > 0:
			failed = 0 // an unknown sequence number fails it too, as in Lambda
			for i, r := range batch {
				if aws.ToString(r.Dynamodb.SequenceNumber) == resp.BatchItemFailures[0].ItemIdentifier {
					failed = i
					break
				}
			}
		}
		if failed < 0 {
			pending, attempts, gatheringSince = pending[len(batch):], 0, time.Now()
			continue
		}
		pending = pending[failed:] // retried from the failed record on, in order
		attempts++
		if tr.maxRetries >= 0 && attempts > tr.maxRetries {
			rest := pending[:min(len(pending), tr.batchSize)]
			log.ErrorContext(ctx, "stream batch failed past its retries", "function", tr.function, "shard", shard, "records", len(rest))
			if tr.onFailure != "" {
				body, _ := json.Marshal(map[string]any{
					"requestContext": map[string]any{"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
					"DDBStreamBatchInfo": map[string]any{
						"shardId": shard, "streamArn": tr.streamARN, "batchSize": len(rest),
						"startSequenceNumber": aws.ToString(rest[0].Dynamodb.SequenceNumber),
						"endSequenceNumber":   aws.ToString(rest[len(rest)-1].Dynamodb.SequenceNumber),
					},
				})
				_, _ = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &tr.onFailure, MessageBody: aws.String(string(body))})
			}
			pending, attempts, gatheringSince = pending[len(rest):], 0, time.Now()
		}
	}
}

// StreamEvent reads every record of a stream so far, from the start of
// each shard, as one event: what a stream function has already seen, to
// hand it again as Lambda does after a crash (tests prove the consumers
// idempotent with it).
func StreamEvent(ctx context.Context, cfg aws.Config, streamARN string) (events.DynamoDBEvent, error) {
	client := dynamodbstreams.NewFromConfig(cfg)
	out, err := client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &streamARN})
	if err != nil {
		return events.DynamoDBEvent{}, fmt.Errorf("describe stream: %w", err)
	}
	var records []st.Record
	for _, sh := range out.StreamDescription.Shards {
		it, err := client.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: &streamARN, ShardId: sh.ShardId, ShardIteratorType: st.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return events.DynamoDBEvent{}, fmt.Errorf("shard iterator: %w", err)
		}
		// An open shard answers an empty page once it is read to its end.
		for iter := it.ShardIterator; iter != nil; {
			page, err := client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return events.DynamoDBEvent{}, fmt.Errorf("read stream: %w", err)
			}
			if len(page.Records) == 0 {
				break
			}
			records = append(records, page.Records...)
			iter = page.NextShardIterator
		}
	}
	return dynamoEvent(streamARN, records), nil
}

// dynamoEvent builds the event Lambda hands a stream function.
func dynamoEvent(arn string, records []st.Record) events.DynamoDBEvent {
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, 0, len(records))}
	for _, r := range records {
		d := r.Dynamodb
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{
			AWSRegion: region, EventID: aws.ToString(r.EventID), EventName: string(r.EventName),
			EventSource: "aws:dynamodb", EventVersion: aws.ToString(r.EventVersion), EventSourceArn: arn,
			Change: events.DynamoDBStreamRecord{
				ApproximateCreationDateTime: events.SecondsEpochTime{Time: aws.ToTime(d.ApproximateCreationDateTime)},
				Keys:                        attributes(d.Keys), NewImage: attributes(d.NewImage), OldImage: attributes(d.OldImage),
				SequenceNumber: aws.ToString(d.SequenceNumber), SizeBytes: aws.ToInt64(d.SizeBytes),
				StreamViewType: string(d.StreamViewType),
			},
		})
	}
	return ev
}

func attributes(m map[string]st.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = attribute(v)
	}
	return out
}

func attribute(v st.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *st.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *st.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *st.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *st.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *st.AttributeValueMemberB:
		return events.NewBinaryAttribute(x.Value)
	case *st.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	case *st.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(x.Value)
	case *st.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(x.Value)
	case *st.AttributeValueMemberM:
		return events.NewMapAttribute(attributes(x.Value))
	case *st.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = attribute(e)
		}
		return events.NewListAttribute(l)
	}
	return events.NewNullAttribute()
}

// queueLoop receives up to the batch size, hands the batch to the
// function, deletes what it handled and lets the failures come back.
func (p *pollers) queueLoop(ctx context.Context, q *sqs.Client, tr trigger, h queue.Handler, log *slog.Logger) {
	// Lambda polls a queue with several pollers at once; so does local, so
	// concurrent consumers are the normal case here too.
	for range tr.pollers {
		p.queuePoller(ctx, q, tr, h, log)
	}
}

// queuePollers is how many batches of one queue are handled at once, unless
// the template caps the function's concurrency lower.
const queuePollers = 3

func (p *pollers) queuePoller(ctx context.Context, q *sqs.Client, tr trigger, h queue.Handler, log *slog.Logger) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		receive := func(max int, wait int32) ([]sqstypes.Message, error) {
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
				QueueUrl: &tr.queueURL, MaxNumberOfMessages: int32(min(max, 10)), WaitTimeSeconds: wait,
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
				MessageAttributeNames:       []string{"All"},
			})
			if err != nil {
				return nil, err
			}
			return out.Messages, nil
		}
		for ctx.Err() == nil {
			// A long poll: moto answers as soon as a message arrives.
			messages, err := receive(tr.batchSize, 1)
			if err != nil || len(messages) == 0 {
				if err != nil && !errors.Is(err, context.Canceled) {
					sleep(ctx, idlePoll)
				}
				continue
			}
			// A batching window gathers up to the batch size before the
			// function gets the batch, as Lambda's poller does.
			for deadline := time.Now().Add(tr.window); len(messages) < tr.batchSize && ctx.Err() == nil; {
				wait := time.Until(deadline)
				if wait <= 0 {
					break
				}
				more, err := receive(tr.batchSize-len(messages), 0)
				if err != nil {
					break
				}
				if len(more) == 0 {
					sleep(ctx, min(idlePoll, wait))
				}
				messages = append(messages, more...)
			}
			ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(messages))}
			arn := "arn:aws:sqs:" + region + ":" + accountID + ":" + tr.queueURL[strings.LastIndexByte(tr.queueURL, '/')+1:]
			for _, m := range messages {
				attrs := map[string]string{}
				maps.Copy(attrs, m.Attributes)
				ev.Records = append(ev.Records, events.SQSMessage{
					MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
					Attributes: attrs, EventSource: "aws:sqs", EventSourceARN: arn, AWSRegion: region,
				})
			}
			resp, err := h(ctx, ev)
			failed := map[string]bool{}
			if err != nil {
				for _, r := range ev.Records {
					failed[r.MessageId] = true
				}
			}
			for _, f := range resp.BatchItemFailures {
				failed[f.ItemIdentifier] = true
			}
			for _, m := range messages {
				if failed[aws.ToString(m.MessageId)] {
					_, _ = q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &tr.queueURL, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: retryAfter})
					continue
				}
				_, _ = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &tr.queueURL, ReceiptHandle: m.ReceiptHandle})
			}
			if len(failed) > 0 {
				log.InfoContext(ctx, "messages failed; retried after "+strconv.Itoa(retryAfter)+"s", "function", tr.function, "failed", len(failed))
			}
		}
	}()
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// crashingStream makes a stream function crash halfway through a share of
// its batches, as a function killed by a timeout or an out-of-memory would:
// the first half's effects happen, then the whole batch fails.
func crashingStream(in *faults.Injector, h stream.Handler) stream.Handler {
	if in == nil {
		return h
	}
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if len(ev.Records) > 1 && in.Crash() {
			half := ev
			half.Records = ev.Records[:len(ev.Records)/2]
			_, _ = h(ctx, half)
			return events.DynamoDBEventResponse{}, errors.New("injected crash")
		}
		return h(ctx, ev)
	}
}

// crashingQueue does the same to a queue consumer. A crash is transient: a
// batch holding a message already received crashedReceives times is not
// crashed, so every message settles before the queue's maxReceiveCount
// (5) moves it to its dead-letter queue. Unbounded crashes end there by
// design; what the fault test proves is that crashes lose and duplicate
// nothing, and it must not fail by the luck of the draw.
func crashingQueue(in *faults.Injector, h queue.Handler) queue.Handler {
	if in == nil {
		return h
	}
	const crashedReceives = 2
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		transient := !slices.ContainsFunc(ev.Records, func(m events.SQSMessage) bool {
			n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
			return n > crashedReceives
		})
		if len(ev.Records) > 1 && transient && in.Crash() {
			half := ev
			half.Records = ev.Records[:len(ev.Records)/2]
			_, _ = h(ctx, half)
			return events.SQSEventResponse{}, errors.New("injected crash")
		}
		return h(ctx, ev)
	}
}
