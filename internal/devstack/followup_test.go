package devstack_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/faults"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
)

// slaCampaigns writes the example campaigns with a follow-up SLA of
// seconds on demo-request (reassign) and a copy of it, demo-escalate,
// that escalates.
func slaCampaigns(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"cloud-cost-whitepaper.yaml", "devops-summit-2026-booth.yaml"} {
		b, err := os.ReadFile(filepath.Join("../../campaigns", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	demo, err := os.ReadFile("../../campaigns/demo-request.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The example's own SLA (hours) gives way to one of seconds.
	base, _, _ := strings.Cut(string(demo), "\nsla:")
	for id, breach := range map[string]string{"demo-request": "reassign", "demo-escalate": "escalate"} {
		doc := strings.Replace(base, "id: demo-request", "id: "+id, 1) +
			fmt.Sprintf("\nsla: {acceptWithin: 3s, remindAt: 0.5, onBreach: %s}\n", breach)
		if err := os.WriteFile(filepath.Join(dir, id+".yaml"), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// entries returns the lead's history entries by the SLA with reason.
func entries(l httpapi.LeadView, reason string) []lead.Transition {
	var out []lead.Transition
	for _, h := range l.History {
		if h.By == lead.BySLA && h.Reason == reason {
			out = append(out, h)
		}
	}
	return out
}

// TestFollowUpSLA: with an SLA of three seconds and the follow-up schedule
// ticking every second, an MQL nobody accepts is reminded to its owner at
// half time, then reassigned to the other rep, then (both having missed
// it) left with the fallback owner, never handed back to either; a new rep
// drains it from the fallback queue. Each reminder and breach happens
// once, though two sweeps may run at once. A campaign that escalates
// keeps the lead with its owner and names the sales owner. A rep off
// shift gets nothing.
func TestFollowUpSLA(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: slaCampaigns(t), ScheduleEvery: time.Second})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "emea-1", "EMEA", 5)
	putRep(t, c, "emea-2", "EMEA", 5)
	// On shift only on a day that is not today, in every zone.
	off := time.Now().UTC().Add(-48 * time.Hour).Weekday().String()[:3]
	night := fmt.Sprintf("name: Night\nterritories: [EMEA]\nactive: true\ncapacity: 5\nworkingHours: {zone: UTC, days: [%s], from: \"00:00\", to: \"23:59\"}\n", strings.ToLower(off))
	if r := c.do("PUT", "/v1/reps/emea-night", "application/yaml", []byte(night)); r.status != 201 {
		t.Fatalf("put rep: %d %s", r.status, r.body)
	}
	if rep := c.rep("emea-night"); rep.WorkingHours == nil || rep.WorkingHours.Zone != "UTC" {
		t.Fatalf("working hours as read back: %+v", rep.WorkingHours)
	}

	post := func(campaign, email string) string {
		t.Helper()
		if r := public.do("POST", "/v1/campaigns/"+campaign+"/submissions", "application/json", demoRequest(email, "DE")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return lead.IDFor(email)
	}
	ignored := post("demo-request", "ida@fleetworks.de")
	escalated := post("demo-escalate", "eli@fleetworks.de")

	var l httpapi.LeadView
	eventually(t, "the lead with the fallback owner after two missed SLAs", func() bool {
		l = c.lead(ignored)
		return l.Owner == "sales-queue"
	})
	first, second := "", ""
	if i := slices.IndexFunc(l.History, func(h lead.Transition) bool { return h.By == lead.ByAssigner }); i >= 0 {
		first = l.History[i].Owner
	}
	breaches, reminders := entries(l, lead.ReasonSLABreached), entries(l, lead.ReasonSLAReminder)
	if len(breaches) != 2 || len(reminders) != 2 {
		t.Fatalf("%d breaches and %d reminders, want 2 of each: %+v", len(breaches), len(reminders), l.History)
	}
	if first == "" || !strings.HasPrefix(reminders[0].Note, first+" reminded: accept by ") {
		t.Errorf("first owner %q, reminder %q", first, reminders[0].Note)
	}
	second = map[string]string{"emea-1": "emea-2", "emea-2": "emea-1"}[first]
	for i, who := range []string{first, second} {
		if b := breaches[i]; b.Note != who+" did not accept within 3s" || b.Owner != who {
			t.Errorf("breach %d: %+v, want %s's", i, b, who)
		}
	}
	for _, want := range []string{"reassigned from " + first + " to " + second + ": SLA missed", "reassigned from " + second + " to sales-queue: SLA missed"} {
		if !slices.ContainsFunc(l.History, func(h lead.Transition) bool { return h.By == lead.ByAssigner && h.Reason == want }) {
			t.Errorf("no hand-over %q in %+v", want, l.History)
		}
	}
	if !slices.Equal(l.FollowUp.Missed, []string{first, second}) {
		t.Errorf("missed by %v, want %s then %s", l.FollowUp.Missed, first, second)
	}
	// The ignored lead's counts went with it; the escalated lead's owner
	// still holds theirs.
	escalatedTo := c.lead(escalated).Owner
	for _, id := range []string{"emea-1", "emea-2"} {
		want := 0
		if id == escalatedTo {
			want = 1
		}
		if n := c.rep(id).OpenLeads; n != want {
			t.Errorf("%s holds %d leads, want %d", id, n, want)
		}
	}

	var waiting struct {
		Rep   string             `json:"rep"`
		Leads []httpapi.LeadView `json:"leads"`
	}
	if r := c.do("GET", "/v1/reps/sales-queue/leads", "", nil); r.status != 200 {
		t.Fatalf("the fallback queue's leads: %d %s", r.status, r.body)
	} else if r.json(t, &waiting); len(waiting.Leads) != 1 || waiting.Leads[0].ID != ignored {
		t.Errorf("the fallback queue lists %d leads, want the one waiting", len(waiting.Leads))
	}

	// A new rep: the fallback queue drains to them, not to those who missed.
	putRep(t, c, "emea-3", "EMEA", 5)
	eventually(t, "the lead drained to the new rep", func() bool { l = c.lead(ignored); return l.Owner == "emea-3" })
	if h := l.History[len(l.History)-1]; h.Reason != "from the fallback queue: territory DE → round robin → emea-3" || h.Owner != "emea-3" {
		t.Errorf("drain entry: %+v", h)
	}

	// Escalation: the owner keeps the lead; the clock stops.
	eventually(t, "the escalation", func() bool { l = c.lead(escalated); return len(entries(l, lead.ReasonSLABreached)) > 0 })
	b := entries(l, lead.ReasonSLABreached)
	if len(b) != 1 || !strings.HasSuffix(b[0].Note, "escalated to daniel.osei@leadgate.example") || !l.FollowUp.Escalated || l.Owner == "sales-queue" {
		t.Errorf("escalated: owner %q, follow-up %+v, breaches %+v", l.Owner, l.FollowUp, b)
	}
	if len(entries(l, lead.ReasonSLAReminder)) != 1 {
		t.Errorf("reminders before the escalation: %+v", l.History)
	}

	// The funnel counts both missed clocks, against the reps who missed,
	// and the wait for a first owner.
	var report funnel.Report
	eventually(t, "the breaches counted", func() bool {
		r := c.do("GET", "/v1/campaigns/demo-request/funnel", "", nil)
		r.json(t, &report)
		return r.status == 200 && report.Total.SLA.Missed >= 2
	})
	if sla := report.Total.SLA; sla.Missed != 2 || sla.Met != 0 || sla.Share == nil || *sla.Share != 0 {
		t.Errorf("campaign SLA record: %+v", sla)
	}
	missedBy := map[string]int{}
	for _, r := range report.ByRep {
		missedBy[r.Rep] = r.SLA.Missed
	}
	if missedBy[first] != 1 || missedBy[second] != 1 {
		t.Errorf("missed by rep: %v", missedBy)
	}
	if sp := report.Total.SpeedToLead.ToOwner; sp.N != 1 || sp.P50 == nil || *sp.P50 > 60 {
		t.Errorf("MQL to first owner: %+v", sp)
	}

	// Nobody off shift was handed anything.
	for _, id := range []string{ignored, escalated} {
		for _, h := range c.lead(id).History {
			if strings.Contains(h.Reason, "emea-night") || strings.Contains(h.Note, "emea-night") {
				t.Errorf("the rep off shift got %s: %+v", id, h)
			}
		}
	}
}

// TestFollowUpUnderFaults runs the SLA clocks with a tenth of the
// functions' AWS calls failing and 15% of consumer batches (the follow-up
// ticks among them) crashing: forty MQLs, each missed by both reps in turn
// with a clock of three seconds, end with the fallback owner after exactly
// one breach per rep (a reminder at most once, skipped when its sweep came
// after the deadline), no clock lost and none fired twice, the reps'
// counts back at zero and the dead-letter queue empty.
func TestFollowUpUnderFaults(t *testing.T) {
	inj := faults.New(7, 0.10, 0.15)
	dir := slaCampaigns(t)
	sys := startOpts(t, devstack.Options{Campaigns: dir, Faults: inj, ScheduleEvery: time.Second})
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	putRep(t, c, "emea-1", "EMEA", 100)
	putRep(t, c, "emea-2", "EMEA", 100)
	const n = 40
	var ids []string
	for i := range n {
		email := fmt.Sprintf("p%02d@company%02d.example", i, i)
		if r := retrying(t, public, "/v1/campaigns/demo-request/submissions", "application/json", demoRequest(email, "DE"), "Idempotency-Key", email); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		ids = append(ids, lead.IDFor(email))
	}
	db := dynamodb.NewFromConfig(cfg)
	var leads []*lead.Record
	why := ""
	eventuallyWithin(t, 3*time.Minute, "every lead past both reps' clocks", func() bool {
		leads = scanLeads(t, db, sys.Resources.Tables["LeadsTable"])
		if len(leads) != n {
			why = fmt.Sprintf("%d leads", len(leads))
			return false
		}
		for _, l := range leads {
			if l.Owner != "sales-queue" {
				why = fmt.Sprintf("lead %s with %q, %d entries", l.ID, l.Owner, len(l.History))
				return false
			}
		}
		return true
	})
	if t.Failed() {
		t.Logf("last: %s", why)
	}
	skipped := 0
	for _, l := range leads {
		per := map[string][2]int{}
		for _, h := range l.History {
			if h.By != lead.BySLA {
				continue
			}
			p := per[h.Owner]
			if h.Reason == lead.ReasonSLAReminder {
				p[0]++
			} else {
				p[1]++
			}
			per[h.Owner] = p
		}
		// A sweep held up past the deadline (a crashed tick, failed
		// calls) acts on the breach and skips the moot reminder.
		for _, rep := range []string{"emea-1", "emea-2"} {
			if p := per[rep]; p[1] != 1 || p[0] > 1 {
				t.Errorf("lead %s: %s reminded %d and missed %d times, want one breach and at most one reminder", l.ID, rep, p[0], p[1])
			}
			skipped += 1 - per[rep][0]
		}
		if len(per) != 2 {
			t.Errorf("lead %s: clocks on %v", l.ID, per)
		}
	}
	for _, id := range []string{"emea-1", "emea-2"} {
		if r := storedRep(t, sys, id); r.OpenLeads != 0 {
			t.Errorf("%s still counts %d open leads", id, r.OpenLeads)
		}
	}
	q := sqs.NewFromConfig(cfg)
	url := sys.Resources.Queues["FollowUpDeadLetterQueue"]
	out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil || out.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("follow-up dead-letter queue: %v %v", err, out.Attributes)
	}
	t.Logf("follow-up under faults: %d of %d AWS calls failed, %d of %d batches crashed; %d leads, each missed once by each rep (%d reminders skipped, their sweep late past the deadline)", inj.FailedCalls.Load(), inj.Calls.Load(), inj.CrashedBatches.Load(), inj.Batches.Load(), len(leads), skipped)
	if inj.FailedCalls.Load() == 0 || inj.CrashedBatches.Load() == 0 {
		t.Error("the faults never fired")
	}
}
