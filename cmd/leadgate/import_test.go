package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/badgescan"
)

// TestImportSplitsAndAccountsForEveryRow runs `leadgate import` against a
// fake API that rejects each part's row 2, with parts forced small: every
// part carries the header, the report's row numbers point into the user's
// file, and the rejects file is formula-safe.
func TestImportSplitsAndAccountsForEveryRow(t *testing.T) {
	var parts [][]string // first column of each part's rows
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/issues.csv") {
			// Each part's issue list: its row 2, as the server keeps it.
			w.Header().Set("Content-Type", "text/csv")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write([]byte("row,line,kind,reason\r\n2,3,rejected,'=cmd|' /C calc'!A0\r\n2,3,warning,rating dropped\r\n"))
			_ = zw.Close()
			return
		}
		if r.URL.Path != "/v1/campaigns/show/badge-scans" || r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rows, err := csv.NewReader(zr).ReadAll()
		if err != nil || rows[0][0] != "Email" {
			http.Error(w, "no header", http.StatusBadRequest)
			return
		}
		var first []string
		for _, row := range rows[1:] {
			first = append(first, row[0])
		}
		parts = append(parts, first)
		rep := badgescan.Report{Campaign: "show", RowsRead: len(rows) - 1, LeadsCreated: len(rows) - 2, RejectedTotal: 1,
			Rejected:  []badgescan.RowIssue{{Row: 2, Line: 3, Reason: "=cmd|' /C calc'!A0"}},
			IssuesURL: "/v1/campaigns/show/badge-scans/im_" + strconv.Itoa(len(parts)) + "/issues.csv"}
		_ = json.NewEncoder(w).Encode(rep)
	}))
	defer srv.Close()

	dir := t.TempDir()
	file := filepath.Join(dir, "scans.csv")
	var b strings.Builder
	b.WriteString("Email;Name\r\n")
	for i := range 6 {
		b.WriteString("p" + string(rune('0'+i)) + "@x.co;\"=HYPERLINK(\"\"x\"\")\nwith newline\"\r\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejects.csv")
	var out, errOut bytes.Buffer
	old := chunkLimit
	chunkLimit = 60 // a few rows a part
	defer func() { chunkLimit = old }()
	err := runImport(context.Background(), []string{"--campaign", "show", "--url", srv.URL, "--token", "tok", "--rejects", rejects, file}, &out, &errOut)
	// Rows were rejected: the command ran, and says so in its exit status.
	if st, ok := errors.AsType[*exitStatus](err); !ok || st.code != 2 {
		t.Fatalf("want exit status 2 for rejected rows, got %v\n%s", err, errOut.String())
	}
	if len(parts) < 2 {
		t.Fatalf("file sent in %d part(s), want it split", len(parts))
	}
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	if strings.Join(all, ",") != "p0@x.co,p1@x.co,p2@x.co,p3@x.co,p4@x.co,p5@x.co" {
		t.Errorf("rows sent = %v", all)
	}
	summary := out.String()
	if !regexp.MustCompile(`rows read\s+6\n`).MatchString(summary) || !regexp.MustCompile(`rows rejected\s+`+itoa(len(parts))+`\n`).MatchString(summary) {
		t.Errorf("summary:\n%s", summary)
	}
	// Part 2's row 2 is the file's row 2 + rows in part 1, at its own line.
	if !strings.Contains(summary, "row 2 (line 4)") || !strings.Contains(summary, "row "+itoa(len(parts[0])+2)+" (line ") {
		t.Errorf("row numbers not mapped back to the file:\n%s", summary)
	}
	// The rejects file holds each part's row 2 as sent, with the file's row
	// and line and the reason after the file's columns, formula-safe.
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatalf("rejects file is not CSV: %v\n%s", err, got)
	}
	want := [][]string{{"Email", "Name", "leadgate row", "leadgate line", "leadgate reason"}}
	row, line := 2, 4 // header is line 1; each row spans two lines
	for _, p := range parts {
		want = append(want, []string{p[1], "'=HYPERLINK(\"x\")\nwith newline", itoa(row), itoa(line), "'=cmd|' /C calc'!A0"})
		row += len(p)
		line += 2 * len(p)
	}
	if gotS, wantS := fmt.Sprint(recs), fmt.Sprint(want); gotS != wantS {
		t.Errorf("rejects file:\n got %q\nwant %q", recs, want)
	}
	if !strings.Contains(out.String(), itoa(len(parts))+" rejected rows written to") {
		t.Errorf("summary does not say how many rows it wrote:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "100%") {
		t.Errorf("no progress shown: %q", errOut.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestImportWritesNoRejectsWhenNoneRejected: a clean file leaves no empty
// rejects file behind to be mistaken for one with rows.
func TestImportWritesNoRejectsWhenNoneRejected(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(badgescan.Report{Campaign: "show", RowsRead: 1, LeadsCreated: 1,
			IssuesURL: "/v1/campaigns/show/badge-scans/im_1/issues.csv"})
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "scans.csv")
	if err := os.WriteFile(file, []byte("Email\np@x.co\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejects.csv")
	var out, errOut bytes.Buffer
	if err := runImport(context.Background(), []string{"--campaign", "show", "--url", srv.URL, "--token", "tok", "--rejects", rejects, file}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if _, err := os.Stat(rejects); !os.IsNotExist(err) {
		t.Errorf("rejects file written with nothing rejected (stat: %v)", err)
	}
	if !strings.Contains(out.String(), "no row rejected") {
		t.Errorf("summary does not say nothing was written:\n%s", out.String())
	}
}

func TestImportWantsFlagsBeforeTheFile(t *testing.T) {
	err := runImport(context.Background(), []string{"scans.csv", "--campaign", "show"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "flags go before the file") {
		t.Errorf("err = %v", err)
	}
}

// fakeImports answers uploads as the badge-scan function would, with a
// table behind it: a row is created once, then met as already imported.
// stops says how the first uploads stop: after writing that many rows,
// with the stop's Again, before the part's end.
type fakeImports struct {
	written map[string]bool
	stops   []fakeStop
	uploads int
}

type fakeStop struct {
	after int
	again bool
}

func (f *fakeImports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.uploads++
	var stop *fakeStop
	if f.uploads <= len(f.stops) {
		stop = &f.stops[f.uploads-1]
	}
	rep := badgescan.Report{Campaign: "show", Rejected: []badgescan.RowIssue{}, Warnings: []badgescan.RowIssue{}}
	for i, row := range rows[1:] {
		if stop != nil && rep.LeadsCreated == stop.after {
			rep.NotImported = len(rows) - 1 - i
			rep.Stopped = &badgescan.Stop{Row: i + 1, Line: i + 2, Reason: "the import ran out of time", Again: stop.again}
			break
		}
		rep.RowsRead++
		if f.written[row[0]] {
			rep.AlreadyImported++
			continue
		}
		f.written[row[0]] = true
		rep.LeadsCreated++
	}
	if rep.Stopped == nil {
		_ = json.NewEncoder(w).Encode(rep)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Internal error", "status": 500, "code": "internal",
		"detail": "The import stopped.", "report": rep})
}

// TestImportSendsAgainAPartThatRanOutOfTime: a part stopped by its time or
// the table (Stop.Again) goes again while each try writes something; the
// summary counts the rows the first try wrote as created, not as already
// imported. A stop that the file caused, or a try that wrote nothing, is
// not sent again, and the command fails saying where it stopped.
func TestImportSendsAgainAPartThatRanOutOfTime(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "scans.csv")
	if err := os.WriteFile(file, []byte("Email\np0@x.co\np1@x.co\np2@x.co\np3@x.co\np4@x.co\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		stops   []fakeStop
		uploads int
		fails   bool
		summary []string
	}{
		{"stopped for time, then through", []fakeStop{{after: 2, again: true}}, 2, false,
			[]string{`leads created\s+4\n`, `already imported\s+1\n`}},
		{"stopped twice, then through", []fakeStop{{after: 1, again: true}, {after: 1, again: true}}, 3, false,
			[]string{`leads created\s+4\n`, `already imported\s+1\n`}},
		{"stopped by the file", []fakeStop{{after: 2, again: false}}, 1, true,
			[]string{`leads created\s+2\n`, `not imported\s+3\n`, `STOPPED at row 3`}},
		// The try that wrote nothing left the table as the first left it:
		// the first try's report stands (it had gone further).
		{"a try that wrote nothing", []fakeStop{{after: 2, again: true}, {after: 0, again: true}}, 2, true,
			[]string{`leads created\s+2\n`, `STOPPED at row 3`}},
		{"stopping every time", []fakeStop{{1, true}, {1, true}, {1, true}, {1, true}, {1, true}}, 1 + maxResends, true,
			[]string{`leads created\s+4\n`, `STOPPED`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// p4 was imported before: it is already imported, whatever
			// the tries.
			f := &fakeImports{written: map[string]bool{"p4@x.co": true}, stops: tc.stops}
			srv := httptest.NewServer(f)
			defer srv.Close()
			var out, errOut bytes.Buffer
			err := runImport(context.Background(), []string{"--campaign", "show", "--url", srv.URL, "--token", "tok", file}, &out, &errOut)
			if (err != nil) != tc.fails || f.uploads != tc.uploads {
				t.Fatalf("%d uploads, error %v; want %d, failing %v\n%s\n%s", f.uploads, err, tc.uploads, tc.fails, out.String(), errOut.String())
			}
			for _, re := range tc.summary {
				if !regexp.MustCompile(re).MatchString(out.String()) {
					t.Errorf("summary lacks %q:\n%s", re, out.String())
				}
			}
		})
	}
}

// scriptedImports answers each upload with the next report, as the
// badge-scan function counts: a row read and queued but not written when
// the import stopped is read and not imported; a row never read is in no
// count.
type scriptedImports struct {
	reports []badgescan.Report
	uploads int
}

func (f *scriptedImports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := f.reports[min(f.uploads, len(f.reports)-1)]
	f.uploads++
	if rep.Stopped == nil {
		_ = json.NewEncoder(w).Encode(rep)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": 503, "code": "unavailable", "detail": "The service is busy.", "report": rep})
}

// TestImportResendThatGetsLessFarCountsEachRowOnce: a resend that stops
// before it meets again the rows an earlier try wrote (the table still
// stalled) must not count those rows both as created and as not imported:
// the summary still accounts for every row read once.
func TestImportResendThatGetsLessFarCountsEachRowOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "scans.csv")
	if err := os.WriteFile(file, []byte("Email\np0@x.co\np1@x.co\np2@x.co\np3@x.co\np4@x.co\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stop := func(row int) *badgescan.Stop {
		return &badgescan.Stop{Row: row, Line: row + 1, Reason: "the leads could not be written", Again: true}
	}
	for _, tc := range []struct {
		name    string
		reports []badgescan.Report
		summary []string
	}{
		// Try 1 wrote rows 1-2 and had row 3 queued; try 2 stalled with
		// rows 1-2 queued and wrote nothing.
		{"second try wrote nothing", []badgescan.Report{
			{Campaign: "show", RowsRead: 3, LeadsCreated: 2, NotImported: 1, Stopped: stop(4)},
			{Campaign: "show", RowsRead: 2, NotImported: 2, Stopped: stop(3)},
		}, []string{`rows read\s+3\n`, `leads created\s+2\n`, `already imported\s+0\n`, `not imported\s+1\n`}},
		// Try 1 wrote rows 1-3; try 2 wrote row 4 (a hole of try 1's)
		// but stalled with rows 1-3 still queued, on the last try too.
		{"a resend wrote elsewhere, the rows before still queued", []badgescan.Report{
			{Campaign: "show", RowsRead: 4, LeadsCreated: 3, NotImported: 1, Stopped: stop(5)},
			{Campaign: "show", RowsRead: 4, LeadsCreated: 1, NotImported: 3, Stopped: stop(5)},
			{Campaign: "show", RowsRead: 2, NotImported: 2, Stopped: stop(3)},
		}, []string{`rows read\s+4\n`, `leads created\s+4\n`, `already imported\s+0\n`, `not imported\s+0\n`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&scriptedImports{reports: tc.reports})
			defer srv.Close()
			var out, errOut bytes.Buffer
			err := runImport(context.Background(), []string{"--campaign", "show", "--url", srv.URL, "--token", "tok", file}, &out, &errOut)
			if err == nil {
				t.Fatalf("no error; want the stop\n%s", out.String())
			}
			for _, re := range tc.summary {
				if !regexp.MustCompile(re).MatchString(out.String()) {
					t.Errorf("summary lacks %q:\n%s", re, out.String())
				}
			}
		})
	}
}

// TestImportSaysWhenRejectedRowsCannotBeListed: a part that stopped keeps
// no issue list, so --rejects cannot list its rejected rows; the command
// says so rather than "no row rejected".
func TestImportSaysWhenRejectedRowsCannotBeListed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Bad request", "status": 400, "code": "bad_request",
			"detail": "The file stops being readable.", "report": badgescan.Report{Campaign: "show", RowsRead: 2, LeadsCreated: 1, RejectedTotal: 1,
				Rejected: []badgescan.RowIssue{{Row: 2, Line: 3, Reason: "no email"}}, Stopped: &badgescan.Stop{Row: 3, Line: 4, Reason: "cut short"}}})
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "scans.csv")
	if err := os.WriteFile(file, []byte("Email\np@x.co\nnot-an-email\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejects.csv")
	var out, errOut bytes.Buffer
	if err := runImport(context.Background(), []string{"--campaign", "show", "--url", srv.URL, "--token", "tok", "--rejects", rejects, file}, &out, &errOut); err == nil {
		t.Fatal("a stopped import ended without an error")
	}
	if !strings.Contains(out.String(), "1 rejected row not listed") || strings.Contains(out.String(), "no row rejected") {
		t.Errorf("summary:\n%s", out.String())
	}
	if _, err := os.Stat(rejects); !os.IsNotExist(err) {
		t.Errorf("rejects file written (stat: %v)", err)
	}
}
