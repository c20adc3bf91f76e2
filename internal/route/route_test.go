package route_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/route"
)

func rec(id string, rev int64, stage lead.Stage) *lead.Record {
	return &lead.Record{
		Lead: lead.Lead{ID: id, Email: id + "@x.co"}, Rev: rev, Stage: stage, UpdatedAt: time.Unix(int64(rev), 0).UTC(),
		Verdict: lead.Verdict{Stage: stage, Campaign: "c", Version: 2, Criteria: []lead.Criterion{{Rule: "engagement.score", Group: lead.GroupEngagement, Outcome: lead.Fail, Want: "40"}}},
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name   string
		change route.Change
		queue  string
	}{
		{"new MQL goes to sales", route.Change{After: rec("a", 1, lead.StageMQL)}, route.SalesReady},
		{"nurture to MQL goes to sales", route.Change{Before: rec("a", 1, lead.StageNurture), After: rec("a", 2, lead.StageMQL)}, route.SalesReady},
		{"new nurture lead is nurtured", route.Change{After: rec("a", 1, lead.StageNurture)}, route.Nurture},
		{"recycled by sales is nurtured", route.Change{Before: rec("a", 4, lead.StageSAL), After: rec("a", 5, lead.StageNurture)}, route.Nurture},
		{"suspect goes nowhere", route.Change{After: rec("a", 1, lead.StageSuspect)}, ""},
		{"no stage change, no message", route.Change{Before: rec("a", 1, lead.StageMQL), After: rec("a", 2, lead.StageMQL)}, ""},
		{"accepted by sales goes nowhere", route.Change{Before: rec("a", 2, lead.StageMQL), After: rec("a", 3, lead.StageSAL)}, ""},
		{"disqualified goes nowhere", route.Change{After: rec("a", 1, lead.StageDisqualified)}, ""},
		{"removed", route.Change{Before: rec("a", 1, lead.StageMQL)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := route.Decide(tt.change)
			switch {
			case tt.queue == "" && m != nil:
				t.Errorf("sent %+v", m)
			case tt.queue != "" && (m == nil || m.Queue != tt.queue):
				t.Errorf("message = %+v, want queue %s", m, tt.queue)
			case m != nil && (m.ID != "a@"+string(rune('0'+tt.change.After.Rev)) || m.Schema != route.SchemaV1 || m.Campaign.Version != 2 || len(m.Reasons) != 1):
				t.Errorf("message = %+v", m)
			}
		})
	}
}

type fakeSender struct {
	sent map[string][]string
	fail map[string]bool // message ids that fail
}

func (f *fakeSender) Send(_ context.Context, queue string, msgs []*route.Message) ([]int, error) {
	var failed []int
	for i, m := range msgs {
		if f.fail[m.ID] {
			failed = append(failed, i)
			continue
		}
		f.sent[queue] = append(f.sent[queue], m.ID)
	}
	if len(failed) > 0 {
		return failed, errors.New("some failed")
	}
	return nil, nil
}

func TestRouteReportsTheFirstFailedChange(t *testing.T) {
	changes := []route.Change{
		{After: rec("a", 1, lead.StageMQL)},
		{After: rec("b", 1, lead.StageSuspect)},
		{After: rec("c", 1, lead.StageNurture)},
		{After: rec("d", 1, lead.StageMQL)},
	}
	f := &fakeSender{sent: map[string][]string{}, fail: map[string]bool{"c@1": true, "d@1": true}}
	first, err := route.NewRouter(f).Route(context.Background(), changes)
	if first != 2 || err == nil {
		t.Errorf("first failed = %d, err %v; want 2", first, err)
	}
	if len(f.sent[route.SalesReady]) != 1 || f.sent[route.SalesReady][0] != "a@1" {
		t.Errorf("sent = %v", f.sent)
	}
	f = &fakeSender{sent: map[string][]string{}}
	if first, err := route.NewRouter(f).Route(context.Background(), changes); first != -1 || err != nil {
		t.Errorf("all sent: first %d err %v", first, err)
	}
}
