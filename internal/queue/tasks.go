package queue

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/rejudge"
)

// ConsumeTasks adapts an SQS batch of re-judge tasks to handle, one task at
// a time, reporting the ones that fail by id.
func ConsumeTasks(log *slog.Logger, handle func(ctx context.Context, t *rejudge.Task, redelivered bool) error) Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			var t rejudge.Task
			err := json.Unmarshal([]byte(r.Body), &t)
			if err == nil {
				n, _ := strconv.Atoi(r.Attributes["ApproximateReceiveCount"])
				err = handle(ctx, &t, n > 1)
			}
			attrs := []any{"consumer", "rejudge", "message_id", r.MessageId, "job", t.Job, "campaign", t.Campaign, "segment", t.Segment, "page", t.Page}
			if err != nil {
				log.ErrorContext(ctx, "task failed", append(attrs, "error", err.Error(), "receive_count", r.Attributes["ApproximateReceiveCount"])...)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			log.InfoContext(ctx, "task handled", attrs...)
		}
		return resp, nil
	}
}
