// Package metrics writes CloudWatch metrics as Embedded Metric Format log
// lines: a JSON log line with an "_aws" member becomes metrics in
// CloudWatch with no API call and no agent, which suits a Lambda function.
package metrics

import (
	"context"
	"log/slog"
	"time"
)

// Namespace is where leadgate's metrics live in CloudWatch.
const Namespace = "leadgate"

// Metric names. Counts are per invocation; CloudWatch sums them.
const (
	SubmissionsReceived = "SubmissionsReceived"
	SpamDropped         = "SpamDropped"
	LeadsByStage        = "LeadsEnteredStage"
	Routed              = "Routed"
	Assigned            = "Assigned"
	SLABreached         = "SLABreached"
	Recycled            = "Recycled"
	Rejected            = "Rejected"
	RejectedRows        = "RejectedRows"
	// ReviewOverdue counts, per campaign, a definition past its review-by
	// date; ReviewOverdueCampaigns is how many there are (0 included, so
	// the alarm on it always has data).
	ReviewOverdue          = "ReviewOverdue"
	ReviewOverdueCampaigns = "ReviewOverdueCampaigns"
	// WebhookTries counts outbound webhook tries by their outcome
	// (delivered, refused, retried, dead-lettered) and event type: a
	// receiver that keeps failing shows as retries before the dead-letter
	// queue's alarm fires.
	WebhookTries = "WebhookTries"
)

// Count logs one EMF line counting n of metric, with the given dimensions
// (campaign, stage, queue...). Dimension values are identifiers, never
// personal data.
func Count(ctx context.Context, log *slog.Logger, metric string, n int, dims ...string) {
	names := make([]string, 0, len(dims)/2)
	attrs := make([]any, 0, len(dims)/2+2)
	for i := 0; i+1 < len(dims); i += 2 {
		names = append(names, dims[i])
		attrs = append(attrs, slog.String(dims[i], dims[i+1]))
	}
	attrs = append(attrs,
		slog.Any("_aws", emf{Timestamp: time.Now().UnixMilli(), CloudWatchMetrics: []directive{{
			Namespace:  Namespace,
			Dimensions: [][]string{names},
			Metrics:    []definition{{Name: metric, Unit: "Count"}},
		}}}),
		slog.Int(metric, n),
	)
	log.InfoContext(ctx, "metric", attrs...)
}

// The "_aws" member, as typed structs rather than maps: a line is written
// for every counted event on every function's hot path, and encoding/json
// walks a struct without sorting map keys or boxing values. Field names
// are CloudWatch's.
type (
	emf struct {
		CloudWatchMetrics []directive
		Timestamp         int64
	}
	directive struct {
		Dimensions [][]string
		Metrics    []definition
		Namespace  string
	}
	definition struct{ Name, Unit string }
)
