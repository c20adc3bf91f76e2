// Package route decides where a lead goes when its stage changes: sales-ready
// leads (MQLs, hand-raisers included) to assignment, leads that are not
// ready (nurture, recycled by sales) to nurturing. It is the outbox's
// reader: it never writes the lead, it only announces its transitions.
package route

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

// Queues a transition goes to.
const (
	SalesReady = "sales-ready"
	Nurture    = "nurture"
)

// SchemaV1 names the message format, schemas/lead-routed.v1.json.
const SchemaV1 = "leadgate.lead-routed/v1"

// Message is what a consumer (the assigner, a nurture tool, a CRM sync)
// reads from a queue. ID names the transition, not the delivery: a stream
// record processed twice sends the same ID, and consumers drop repeats.
type Message struct {
	Schema        string       `json:"schema"`
	ID            string       `json:"id"`
	Queue         string       `json:"queue"`
	LeadID        string       `json:"leadId"`
	Rev           int64        `json:"rev"`
	Stage         lead.Stage   `json:"stage"`
	PreviousStage lead.Stage   `json:"previousStage,omitempty"`
	OccurredAt    time.Time    `json:"occurredAt"`
	Campaign      Campaign     `json:"campaign"`
	Lead          lead.Lead    `json:"lead"`
	Verdict       lead.Verdict `json:"verdict"`
	Reasons       []string     `json:"reasons"`
	Owner         string       `json:"owner,omitempty"`
}

// Campaign names the campaign and definition version that judged the lead.
type Campaign struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// Change is a lead item as it was and as it is: one stream record.
type Change struct {
	Before *lead.Record // nil for a new lead
	After  *lead.Record
}

// Decide returns the message a change calls for, or nil: only a change of
// stage into mql or nurture is announced.
func Decide(c Change) *Message {
	if c.After == nil {
		return nil
	}
	before := lead.Stage("")
	if c.Before != nil {
		before = c.Before.Stage
	}
	after := c.After.Stage
	if before == after {
		return nil
	}
	var queue string
	switch after {
	case lead.StageMQL:
		queue = SalesReady
	case lead.StageNurture:
		queue = Nurture
	default:
		return nil
	}
	r := c.After
	reasons := r.Verdict.Reasons()
	if reasons == nil {
		reasons = []string{}
	}
	return &Message{
		Schema: SchemaV1, ID: r.ID + "@" + strconv.FormatInt(r.Rev, 10), Queue: queue,
		LeadID: r.ID, Rev: r.Rev, Stage: after, PreviousStage: before, OccurredAt: r.UpdatedAt,
		Campaign: Campaign{ID: r.Verdict.Campaign, Version: r.Verdict.Version},
		Lead:     r.Lead, Verdict: r.Verdict, Reasons: reasons, Owner: r.Owner,
	}
}

// Sender sends messages to a queue, in batches, and reports which failed
// by their index in msgs.
type Sender interface {
	Send(ctx context.Context, queue string, msgs []*Message) (failed []int, err error)
}

// Router announces stage changes.
type Router struct {
	sender Sender
}

// NewRouter returns a router sending through sender.
func NewRouter(sender Sender) *Router { return &Router{sender: sender} }

// Route sends the message each change calls for and returns the index of
// the first change whose message could not be sent (-1 if all were): a
// stream is retried from that record on, in order.
func (rt *Router) Route(ctx context.Context, changes []Change) (firstFailed int, err error) {
	byQueue := map[string][]*Message{}
	origin := map[string][]int{}
	for i, c := range changes {
		if m := Decide(c); m != nil {
			byQueue[m.Queue] = append(byQueue[m.Queue], m)
			origin[m.Queue] = append(origin[m.Queue], i)
		}
	}
	firstFailed = -1
	for _, queue := range []string{SalesReady, Nurture} {
		msgs := byQueue[queue]
		if len(msgs) == 0 {
			continue
		}
		failed, sendErr := rt.sender.Send(ctx, queue, msgs)
		if sendErr != nil {
			err = fmt.Errorf("send to %s: %w", queue, sendErr)
		}
		for _, f := range failed {
			if i := origin[queue][f]; firstFailed < 0 || i < firstFailed {
				firstFailed = i
			}
		}
	}
	return firstFailed, err
}
