package sqssend

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/route"
)

// maxBatch is SQS's limit on one SendMessageBatch.
const maxBatch = 10

// Sender sends route messages to the queue URLs it was given.
type Sender struct {
	sqs  *sqs.Client
	urls map[string]string // route queue name -> queue URL
}

// NewSender returns a sender; urls maps route.SalesReady and route.Nurture
// to their queue URLs.
func NewSender(client *sqs.Client, urls map[string]string) *Sender {
	return &Sender{sqs: client, urls: urls}
}

// Send sends msgs in batches of ten and returns the indexes that failed.
// The message attributes repeat what a consumer filters on, so a CRM sync
// can route without parsing the body.
func (s *Sender) Send(ctx context.Context, queue string, msgs []*route.Message) ([]int, error) {
	url, ok := s.urls[queue]
	if !ok {
		return nil, fmt.Errorf("no URL for queue %s", queue)
	}
	var failed []int
	var firstErr error
	for start := 0; start < len(msgs); start += maxBatch {
		end := min(start+maxBatch, len(msgs))
		entries := make([]types.SendMessageBatchRequestEntry, 0, end-start)
		for i := start; i < end; i++ {
			body, err := json.Marshal(msgs[i])
			if err != nil {
				return nil, fmt.Errorf("encode message %s: %w", msgs[i].ID, err)
			}
			entries = append(entries, types.SendMessageBatchRequestEntry{
				Id:          aws.String(strconv.Itoa(i)),
				MessageBody: aws.String(string(body)),
				// SQS refuses empty string values: a message without a campaign says "-".
				MessageAttributes: map[string]types.MessageAttributeValue{
					"schema":   {DataType: aws.String("String"), StringValue: aws.String(msgs[i].Schema)},
					"stage":    {DataType: aws.String("String"), StringValue: aws.String(string(msgs[i].Stage))},
					"campaign": {DataType: aws.String("String"), StringValue: aws.String(cmp.Or(msgs[i].Campaign.ID, "-"))},
				},
			})
		}
		out, err := s.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
		if err != nil {
			for i := start; i < end; i++ {
				failed = append(failed, i)
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("send batch to %s: %w", queue, err)
			}
			continue
		}
		for _, f := range out.Failed {
			i, _ := strconv.Atoi(aws.ToString(f.Id))
			failed = append(failed, i)
			if firstErr == nil {
				firstErr = fmt.Errorf("send %s to %s: %s", msgs[i].ID, queue, aws.ToString(f.Message))
			}
		}
	}
	return failed, firstErr
}
