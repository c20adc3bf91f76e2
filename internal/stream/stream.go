// Package stream reads the leads table's DynamoDB stream, the outbox of
// every change to a lead: Router turns records into lead changes and hands
// them to route, which announces stage changes; Reporter counts new history
// entries into the funnel. The first record that could not be handled is
// reported by its sequence number (a partial batch failure), so Lambda
// retries from there.
package stream

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/dynamo/leaditem"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/route"
)

// Handler is what the router function runs.
type Handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Router routes a batch of stream records, and announces the outbound
// webhook events each change is (outbound.Derive) on the webhook queue.
// The router is the one reader of the stream that announces: a third
// reader would pass DynamoDB Streams' two readers a shard, and the events
// fail and retry with the routing, by record.
func Router(rt *route.Router, hooks outbound.EventSender, log *slog.Logger) Handler {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		changes := make([]route.Change, 0, len(ev.Records))
		records := make([]int, 0, len(ev.Records)) // change index -> record index
		failAt := -1
		for i, r := range ev.Records {
			c, ok, err := change(r)
			if err != nil {
				// An unreadable record is reported, not skipped: retries,
				// bisection and the on-failure queue deal with it. Only
				// the records before it are routed now.
				log.ErrorContext(ctx, "unreadable stream record", "sequence_number", r.Change.SequenceNumber, "error", err.Error())
				failAt = i
				break
			}
			if ok {
				changes = append(changes, c)
				records = append(records, i)
			}
		}
		first, err := rt.Route(ctx, changes)
		if first < 0 {
			countStages(ctx, log, changes)
		}
		if f, hookErr := announce(ctx, hooks, changes); f >= 0 && (first < 0 || f < first) {
			first, err = f, hookErr
		}
		if first >= 0 {
			failAt = records[first]
			log.ErrorContext(ctx, "routing failed", "sequence_number", ev.Records[failAt].Change.SequenceNumber, "lead_id", changes[first].After.ID, "error", fmt.Sprint(err))
		}
		if failAt >= 0 {
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: ev.Records[failAt].Change.SequenceNumber}}
		}
		log.InfoContext(ctx, "routed", "records", len(ev.Records), "changes", len(changes), "failed", len(resp.BatchItemFailures))
		return resp, nil
	}
}

// announce queues the webhook events of changes and returns the index of
// the first change whose events could not all be queued (-1 if all were).
func announce(ctx context.Context, hooks outbound.EventSender, changes []route.Change) (int, error) {
	var evs []*outbound.Event
	var origin []int
	for i, c := range changes {
		for _, e := range outbound.Derive(c.Before, c.After) {
			evs = append(evs, &e)
			origin = append(origin, i)
		}
	}
	if len(evs) == 0 {
		return -1, nil
	}
	failed, err := hooks.SendEvents(ctx, evs)
	first := -1
	for _, f := range failed {
		if first < 0 || origin[f] < first {
			first = origin[f]
		}
	}
	if err != nil && first < 0 {
		first = origin[0]
	}
	return first, err
}

// change reads a stream record of a lead item; ok is false for records that
// are not about a lead (other items in the table, removals).
func change(r events.DynamoDBEventRecord) (route.Change, bool, error) {
	after, err := leaditem.FromStream(r.Change.NewImage)
	if err != nil || after == nil {
		return route.Change{}, false, err
	}
	before, err := leaditem.FromStream(r.Change.OldImage)
	if err != nil {
		return route.Change{}, false, err
	}
	return route.Change{Before: before, After: after}, true, nil
}

// Reporter counts each batch's new history entries into the funnel. The
// batch is counted whole (one transaction per counter), so a failure
// reports the first record and the whole batch comes again; the store's
// markers make the second pass count only what the first did not.
func Reporter(count func(context.Context, []funnel.Delta) error, log *slog.Logger) Handler {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		var deltas []funnel.Delta
		failAt := -1
		for i, r := range ev.Records {
			c, ok, err := change(r)
			if err != nil {
				log.ErrorContext(ctx, "unreadable stream record", "sequence_number", r.Change.SequenceNumber, "error", err.Error())
				failAt = i
				break
			}
			if ok {
				deltas = append(deltas, funnel.Changes(c.Before, c.After)...)
			}
		}
		if err := count(ctx, deltas); err != nil {
			log.ErrorContext(ctx, "counting failed", "error", err.Error())
			failAt = 0
		}
		if failAt >= 0 && len(ev.Records) > 0 {
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: ev.Records[failAt].Change.SequenceNumber}}
		}
		log.InfoContext(ctx, "counted", "records", len(ev.Records), "entries", len(deltas), "failed", len(resp.BatchItemFailures))
		return resp, nil
	}
}

// countStages emits the batch's stage changes and routed messages as
// metrics, per campaign.
func countStages(ctx context.Context, log *slog.Logger, changes []route.Change) {
	type key struct{ campaign, stage, queue string }
	counts := map[key]int{}
	for _, c := range changes {
		if m := route.Decide(c); m != nil {
			counts[key{campaign: m.Campaign.ID, queue: m.Queue}]++
		}
		if c.After != nil && (c.Before == nil || c.Before.Stage != c.After.Stage) {
			counts[key{campaign: c.After.Verdict.Campaign, stage: string(c.After.Stage)}]++
		}
	}
	for k, n := range counts {
		if k.queue != "" {
			metrics.Count(ctx, log, metrics.Routed, n, "campaign", k.campaign, "queue", k.queue)
		} else {
			metrics.Count(ctx, log, metrics.LeadsByStage, n, "campaign", k.campaign, "stage", k.stage)
		}
	}
}
