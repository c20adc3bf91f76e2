package sqssend

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/outbound"
)

// WebhookSender puts outbound webhook events and deliveries on the webhook
// queue, and deliveries that ran out of retries on its dead-letter queue.
type WebhookSender struct {
	sqs        *sqs.Client
	url        string
	deadLetter string
}

// NewWebhookSender returns a sender to the webhook queue at url, with its
// dead-letter queue at deadLetter ("" where only events are sent).
func NewWebhookSender(client *sqs.Client, url, deadLetter string) *WebhookSender {
	return &WebhookSender{sqs: client, url: url, deadLetter: deadLetter}
}

// SendEvents queues events for fan-out and returns the indexes that failed.
func (s *WebhookSender) SendEvents(ctx context.Context, evs []*outbound.Event) ([]int, error) {
	return s.batch(ctx, len(evs), func(i int) (any, string) { return evs[i], evs[i].ID })
}

// Deliveries queues deliveries, due at once, and returns the indexes that
// failed.
func (s *WebhookSender) Deliveries(ctx context.Context, ds []*outbound.Delivery) ([]int, error) {
	return s.batch(ctx, len(ds), func(i int) (any, string) { return ds[i], ds[i].Subscription + " " + ds[i].Event.ID })
}

func (s *WebhookSender) batch(ctx context.Context, n int, item func(int) (any, string)) ([]int, error) {
	var failed []int
	var firstErr error
	for start := 0; start < n; start += maxBatch {
		end := min(start+maxBatch, n)
		entries := make([]types.SendMessageBatchRequestEntry, 0, end-start)
		for i := start; i < end; i++ {
			v, name := item(i)
			body, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", name, err)
			}
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
		}
		out, err := s.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &s.url, Entries: entries})
		if err != nil {
			for i := start; i < end; i++ {
				failed = append(failed, i)
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("send batch to the webhook queue: %w", err)
			}
			continue
		}
		for _, f := range out.Failed {
			i, _ := strconv.Atoi(aws.ToString(f.Id))
			failed = append(failed, i)
			if firstErr == nil {
				firstErr = fmt.Errorf("send to the webhook queue: %s", aws.ToString(f.Message))
			}
		}
	}
	return failed, firstErr
}

// Later queues a delivery again, to be received after delay: SQS delays a
// message 15 minutes at most, and whole seconds, rounded up here so a
// message never comes before it is due.
func (s *WebhookSender) Later(ctx context.Context, d *outbound.Delivery, delay time.Duration) error {
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode delivery: %w", err)
	}
	secs := int32(min(math.Ceil(delay.Seconds()), 900))
	if _, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &s.url, MessageBody: aws.String(string(body)), DelaySeconds: max(secs, 0)}); err != nil {
		return fmt.Errorf("queue delivery of %s to %s again: %w", d.Event.ID, d.Subscription, err)
	}
	return nil
}

// DeadLetter puts a delivery on the dead-letter queue.
func (s *WebhookSender) DeadLetter(ctx context.Context, d *outbound.Delivery) error {
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode delivery: %w", err)
	}
	if _, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &s.deadLetter, MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("dead-letter delivery of %s to %s: %w", d.Event.ID, d.Subscription, err)
	}
	return nil
}
