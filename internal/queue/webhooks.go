package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/outbound"
)

// ConsumeWebhooks adapts an SQS batch of the webhook queue: an event is
// fanned out to its subscriptions, a delivery is tried. A message that
// fails is reported by id and comes again.
func ConsumeWebhooks(log *slog.Logger, fan func(context.Context, *outbound.Event) error, deliver func(context.Context, *outbound.Delivery) error) Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			var head struct {
				Schema string `json:"schema"`
			}
			attrs := []any{"consumer", "deliver", "message_id", r.MessageId}
			err := json.Unmarshal([]byte(r.Body), &head)
			if err == nil {
				switch head.Schema {
				case outbound.SchemaV1:
					var e outbound.Event
					if err = json.Unmarshal([]byte(r.Body), &e); err == nil {
						attrs = append(attrs, "event", e.ID, "type", e.Type)
						err = fan(ctx, &e)
					}
				case outbound.DeliverySchemaV1:
					var d outbound.Delivery
					if err = json.Unmarshal([]byte(r.Body), &d); err == nil {
						attrs = append(attrs, "event", d.Event.ID, "subscription", d.Subscription)
						err = deliver(ctx, &d)
					}
				default:
					err = fmt.Errorf("schema %q, want %s or %s", head.Schema, outbound.SchemaV1, outbound.DeliverySchemaV1)
				}
			}
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
