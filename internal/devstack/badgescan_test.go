package devstack_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/lead"
)

const badgeScans = "/v1/campaigns/devops-summit-2026-booth/badge-scans"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/badge-scans/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c client) upload(body []byte, header ...string) (response, badgescan.Report) {
	c.t.Helper()
	r := c.do("POST", badgeScans, "text/csv", body, header...)
	var rep badgescan.Report
	if r.status == 200 {
		r.json(c.t, &rep)
	}
	return r, rep
}

// accountedFor checks the report's promise: every row read is a created or
// updated lead, an earlier upload's scan, or a rejection.
func accountedFor(t *testing.T, rep badgescan.Report) {
	t.Helper()
	if got := rep.LeadsCreated + rep.LeadsUpdated + rep.AlreadyImported + rep.RejectedTotal + rep.NotImported; got != rep.RowsRead {
		t.Errorf("rows read %d, accounted for %d: %+v", rep.RowsRead, got, rep)
	}
}

func TestBadgeScanUploadAccountsForEveryRow(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	file := fixture(t, "booth-app-export.csv")

	r, rep := c.upload(file)
	if r.status != 200 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	accountedFor(t, rep)
	if rep.RowsRead != 8 || rep.LeadsCreated != 5 || rep.LeadsUpdated != 1 || rep.AlreadyImported != 0 || rep.DuplicatesInFile != 1 ||
		rep.Encoding != "UTF-8 with BOM" || rep.Delimiter != "," {
		t.Errorf("report = %+v", rep)
	}
	wantRejected := []badgescan.RowIssue{{Row: 3, Line: 5, Reason: "no email"}, {Row: 4, Line: 6, Reason: `invalid email: "paul.becker@" is not an email address`}}
	if len(rep.Rejected) != 2 || rep.Rejected[0] != wantRejected[0] || rep.Rejected[1] != wantRejected[1] {
		t.Errorf("rejected = %+v", rep.Rejected)
	}
	var warnings []string
	for _, w := range rep.Warnings {
		warnings = append(warnings, w.Reason)
	}
	if len(warnings) != 3 || !strings.Contains(strings.Join(warnings, "|"), `country dropped: "Narnia"`) {
		t.Errorf("warnings = %q", warnings)
	}
	mapped := map[string]string{}
	for _, col := range rep.Columns {
		mapped[col.Header] = col.Field
	}
	for header, field := range map[string]string{
		"Email Address": "email", "Company Name": "company", "Job Title": "title", "Lead Rating": "rating", "Scan Time": "scannedAt",
		"What is your timeline?": "timeframe", "Which problem brought you to the booth?": "challenge", "May we follow up?": "consent", "Device": "booth",
	} {
		if mapped[header] != field {
			t.Errorf("column %q mapped to %q, want %q", header, mapped[header], field)
		}
	}
	if strings.Join(rep.IgnoredColumns, ",") != "Badge ID" {
		t.Errorf("ignored columns = %v", rep.IgnoredColumns)
	}

	lena := c.lead(lead.IDFor("lena.fischer@kontor.io"))
	if len(lena.Touches) != 2 || lena.Touches[0].Rating != 5 || lena.Touches[0].Source != "badge-scan" ||
		!strings.Contains(lena.Touches[0].Notes, "cost, etc.\nFollow up") || lena.Fields["timeframe"] != "This quarter" ||
		lena.Fields["consent"] != "yes" || lena.Country != "DE" || lena.Touches[1].Hidden["booth"] != "iPad-2" {
		t.Errorf("lena = %+v touches %+v", lena.Record.Lead, lena.Touches)
	}
	// A value a spreadsheet would run is stored as the text it is.
	jonas := c.lead(lead.IDFor("jonas.koch@maschinenbau-koch.de"))
	if jonas.Touches[0].Notes != `=HYPERLINK("http://evil.example","click")` || jonas.Touches[0].Rating != 4 {
		t.Errorf("jonas touch = %+v", jonas.Touches[0])
	}
	if omar := c.lead(lead.IDFor("omar@haddad-logistics.ae")); omar.Touches[0].Rating != 2 || omar.Touches[0].At.Format("2006-01-02 15:04") != "2026-11-19 14:30" {
		t.Errorf("omar touch = %+v", omar.Touches[0])
	}
	// A badge scan with no qualifier answer and a rating under 4 is a suspect.
	if yuki := c.lead(lead.IDFor("yuki.tanaka@example.jp")); yuki.Stage != lead.StageSuspect || yuki.Country != "" {
		t.Errorf("yuki = %s %q", yuki.Stage, yuki.Country)
	}

	// The same file again adds nothing.
	r, again := c.upload(file)
	accountedFor(t, again)
	if r.status != 200 || again.LeadsCreated != 0 || again.LeadsUpdated != 0 || again.AlreadyImported != 6 || len(again.Rejected) != 2 {
		t.Errorf("second upload: %d %+v", r.status, again)
	}
	if n := len(c.lead(lead.IDFor("lena.fischer@kontor.io")).Touches); n != 2 {
		t.Errorf("lena has %d touch points after a re-upload", n)
	}
}

func TestBadgeScanDialects(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	r, rep := c.upload(fixture(t, "eu-semicolon-windows1252.csv"))
	if r.status != 200 || rep.Encoding != "Windows-1252" || rep.Delimiter != ";" || rep.LeadsCreated != 3 {
		t.Fatalf("upload: %d %+v %s", r.status, rep, r.body)
	}
	accountedFor(t, rep)
	jose := c.lead(lead.IDFor("jose.nunez@empresa.es"))
	if jose.FirstName != "José" || jose.LastName != "Nuñez" || jose.Company != "Empresa Española SA" || jose.Country != "ES" ||
		jose.Touches[0].Rating != 3 || jose.Touches[0].Notes != "Interesado en € ahorro" {
		t.Errorf("josé = %+v %+v", jose.Record.Lead, jose.Touches[0])
	}
	if j := c.lead(lead.IDFor("juergen.mueller@firma.de")); j.LastName != "Müller" || j.Company != "Müller & Söhne" || j.Country != "DE" {
		t.Errorf("jürgen = %+v", j.Record.Lead)
	}

	// The reader's dialect fixtures all import.
	for _, name := range []string{"comma-utf8.csv", "comma-utf8-bom.csv", "semicolon-windows1252.csv", "tab-utf16le-bom.txt", "crlf-quoted-multiline.csv", "ragged.csv", "blank-lines.csv", "stray-quotes.csv"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("../badgescan/testdata/dialects/" + name)
			if err != nil {
				t.Fatal(err)
			}
			r, rep := c.upload(b)
			if r.status != 200 && r.status != 422 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if r.status == 200 {
				accountedFor(t, rep)
			}
		})
	}
}

func TestBadgeScanRefusals(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	tests := []struct {
		name     string
		body     []byte
		header   []string
		status   int
		contains string
	}{
		{"no email column", fixture(t, "no-email.csv"), nil, 422, "the columns are: Name, Company, Phone"},
		{"empty file", fixture(t, "empty.csv"), nil, 422, "The file is empty."},
		{"oversize", bytes.Repeat([]byte("a@b.co,x\n"), (httpapi.MaxUploadBytes/9)+1), nil, 413, "leadgate import"},
		{"not gzip", []byte("email\na@b.co\n"), []string{"Content-Encoding", "gzip"}, 400, "not gzip"},
		{"unknown encoding", []byte("email\na@b.co\n"), []string{"Content-Encoding", "br"}, 415, "plain or gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := c.upload(tt.body, tt.header...)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.contains) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	if r := (client{t, sys.URL, ""}).do("POST", badgeScans, "text/csv", fixture(t, "booth-app-export.csv")); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
	if r := c.do("POST", "/v1/campaigns/nope/badge-scans", "text/csv", fixture(t, "booth-app-export.csv")); r.status != 404 {
		t.Errorf("unknown campaign: %d", r.status)
	}

	// gzip is accepted, and a large file goes through compressed.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(fixture(t, "booth-app-export.csv"))
	_ = zw.Close()
	r, rep := c.upload(gz.Bytes(), "Content-Encoding", "gzip")
	if r.status != 200 || rep.RowsRead != 8 {
		t.Errorf("gzip upload: %d %s", r.status, r.body)
	}
}

// TestOneOpenRule: a campaign takes what happened while it ran, whenever
// it arrives. A file uploaded after the end is taken for the scans it dates
// within the campaign; a scan dated after the end is refused, row by row;
// a scan with no time is taken; a paused campaign takes no file at all.
func TestOneOpenRule(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	doc := strings.NewReplacer("ID", "ended-webinar", "channel: webinar", "channel: trade-show", "webinar-registered", "event-visit").Replace(minimalDefinition) + "starts: 2026-01-01\nends: 2026-02-01\n"
	if r := c.do("PUT", "/v1/campaigns/ended-webinar", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	file := "Email,Scan Time\nin@fleetworks.co,2026-01-15 10:00\nafter@fleetworks.co,2026-03-01 10:00\nbefore@fleetworks.co,2025-12-31 10:00\nundated@fleetworks.co,\n"
	r := c.do("POST", "/v1/campaigns/ended-webinar/badge-scans", "text/csv", []byte(file))
	var rep badgescan.Report
	r.json(t, &rep)
	if r.status != 200 || rep.LeadsCreated != 2 || rep.RejectedTotal != 2 || !strings.Contains(rep.Rejected[0].Reason, "ended on 2026-02-01") ||
		!strings.Contains(rep.Rejected[1].Reason, "opens on 2026-01-01") {
		t.Errorf("%d %s", r.status, r.body)
	}
	form := jsonForm(map[string]any{"email": "late@fleetworks.co", "_ts": renderedAt()})
	if r := (client{t, sys.URL, ""}).do("POST", "/v1/campaigns/ended-webinar/submissions", "application/json", form); r.status != 410 {
		t.Errorf("a form after the end: %d %s", r.status, r.body)
	}
	// A paused campaign, on a fresh system (the definitions cache would
	// hold the version above for up to 30 s).
	sys2 := startOpts(t, devstack.Options{})
	c2 := client{t, sys2.URL, sys2.Token}
	if r := c2.do("PUT", "/v1/campaigns/ended-webinar", "application/yaml", []byte(doc+"status: paused\n")); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := c2.do("POST", "/v1/campaigns/ended-webinar/badge-scans", "text/csv", []byte(file)); r.status != 409 {
		t.Errorf("a paused campaign's upload: %d %s", r.status, r.body)
	}
}

// TestWebinarAttendeeList: a webinar campaign's files are attendee lists,
// through the same upload: an attendee is webinar-attended (with the
// minutes in session), a no-show webinar-missed, and a list that says
// nothing of attendance records registrations.
func TestWebinarAttendeeList(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	doc := strings.ReplaceAll(minimalDefinition, "ID", "cost-webinar")
	doc = strings.Replace(doc, "points: {webinar-registered: 10}", "points: {webinar-registered: 10, webinar-attended: 25}", 1)
	if r := c.do("PUT", "/v1/campaigns/cost-webinar", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	upload := func(file string) badgescan.Report {
		t.Helper()
		r := c.do("POST", "/v1/campaigns/cost-webinar/badge-scans", "text/csv", []byte(file))
		var rep badgescan.Report
		r.json(t, &rep)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return rep
	}
	// Registrations first (a registration report has no attendance).
	rep := upload("First Name,Last Name,Email,Registration Time\nAda,Ames,ada@fleetworks.co,11/20/2026 09:00:00 AM\nBo,Bell,bo@fleetworks.co,11/20/2026 09:05:00 AM\n")
	if rep.LeadsCreated != 2 {
		t.Errorf("registrations: %+v", rep)
	}
	// Then the attendee report, as Zoom writes it.
	rep = upload("Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Country/Region Name\n" +
		"Yes,Ada Ames,Ada,Ames,ada@fleetworks.co,11/20/2026 09:00:00 AM,approved,11/26/2026 04:01:12 PM,11/26/2026 04:52:40 PM,52,Germany\n" +
		"No,Bo Bell,Bo,Bell,bo@fleetworks.co,11/20/2026 09:05:00 AM,approved,--,--,0,United States\n")
	if rep.LeadsUpdated != 2 || rep.RejectedTotal != 0 {
		t.Errorf("attendees: %+v", rep)
	}
	types := func(email string) string {
		var out []string
		v := c.lead(lead.IDFor(email))
		for _, tp := range v.Touches {
			out = append(out, tp.Type+"/"+tp.Detail["minutes"])
		}
		return strings.Join(out, " ")
	}
	if got := types("ada@fleetworks.co"); got != "webinar-registered/ webinar-attended/52" {
		t.Errorf("Ada: %s", got)
	}
	if got := types("bo@fleetworks.co"); got != "webinar-registered/ webinar-missed/" {
		t.Errorf("Bo: %s", got)
	}
	if v := c.lead(lead.IDFor("ada@fleetworks.co")); v.Verdict.Score < 30 {
		t.Errorf("Ada's score: %v", v.Verdict.Score)
	}

	// Cy rejoined twice: one attendance. Di's Attended cell is blank, but
	// she joined.
	rep = upload("Attended,First Name,Last Name,Email,Registration Time,Join Time,Time in Session (minutes)\n" +
		"Yes,Cy,Cole,cy@fleetworks.co,10/01/2020 09:00:00 AM,11/26/2026 04:01:12 PM,19\n" +
		"Yes,Cy,Cole,cy@fleetworks.co,10/01/2020 09:00:00 AM,11/26/2026 04:25:00 PM,5\n" +
		"Yes,Cy,Cole,cy@fleetworks.co,10/01/2020 09:00:00 AM,11/26/2026 04:31:00 PM,1\n" +
		",Di,Dunn,di@fleetworks.co,11/20/2026 09:00:00 AM,11/26/2026 04:02:00 PM,30\n")
	if rep.RejectedTotal != 0 || rep.LeadsCreated != 2 || rep.AlreadyImported != 2 {
		t.Errorf("rejoins: %+v", rep)
	}
	if got := types("cy@fleetworks.co"); got != "webinar-attended/19" {
		t.Errorf("Cy: %s", got)
	}
	if got := types("di@fleetworks.co"); got != "webinar-attended/30" {
		t.Errorf("Di: %s", got)
	}
}

// TestReportWithASummaryAboveItsTable: a webinar tool's report puts the
// webinar's summary above the attendee table; the table's header row is
// found under it.
func TestReportWithASummaryAboveItsTable(t *testing.T) {
	sys := start(t, "")
	c := client{t, sys.URL, sys.Token}
	doc := strings.ReplaceAll(minimalDefinition, "ID", "cost-webinar")
	if r := c.do("PUT", "/v1/campaigns/cost-webinar", "application/yaml", []byte(doc)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	file := "Attendee Report\nReport Generated:,11/27/2026 10:00 AM\nTopic,Webinar ID,Actual Start Time,Actual Duration (minutes)\nCloud costs,864500000,11/26/2026 04:00:00 PM,60\n\nAttendee Details\n" +
		"Attended,First Name,Last Name,Email,Registration Time,Join Time,Time in Session (minutes)\n" +
		"Yes,Ada,Ames,ada@fleetworks.co,11/20/2026 09:00:00 AM,11/26/2026 04:01:12 PM,52\n"
	r := c.do("POST", "/v1/campaigns/cost-webinar/badge-scans", "text/csv", []byte(file))
	var rep badgescan.Report
	r.json(t, &rep)
	if r.status != 200 || rep.LeadsCreated != 1 || rep.RowsRead != 1 || rep.Rejected == nil || rep.RejectedTotal != 0 {
		t.Errorf("%d %s", r.status, r.body)
	}
}

// TestScanTimesInTheShowsZone: a file's zone-less times are read in the
// zone the upload (or the campaign) names, and the answer says which.
func TestScanTimesInTheShowsZone(t *testing.T) {
	sys := start(t, "../../campaigns")
	c := client{t, sys.URL, sys.Token}
	file := []byte("Email,Scan Time\nzoe.zone@fleetworks.co,2026-11-18 10:15\n")
	r := c.do("POST", badgeScans+"?timeZone=Europe/Berlin", "text/csv", file)
	var rep badgescan.Report
	r.json(t, &rep)
	if r.status != 200 || rep.TimesWithoutZoneIn != "Europe/Berlin" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	v := c.lead(lead.IDFor("zoe.zone@fleetworks.co"))
	if got := v.Touches[0].At.UTC().Format("15:04"); got != "09:15" {
		t.Errorf("10:15 in Berlin stored as %s UTC", got)
	}
	if r := c.do("POST", badgeScans+"?timeZone=Mars/Olympus", "text/csv", file); r.status != 422 {
		t.Errorf("an unknown zone: %d %s", r.status, r.body)
	}
	r = c.do("POST", badgeScans, "text/csv", []byte("Email,Scan Time\nzed@fleetworks.co,2026-11-18 10:15\n"))
	r.json(t, &rep)
	if !strings.HasPrefix(rep.TimesWithoutZoneIn, "UTC (no time zone stated") {
		t.Errorf("no zone: %q", rep.TimesWithoutZoneIn)
	}
}
