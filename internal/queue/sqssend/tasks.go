package sqssend

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/rejudge"
)

// TaskSender sends re-judge tasks to their queue.
type TaskSender struct {
	sqs *sqs.Client
	url string
}

// NewTaskSender returns a sender to the re-judge queue at url.
func NewTaskSender(client *sqs.Client, url string) *TaskSender {
	return &TaskSender{sqs: client, url: url}
}

// SendTask sends one task.
func (s *TaskSender) SendTask(ctx context.Context, t *rejudge.Task) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode re-judge task: %w", err)
	}
	if _, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &s.url, MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("send re-judge task %s/%d page %d: %w", t.Job, t.Segment, t.Page, err)
	}
	return nil
}
