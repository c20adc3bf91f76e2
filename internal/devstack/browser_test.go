package devstack_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/emulators"
	"github.com/leadgate/leadgate/internal/lead"
)

// playwrightCore is the browser driver the test installs with npm; it
// drives Debian's Chromium and downloads no browser of its own.
const playwrightCore = "playwright-core@1.65.1"

// axeCore is the accessibility checker the console's browser test runs in
// each page.
const axeCore = "axe-core@4.14.1"

// chromiumPath finds Debian's Chromium (make test installs it when it can).
func chromiumPath() string {
	for _, p := range []string{os.Getenv("LEADGATE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// browser returns Chromium's path and the folder holding playwright-core,
// installing the driver with npm on first use; it skips the test, saying
// why, where there is no Chromium or npm.
func browser(t *testing.T) (chromium, driver string) {
	t.Helper()
	chromium = chromiumPath()
	if chromium == "" {
		t.Skip("Chromium is not installed (Debian: apt-get install chromium; make test installs it when run as root): skipping the browser test")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed: skipping the browser test")
	}
	driver = filepath.Join(emulators.CacheDir(), "e2e")
	_, errDriver := os.Stat(filepath.Join(driver, "node_modules", "playwright-core"))
	_, errAxe := os.Stat(filepath.Join(driver, "node_modules", "axe-core"))
	if errDriver != nil || errAxe != nil {
		out, err := exec.Command("npm", "install", "--prefix", driver, "--no-audit", "--no-fund", "--no-save", playwrightCore, axeCore).CombinedOutput()
		if err != nil {
			t.Fatalf("npm install %s %s: %v\n%s", playwrightCore, axeCore, err, out)
		}
	}
	return chromium, driver
}

// browserResult is where the browser ended after submitting a form.
type browserResult struct{ URL, Heading string }

// submitInBrowser runs testdata/submit-landing-page.cjs: headless Chromium
// opens page, fills the form in, waits until minFill seconds after the
// render (a quicker form is dropped as a bot's), submits it and saves a
// screenshot of where it lands to shot.
func submitInBrowser(t *testing.T, chromium, driver, page, shot string, minFill int) browserResult {
	t.Helper()
	cmd := exec.Command("node", "testdata/submit-landing-page.cjs", page, chromium, shot, strconv.Itoa(minFill))
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(driver, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("browser: %v\n%s\n%s", err, out, stderr)
	}
	var result browserResult
	if err := json.Unmarshal(out, &result); err != nil {
		t.Fatalf("browser said %q: %v", out, err)
	}
	return result
}

// TestBrowserSubmitsLandingPage opens examples/landing-page, verbatim, where
// leadgate local serves it, in headless Chromium, fills the plain HTML form
// in and submits it: the browser must land on the page's thank-you page and
// the lead must be stored.
func TestBrowserSubmitsLandingPage(t *testing.T) {
	chromium, driver := browser(t)

	sys := startOpts(t, devstack.Options{Examples: "../../examples"})
	// The example campaign allows make run's origin; this run listens on
	// another port, so its copy allows this one (and takes a quick hand).
	d, err := authored.Parse(readExample(t, "cloud-cost-whitepaper"))
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	d.Intake.AllowedOrigins, d.Intake.MinFillSeconds = []string{sys.URL}, &zero
	body, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	c := client{t, sys.URL, sys.Token}
	if r := c.do("PUT", "/v1/campaigns/cloud-cost-whitepaper", "application/json", body); r.status != 201 {
		t.Fatalf("publish the campaign: %d %s", r.status, r.body)
	}
	pages := sys.URL + "/examples/landing-page"

	shot := filepath.Join(t.TempDir(), "thanks.png")
	if dir := os.Getenv("LEADGATE_SCREENSHOTS"); dir != "" {
		shot = filepath.Join(dir, "landing-page-thanks.png")
	}
	result := submitInBrowser(t, chromium, driver, pages+"/index.html?utm_source=browser-test", shot, 0)
	if result.URL != pages+"/thanks.html" || result.Heading != "Thank you" {
		t.Errorf("browser ended on %s (%q)", result.URL, result.Heading)
	}
	if _, err := os.Stat(shot); err != nil {
		t.Errorf("no screenshot: %v", err)
	}

	v := c.lead(lead.IDFor("lena.fischer@kontor.io"))
	tp := v.Touches[0]
	if v.FirstName != "Lena" || v.Company != "Kontor GmbH" || v.Country != "DE" || v.Fields["consent"] != "yes" ||
		tp.UTM["utm_source"] != "browser-test" || tp.Campaign != "cloud-cost-whitepaper" || !strings.HasPrefix(tp.Referrer, pages) {
		t.Errorf("stored lead = %+v, touch %+v", v.Record.Lead, tp)
	}
}
