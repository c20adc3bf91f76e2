package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/route"
)

// Handler is what an SQS-triggered function runs.
type Handler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// Consume adapts a per-message consumer to an SQS batch. A message that
// fails is reported by its id so that only it is retried (the event source
// mapping has ReportBatchItemFailures); after the queue's maxReceiveCount
// it goes to the dead-letter queue.
func Consume(log *slog.Logger, name string, handle func(context.Context, *route.Message) error) Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			var m route.Message
			err := json.Unmarshal([]byte(r.Body), &m)
			if err == nil && m.Schema != route.SchemaV1 {
				err = fmt.Errorf("schema %q, want %s", m.Schema, route.SchemaV1)
			}
			if err == nil {
				err = handle(ctx, &m)
			}
			attrs := []any{"consumer", name, "message_id", r.MessageId, "lead_id", m.LeadID, "transition", m.ID, "campaign", m.Campaign.ID}
			if err != nil {
				log.ErrorContext(ctx, "message failed", append(attrs, "error", err.Error(), "receive_count", r.Attributes["ApproximateReceiveCount"])...)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			log.InfoContext(ctx, "message handled", attrs...)
		}
		return resp, nil
	}
}
