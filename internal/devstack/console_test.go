package devstack_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/lead"
)

// person is someone using the console in a browser of their own: a cookie
// jar, no redirects followed, so each answer is seen as it is.
type person struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newPerson(t *testing.T, base string) *person {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &person{t: t, base: base, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	location string
	body     string
}

func (p *person) get(path string) page {
	p.t.Helper()
	return p.send(http.MethodGet, path, nil)
}

func (p *person) post(path string, form url.Values) page {
	p.t.Helper()
	return p.send(http.MethodPost, path, form)
}

func (p *person) send(method, path string, form url.Values) page {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header.Get("Location"), string(b)}
}

var (
	loginField = regexp.MustCompile(`name="login" value="([^"]+)"`)
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// signIn signs in through leadgate local's form as name, in role.
func (p *person) signIn(token, name, role string) {
	p.t.Helper()
	form := p.get("/console/login")
	m := loginField.FindStringSubmatch(form.body)
	if form.status != 200 || m == nil {
		p.t.Fatalf("login form: %d\n%s", form.status, form.body)
	}
	r := p.post("/console/login", url.Values{"login": {m[1]}, "token": {token}, "name": {name}, "role": {role}, "next": {"/console"}})
	if r.status != http.StatusSeeOther || r.location != "/console" {
		p.t.Fatalf("sign in as %s: %d %s\n%s", name, r.status, r.location, r.body)
	}
}

// csrf is the CSRF token on a page the person was shown.
func (p *person) csrf(path string) string {
	p.t.Helper()
	pg := p.get(path)
	m := csrfField.FindStringSubmatch(pg.body)
	if m == nil {
		p.t.Fatalf("no CSRF token on %s: %d\n%s", path, pg.status, pg.body)
	}
	return m[1]
}

func (p *person) cookie(name string) *http.Cookie {
	u, _ := url.Parse(p.base + "/console")
	for _, c := range p.hc.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestConsoleSessions: every page sends a stranger to sign in; the local
// sign-in takes only the local token, from its own form; a session cookie
// changed by a byte, or a form without its CSRF token, is refused; what
// a role may not do it is refused; signing out ends the session.
func TestConsoleSessions(t *testing.T) {
	sys := start(t, "../../campaigns")
	for _, path := range []string{"/console", "/console/campaigns/demo-request", "/console/leads?q=x", "/console/queue"} {
		if r := newPerson(t, sys.URL).get(path); r.status != http.StatusSeeOther || r.location != "/console/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s without a session: %d %q", path, r.status, r.location)
		}
	}

	stranger := newPerson(t, sys.URL)
	form := stranger.get("/console/login")
	login := loginField.FindStringSubmatch(form.body)[1]
	if r := stranger.post("/console/login", url.Values{"login": {login}, "token": {"guess"}, "name": {"eve"}, "role": {"operator"}}); r.status != http.StatusUnauthorized || stranger.cookie("leadgate_console") != nil {
		t.Errorf("a wrong token: %d, cookie %v", r.status, stranger.cookie("leadgate_console"))
	}
	// A form another site posts has no login cookie of ours to match.
	forged := newPerson(t, sys.URL)
	if r := forged.post("/console/login", url.Values{"login": {login}, "token": {sys.Token}, "name": {"eve"}, "role": {"operator"}}); r.status != http.StatusForbidden || forged.cookie("leadgate_console") != nil {
		t.Errorf("a login form from elsewhere: %d", r.status)
	}
	if r := stranger.get("/console/login?next=https://evil.example/"); !strings.Contains(r.body, `name="next" value="/console"`) {
		t.Errorf("the login keeps an outside next page:\n%s", r.body)
	}

	ana := newPerson(t, sys.URL)
	ana.signIn(sys.Token, "ana@leadgate.example", "operator")
	ck := ana.cookie("leadgate_console")
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if r := ana.get("/console"); r.status != 200 || !strings.Contains(r.body, "Book a demo") || !strings.Contains(r.body, "Signed in as ana@leadgate.example") {
		t.Fatalf("campaigns page: %d\n%s", r.status, r.body)
	}

	// The cookie's attributes, as the browser is told them.
	raw := ana.get("/console/login") // signed in: a redirect, no cookie; sign in again to read Set-Cookie
	_ = raw
	fresh := newPerson(t, sys.URL)
	m := loginField.FindStringSubmatch(fresh.get("/console/login").body)
	req, _ := http.NewRequest(http.MethodPost, sys.URL+"/console/login", strings.NewReader(url.Values{"login": {m[1]}, "token": {sys.Token}, "name": {"bo"}, "role": {"viewer"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(sys.URL + "/console")
	for _, c := range fresh.hc.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	resp, err := fresh.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var set string
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "leadgate_console=") {
			set = c
		}
	}
	for _, attr := range []string{"Path=/console", "HttpOnly", "SameSite=Lax", "Max-Age="} {
		if !strings.Contains(set, attr) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}

	// One byte changed anywhere in the cookie: not a session.
	tampered := newPerson(t, sys.URL)
	b := []byte(ck.Value)
	b[len(b)/3] ^= 0x01
	tampered.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "leadgate_console", Value: string(b), Path: "/console"}})
	if r := tampered.get("/console"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/console/login") {
		t.Errorf("a tampered session cookie: %d %q", r.status, r.location)
	}

	// A form without the page's CSRF token, or with another session's.
	bo := newPerson(t, sys.URL)
	bo.signIn(sys.Token, "bo@leadgate.example", "sales")
	for name, token := range map[string]string{"none": "", "another session's": ana.csrf("/console")} {
		if r := bo.post("/console/logout", url.Values{"csrf": {token}}); r.status != http.StatusForbidden || !strings.Contains(r.body, "CSRF") {
			t.Errorf("logout with %s CSRF token: %d", name, r.status)
		}
	}

	// A viewer reads campaigns, not leads, and signs nothing.
	viewer := newPerson(t, sys.URL)
	viewer.signIn(sys.Token, "vi@leadgate.example", "viewer")
	if r := viewer.get("/console/leads?q=dee"); r.status != http.StatusForbidden || !strings.Contains(r.body, "leadgate/leads.read") {
		t.Errorf("a viewer's lead lookup: %d", r.status)
	}
	if r := viewer.get("/console/campaigns/demo-request"); r.status != 200 || strings.Contains(r.body, `value="approve"`) || strings.Contains(r.body, "leads.csv") {
		t.Errorf("a viewer's campaign page offers what it may not do: %d", r.status)
	}

	if r := ana.post("/console/logout", url.Values{"csrf": {ana.csrf("/console")}}); r.status != http.StatusSeeOther || r.location != "/console/login" {
		t.Fatalf("logout: %d %q", r.status, r.location)
	}
	if r := ana.get("/console"); r.status != http.StatusSeeOther {
		t.Errorf("after logout: %d", r.status)
	}
}

// TestConsoleWork: a draft signed from the console by marketing and then
// sales is published; a manager reassigns a lead from the sales queue; a
// lead whose every value is markup shows it as text; the export is CSV.
func TestConsoleWork(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}

	current := c.do("GET", "/v1/campaigns/demo-request", "", nil)
	var cur struct {
		Definition map[string]any `json:"definition"`
	}
	current.json(t, &cur)
	doc := strings.Replace(string(readExample(t, "demo-request")), "employees: {min: 51}", "employees: {min: 201}", 1)
	if r := c.do("POST", "/v1/campaigns/demo-request/drafts", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("propose: %d %s", r.status, r.body)
	}

	maria := newPerson(t, sys.URL)
	maria.signIn(sys.Token, "maria.lopez@leadgate.example", "marketing")
	daniel := newPerson(t, sys.URL)
	daniel.signIn(sys.Token, "daniel.osei@leadgate.example", "sales")

	pg := maria.get("/console/campaigns/demo-request")
	for _, want := range []string{"Draft d1, revision 1", "awaiting marketing and sales", "Company size", `value="approve"`, "<svg", "leads entering the stage", "The agreed definition"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	if r := maria.post("/console/campaigns/demo-request/drafts/d1/decision", url.Values{"decision": {"approve"}}); r.status != http.StatusForbidden {
		t.Errorf("an approval without the CSRF token: %d", r.status)
	}
	r := maria.post("/console/campaigns/demo-request/drafts/d1/preview", url.Values{"csrf": {maria.csrf("/console/campaigns/demo-request")}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	if pg := maria.get(r.location); !strings.Contains(pg.body, "Leads re-judged") || !strings.Contains(pg.body, "The preview is done") {
		t.Errorf("the preview's figures are not on the page:\n%s", pg.body)
	}
	r = maria.post("/console/campaigns/demo-request/drafts/d1/decision", url.Values{"csrf": {maria.csrf("/console/campaigns/demo-request")}, "decision": {"approve"}, "revision": {"1"}, "note": {"fine by marketing"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "done=approved") {
		t.Fatalf("marketing's approval: %d %q %s", r.status, r.location, r.body)
	}
	if pg := daniel.get("/console/campaigns/demo-request"); !strings.Contains(pg.body, "awaiting sales") || !strings.Contains(pg.body, "fine by marketing") {
		t.Errorf("after marketing signed, the page says:\n%s", pg.body)
	}
	r = daniel.post("/console/campaigns/demo-request/drafts/d1/decision", url.Values{"csrf": {daniel.csrf("/console/campaigns/demo-request")}, "decision": {"approve"}, "revision": {"1"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "done=published") {
		t.Fatalf("sales' approval: %d %q %s", r.status, r.location, r.body)
	}
	if pg := daniel.get("/console/campaigns/demo-request?diffFrom=1&diffTo=2"); !strings.Contains(pg.body, "version 2, published") || !strings.Contains(pg.body, "From version 1 to version 2") || !strings.Contains(pg.body, "201") {
		t.Errorf("the published version and its diff are not shown:\n%s", pg.body)
	}

	// A lead whose every value a person typed is markup.
	evil := `<script>alert(1)</script>`
	form := jsonForm(map[string]any{"email": "mark.up@fleetworks.de", "firstName": "<img src=x onerror=alert(1)>", "lastName": "<i>Lovelace</i>",
		"company": "<b>Fleet</b>", "title": "CTO " + evil, "country": "DE", "employees": "201-1000", "_ts": renderedAt()})
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	id := lead.IDFor("mark.up@fleetworks.de")
	eventually(t, "the lead waits with the fallback owner", func() bool { return c.lead(id).Owner != "" })
	for _, path := range []string{"/console/leads?q=mark.up@fleetworks.de", "/console/leads?q=" + url.QueryEscape("<i>lovelace</i>"), "/console/leads/" + id, "/console/queue"} {
		pg := daniel.get(path)
		if pg.status != 200 {
			t.Errorf("%s: %d", path, pg.status)
			continue
		}
		if strings.Contains(pg.body, "<script>alert") || strings.Contains(pg.body, "<img src=x") || strings.Contains(pg.body, "<b>Fleet") || strings.Contains(pg.body, "<i>Lovelace") {
			t.Errorf("%s shows markup from a value as markup", path)
		}
		if !strings.Contains(pg.body, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(pg.body, "&lt;i&gt;Lovelace&lt;/i&gt;") {
			t.Errorf("%s does not show the value as text:\n%s", path, pg.body)
		}
	}
	if pg := daniel.get("/console/leads/" + id); !strings.Contains(pg.body, "Yes: ") || !strings.Contains(pg.body, "Criteria") || !strings.Contains(pg.body, "form, from the person") {
		t.Errorf("the lead page does not answer:\n%s", pg.body)
	}

	// The manager reassigns it from the queue to a rep who does not cover
	// Germany, whom only a manager's word gives it (the fallback queue's
	// drain never would, so it cannot take the lead first).
	putRep(t, c, "na-1", "NA", 5)
	queue := daniel.get("/console/queue")
	if !strings.Contains(queue.body, "Waiting on") || !strings.Contains(queue.body, "/console/leads/"+id+"/assign") {
		t.Fatalf("the queue does not list the lead for reassignment:\n%s", queue.body)
	}
	r = daniel.post("/console/leads/"+id+"/assign", url.Values{"csrf": {csrfField.FindStringSubmatch(queue.body)[1]}, "rep": {"na-1"}, "back": {"/console/queue"}})
	if r.status != http.StatusSeeOther || r.location != "/console/queue?done=reassigned" {
		t.Fatalf("reassign: %d %q %s", r.status, r.location, r.body)
	}
	if got := c.lead(id); got.Owner != "na-1" {
		t.Errorf("owner after the reassignment: %q", got.Owner)
	}
	if r := maria.post("/console/leads/"+id+"/assign", url.Values{"csrf": {maria.csrf("/console")}, "rep": {"auto"}}); r.status != http.StatusForbidden {
		t.Errorf("marketing reassigned a lead: %d", r.status)
	}

	csv := daniel.get("/console/campaigns/demo-request/leads.csv")
	if csv.status != 200 || !strings.HasPrefix(csv.body, "lead_id,email") || !strings.Contains(csv.body, "mark.up@fleetworks.de") {
		t.Errorf("export: %d\n%s", csv.status, csv.body)
	}
}

// consoleRun is what testdata/console.cjs saw.
type consoleRun struct {
	Pages map[string]struct {
		URL, Heading string
	} `json:"pages"`
	Violations map[string][]struct {
		ID, Impact, Help string
		Nodes            int
	} `json:"violations"`
	Keyboard []string `json:"keyboard"`
	Steps    []struct {
		Who, Flash, Sub, URL string
		State                bool
	} `json:"steps"`
	AfterLogout string `json:"afterLogout"`
}

// TestBrowserConsole: two managers use the console in headless Chromium:
// marketing signs in, reads every page and approves a draft; sales approves
// it too (published) and reassigns a lead from the sales queue, then signs
// out. axe-core finds no serious or critical accessibility violation on
// any page; the screenshots go to LEADGATE_SCREENSHOTS (make test keeps
// them in artifacts/screenshots).
func TestBrowserConsole(t *testing.T) {
	chromium, driver := browser(t)
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	public := client{t, sys.URL, ""}
	doc := strings.Replace(string(readExample(t, "demo-request")), "employees: {min: 51}", "employees: {min: 201}", 1)
	if r := c.do("POST", "/v1/campaigns/demo-request/drafts", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("propose: %d %s", r.status, r.body)
	}
	const email = "ada.lovelace@fleetworks.de"
	form := jsonForm(map[string]any{"email": email, "firstName": "Ada", "lastName": "<i>Lovelace</i>", "company": "Fleetworks",
		"title": "CTO", "country": "DE", "employees": "201-1000", "_ts": renderedAt()})
	if r := public.do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	id := lead.IDFor(email)
	eventually(t, "the lead waits with the fallback owner", func() bool { return c.lead(id).Owner != "" })
	putRep(t, c, "na-1", "NA", 5) // not Germany's: only a manager's word gives it the lead

	shots := os.Getenv("LEADGATE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "testdata/console.cjs", sys.URL, chromium, sys.Token, shots, email, id)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(driver, "node_modules"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("browser: %v\n%s\n%s", err, raw, stderr.String())
	}
	var run consoleRun
	if err := json.Unmarshal(raw, &run); err != nil {
		t.Fatalf("browser said %q: %v", raw, err)
	}
	t.Logf("screenshots in %s", shots)

	for _, name := range []string{"login", "campaigns", "campaign", "lookup", "lead", "campaign-published", "queue"} {
		if _, ok := run.Pages[name]; !ok {
			t.Errorf("page %s was not checked", name)
		}
		if _, err := os.Stat(filepath.Join(shots, name+".png")); err != nil {
			t.Errorf("no screenshot of %s: %v", name, err)
		}
		for _, v := range run.Violations[name] {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: accessibility %s (%s, %d node(s)): %s", name, v.ID, v.Impact, v.Nodes, v.Help)
			}
		}
	}
	if h := run.Pages["lead"].Heading; h != "Ada <i>Lovelace</i>" {
		t.Errorf("lead page heading %q: the name is not shown as text", h)
	}
	for _, want := range []string{"token", "name", "role"} {
		if !slices.Contains(run.Keyboard, want) {
			t.Errorf("the keyboard does not reach %s on the sign-in page: %q", want, run.Keyboard)
		}
	}
	if len(run.Steps) != 3 ||
		run.Steps[0].Flash != "Your approval is recorded." || !run.Steps[0].State ||
		run.Steps[1].Flash != "Both sides have signed: the draft is published." || !strings.Contains(run.Steps[1].Sub, "version 2") ||
		run.Steps[2].Flash != "The lead is reassigned." {
		t.Errorf("steps: %+v", run.Steps)
	}
	if got := c.lead(id).Owner; got != "na-1" {
		t.Errorf("owner after the reassignment in the browser: %q", got)
	}
	if !strings.HasPrefix(run.AfterLogout, sys.URL+"/console/login") {
		t.Errorf("after signing out the console opened %s", run.AfterLogout)
	}
}
