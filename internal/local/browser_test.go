package local_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/localstack"
)

// playwrightCore is the browser driver the test installs with npm; it
// drives Debian's Chromium and downloads no browser of its own.
const playwrightCore = "playwright-core@1.65.1"

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
	driver = filepath.Join(localstack.CacheDir(), "e2e")
	if _, err := os.Stat(filepath.Join(driver, "node_modules", "playwright-core")); err != nil {
		out, err := exec.Command("npm", "install", "--prefix", driver, "--no-audit", "--no-fund", "--no-save", playwrightCore).CombinedOutput()
		if err != nil {
			t.Fatalf("npm install %s: %v\n%s", playwrightCore, err, out)
		}
	}
	return chromium, driver
}

// TestBrowserSubmitsLandingPage opens examples/landing-page in headless
// Chromium, fills the plain HTML form in and submits it: the browser must
// land on the thank-you page and the lead must be stored.
func TestBrowserSubmitsLandingPage(t *testing.T) {
	chromium, driver := browser(t)

	sys := start(t, "")
	pages := httptest.NewServer(http.FileServer(http.Dir("../../examples/landing-page")))
	defer pages.Close()
	page, err := os.ReadFile("../../examples/landing-page/index.html")
	if err != nil {
		t.Fatal(err)
	}
	// The example posts to make run's API; here it posts to this test's,
	// for a copy of the campaign that sends people to the local thank-you
	// page and allows this page's origin.
	const action = "http://127.0.0.1:3000/v1/campaigns/cloud-cost-whitepaper/submissions"
	if !strings.Contains(string(page), action) {
		t.Fatalf("examples/landing-page/index.html no longer posts to %s", action)
	}
	testPage := strings.Replace(string(page), action, sys.URL+"/v1/campaigns/browser-test/submissions", 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/index.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(testPage))
	})
	mux.Handle("/", http.FileServer(http.Dir("../../examples/landing-page")))
	pages.Config.Handler = mux

	d, err := campaign.Parse(readExample(t, "cloud-cost-whitepaper"))
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	d.ID, d.Intake.ThankYouURL, d.Intake.AllowedOrigins, d.Intake.MinFillSeconds = "browser-test", pages.URL+"/thanks.html", []string{pages.URL}, &zero
	body, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	c := client{t, sys.URL, sys.Token}
	if r := c.do("PUT", "/v1/campaigns/browser-test", "application/json", body); r.status != 201 {
		t.Fatalf("publish the test campaign: %d %s", r.status, r.body)
	}

	shot := filepath.Join(t.TempDir(), "thanks.png")
	if dir := os.Getenv("LEADGATE_SCREENSHOTS"); dir != "" {
		shot = filepath.Join(dir, "landing-page-thanks.png")
	}
	cmd := exec.Command("node", "testdata/submit-landing-page.cjs", pages.URL+"/index.html?utm_source=browser-test", chromium, shot)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(driver, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("browser: %v\n%s\n%s", err, out, stderr)
	}
	var result struct{ URL, Heading string }
	if err := json.Unmarshal(out, &result); err != nil {
		t.Fatalf("browser said %q: %v", out, err)
	}
	if result.URL != pages.URL+"/thanks.html" || result.Heading != "Thank you" {
		t.Errorf("browser ended on %s (%q)", result.URL, result.Heading)
	}
	if _, err := os.Stat(shot); err != nil {
		t.Errorf("no screenshot: %v", err)
	}

	v := c.lead(lead.IDFor("lena.fischer@kontor.io"))
	tp := v.Touches[0]
	if v.FirstName != "Lena" || v.Company != "Kontor GmbH" || v.Country != "DE" || v.Fields["consent"] != "yes" ||
		tp.UTM["utm_source"] != "browser-test" || tp.Campaign != "browser-test" || !strings.HasPrefix(tp.Referrer, pages.URL) {
		t.Errorf("stored lead = %+v, touch %+v", v.Record.Lead, tp)
	}
}
