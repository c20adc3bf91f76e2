package devstack

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/samtemplate"
)

// schedule is one EventBridge Scheduler schedule of the template. Locally
// it is a ticker that sends the schedule's input to its target queue, as
// Scheduler's SQS target does.
type schedule struct {
	name     string
	every    time.Duration
	queueURL string
	input    string
}

var rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// schedules reads the template's schedules. every, when set, stands in for
// every schedule's rate, so a test or a demo need not wait a day. A
// schedule leadgate local cannot drive (a cron or one-time expression, a
// target that is not one of the template's queues) is refused rather than
// skipped.
func schedules(t *samtemplate.Template, res *Resources, every time.Duration) ([]schedule, error) {
	var out []schedule
	for _, s := range t.OfType("AWS::Scheduler::Schedule") {
		expr, err := res.Resolver.String(s.Properties["ScheduleExpression"])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.LogicalID, err)
		}
		m := rateExpr.FindStringSubmatch(expr)
		if m == nil {
			return nil, fmt.Errorf("%s: leadgate local drives rate(N unit) schedules, not %q", s.LogicalID, expr)
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 {
			return nil, fmt.Errorf("%s: %q: a rate of at least 1", s.LogicalID, expr)
		}
		unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[m[2]]
		target, _ := s.Properties["Target"].(map[string]any)
		arn, err := res.Resolver.String(target["Arn"])
		if err != nil {
			return nil, fmt.Errorf("%s target: %w", s.LogicalID, err)
		}
		url := res.queueURLByARN(arn)
		if url == "" {
			return nil, fmt.Errorf("%s: its target %s is not a queue of the template, which is all leadgate local can deliver to", s.LogicalID, arn)
		}
		input, _ := target["Input"].(string)
		sc := schedule{name: s.LogicalID, every: time.Duration(n) * unit, queueURL: url, input: input}
		if every > 0 {
			sc.every = every
		}
		out = append(out, sc)
	}
	return out, nil
}

// scheduleLoop sends the schedule's input every interval until ctx ends.
func (p *pollers) scheduleLoop(ctx context.Context, q *sqs.Client, s schedule, log *slog.Logger) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(s.every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &s.queueURL, MessageBody: aws.String(s.input)}); err != nil && ctx.Err() == nil {
				log.ErrorContext(ctx, "schedule could not deliver", "schedule", s.name, "error", err.Error())
			}
		}
	}()
}
