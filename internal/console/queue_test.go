package console_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/sales"
)

// batchLeads is a LeadStore whose Leads refuses more ids than one
// DynamoDB BatchGetItem reads (100), as the real store's call does.
type batchLeads struct {
	console.LeadStore
	byID map[string]*lead.Record
}

func (b *batchLeads) Leads(_ context.Context, ids []string) ([]*lead.Record, error) {
	if len(ids) > 100 {
		return nil, fmt.Errorf("ValidationException: Too many items requested for the BatchGetItem call (%d)", len(ids))
	}
	out := make([]*lead.Record, 0, len(ids))
	for _, id := range ids {
		if r := b.byID[id]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// shardedClocks answers DueFollowUps as the real index does: up to limit
// ids from each of its 4 shards.
type shardedClocks struct {
	console.SalesStore
	ids []string
}

func (s *shardedClocks) OldestLeads(context.Context, string, string) ([]*lead.Record, string, error) {
	return nil, "", nil
}

func (s *shardedClocks) DueFollowUps(_ context.Context, _ time.Time, limit int) ([]string, error) {
	return s.ids[:min(len(s.ids), 4*limit)], nil
}

func (s *shardedClocks) Reps(context.Context) ([]sales.Rep, error) { return nil, nil }

// TestQueueReadsEveryDueClock: on a busy day more clocks are near their
// deadline than one batch read takes (the index answers up to
// MaxSLALeads from each shard); the queue must still open, with every one.
func TestQueueReadsEveryDueClock(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 100, 101, 4 * console.MaxSLALeads} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			leads := &batchLeads{byID: map[string]*lead.Record{}}
			clocks := &shardedClocks{}
			for i := range n {
				id := fmt.Sprintf("ld_%024d", i)
				leads.byID[id] = &lead.Record{Lead: lead.Lead{ID: id}, Stage: lead.StageMQL, Owner: "rep-a",
					FollowUp: &lead.FollowUp{Owner: "rep-a", Since: now.Add(-time.Hour), DueAt: now.Add(-time.Minute)}}
				clocks.ids = append(clocks.ids, id)
			}
			svc := &console.Service{Leads: leads, Sales: clocks, Fallback: "queue"}
			p, err := svc.Queue(context.Background(), now, false)
			if err != nil {
				t.Fatalf("the queue does not open with %d clocks due: %v", n, err)
			}
			got := 0
			for _, rq := range p.ByRep {
				got += len(rq.Leads)
			}
			if got != n {
				t.Errorf("the queue lists %d of %d late leads", got, n)
			}
		})
	}
}
