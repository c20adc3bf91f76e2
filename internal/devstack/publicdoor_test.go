package devstack_test

// The public door (issue 10): each finding of the attack on the running
// system as an outsider, reproduced against leadgate local, with the fixed
// behaviour asserted. Sizes are what proves a bound, not a stress test.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/faults"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/wiring"
)

const demoSubmissions = "/v1/campaigns/demo-request/submissions"

var (
	visitorToken = regexp.MustCompile(`lgv_[0-9a-f]{32}`)
	pathParam    = regexp.MustCompile(`\{\w+\}`)
)

// salesOwned makes a demo request for email, has sales accept it (sal) and
// returns the lead as it then is.
func salesOwned(t *testing.T, c, public client, email string) httpapi.LeadView {
	t.Helper()
	if r := public.do("POST", demoSubmissions, "application/json", demoRequest(email, "GB")); r.status != 202 {
		t.Fatalf("demo request: %d %s", r.status, r.body)
	}
	id := lead.IDFor(email)
	if r := c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(`{"action": "accept"}`)); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	v := c.lead(id)
	if v.Stage != lead.StageSAL {
		t.Fatalf("stage %s", v.Stage)
	}
	return v
}

// Finding 1: the answer to a post does not tell a known person from an
// unknown one, nor how far sales got.
func TestFormAnswerRevealsNothing(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	known := "kim.known@fleetworks.co"
	salesOwned(t, c, public, known)
	unknown := "uma.unknown@fleetworks.co"

	// What differs between the two answers once the email's own hash and
	// the fresh visitor token are set aside: nothing may.
	same := func(name string, post func(email string) response) {
		t.Run(name, func(t *testing.T) {
			a, b := post(known), post(unknown)
			norm := func(r response, email string) string {
				body := strings.ReplaceAll(string(r.body), lead.IDFor(email), "LEAD")
				body = visitorToken.ReplaceAllString(body, "TOKEN")
				return fmt.Sprintf("%d %s %s", r.status, r.header.Get("Location"), body)
			}
			if na, nb := norm(a, known), norm(b, unknown); na != nb {
				t.Errorf("known and unknown answered differently:\n%s\n%s", na, nb)
			}
			for _, word := range []string{"stage", "sal", "owner", "new", "duplicate", "history"} {
				if bytes.Contains(a.body, []byte(`"`+word+`"`)) {
					t.Errorf("the answer names %q: %s", word, a.body)
				}
			}
		})
	}
	same("only an email", func(email string) response {
		return public.do("POST", demoSubmissions, "application/json", jsonForm(map[string]any{"email": email, "_ts": renderedAt()}))
	})
	same("complete", func(email string) response {
		return public.do("POST", demoSubmissions, "application/json", demoRequest(email, "GB"))
	})
	same("an HTML form", func(email string) response {
		return public.do("POST", demoSubmissions, "application/x-www-form-urlencoded", []byte("email="+url.QueryEscape(email)+"&_ts="+renderedAt()))
	})
	same("a token for someone else", func(email string) response {
		return public.do("POST", demoSubmissions, "application/json", jsonForm(map[string]any{"email": email, "_visitor": "lgv_00000000000000000000000000000000", "_ts": renderedAt()}))
	})
}

// Finding 2: a post in someone's name overwrites nothing a trusted source
// set, and never changes a lead sales owns beyond adding its touch point.
func TestFormCannotOverwriteTrustedValues(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}

	t.Run("a lead sales owns", func(t *testing.T) {
		before := salesOwned(t, c, public, "sam.owned@fleetworks.co")
		forged := jsonForm(map[string]any{"email": "sam.owned@fleetworks.co", "firstName": "Dee", "lastName": "Mo", "company": "Student Union",
			"title": "Student", "phone": "+1 555 0100", "country": "GB", "employees": "1-50", "_ts": renderedAt()})
		if r := public.do("POST", demoSubmissions, "application/json", forged); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		other := jsonForm(map[string]any{"email": "sam.owned@fleetworks.co", "firstName": "Dee", "lastName": "Mo", "company": "Student Union", "_ts": renderedAt()})
		if r := public.do("POST", submissions, "application/json", other); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		after := c.lead(before.ID)
		if v, w := after.Verdict, before.Verdict; v.Campaign != w.Campaign || v.Version != w.Version || v.Score != w.Score || v.Grade != w.Grade {
			t.Errorf("the verdict that handed the lead to sales was rewritten: %s v%d %s %.1f → %s v%d %s %.1f",
				w.Campaign, w.Version, w.Grade, w.Score, v.Campaign, v.Version, v.Grade, v.Score)
		}
		if after.Company != "Fleetworks" || after.Title != "CTO" || after.Phone != "" || after.Fields["employees"] != "201-1000" ||
			after.Stage != lead.StageSAL || after.Verdict.Grade != before.Verdict.Grade || len(after.Touches) != len(before.Touches)+2 {
			t.Errorf("a forged post changed a sales-owned lead: %+v, stage %s, grade %s→%s", after.Lead, after.Stage, before.Verdict.Grade, after.Verdict.Grade)
		}
		proposed := map[string]string{}
		for _, p := range after.Proposed {
			proposed[p.Field] = p.Value
			if p.Source != lead.SourceForm || p.Touch == "" {
				t.Errorf("proposal without provenance: %+v", p)
			}
		}
		if proposed["company"] != "Student Union" || proposed["title"] != "Student" || proposed["phone"] != "+1 555 0100" || proposed["employees"] != "1-50" {
			t.Errorf("proposed = %v", proposed)
		}
	})

	t.Run("an uploaded lead", func(t *testing.T) {
		file := "Email,First Name,Last Name,Company,Job Title\nuli.upload@fleetworks.co,Uli,Upload,Fleetworks,CTO\n"
		if r, _ := c.upload([]byte(file)); r.status != 200 {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		forged := jsonForm(map[string]any{"email": "uli.upload@fleetworks.co", "firstName": "U", "lastName": "U", "company": "Nobody Inc",
			"jobTitle": "Intern", "_ts": renderedAt()})
		public.do("POST", submissions, "application/json", forged)
		v := c.lead(lead.IDFor("uli.upload@fleetworks.co"))
		if v.Title != "CTO" || v.Company != "Fleetworks" || v.Provenance["title"].Source != lead.SourceBadgeScan {
			t.Errorf("a form replaced uploaded values: %+v, provenance %+v", v.Lead, v.Provenance)
		}
	})

	t.Run("the person's own browser", func(t *testing.T) {
		var first struct{ Visitor string }
		post := func(fields map[string]any) {
			t.Helper()
			fields["_ts"] = renderedAt()
			r := public.do("POST", submissions, "application/json", jsonForm(fields))
			if r.status != 202 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if first.Visitor == "" {
				r.json(t, &first)
			}
		}
		post(map[string]any{"email": "vic.visitor@fleetworks.co", "firstName": "Vic", "lastName": "Visitor", "company": "Fleetworks", "jobTitle": "Director"})
		post(map[string]any{"email": "vic.visitor@fleetworks.co", "firstName": "Vic", "lastName": "Visitor", "company": "Fleetworks", "jobTitle": "Student"})
		if v := c.lead(lead.IDFor("vic.visitor@fleetworks.co")); v.Title != "Director" {
			t.Errorf("a stranger's post replaced the title: %q", v.Title)
		}
		// Vic's browser, with its token, may leave out what Vic said and
		// change the rest (progressive profiling).
		post(map[string]any{"email": "vic.visitor@fleetworks.co", "jobTitle": "VP Engineering", "_visitor": first.Visitor})
		v := c.lead(lead.IDFor("vic.visitor@fleetworks.co"))
		if v.Title != "VP Engineering" || v.Provenance["title"].Source != lead.SourceVisitor || v.Provenance["title"].Touch == "" || v.Provenance["title"].At.IsZero() {
			t.Errorf("the person's own post: title %q, provenance %+v", v.Title, v.Provenance["title"])
		}
	})
}

// Finding 3: however much is posted, one lead stays within its byte
// budget; later posts and a file that names the person still go in.
func TestOneLeadCannotBePoisoned(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	email := "pat.poisoned@fleetworks.co"
	long := strings.Repeat("x", 3000)
	const posts = 70 // about 7 KB each: 490 KB of touch points unbounded
	for i := range posts {
		f := url.Values{"email": {email}, "firstName": {"Pat"}, "lastName": {"P"}, "company": {"Fleetworks"},
			"page_url": {"https://www.leadgate.example/" + long}, "referrer": {"https://r.example/" + long},
			"gclid": {long}, "partnerId": {long}, "_ts": {renderedAt()}}
		for _, k := range []string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"} {
			f.Set(k, long)
		}
		r := public.do("POST", submissions, "application/x-www-form-urlencoded", []byte(f.Encode()), "Idempotency-Key", fmt.Sprint("poison-", i), "Accept", "application/json")
		if r.status != 202 {
			t.Fatalf("post %d: %d %s", i, r.status, r.body)
		}
		if i == 0 && !strings.Contains(string(r.body), `"pageUrl"`) {
			t.Errorf("values cut without a note: %s", r.body)
		}
	}
	item, err := dynamodb.NewFromConfig(cfg).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(sys.Resources.Tables["LeadsTable"]),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "LEAD#" + lead.IDFor(email)}, "sk": &types.AttributeValueMemberS{Value: "LEAD"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	size := len(item.Item["record"].(*types.AttributeValueMemberS).Value)
	v := c.lead(lead.IDFor(email))
	folded := 0
	for _, tp := range v.Touches {
		if tp.Folded {
			folded++
		}
	}
	t.Logf("%d posts: lead record %d bytes (budget %d), %d of %d touch points folded", posts, size, lead.MaxRecordBytes, folded, len(v.Touches))
	if size > lead.MaxRecordBytes || len(v.Touches) != posts || folded == 0 || !slices.Contains(v.Touches[len(v.Touches)-1].Cut, "pageUrl") {
		t.Errorf("record %d bytes, %d touches, %d folded", size, len(v.Touches), folded)
	}
	// The person is still writable, by a form and by a file.
	if r := public.do("POST", submissions, "application/json", jsonForm(map[string]any{"email": email, "firstName": "Pat", "lastName": "P", "company": "Fleetworks", "_ts": renderedAt()})); r.status != 202 {
		t.Errorf("a post after the poisoning: %d %s", r.status, r.body)
	}
	r, rep := c.upload([]byte("Email,Name\nfirst@fleetworks.co,A\n" + email + ",Pat P\nlast@fleetworks.co,B\n"))
	if r.status != 200 || rep.LeadsCreated != 2 || rep.LeadsUpdated != 1 || rep.RejectedTotal != 0 {
		t.Errorf("a file naming the person: %d %s", r.status, r.body)
	}

	// The browser that introduced a person flips the verdict on every post
	// (a title the campaign excludes, then one it does not): the history
	// keeps its newest entries, and the lead stays writable by anyone.
	flip := "flo.flipper@fleetworks.co"
	var intro struct{ Visitor string }
	public.do("POST", submissions, "application/json", jsonForm(map[string]any{"email": flip, "firstName": "F", "lastName": "F", "company": "C", "_ts": renderedAt()})).json(t, &intro)
	for i := range 3 * lead.MaxHistory {
		title := []string{"Intern", "CTO"}[i%2]
		if r := public.do("POST", submissions, "application/json", jsonForm(map[string]any{"email": flip, "jobTitle": title, "_visitor": intro.Visitor, "_ts": renderedAt()}),
			"Idempotency-Key", fmt.Sprint("flip-", i)); r.status != 202 {
			t.Fatalf("flip %d: %d %s", i, r.status, r.body)
		}
	}
	f := c.lead(lead.IDFor(flip))
	if len(f.History) != lead.MaxHistory || f.HistoryDropped < lead.MaxHistory {
		t.Errorf("history: %d entries, %d dropped", len(f.History), f.HistoryDropped)
	}
	if r := public.do("POST", submissions, "application/json", jsonForm(map[string]any{"email": flip, "firstName": "F", "lastName": "F", "company": "C", "_ts": renderedAt()})); r.status != 202 {
		t.Errorf("a stranger's post after the flipping: %d %s", r.status, r.body)
	}
	if r, rep := c.upload([]byte("Email,Name\n" + flip + ",Flo F\n")); r.status != 200 || rep.LeadsUpdated != 1 {
		t.Errorf("an upload after the flipping: %d %s", r.status, r.body)
	}
}

// heapPeak samples the Go heap while f runs and returns how far it rose
// above where it started. The servers run in this process, so this is
// leadgate's own memory.
func heapPeak(f func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var s runtime.MemStats
			runtime.ReadMemStats(&s)
			if s.HeapInuse > base && s.HeapInuse-base > peak.Load() {
				peak.Store(s.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

func gzipped(t testing.TB, write func(w io.Writer)) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	write(bw)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Finding 4: what an upload makes leadgate hold and answer is bounded.
func TestUploadAnswersAndMemoryAreBounded(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}

	t.Run("a small gzip of rows that are all rejected", func(t *testing.T) {
		body := gzipped(t, func(w io.Writer) {
			io.WriteString(w, "Email,Name\n")
			for range 2_000_000 {
				io.WriteString(w, ",x\n")
			}
		})
		var r response
		peak := heapPeak(func() { r = c.do("POST", badgeScans, "text/csv", body, "Content-Encoding", "gzip") })
		var e struct {
			httpapi.Problem
			Report badgescan.Report `json:"report"`
		}
		r.json(t, &e)
		rep := e.Report
		t.Logf("%d-byte gzip body: %d %s; answer %d bytes; heap +%d MiB", len(body), r.status, e.Code, len(r.body), peak>>20)
		if r.status != 413 || rep.RowsRead != badgescan.MaxRows || rep.RejectedTotal != badgescan.MaxRows || len(rep.Rejected) != badgescan.MaxListed ||
			rep.Stopped == nil || rep.Stopped.Row != badgescan.MaxRows+1 || rep.Stopped.Again || rep.IssuesURL == "" {
			t.Fatalf("%d rows read %d, rejected %d (%d listed), stopped %+v, issues %q", r.status, rep.RowsRead, rep.RejectedTotal, len(rep.Rejected), rep.Stopped, rep.IssuesURL)
		}
		if len(r.body) > 64<<10 || peak > 96<<20 {
			t.Errorf("answer %d bytes, heap +%d MiB", len(r.body), peak>>20)
		}
		issues := c.do("GET", rep.IssuesURL, "", nil) // the transport undoes the gzip
		rows, err := csv.NewReader(bytes.NewReader(issues.body)).ReadAll()
		if issues.status != 200 || err != nil || len(rows) != 1+badgescan.MaxRows || rows[badgescan.MaxRows][0] != fmt.Sprint(badgescan.MaxRows) {
			t.Errorf("issue list: %d %v, %d rows", issues.status, err, len(rows))
		}
	})

	t.Run("long headers", func(t *testing.T) {
		cols := []string{"Email"}
		for i := range 100 {
			cols = append(cols, fmt.Sprintf("C%03d%s", i, strings.Repeat("<", 10_000)))
		}
		body := []byte(strings.Join(cols, ",") + "\nlong.headers@fleetworks.co" + strings.Repeat(",", 100) + "\n")
		r := c.do("POST", badgeScans, "text/csv", body)
		if r.status != 200 || len(r.body) > 64<<10 {
			t.Errorf("%d, answer %d bytes", r.status, len(r.body))
		}
		noEmail := []byte(strings.Join(cols[1:], ",") + "\nx\n")
		if r := c.do("POST", badgeScans, "text/csv", noEmail); r.status != 422 || len(r.body) > 16<<10 {
			t.Errorf("no email column: %d, answer %d bytes", r.status, len(r.body))
		}
	})

	t.Run("a header of fifty thousand columns", func(t *testing.T) {
		var b strings.Builder
		for i := range 50_000 {
			fmt.Fprintf(&b, "c%d,", i)
		}
		b.WriteString("Email\n,a@fleetworks.co\n")
		r := c.do("POST", badgeScans, "text/csv", []byte(strings.Replace(b.String(), "\n,", "\n"+strings.Repeat(",", 50_000), 1)))
		var rep badgescan.Report
		r.json(t, &rep)
		if r.status != 200 || rep.IgnoredColumnsTotal != 50_000 || len(rep.IgnoredColumns) != badgescan.MaxListed || len(rep.Columns) != badgescan.MaxListed || len(r.body) > 64<<10 {
			t.Errorf("%d, %d ignored (%d listed), answer %d bytes", r.status, rep.IgnoredColumnsTotal, len(rep.IgnoredColumns), len(r.body))
		}
	})
}

// Finding 4, the queues: with the table stalled, big rows wait in a bounded
// budget instead of piling up, and the upload answers when its time is up.
func TestStalledTableBoundsAnUpload(t *testing.T) {
	inj := faults.New(1, 0, 0)
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", Faults: inj, FunctionTimeout: 2 * time.Second})
	c := client{t, sys.URL, sys.Token}
	if r, _ := c.upload([]byte("Email\nwarm@fleetworks.co\n")); r.status != 200 { // definitions cached
		t.Fatalf("%d %s", r.status, r.body)
	}
	notes := strings.Repeat("n", 900<<10)
	body := gzipped(t, func(w io.Writer) {
		io.WriteString(w, "Email,Notes\n")
		for i := range 60 {
			fmt.Fprintf(w, "big%d@fleetworks.co,%s\n", i, notes)
		}
	})
	inj.Stalled.Store(true)
	var r response
	peak := heapPeak(func() { r = c.do("POST", badgeScans, "text/csv", body, "Content-Encoding", "gzip") })
	inj.Stalled.Store(false)
	var e struct {
		httpapi.Problem
		Report badgescan.Report `json:"report"`
	}
	r.json(t, &e)
	t.Logf("54 MB of rows into a stalled table: %d %s, %d read, %d not imported; heap +%d MiB", r.status, e.Code, e.Report.RowsRead, e.Report.NotImported, peak>>20)
	// The table, not the file, stopped it: uploading again goes on.
	if r.status != 503 || r.header.Get("Retry-After") == "" || e.Report.Stopped == nil || e.Report.NotImported == 0 || e.Report.LeadsCreated != 0 ||
		e.Report.Stopped.Line != e.Report.Stopped.Row+1 || !e.Report.Stopped.Again { // a row a line, after the header
		t.Errorf("%d %v %.400s", r.status, r.header, r.body)
	}
	if peak > 48<<20 {
		t.Errorf("the upload took %d MiB of heap with the table stalled", peak>>20)
	}
}

// Finding 5: a scan dated far ahead does not bring an erased person back.
func TestErasureCannotBeUndoneByAClock(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	email := "eve.erased@fleetworks.co"
	id := lead.IDFor(email)
	if r, _ := c.upload([]byte("Email,Name\n" + email + ",Eve E\n")); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := c.do("DELETE", "/v1/leads/"+id, "", nil); r.status != 200 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	for _, ahead := range []time.Duration{25 * time.Hour, 24 * 365 * time.Hour, 24 * 365 * 30 * time.Hour} {
		at := time.Now().UTC().Add(ahead).Format("2006-01-02 15:04")
		r, rep := c.upload([]byte("Email,Name,Scanned At\n" + email + ",Eve E," + at + "\n"))
		if r.status != 200 || rep.RejectedTotal != 1 || !strings.Contains(rep.Rejected[0].Reason, "erased") || rep.WarningsTotal != 1 {
			t.Errorf("a scan dated %s: %d %s", at, r.status, r.body)
		}
		if got := c.do("GET", "/v1/leads/"+id, "", nil); got.status != 404 {
			t.Fatalf("a scan dated %s brought the person back", at)
		}
	}
}

// Finding 6: ids that cannot be ids are refused at the edge, on every
// route, without an error in the log.
func TestOverlongIdsAreRefusedAtTheEdge(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", Log: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, nil))})
	long := strings.Repeat("a", 3000)
	for _, rt := range sys.Routes {
		if !strings.Contains(rt.Path, "{") {
			continue
		}
		path := pathParam.ReplaceAllString(rt.Path, long)
		for _, token := range []string{"", sys.Token} {
			r := client{t, sys.URL, token}.do(rt.Method, path, "application/json", []byte(`{}`))
			if r.status >= 500 || (token != "" && r.status != 404 && r.status != 400) {
				t.Errorf("%s %s…: %d %s", rt.Method, rt.Path, r.status, truncate(r.body))
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("overlong ids logged errors:\n%s", truncate(logs.Bytes()))
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Finding 7: an upload that breaks midway answers with what it wrote and
// where it stopped.
func TestBrokenUploadAnswersWithItsReport(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	var e struct {
		httpapi.Problem
		Report badgescan.Report `json:"report"`
	}

	t.Run("a gzip cut short", func(t *testing.T) {
		var plain bytes.Buffer
		// Past the 64 KiB the reader sniffs, so the break comes after
		// rows were written.
		plain.WriteString("Email,Name,Notes\n")
		for i := range 400 {
			h := sha256.Sum256([]byte(fmt.Sprint(i))) // varied notes, so the gzip is not tiny
			fmt.Fprintf(&plain, "cut%d@fleetworks.co,Person %d,%x%x%x%x\n", i, i, h, h[1:], h[2:], h[3:])
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(plain.Bytes())
		zw.Close()
		r := c.do("POST", badgeScans, "text/csv", gz.Bytes()[:gz.Len()*3/4], "Content-Encoding", "gzip")
		r.json(t, &e)
		rep := e.Report
		if r.status != 400 || rep.Stopped == nil || rep.LeadsCreated == 0 || rep.Stopped.Row != rep.RowsRead+1 || rep.Stopped.Line < rep.RowsRead ||
			!strings.Contains(rep.Stopped.Reason, "cut short") || rep.Stopped.Again {
			t.Fatalf("%d %.500s", r.status, r.body)
		}
		// What the report says was written, was.
		if v := c.lead(lead.IDFor("cut0@fleetworks.co")); v.Email != "cut0@fleetworks.co" {
			t.Errorf("row 1 not written: %+v", v.Lead)
		}
		// Uploading the whole file again finishes the job, adding nothing twice.
		r2 := c.do("POST", badgeScans, "text/csv", gz.Bytes(), "Content-Encoding", "gzip")
		var rep2 badgescan.Report
		r2.json(t, &rep2)
		if r2.status != 200 || rep2.AlreadyImported != rep.LeadsCreated || rep2.LeadsCreated != 400-rep.LeadsCreated {
			t.Errorf("the full upload after: %d %+v", r2.status, rep2)
		}
	})

	t.Run("an unclosed quote", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("Email,First Name,Last Name,Company,Notes,Extra\n")
		for i := range 5 {
			fmt.Fprintf(&b, "mq%d@fleetworks.co,A,B,C,n,\n", i)
		}
		b.WriteString("mqx@fleetworks.co,A,B,C,\"unterminated\n")
		for i := 5; i < 10; i++ {
			fmt.Fprintf(&b, "mq%d@fleetworks.co,A,B,C,n,\n", i)
		}
		r, rep := c.upload([]byte(b.String()))
		if r.status != 200 || rep.LeadsCreated != 5 || rep.RejectedTotal != 1 || rep.Rejected[0].Row != 6 || !strings.Contains(rep.Rejected[0].Reason, "quote is not closed") {
			t.Errorf("%d %s", r.status, r.body)
		}
	})

	t.Run("a run of blank lines", func(t *testing.T) {
		body := gzipped(t, func(w io.Writer) {
			io.WriteString(w, "Email,Name\nblank1@fleetworks.co,A\n")
			io.WriteString(w, strings.Repeat("\n", 2<<20))
			io.WriteString(w, "blank2@fleetworks.co,B\n")
		})
		r := c.do("POST", badgeScans, "text/csv", body, "Content-Encoding", "gzip")
		r.json(t, &e)
		if r.status != 400 || e.Report.LeadsCreated != 1 || e.Report.Stopped == nil || !strings.Contains(e.Report.Stopped.Reason, "blank lines") {
			t.Errorf("%d %.500s", r.status, r.body)
		}
	})
}

// Finding 8: a table that does not answer gets the caller a 503 with
// Retry-After within the function's time, and nothing half written; a
// client that never sends its body is cut off.
func TestDeadlines(t *testing.T) {
	inj := faults.New(1, 0, 0)
	sys := startOpts(t, devstack.Options{Campaigns: "../../campaigns", Faults: inj, FunctionTimeout: time.Second, ReadTimeout: 300 * time.Millisecond})
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	if r := public.do("POST", submissions, "application/json", jsonForm(ana())); r.status != 202 { // definitions cached
		t.Fatalf("%d %s", r.status, r.body)
	}
	form := jsonForm(map[string]any{"email": "sid.stalled@fleetworks.co", "firstName": "Sid", "lastName": "S", "company": "Fleetworks", "_ts": renderedAt()})
	inj.Stalled.Store(true)
	r := public.do("POST", submissions, "application/json", form, "Idempotency-Key", "stalled-1")
	inj.Stalled.Store(false)
	var e httpapi.Problem
	r.json(t, &e)
	if r.status != 503 || r.header.Get("Retry-After") != "5" || e.Code != "unavailable" {
		t.Errorf("stalled table: %d %v %s", r.status, r.header, r.body)
	}
	if got := c.do("GET", "/v1/leads/"+lead.IDFor("sid.stalled@fleetworks.co"), "", nil); got.status != 404 {
		t.Errorf("a timed-out post left a lead: %d %s", got.status, got.body)
	}
	if r := public.do("POST", submissions, "application/json", form, "Idempotency-Key", "stalled-1"); r.status != 202 {
		t.Errorf("the retry: %d %s", r.status, r.body)
	}
	if v := c.lead(lead.IDFor("sid.stalled@fleetworks.co")); len(v.Touches) != 1 {
		t.Errorf("%d touch points after the retry", len(v.Touches))
	}

	// A body that never arrives.
	conn, err := net.Dial("tcp", strings.TrimPrefix(sys.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", submissions)
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // only bounds a broken run
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("the server held a connection whose body never came: %v", err)
	}
}

// Finding 9: a cell that splits into a formula in a ';' locale is quoted
// and neutralised in the export.
func TestExportIsSafeInEveryDialect(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	form := jsonForm(map[string]any{"email": "x@fleetworks.co", "firstName": "X", "lastName": "Y", "company": `x;=cmd|'/C calc'!A0`,
		"title": "CTO", "country": "GB", "employees": "201-1000", "_ts": renderedAt()})
	if r := public.do("POST", demoSubmissions, "application/json", form); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r := c.do("GET", "/v1/campaigns/demo-request/leads.csv", "", nil)
	if !strings.Contains(string(r.body), `"x;'=cmd|'/C calc'!A0"`) {
		t.Errorf("export:\n%s", r.body)
	}
	for _, comma := range []rune{',', ';', '\t'} {
		rd := csv.NewReader(bytes.NewReader(r.body))
		rd.Comma, rd.LazyQuotes, rd.FieldsPerRecord = comma, true, -1
		rows, _ := rd.ReadAll()
		for _, row := range rows {
			for _, cell := range row {
				if cell = strings.TrimSpace(cell); cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
					t.Errorf("read with %q, a cell starts a formula: %q", comma, cell)
				}
			}
		}
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("export headers: %v", r.header)
	}
}

// Finding 10: a rep is who the rep claim names; a token without it cannot
// answer as a rep, not even on an unassigned lead.
func TestSalesIdentityIsTheRepClaim(t *testing.T) {
	sys := start(t, "../../campaigns")
	public := client{t, sys.URL, ""}
	for _, email := range []string{"own@fleetworks.co", "free@fleetworks.co"} {
		if r := public.do("POST", demoSubmissions, "application/json", demoRequest(email, "GB")); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	store := dynamo.NewLeadStore(dynamodb.NewFromConfig(cfg), sys.Resources.Tables["LeadsTable"])
	owned := lead.IDFor("own@fleetworks.co")
	if _, err := store.Update(context.Background(), owned, func(l *lead.Record) (lead.Change, error) {
		n := *l
		n.Owner = "anna.berg"
		return lead.Change{Next: &n}, nil
	}); err != nil {
		t.Fatal(err)
	}
	h, err := wiring.Leads(cfg, functionEnv(t, sys, "LeadsFunction"), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	answer := func(leadID string, claims map[string]string) events.APIGatewayV2HTTPResponse {
		claims = maps.Clone(claims)
		claims["scope"] = scopes.SalesRep
		resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
			RouteKey: "POST /v1/leads/{leadId}/feedback", PathParameters: map[string]string{"leadId": leadID},
			Headers: map[string]string{"content-type": "application/json"}, Body: `{"action": "accept"}`,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	tests := []struct {
		name   string
		lead   string
		claims map[string]string
		status int
	}{
		{"no rep claim, an unassigned lead", lead.IDFor("free@fleetworks.co"), map[string]string{"sub": "x"}, 403},
		{"an email claim that equals the owner", owned, map[string]string{"email": "anna.berg"}, 403},
		{"another rep", owned, map[string]string{"username": "tom.evans", "email": "anna.berg"}, 403},
		{"the owner, with email and username", owned, map[string]string{"username": "anna.berg", "email": "anna.berg@leadgate.example"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp := answer(tt.lead, tt.claims); resp.StatusCode != tt.status {
				t.Errorf("%d %s", resp.StatusCode, resp.Body)
			}
		})
	}
}

// Finding 11: errors speak the API's words; personal data is not cached or
// sniffed.
func TestErrorsSpeakTheAPIsWords(t *testing.T) {
	sys := start(t, "../../campaigns")
	c, public := client{t, sys.URL, sys.Token}, client{t, sys.URL, ""}
	public.do("POST", submissions, "application/json", jsonForm(ana()))
	id := lead.IDFor("ana.silva@acme-health.com")
	tests := []struct {
		method, path, contentType, body string
	}{
		{"POST", "/v1/leads/" + id + "/feedback", "application/json", `{"action": 5}`},
		{"POST", "/v1/leads/" + id + "/feedback", "application/json", `{"action": "accept", "bant": [1]}`},
		{"POST", "/v1/leads/" + id + "/feedback", "application/json", `{"actoin": "accept"}`},
		{"POST", "/v1/erasures", "application/json", `{"email": {"x": 1}}`},
		{"PUT", "/v1/reps/rep-1", "application/yaml", "name: R\ncapacity: many\nterritories: DE\n"},
		{"PUT", "/v1/reps/rep-1", "application/yaml", "name: R\nbogus: 1\n"},
		{"PUT", "/v1/campaigns/demo-request", "application/yaml", "id: demo-request\nengagement: {threshold: high}\n"},
		{"PUT", "/v1/campaigns/zz-test", "application/yaml", "[1]"},
		{"PUT", "/v1/campaigns/zz-test", "application/json", `{"required": {"a": 1}}`},
		{"PUT", "/v1/campaigns/zz-test", "application/json", `{"engagement": {"points": [1]}}`},
		{"PUT", "/v1/reps/x.y", "application/yaml", "[1]"},
		{"PUT", "/v1/reps/x.y", "application/json", `{"capacity": {}}`},
		{"PUT", "/v1/reps/x.y", "application/yaml", "true"},
		{"PUT", "/v1/reps/x.y", "application/yaml", "!!binary aGk="},
		{"POST", submissions, "application/json", `{"email": "a@b.co"} xx`},
		{"POST", submissions, "application/json", `["a@b.co"]`},
		{"POST", submissions, "application/json", `{"email": "a@b.co", "company": {"name": 1}}`},
	}
	for _, tt := range tests {
		r := c.do(tt.method, tt.path, tt.contentType, []byte(tt.body))
		if r.status < 400 || r.status >= 500 {
			t.Errorf("%s %s %s: %d %s", tt.method, tt.path, tt.body, r.status, r.body)
		}
		for _, leak := range []string{"Go ", "struct", "sales.", "campaign.", "json:", "interface", "int", "float", "string", "map[", "[]", "!!", "unmarshal", "a int", "a binary"} {
			if bytes.Contains(r.body, []byte(leak)) {
				t.Errorf("%s %s %s: the answer names %q: %s", tt.method, tt.path, tt.body, leak, r.body)
			}
		}
	}
	for _, path := range []string{"/v1/leads/" + id, "/v1/campaigns/cloud-cost-whitepaper/leads.csv", "/v1/reps"} {
		r := c.do("GET", path, "", nil)
		if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", path, r.status, r.header)
		}
	}
}
