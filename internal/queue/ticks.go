package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// Tick is what a schedule puts on a queue: the time to do its round. Its
// schema names the round, so a message meant for another consumer is
// refused rather than taken for a tick.
type Tick struct {
	Schema string `json:"schema"`
}

// ConsumeTicks adapts a batch of a schedule's ticks to one round of work:
// ticks that pile up (a slow round, a redelivery) need one round, not one
// each. When the round fails every tick of the batch is reported failed, so
// it is tried again and, failing on, ends in the dead-letter queue.
func ConsumeTicks(log *slog.Logger, schema string, round func(context.Context) error) Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		var ticks []events.SQSMessage
		for _, r := range ev.Records {
			var t Tick
			if err := json.Unmarshal([]byte(r.Body), &t); err != nil || t.Schema != schema {
				log.ErrorContext(ctx, "not a tick", "message_id", r.MessageId, "want_schema", schema, "error", fmt.Sprint(err))
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			ticks = append(ticks, r)
		}
		if len(ticks) == 0 {
			return resp, nil
		}
		if err := round(ctx); err != nil {
			log.ErrorContext(ctx, "round failed", "schema", schema, "ticks", len(ticks), "error", err.Error())
			for _, r := range ticks {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}
}
