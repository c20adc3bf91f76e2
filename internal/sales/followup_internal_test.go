package sales

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// fakeStore keeps leads and reps in memory with the store's rules: a
// change on the lead as it is, a hold refused when the rep is full or its
// turn moved, a release, a revision. The sweep's own logic is what these
// tests are about; the real store is tested through DynamoDB Local.
type fakeStore struct {
	mu    sync.Mutex
	leads map[string]*lead.Record
	reps  map[string]*Rep
	// beforeUpdate runs once before the next Update's read (to interleave).
	beforeUpdate func()
	routingReads int
}

func clone(r *lead.Record) *lead.Record {
	if r == nil {
		return nil
	}
	c := *r
	c.History = slices.Clone(r.History)
	if r.FollowUp != nil {
		f := *r.FollowUp
		f.Missed = slices.Clone(f.Missed)
		c.FollowUp = &f
	}
	return &c
}

func (s *fakeStore) Lead(ctx context.Context, id string) (*lead.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.leads[id]
	if l == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "no")
	}
	return clone(l), nil
}
func (s *fakeStore) Reps(ctx context.Context) ([]Rep, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Rep
	for _, r := range s.reps {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Rep) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
func (s *fakeStore) AccountFor(ctx context.Context, d []string) (*Account, string, error) {
	s.mu.Lock()
	s.routingReads++
	s.mu.Unlock()
	return nil, "", nil
}
func (s *fakeStore) Holders(ctx context.Context, d string) ([]string, error) {
	s.mu.Lock()
	s.routingReads++
	s.mu.Unlock()
	return nil, nil
}
func (s *fakeStore) Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error) {
	if f := s.beforeUpdate; f != nil {
		s.beforeUpdate = nil
		f()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := clone(s.leads[id])
	c, err := change(cur)
	if err != nil {
		return nil, err
	}
	if c.Next == nil {
		return cur, nil // as dynamo.update does
	}
	if c.Hold != "" {
		r := s.reps[c.Hold]
		if r == nil || !r.Active || r.OpenLeads >= r.Capacity || (c.Turn > 0 && r.Turn >= c.Turn) {
			return nil, ErrRepFull
		}
		r.OpenLeads++
		if c.Turn > 0 {
			r.Turn = c.Turn
		}
	}
	if c.Release != "" {
		if r := s.reps[c.Release]; r != nil && r.OpenLeads > 0 {
			r.OpenLeads--
		}
	}
	n := clone(c.Next)
	n.Rev++
	s.leads[id] = n
	return clone(n), nil
}

func (s *fakeStore) DueFollowUps(ctx context.Context, t time.Time, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type kv struct {
		id string
		at time.Time
	}
	var due []kv
	for id, l := range s.leads {
		if c := l.Clock(); c != nil && !c.Next().After(t) {
			due = append(due, kv{id, c.Next()})
		}
	}
	slices.SortFunc(due, func(a, b kv) int { return a.at.Compare(b.at) })
	var ids []string
	for i, d := range due {
		if i >= limit {
			break
		}
		ids = append(ids, d.id)
	}
	return ids, nil
}
func (s *fakeStore) OldestLeads(ctx context.Context, owner, cursor string) ([]*lead.Record, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*lead.Record
	for _, l := range s.leads {
		if l.Owner == owner && l.AssignedAt != nil {
			all = append(all, clone(l))
		}
	}
	slices.SortFunc(all, func(a, b *lead.Record) int { return a.AssignedAt.Compare(*b.AssignedAt) })
	start := 0
	if cursor != "" {
		start, _ = strconv.Atoi(cursor)
	}
	end := min(start+25, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

type fakeCampaigns struct {
	sla   *campaign.SLA
	reads *int
}

func (c fakeCampaigns) Current(ctx context.Context, id string) (*campaign.Published, error) {
	if c.reads != nil {
		*c.reads++
	}
	return &campaign.Published{Definition: &campaign.Definition{SLA: c.sla, SalesOwner: "boss"}}, nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var sweepNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// TestDrainIsNotBlockedByLeadsNobodyCovers: 600 leads without a country
// (free mail: no account or colleague could claim them) wait ahead of one
// from Germany, and a German rep has room. The sweep passes over the 600
// without a read and gives the German lead to the rep.
func TestDrainIsNotBlockedByLeadsNobodyCovers(t *testing.T) {
	s := &fakeStore{leads: map[string]*lead.Record{}, reps: map[string]*Rep{
		"de": {ID: "de", Territories: []string{"DE"}, Active: true, Capacity: 5},
	}}
	for i := range 600 {
		at := sweepNow.Add(-30 * 24 * time.Hour).Add(time.Duration(i) * time.Second)
		id := fmt.Sprintf("nc%03d", i)
		s.leads[id] = &lead.Record{Lead: lead.Lead{ID: id, Email: id + "@gmail.com"}, Stage: lead.StageMQL, Owner: "queue", AssignedAt: &at}
	}
	at := sweepNow.Add(-time.Hour)
	s.leads["de1"] = &lead.Record{Lead: lead.Lead{ID: "de1", Email: "x@gmail.com", Country: "DE"}, Stage: lead.StageMQL, Owner: "queue", AssignedAt: &at}
	f := NewFollowUp(NewAssigner(s, fakeCampaigns{}, "queue", func() time.Time { return sweepNow }, quiet), s)
	done, err := f.Sweep(context.Background())
	if err != nil || done.Drained != 1 || s.leads["de1"].Owner != "de" {
		t.Errorf("sweep %+v, %v: de1 with %q", done, err, s.leads["de1"].Owner)
	}
	if s.routingReads > 2 {
		t.Errorf("%d routing reads for one lead that could go anywhere", s.routingReads)
	}
}

// breachedLeads puts n MQLs of rep x whose 2-hour SLA ran out an hour ago.
func breachedLeads(s *fakeStore, n int) {
	since := sweepNow.Add(-3 * time.Hour)
	for i := range n {
		id := fmt.Sprintf("l%d", i)
		s.leads[id] = &lead.Record{Lead: lead.Lead{ID: id, Email: id + "@gmail.com", Country: "DE"}, Stage: lead.StageMQL, Owner: "x", AssignedAt: &since,
			Verdict: lead.Verdict{Campaign: "c"}, FollowUp: &lead.FollowUp{Owner: "x", Since: since, DueAt: since.Add(2 * time.Hour)}}
	}
}

var twoHours = &campaign.SLA{AcceptWithin: campaign.Duration{Duration: 2 * time.Hour}}

// TestBreachesInOneSweepGoToRepsWithRoom: six of x's leads breach in the
// same sweep; y and z have room for fifty each. Each reassignment routes on
// the reps as they are after the one before (a turn moved, a count held),
// so none is parked with the fallback owner.
func TestBreachesInOneSweepGoToRepsWithRoom(t *testing.T) {
	s := &fakeStore{leads: map[string]*lead.Record{}, reps: map[string]*Rep{
		"x": {ID: "x", Territories: []string{"DE"}, Active: true, Capacity: 50, OpenLeads: 6},
		"y": {ID: "y", Territories: []string{"DE"}, Active: true, Capacity: 50},
		"z": {ID: "z", Territories: []string{"DE"}, Active: true, Capacity: 50},
	}}
	breachedLeads(s, 6)
	reads := 0
	f := NewFollowUp(NewAssigner(s, fakeCampaigns{sla: twoHours, reads: &reads}, "queue", func() time.Time { return sweepNow }, quiet), s)
	done, err := f.Sweep(context.Background())
	if err != nil || done.Reassigned != 6 {
		t.Fatalf("sweep %+v, %v", done, err)
	}
	if reads != 1 {
		t.Errorf("the campaign read %d times for six of its leads in one sweep", reads)
	}
	if x, y, z := s.reps["x"].OpenLeads, s.reps["y"].OpenLeads, s.reps["z"].OpenLeads; x != 0 || y != 3 || z != 3 {
		t.Errorf("open leads x %d, y %d, z %d: want 0, 3, 3", x, y, z)
	}
}

// TestTwoSweepsReportOneBreach: two sweeps (the queue runs two at once) act
// on the same due lead; the one whose write lands reports the breach, the
// other reports nothing, so the metric and the sweep's count agree with
// the history.
func TestTwoSweepsReportOneBreach(t *testing.T) {
	s := &fakeStore{leads: map[string]*lead.Record{}, reps: map[string]*Rep{
		"x": {ID: "x", Territories: []string{"DE"}, Active: true, Capacity: 5, OpenLeads: 1},
		"y": {ID: "y", Territories: []string{"DE"}, Active: true, Capacity: 5},
	}}
	breachedLeads(s, 1)
	f := NewFollowUp(NewAssigner(s, fakeCampaigns{sla: twoHours}, "queue", func() time.Time { return sweepNow }, quiet), s)
	var second step
	s.beforeUpdate = func() { second, _ = f.due(context.Background(), "l0", map[string]*campaign.Definition{}) } // lands first
	first, err := f.due(context.Background(), "l0", map[string]*campaign.Definition{})
	breaches := 0
	for _, h := range s.leads["l0"].History {
		if h.Reason == lead.ReasonSLABreached {
			breaches++
		}
	}
	if err != nil || breaches != 1 || (first == nothing) == (second == nothing) {
		t.Errorf("reported %d and %d (%v); %d breach entries", first, second, err, breaches)
	}
}
