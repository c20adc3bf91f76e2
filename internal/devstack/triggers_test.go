package devstack

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/samtemplate"
)

// fakeResources resolves every resource of t as if provisioned, without
// servers: queues at q/<id>, ARNs arn:<id>, streams arn:<id>/stream.
func fakeResources(t *samtemplate.Template) *Resources {
	res := &Resources{Tables: map[string]string{}, Queues: map[string]string{},
		Resolver: samtemplate.Resolver{Refs: map[string]string{}, Attrs: map[string]string{}}}
	for name, p := range t.Parameters {
		res.Resolver.Refs[name] = fmt.Sprint(p.Default)
	}
	for id, r := range t.Resources {
		res.Resolver.Refs[id] = id
		res.Resolver.Attrs[id+".Arn"] = "arn:" + id
		res.Resolver.Attrs[id+".StreamArn"] = "arn:" + id + "/stream"
		if r.Type == "AWS::SQS::Queue" {
			res.Queues[id] = "http://q/" + id
		}
	}
	return res
}

// TestTriggersFollowTheTemplate: a queue consumer runs as many batches at
// once as its event source's MaximumConcurrency allows, and a schedule
// sends its input to its target queue at its rate (or the rate a test
// gives instead).
func TestTriggersFollowTheTemplate(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := fakeResources(tpl)
	trs, err := triggers(tpl, res)
	if err != nil {
		t.Fatal(err)
	}
	pollers := map[string]int{}
	for _, tr := range trs {
		if tr.queueURL != "" {
			pollers[tr.function] = tr.pollers
		}
	}
	if pollers["RejudgeFunction"] != 2 || pollers["AssignFunction"] != min(queuePollers, 5) || pollers["NurtureFunction"] != queuePollers {
		t.Errorf("pollers %v: RejudgeFunction is capped at 2 by its ScalingConfig, AssignFunction at 5 (above local's %d), NurtureFunction is not capped", pollers, queuePollers)
	}
	// Batching windows are the template's: the router is on the way from a
	// form to an owner, so it waits for nothing; the reporter's counters
	// gather for 5 s.
	windows := map[string]time.Duration{}
	for _, tr := range trs {
		if tr.streamARN != "" {
			windows[tr.function] = tr.window
		}
	}
	if windows["RouterFunction"] != 0 || windows["ReporterFunction"] != 5*time.Second {
		t.Errorf("stream batching windows %v: want RouterFunction 0, ReporterFunction 5s", windows)
	}
	for _, every := range []time.Duration{0, time.Second} {
		scs, err := schedules(tpl, res, every)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]schedule{
			"DecaySweepSchedule": {name: "DecaySweepSchedule", every: 24 * time.Hour, queueURL: "http://q/RejudgeQueue", input: `{"schema": "leadgate.rejudge.v1", "kind": "sweep"}`},
			"FollowUpSchedule":   {name: "FollowUpSchedule", every: time.Minute, queueURL: "http://q/FollowUpQueue", input: `{"schema": "leadgate.follow-up.v1"}`},
		}
		for _, sc := range scs {
			w := want[sc.name]
			if every > 0 {
				w.every = every
			}
			if sc != w {
				t.Errorf("schedule (every %s): %+v, want %+v", every, sc, w)
			}
			delete(want, sc.name)
		}
		if len(want) > 0 {
			t.Errorf("schedules (every %s) not driven: %v", every, want)
		}
	}
}
