package devstack_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/emulators"
)

// TestReadmeTour runs README.md's "A two-minute tour" as it is written,
// against `make run` listening elsewhere than the default (so the printed
// LEADGATE_URL, and every command that reads it, has to be right). The
// tour is read from the README on every run, so the two cannot drift.
//
// What the test does with the README's text:
//
//   - The tour is the section from "## A two-minute tour" to the next "## "
//     heading. Its code is every ```sh block there, in order.
//   - The block holding `make run` is the first terminal. It runs as
//     written, with bash, in the background, from a work folder that
//     mirrors the repository (symbolic links to it, so nothing is written
//     into it; bin/ and campaigns/ are its own). Make passes ARGS from the
//     environment to leadgate local, and the test sets
//     ARGS='--addr 127.0.0.1:PORT --in-memory': a free port, and tables as
//     a first run has them. Make is also given GO, a go whose `build -o
//     bin/leadgate ./cmd/leadgate` (make run's build line) compiles in the
//     repository, where the build cache knows every package, into the work
//     folder's bin/. The export line make run prints must name the token
//     the block chose.
//   - Every later block is "another terminal": it starts from the `export
//     LEADGATE_TOKEN=… LEADGATE_URL=…` line make run printed, pasted as the
//     README says, with no other LEADGATE_ variable, and TMPDIR set to a
//     folder of the test's. Its commands run one at a time with bash (a
//     command ends on the first line at which bash finds it complete), from
//     the work folder; variable assignments carry over to later commands.
//     `go run ./cmd/leadgate ARGS` runs bin/leadgate ARGS, the binary make
//     run built from the same source, rather than building it again for
//     each command.
//   - Every command must exit 0, answer no problem ({"type": …, "status": …}) unless the test
//     expects a refusal, and show what the tour says it shows: tourChecks
//     names each command by a piece of it, and a command no check names
//     fails the test, so a command added to the tour is checked too. A
//     read of what the stream and the queues do "a moment later" (a rep's
//     leads, the funnel) is repeated until it shows it, up to a deadline.
//   - The prose's links to http://127.0.0.1:3000/… are followed on the
//     address make run printed: the HTML report with the token, and the
//     example landing page, filled in and submitted in headless Chromium
//     (a subtest, skipped, saying why, where browser_test.go skips: no
//     Chromium or no npm). Another address
//     is another origin, so, as the README says for that case, the work
//     folder's copy of the whitepaper campaign allows it.
//   - make run is stopped the way a person stops it, with Ctrl-C (SIGINT to
//     its process group), and must say it stopped.
//
// isProblem spots an RFC 9457 problem in a command's output.
var isProblem = regexp.MustCompile(`"type": "https://[^"]*/docs/errors\.md#`)

func TestReadmeTour(t *testing.T) {
	for _, tool := range []string{"bash", "make", "curl", "sed", "head"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README's tour needs %s: %v", tool, err)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	tour := readmeSection(t, string(readme), "## A two-minute tour")
	blocks := shellBlocks(tour)
	if len(blocks) < 2 {
		t.Fatalf("the tour has %d ```sh blocks, want the make run terminal and another", len(blocks))
	}
	if !slices.Contains(strings.Split(blocks[0], "\n"), "make run") {
		t.Fatalf("the tour's first block does not run `make run`:\n%s", blocks[0])
	}

	if mk, err := os.ReadFile(filepath.Join(repo, "Makefile")); err != nil || !bytes.Contains(mk, []byte("\t$(GO) "+makeRunBuild+"\n")) {
		t.Errorf("the Makefile's run target no longer builds with `$(GO) %s` (%v): update makeRunBuild", makeRunBuild, err)
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	work := mirrorRepo(t, repo, "http://"+addr)
	tmp := t.TempDir()

	run := startMakeRun(t, repo, work, blocks[0], addr)
	url, token := run.url, run.token
	if url != "http://"+addr {
		t.Errorf("make run printed LEADGATE_URL=%s, want http://%s", url, addr)
	}
	if want := blockToken(blocks[0]); token != want {
		t.Errorf("make run printed LEADGATE_TOKEN=%s, want the tour's %q", token, want)
	}

	term := terminal{t: t, dir: work, env: anotherTerminal(tmp), preamble: run.export + "\n" + goRunShim}
	seen := map[string]bool{}
	for _, block := range blocks[1:] {
		for _, c := range shellCommands(t, block) {
			term.run(c, seen)
		}
	}
	for _, ch := range tourChecks {
		if !seen[ch.cmd] {
			t.Errorf("the tour no longer runs a command with %q: update tourChecks", ch.cmd)
		}
	}
	// The refused definition stored nothing: version 2 is still current.
	var current struct {
		Version    int `json:"version"`
		Definition struct {
			Engagement struct{ Threshold float64 } `json:"engagement"`
		} `json:"definition"`
	}
	client{t, url, token}.do("GET", "/v1/campaigns/demo-request", "", nil).json(t, &current)
	if current.Version != 2 || current.Definition.Engagement.Threshold != 45 {
		t.Errorf("after the tour demo-request is %+v, want version 2 with threshold 45", current)
	}
	if html, err := os.ReadFile(filepath.Join(tmp, "demo.html")); err != nil || !bytes.Contains(html, []byte("<html")) {
		t.Errorf("$TMPDIR/demo.html is not the definition as HTML (%v): %.200s", err, html)
	}

	// The prose: what to open in a browser.
	followed := map[string]bool{}
	for _, link := range localLinks(tour) {
		path := strings.TrimPrefix(strings.TrimPrefix(link, "http://127.0.0.1:3000"), "$LEADGATE_URL")
		switch {
		case path == "/v1/reports":
			r := client{t, url, token}.do("GET", path, "", nil)
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !bytes.Contains(r.body, []byte("demo-request")) {
				t.Errorf("GET %s with the token: %d %s %.300s", path, r.status, r.header.Get("Content-Type"), r.body)
			}
		case path == "/examples/landing-page/":
			if run.examples != url+path {
				t.Errorf("make run printed the example landing page at %q, the README says %s", run.examples, link)
			}
			// A subtest, so that where there is no Chromium only the
			// browser's part is skipped.
			t.Run("landing page in headless Chromium", func(t *testing.T) { submitLandingPage(t, work, url, token, url+path) })
		default:
			t.Errorf("the tour links to %s, which the test does not know how to follow: add it to TestReadmeTour", link)
		}
		followed[path] = true
	}
	for _, p := range []string{"/v1/reports", "/examples/landing-page/"} {
		if !followed[p] {
			t.Errorf("the tour no longer links to %s (at http://127.0.0.1:3000 or $LEADGATE_URL)", p)
		}
	}
}

// tourCheck is what the README promises about one of the tour's commands.
type tourCheck struct {
	cmd   string   // a piece of the command, naming it
	want  []string // what its output must hold, as regular expressions
	error bool     // the command shows a refusal (an RFC 9457 problem)
	until bool     // the output shows what the system does asynchronously: repeat the command until it holds
}

// Ana and Raj's lead ids are written into the tour: they are hashes of the
// normalized email, the same on every machine.
const (
	anaID = "ld_265ll2fhiyvbn3tvby3t2e2q"
	rajID = "ld_lqke5y55p3vquwj2ugdu766r"
)

var tourChecks = []tourCheck{
	{cmd: `H="Authorization: Bearer`},
	{cmd: "API="},
	{cmd: "$API/v1/campaigns\n", want: []string{
		`"id": "cloud-cost-whitepaper",[^}]*"version": 1,`,
		`"id": "demo-request",[^}]*"version": 1,`,
		`"id": "devops-summit-2026-booth",[^}]*"version": 1,`,
	}},
	{cmd: "demo-request/definition\n", want: []string{`^# Book a demo\n`, `version 1`}},
	{cmd: "demo.html"}, // the file is checked after the tour
	{cmd: "leadgate apply -f campaigns/", want: []string{
		`^campaign/cloud-cost-whitepaper unchanged \(version 1\)\ncampaign/demo-request unchanged \(version 1\)\ncampaign/devops-summit-2026-booth unchanged \(version 1\)\n$`,
	}},
	{cmd: "sed 's/threshold: 50/threshold: 45/'"},
	{cmd: `leadgate apply -f "${TMPDIR`, want: []string{`^campaign/demo-request draft d1 proposed, changing version 1:\n  ~ MQL threshold 50 → 45\n`}},
	{cmd: "leadgate preview -f", want: []string{`^campaign/demo-request: this file \(open as draft d1\) against version 1, \d+ leads of the last 90 days\n  ~ MQL threshold 50 → 45\n`, `(?m)^  review by 2027-04-30$`}},
	{cmd: `"side": "marketing"`, want: []string{`"state": "approved by marketing, awaiting sales"`}},
	{cmd: `"side": "sales"`, want: []string{`"state": "published as version 2"`, `"version": 2,`}},
	{cmd: "versions/2/diff", want: []string{`"summary": "MQL threshold 50 → 45"`}},
	{cmd: "demo-request?version=1", want: []string{`^\{\s+"version": 1,`, `"threshold": 50\b`}},
	{cmd: "channel: radio", error: true, want: []string{`"code": "invalid"`, `"path": "channel"`, `"path": "fit.countries\[0\]"`, `"path": "engagement.threshold"`}},
	{cmd: "Ana.Silva@acme-health.com", want: []string{`"leadId": "` + anaID + `"`, `"visitor": "lgv_`}},
	{cmd: "utm_source=newsletter", want: []string{`^HTTP/1.1 303 See Other\r?\n`, `(?m)^Location: https://www.leadgate.example/whitepapers/cloud-sprawl/thanks\r?$`}},
	// Was Ana a lead? No: every criterion, what it saw and wanted, and the failed one.
	{cmd: "/v1/leads/" + anaID, want: []string{`"firstName": "Ana"`, `"stage": "nurture"`, `"outcome": "fail",\s+"saw": [^\n]+\n\s+"want": `}},
	{cmd: "raj@fleetworks.co", want: []string{`"leadId": "` + rajID + `"`}},
	{cmd: "/v1/reps/tom.evans/leads", until: true, want: []string{`"rep": "tom.evans"`, `"id": "` + rajID + `"`}},
	{cmd: rajID + "/feedback", want: []string{`(?m)^  "stage": "sal",$`}},
	{cmd: "leadgate report --campaign demo-request", until: true, want: []string{`^campaign/demo-request `, `(?m)^  mql +1 `, `(?m)^  sal +1 `}},
}

// terminal runs the tour's commands the way a person types them into one
// shell: what they assign is there for the next command.
type terminal struct {
	t        *testing.T
	dir      string
	env      []string
	preamble string // the pasted export line, the go run shim and the assignments so far
}

// goRunShim makes `go run ./cmd/leadgate ARGS` run the binary make run
// built; any other go command is go's.
const goRunShim = `go() {
	if [ "${1-}" = run ] && [ "${2-}" = ./cmd/leadgate ]; then shift 2; "$PWD/bin/leadgate" "$@"
	else command go "$@"; fi
}`

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|'[^']*'|[^\s"';|&<>]*)$`)

func (term *terminal) run(cmd string, seen map[string]bool) {
	t := term.t
	t.Helper()
	var check *tourCheck
	for i, ch := range tourChecks {
		if strings.Contains(cmd+"\n", ch.cmd) {
			if check != nil {
				t.Fatalf("tourChecks %q and %q both name the command\n%s", check.cmd, ch.cmd, cmd)
			}
			check = &tourChecks[i]
		}
	}
	if check == nil {
		t.Fatalf("no tourCheck names this command of the tour (add what the README promises it shows):\n%s", cmd)
	}
	seen[check.cmd] = true

	deadline := time.Now().Add(20 * time.Second)
	for attempt := 1; ; attempt++ {
		c := exec.Command("bash", "-c", "set -e\n"+term.preamble+"\n"+cmd)
		c.Dir, c.Env = term.dir, term.env
		out, err := c.CombinedOutput()
		problem := ""
		switch {
		case err != nil:
			problem = fmt.Sprintf("exit: %v", err)
		case isProblem.Match(out) != check.error:
			problem = fmt.Sprintf(`answered a problem ({"type": …/errors.md#…}) = %v, want %v`, !check.error, check.error)
		default:
			for _, w := range check.want {
				if !regexp.MustCompile(w).Match(out) {
					problem += fmt.Sprintf("\n  its output does not match %s", w)
				}
			}
		}
		if problem != "" && check.until && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if problem == "" {
			t.Logf("$ %s\n%s", cmd, indent(out, 3000))
		} else {
			t.Logf("$ %s\n%s", cmd, indent(out, 100000))
			t.Errorf("the tour's command (attempt %d)\n%s\n%s", attempt, cmd, problem)
		}
		break
	}
	if assignment.MatchString(cmd) {
		term.preamble += "\n" + cmd
	}
}

func indent(b []byte, limit int) string {
	s := strings.TrimRight(string(b), "\n")
	if len(s) > limit {
		s = s[:limit] + "\n…"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// readmeSection returns the text from heading to the next "## " heading.
func readmeSection(t *testing.T, readme, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// shellBlocks returns the bodies of the ```sh blocks of a Markdown text.
func shellBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	for line := range strings.Lines(md) {
		line = strings.TrimRight(line, "\n")
		switch {
		case !in && line == "```sh":
			in, cur = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// outsideCode drops a Markdown text's fenced blocks.
func outsideCode(md string) string {
	var b strings.Builder
	in := false
	for line := range strings.Lines(md) {
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if !in {
			b.WriteString(line)
		}
	}
	return b.String()
}

var localLink = regexp.MustCompile("(?:http://127\\.0\\.0\\.1:3000|\\$LEADGATE_URL)[^\\s`)\\]]*")

// localLinks lists the prose's links to make run's default address, once
// each, a sentence's full stop left off.
func localLinks(md string) []string {
	var links []string
	for _, l := range localLink.FindAllString(outsideCode(md), -1) {
		l = strings.TrimRight(l, ".,:;")
		if !slices.Contains(links, l) {
			links = append(links, l)
		}
	}
	return links
}

// shellCommands splits a block into commands: a command ends on the first
// line at which bash finds it complete (so a quoted JSON body or a line
// ending in | or \ continues it). Comments between commands are dropped.
func shellCommands(t *testing.T, block string) []string {
	t.Helper()
	var cmds []string
	var cur []string
	for line := range strings.Lines(block) {
		line = strings.TrimRight(line, "\n")
		if len(cur) == 0 && (strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#")) {
			continue
		}
		cur = append(cur, line)
		text := strings.Join(cur, "\n")
		if strings.HasSuffix(line, "\\") || strings.HasSuffix(line, "|") || strings.HasSuffix(line, "&&") {
			continue
		}
		// bash -n only warns of a here-document cut short: a warning
		// means incomplete too.
		check := exec.Command("bash", "-n", "-c", text)
		if out, err := check.CombinedOutput(); err == nil && len(out) == 0 {
			cmds = append(cmds, text)
			cur = nil
		}
	}
	if len(cur) > 0 {
		t.Fatalf("the tour ends in an incomplete command:\n%s", strings.Join(cur, "\n"))
	}
	return cmds
}

// blockToken is the token the make run block exports.
func blockToken(block string) string {
	m := regexp.MustCompile(`(?m)^export LEADGATE_TOKEN=(\S+)$`).FindStringSubmatch(block)
	if m == nil {
		return ""
	}
	return m[1]
}

// freePort asks the kernel for a port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mirrorRepo makes a work folder that reads as the repository: a symbolic
// link to each of its top-level entries, except campaigns/, copied so that
// the whitepaper campaign can allow origin (an address other than make
// run's default is another origin), and what the repository keeps out of
// git (bin/, .cache/, …), which make run and the test make their own.
func mirrorRepo(t *testing.T, repo, origin string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "leadgate")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ".git", ".cache", "bin", ".aws-sam", "campaigns":
			continue
		}
		if err := os.Symlink(filepath.Join(repo, e.Name()), filepath.Join(work, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(repo, "campaigns", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(work, "campaigns"), 0o755); err != nil {
		t.Fatal(err)
	}
	allowed := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "cloud-cost-whitepaper.yaml" {
			const def = "http://127.0.0.1:3000"
			allowed = bytes.Contains(b, []byte(def+","))
			b = bytes.Replace(b, []byte(def+","), []byte(def+", "+origin+","), 1)
		}
		if err := os.WriteFile(filepath.Join(work, "campaigns", filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !allowed {
		t.Fatal("campaigns/cloud-cost-whitepaper.yaml no longer allows make run's origin, http://127.0.0.1:3000, in intake.allowedOrigins")
	}
	return work
}

// anotherTerminal is the environment of a new shell: no LEADGATE_
// variable (the export line make run printed brings them), nothing the
// test package's own AWS servers set, and TMPDIR the test's.
func anotherTerminal(tmp string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LEADGATE_") || strings.HasPrefix(k, "AWS_") || k == "TMPDIR" || k == "ARGS" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TMPDIR="+tmp)
}

// makeRun is the tour's first terminal.
type makeRun struct {
	export     string // the export line it printed
	url, token string
	examples   string // where it said the example landing page is
}

var (
	exportLine   = regexp.MustCompile(`(?m)^\s*(export LEADGATE_TOKEN=(\S+) LEADGATE_URL=(\S+))\s*$`)
	examplesLine = regexp.MustCompile(`(?m)^Example landing page: (\S+)\s*$`)
)

// startMakeRun runs the make run block with bash in its own process group,
// waits for the export line, and stops it with Ctrl-C when the test ends.
func startMakeRun(t *testing.T, repo, work, block, addr string) makeRun {
	t.Helper()
	env := anotherTerminal(t.TempDir())
	env = append(env,
		"ARGS=--addr "+addr+" --in-memory",
		// make run keeps DynamoDB Local's download in LEADGATE_CACHE, the
		// test package's.
		"LEADGATE_CACHE="+absCache(t),
		"GO="+goForMakeRun(t, repo),
	)
	logs, err := os.Create(filepath.Join(t.TempDir(), "make-run.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", block)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = work, env, w, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()

	// Read what it prints until every holder of the pipe is gone.
	var mu sync.Mutex
	var out bytes.Buffer
	printed := make(chan struct{}, 1)
	eof := make(chan struct{})
	go func() {
		defer close(eof)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			if exportLine.MatchString(out.String()) {
				select {
				case printed <- struct{}{}:
				default:
				}
			}
			mu.Unlock()
		}
	}()
	output := func() string {
		mu.Lock()
		defer mu.Unlock()
		return out.String()
	}
	stderr := func() string {
		b, _ := os.ReadFile(logs.Name())
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		return string(b)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	started := false // it printed the export line: it should stop cleanly
	t.Cleanup(func() {
		defer logs.Close()
		defer r.Close()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) // Ctrl-C
		select {
		case <-eof:
		case <-time.After(30 * time.Second):
			t.Errorf("make run still running 30 s after Ctrl-C:\n%s", output())
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-eof
		}
		<-exited // bash held the pipe too: it is gone
		if started && !strings.Contains(output(), "leadgate local: stopped") {
			t.Errorf("make run did not say it stopped after Ctrl-C:\n%s\nstderr:\n%s", output(), stderr())
		}
	})

	// The first run of a checkout compiles leadgate; later ones link it.
	select {
	case <-printed:
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("make run ended (%v) before printing the export line:\n%s\nstderr:\n%s", err, output(), stderr())
	case <-time.After(5 * time.Minute):
		t.Fatalf("make run printed no export line in 5 minutes:\n%s\nstderr:\n%s", output(), stderr())
	}
	started = true
	text := output()
	m := exportLine.FindStringSubmatch(text)
	run := makeRun{export: m[1], token: m[2], url: m[3]}
	if e := examplesLine.FindStringSubmatch(text); e != nil {
		run.examples = e[1]
	}
	t.Logf("make run (ARGS=--addr %s --in-memory) printed:\n%s", addr, indent([]byte(text), 3000))
	return run
}

// makeRunBuild is the Makefile's build line for make run.
const makeRunBuild = "build -o bin/leadgate ./cmd/leadgate"

// goForMakeRun writes the go command make run is given (as GO): its build
// line compiles in the repository, where the build cache knows every
// package (in the work folder, a new path each run, they would all compile
// again), into the work folder's bin/. Anything else is go's.
func goForMakeRun(t *testing.T, repo string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`#!/bin/sh
if [ "$*" = %q ]; then exec %q -C %q build -o "$PWD/bin/leadgate" ./cmd/leadgate; fi
exec %q "$@"
`, makeRunBuild, goCmd, repo, goCmd)
	path := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func absCache(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(emulators.CacheDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// submitLandingPage does what the tour says of the example landing page:
// open it, fill it in and submit it, land on its thank-you page, and find
// the lead by email. A person takes longer than the campaign's minimum fill
// time, so the browser waits that long from the page's render time before
// it submits (a quicker form is dropped as a bot's).
func submitLandingPage(t *testing.T, work, url, token, page string) {
	t.Helper()
	chromium, driver := browser(t)
	def, err := os.ReadFile(filepath.Join(work, "campaigns", "cloud-cost-whitepaper.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := authored.Parse(def)
	if err != nil {
		t.Fatal(err)
	}
	minFill := campaign.DefaultMinFillSeconds
	if d.Intake.MinFillSeconds != nil {
		minFill = *d.Intake.MinFillSeconds
	}
	shot := filepath.Join(t.TempDir(), "thanks.png")
	result := submitInBrowser(t, chromium, driver, page, shot, minFill)
	t.Logf("headless Chromium opened %s, filled the form in, submitted it and landed on %s (%q)", page, result.URL, result.Heading)
	if result.URL != page+"thanks.html" || result.Heading != "Thank you" {
		t.Errorf("the browser ended on %s (%q), want %sthanks.html", result.URL, result.Heading, page)
	}
	r := client{t, url, token}.do("GET", "/v1/leads?email=lena.fischer@kontor.io", "", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"firstName": "Lena"`)) {
		t.Errorf("GET /v1/leads?email=lena.fischer@kontor.io after the browser's post: %d %.500s", r.status, r.body)
	}
}
