package devstack_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
)

// seedPaths are the ways through the funnel the seeded leads take; each
// step is (to, by, reason).
var seedPaths = [][][3]string{
	{{"suspect", "engine", ""}},
	{{"nurture", "engine", ""}},
	{{"nurture", "engine", ""}, {"mql", "engine", ""}},
	{{"mql", "engine", ""}, {"mql", "assigner", "territory DE → round robin → r1"}, {"sal", "r1", ""}},
	{{"mql", "engine", ""}, {"mql", "assigner", "territory DE → round robin → r1"}, {"sal", "r1", ""}, {"sql", "r1", ""}},
	{{"mql", "engine", ""}, {"sal", "r2", ""}, {"disqualified", "r2", "competitor"}},
	{{"mql", "engine", ""}, {"sal", "r2", ""}, {"sql", "r2", ""}, {"opportunity", "r2", ""}, {"customer", "r2", ""}},
	{{"mql", "engine", ""}, {"sal", "r1", ""}, {"nurture", "r1", "no-response"}, {"nurture", "nurture", "enrolled in track t"}},
	{{"disqualified", "engine", ""}},
}

var seedStart = time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)

func seedLead(i int) *lead.Record {
	campaign := []string{"cloud-cost-whitepaper", "demo-request"}[i%2]
	version := 1 + (i/2)%2
	email := fmt.Sprintf("seed%d@acme%d.example", i, i%13)
	r := &lead.Record{Lead: lead.Lead{ID: lead.IDFor(email), Email: email}, Verdict: lead.Verdict{Campaign: campaign, Version: version}}
	at := seedStart.Add(time.Duration(i%20) * 24 * time.Hour).Add(time.Duration(i%7) * time.Minute)
	r.CreatedAt = at
	for j, s := range seedPaths[i%len(seedPaths)] {
		at = at.Add(time.Duration(3+j*5) * time.Hour)
		r.History = append(r.History, lead.Transition{At: at, From: r.Stage, To: lead.Stage(s[0]), By: s[1], Reason: s[2], Campaign: campaign, Version: version})
		r.Stage = lead.Stage(s[0])
	}
	r.UpdatedAt = at
	return r
}

// bruteForce counts what the funnel should say, straight from the leads'
// histories, independently of the funnel package.
func bruteForce(leads []*lead.Record, campaign string, from, to time.Time) map[string]int {
	counts := map[string]int{}
	for _, r := range leads {
		for _, h := range r.History {
			if h.Campaign != campaign || h.At.Before(from) || h.At.After(to.Add(24*time.Hour-time.Nanosecond)) {
				continue
			}
			switch {
			case h.By == "assigner":
				counts["assigned"]++
			case h.From == h.To:
			default:
				counts["entered."+string(h.To)]++
			}
			if h.To == lead.StageDisqualified && h.By != "engine" {
				counts["rejected."+h.Reason]++
			}
			if h.To == lead.StageNurture && h.From != h.To && h.By != "engine" {
				counts["recycled."+h.Reason]++
			}
		}
	}
	return counts
}

func reportCounts(r funnel.Report) map[string]int {
	counts := map[string]int{"assigned": r.Total.Assigned}
	for s, n := range r.Total.Entered {
		if n > 0 {
			counts["entered."+s] = n
		}
	}
	for code, n := range r.Total.Rejections {
		counts["rejected."+code] = n
	}
	for code, n := range r.Total.Recycles {
		counts["recycled."+code] = n
	}
	if counts["assigned"] == 0 {
		delete(counts, "assigned")
	}
	return counts
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestFunnelAgreesWithBruteForce seeds 2,000 leads moved through every stage
// (over 20 days, two campaigns, two definition versions), lets the reporter
// count them from the stream, and compares the funnel with a count straight
// from the leads. Then it replays every lead's whole history into the
// counters, as a re-read stream would: nothing may change.
func TestFunnelAgreesWithBruteForce(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	c := client{t, sys.URL, sys.Token}
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, sys.Resources.Tables["LeadsTable"])
	const n = 2000
	leads := make([]*lead.Record, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := seedLead(i)
				leads[i] = r
				if _, _, err := store.Upsert(context.Background(), r.ID, func(*lead.Record) (*lead.Record, error) { cp := *r; return &cp, nil }); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()

	from, to := seedStart, seedStart.AddDate(0, 0, 25)
	period := fmt.Sprintf("?from=%s&to=%s", from.Format(time.DateOnly), to.Format(time.DateOnly))
	report := func(id string) funnel.Report {
		var r funnel.Report
		resp := c.do("GET", "/v1/campaigns/"+id+"/funnel"+period, "", nil)
		if resp.status != 200 {
			t.Fatalf("funnel: %d %s", resp.status, resp.body)
		}
		resp.json(t, &r)
		return r
	}
	for _, id := range []string{"cloud-cost-whitepaper", "demo-request"} {
		want := bruteForce(leads, id, from, to)
		eventually(t, "the funnel of "+id+" to match the leads", func() bool { return sameCounts(reportCounts(report(id)), want) })
		r := report(id)
		if len(r.ByVersion) != 2 || r.ByVersion[0].Entered["mql"]+r.ByVersion[1].Entered["mql"] != want["entered.mql"] {
			t.Errorf("%s by version: %+v", id, r.ByVersion)
		}
		if r.Total.MedianMQLToSALHours == nil || *r.Total.MedianMQLToSALHours <= 0 {
			t.Errorf("%s: no median time to acceptance", id)
		}
	}

	// Replay: every lead's whole history again, as if the stream were read
	// from the start. The markers must make it count nothing.
	before := reportCounts(report("demo-request"))
	funnelStore := dynamo.NewFunnelStore(db, sys.Resources.Tables["FunnelTable"])
	var deltas []funnel.Delta
	for _, r := range leads {
		deltas = append(deltas, funnel.Changes(nil, r)...)
	}
	if err := funnelStore.Apply(context.Background(), deltas, time.Now()); err != nil {
		t.Fatal(err)
	}
	if after := reportCounts(report("demo-request")); !sameCounts(before, after) {
		t.Errorf("replay changed the counts:\n before %v\n after  %v", before, after)
	}
	wantDemo := bruteForce(leads, "demo-request", from, to)
	t.Logf("demo-request: %v", wantDemo)
	if strings.Contains(fmt.Sprint(wantDemo), "entered.customer:0") || wantDemo["entered.customer"] == 0 || wantDemo["rejected.competitor"] == 0 || wantDemo["recycled.no-response"] == 0 {
		t.Errorf("the seeded data does not reach every stage: %v", wantDemo)
	}
}

// TestReportsPage renders the reports page for campaigns whose names and
// leads carry markup and formulas, checks it in headless Chromium (with a
// screenshot), and exports the leads as formula-safe CSV.
func TestReportsPage(t *testing.T) {
	chromium, driver := browser(t)
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true})
	c := client{t, sys.URL, sys.Token}
	doc := strings.Replace(string(readExample(t, "demo-request")), `name: "Book a demo"`, `name: "<img src=x onerror=alert(1)> Book a demo"`, 1)
	if r := c.do("PUT", "/v1/campaigns/demo-request", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	public := client{t, sys.URL, ""}
	form := jsonForm(map[string]any{"email": "formula@fleetworks.de", "firstName": "=HYPERLINK(\"http://evil.example\")", "lastName": "+1 555", "company": "@SUM(A1)",
		"title": "CTO", "country": "DE", "employees": "201-1000", "_ts": renderedAt()})
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	eventually(t, "the funnel to count the lead", func() bool {
		var r funnel.Report
		c.do("GET", "/v1/campaigns/demo-request/funnel", "", nil).json(t, &r)
		return r.Total.Entered["mql"] == 1
	})

	page := c.do("GET", "/v1/reports", "", nil)
	if page.status != 200 || strings.Contains(string(page.body), "<img src=x") || !strings.Contains(string(page.body), "&lt;img src=x onerror=alert(1)&gt; Book a demo") {
		t.Fatalf("reports page does not escape the campaign name: %d\n%s", page.status, page.body)
	}
	svg := c.do("GET", "/v1/reports/demo-request/funnel.svg", "", nil)
	if svg.status != 200 || svg.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(svg.body), "<svg") {
		t.Errorf("svg: %d %s", svg.status, svg.header.Get("Content-Type"))
	}

	shot := filepath.Join(t.TempDir(), "reports.png")
	if dir := os.Getenv("LEADGATE_SCREENSHOTS"); dir != "" {
		shot = filepath.Join(dir, "reports.png")
	}
	cmd := exec.Command("node", "testdata/screenshot.cjs", sys.URL+"/v1/reports", chromium, shot, sys.Token)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(driver, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, out)
	}
	var seen struct {
		Status   int
		Heading  string
		Sections []string
		Svgs     int
		Alerts   []string
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("browser said %q: %v", out, err)
	}
	if seen.Status != 200 || seen.Heading != "Funnel report" || len(seen.Sections) != 3 || seen.Svgs != 3 || len(seen.Alerts) > 0 ||
		seen.Sections[1] != "<img src=x onerror=alert(1)> Book a demo" {
		t.Errorf("browser saw %+v", seen)
	}
	if _, err := os.Stat(shot); err != nil {
		t.Errorf("no screenshot: %v", err)
	}

	csvResp := c.do("GET", "/v1/campaigns/demo-request/leads.csv", "", nil)
	rows, err := csv.NewReader(bytes.NewReader(csvResp.body)).ReadAll()
	if err != nil || csvResp.status != 200 || len(rows) != 2 {
		t.Fatalf("csv: %d %v %s", csvResp.status, err, csvResp.body)
	}
	got := strings.Join(rows[1][1:6], "|")
	if got != `formula@fleetworks.de|'=HYPERLINK("http://evil.example")|'+1 555|'@SUM(A1)|CTO` {
		t.Errorf("csv row = %s", got)
	}
}

// TestFunnelTimesStayBounded: speed-to-lead times are counted in buckets,
// so a day's counter does not grow with its leads (a list of every time
// reached DynamoDB's 400 KB item limit on a busy day, and then no count of
// that day could be written); and a counter written before, with its times
// listed one by one, still reports them, together with what is counted
// after the upgrade.
func TestFunnelTimesStayBounded(t *testing.T) {
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", NoConsumers: true, NoStreams: true})
	db := dynamodb.NewFromConfig(cfg)
	table := sys.Resources.Tables["FunnelTable"]
	store := dynamo.NewFunnelStore(db, table)
	ctx := context.Background()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	key := funnel.Key{Campaign: "busy-launch", Version: 1, Day: day.Format(time.DateOnly)}

	// Two rounds of 1,500 times, for 150 reps: counted in buckets, an item
	// is bounded by the buckets its times fall in, not by their number; and
	// each rep's counts are an item of the rep's, so no item holds the whole
	// sales team's buckets.
	const assignments, reps = 3000, 150
	largest := func() (size, items int) {
		for shard := range 8 {
			pk := "C#busy-launch"
			if shard > 0 {
				pk += fmt.Sprintf("#%d", shard)
			}
			p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
				TableName: &table, KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: key.Day + "#v1"},
				},
			})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, item := range page.Items {
					size, items = max(size, itemSize(item)), items+1
				}
			}
		}
		return size, items
	}
	var sizes []int
	for round := range 2 {
		var deltas []funnel.Delta
		for i := range assignments / 2 {
			d := funnel.Delta{Key: key, Mark: fmt.Sprintf("ld_busy%d%05d#1", round, i), Counts: map[string]int{"assigned": 1}}
			funnel.AddTime(d.Counts, funnel.ToOwner, fmt.Sprintf("rep-%d", i%reps), int64(1+2*i+round))
			deltas = append(deltas, d)
		}
		if err := store.Apply(ctx, deltas, day); err != nil {
			t.Fatal(err)
		}
		size, items := largest()
		t.Logf("after %d assignments: %d counter items, the largest %d bytes", (round+1)*assignments/2, items, size)
		sizes = append(sizes, size)
	}
	// A campaign item holds at most ~90 buckets of times up to 3,000 s, a
	// rep's item the buckets of its own 20 times. Listed, an item grew by
	// ~22 bytes a time; with the reps' counts on the campaign's item, it
	// held all 150 reps' buckets.
	if sizes[0] == 0 || sizes[1] > 4<<10 {
		t.Errorf("the largest counter item went from %d to %d bytes", sizes[0], sizes[1])
	}
	counters, err := store.Counters(ctx, "busy-launch", day, day)
	if err != nil {
		t.Fatal(err)
	}
	r := funnel.Build("busy-launch", day, day, counters, nil)
	if sp := r.Total.SpeedToLead.ToOwner; sp.N != assignments || !near(sp.P50, 1500) || !near(sp.P90, 2700) {
		t.Errorf("speed to lead of %d assignments: %+v", assignments, sp)
	}
	if len(r.ByRep) != reps || r.ByRep[0].SpeedToLead.ToOwner.N != assignments/reps {
		t.Errorf("by rep: %+v", r.ByRep)
	}

	// A counter as it was written before: times in lists.
	old := funnel.Key{Campaign: "old-launch", Version: 1, Day: key.Day}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "C#old-launch"}, "sk": &types.AttributeValueMemberS{Value: old.Day + "#v1"},
		"campaign": &types.AttributeValueMemberS{Value: old.Campaign}, "day": &types.AttributeValueMemberS{Value: old.Day},
		"version":       &types.AttributeValueMemberN{Value: "1"},
		"n.entered.sal": &types.AttributeValueMemberN{Value: "1"},
		"samples": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "toOwner anna 90"}, &types.AttributeValueMemberS{Value: "toAccept - 30"},
		}},
		"mqlToSal": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "3600"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	// The same day, counted after the upgrade, may land on the same item.
	var after []funnel.Delta
	for i := range 8 {
		d := funnel.Delta{Key: old, Mark: fmt.Sprintf("ld_old%02d#1", i), Counts: map[string]int{}}
		funnel.AddTime(d.Counts, funnel.ToOwner, "anna", 90)
		after = append(after, d)
	}
	if err := store.Apply(ctx, after, day); err != nil {
		t.Fatal(err)
	}
	counters, err = store.Counters(ctx, "old-launch", day, day)
	if err != nil {
		t.Fatal(err)
	}
	r = funnel.Build("old-launch", day, day, counters, nil)
	sp := r.Total.SpeedToLead
	if sp.ToOwner.N != 9 || !near(sp.ToOwner.P50, 90) || sp.ToAccept.N != 1 || !near(sp.ToAccept.P50, 30) ||
		!near(r.Total.MedianMQLToSALHours, 1) || len(r.ByRep) != 1 || r.ByRep[0].SpeedToLead.ToOwner.N != 9 {
		t.Errorf("a counter listed before and counted after: %+v", r.Total)
	}
}

// near reports whether a time read back from the funnel's buckets is the
// one counted: within 4.6%.
func near(got *float64, want float64) bool {
	return got != nil && math.Abs(*got-want) <= 0.046*want
}
