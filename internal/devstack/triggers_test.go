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
	for _, every := range []time.Duration{0, time.Second} {
		scs, err := schedules(tpl, res, every)
		if err != nil {
			t.Fatal(err)
		}
		want := 24 * time.Hour
		if every > 0 {
			want = every
		}
		if len(scs) != 1 || scs[0].name != "DecaySweepSchedule" || scs[0].every != want || scs[0].queueURL != "http://q/RejudgeQueue" ||
			scs[0].input != `{"schema": "leadgate.rejudge.v1", "kind": "sweep"}` {
			t.Errorf("schedules (every %s): %+v", every, scs)
		}
	}
}
