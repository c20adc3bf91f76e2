package devstack_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/lead"
)

// handRaisers is how many demo requests one round of BenchmarkSpeedToLead
// posts, and arrivalEvery the pace they arrive at: five a second, far above
// a real campaign's hand-raisers (a few a minute) and well within what the
// assigners keep up with on a busy 2-core machine, so the figure is the
// way through the pipeline, not a queue building in front of it.
const (
	handRaisers  = 250
	arrivalEvery = 200 * time.Millisecond
)

// BenchmarkSpeedToLead posts demo requests of distinct fitting people
// through leadgate local and times each from the start of its post to the
// moment the assigner put an owner on the lead (the lead's assignedAt, taken
// just before the assigner's write), through every consumer on the way:
// the leads stream → router → sales-ready queue → assigner.
//
// The floor is what the local pollers' own wake-ups cost: a stream poller
// that read an empty shard sleeps devstack.IdlePoll before reading again,
// so a record waits U(0, IdlePoll) to be seen; the queue pollers long-poll
// (moto answers a waiting ReceiveMessage as soon as a message arrives), so
// they add nothing. Reported: p50/p90/p99/max of speed to lead, the floor's
// p50 and p99, and the post's own p50.
//
//	go test -run '^$' -bench SpeedToLead -benchtime 1x ./internal/devstack/
func BenchmarkSpeedToLead(b *testing.B) {
	for round := range b.N {
		sys := startWith(b, "../../campaigns")
		c := client{t: b, base: sys.URL, token: sys.Token}
		public := client{t: b, base: sys.URL}
		// Room for every lead, in both territories the posts come from.
		for i := range 4 {
			putRep(b, c, fmt.Sprintf("emea-%d", i), "EMEA", handRaisers)
			putRep(b, c, fmt.Sprintf("na-%d", i), "NA", handRaisers)
		}
		run := fmt.Sprintf("%d-%d", time.Now().UnixNano(), round)
		posted := make([]time.Time, handRaisers)
		posts := make([]time.Duration, handRaisers)
		ids := make([]string, handRaisers)
		var wg sync.WaitGroup
		tick := time.NewTicker(arrivalEvery)
		b.ResetTimer()
		for i := range handRaisers {
			<-tick.C
			// Each at its own domain: a colleague's lead would go to the
			// rep holding the account, another path.
			email := fmt.Sprintf("hand%d@firm-%s-%d.example", i, run, i)
			ids[i] = lead.IDFor(email)
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := demoRequest(email, []string{"DE", "US"}[i%2])
				posted[i] = time.Now()
				r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", body)
				posts[i] = time.Since(posted[i])
				if r.status != 202 {
					b.Errorf("hand-raiser %d: %d %s", i, r.status, r.body)
				}
			}()
		}
		tick.Stop()
		wg.Wait()
		if b.Failed() {
			b.FailNow()
		}
		speed := make([]time.Duration, handRaisers)
		deadline := time.Now().Add(2 * time.Minute)
		for i, id := range ids {
			for {
				l := c.lead(id)
				if l.Owner != "" && l.AssignedAt != nil {
					speed[i] = l.AssignedAt.Sub(posted[i])
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("hand-raiser %d (%s) has no owner after 2 minutes: stage %s", i, id, l.Stage)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		b.StopTimer()
		p50, p90, p99, worst := quantile(speed, 50), quantile(speed, 90), quantile(speed, 99), quantile(speed, 100)
		b.ReportMetric(ms(p50), "p50-ms")
		b.ReportMetric(ms(p90), "p90-ms")
		b.ReportMetric(ms(p99), "p99-ms")
		b.ReportMetric(ms(worst), "max-ms")
		b.ReportMetric(ms(devstack.IdlePoll/2), "floor-p50-ms")
		b.ReportMetric(ms(devstack.IdlePoll*99/100), "floor-p99-ms")
		b.ReportMetric(ms(quantile(posts, 50)), "post-p50-ms")
		b.ReportMetric(handRaisers, "hand-raisers")
		b.ReportMetric(loadAverage(), "loadavg-1m")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
