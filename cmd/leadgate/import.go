package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/safecsv"
)

// chunkLimit is how much CSV goes in one request before gzip: about 2,800
// rows of a typical export, which import in a few seconds on AWS and in
// under 10 on a laptop's DynamoDB Local; the function stops at its 29 s
// (API Gateway answers 503 at 30). A 100,000-row show is 36 requests, one
// after another. A variable so tests can force parts.
var chunkLimit = 512 << 10

// importTimeout covers one chunk's upload and import.
const importTimeout = 5 * time.Minute

// importReport mirrors the upload answer (badgescan.Report).
type importReport = badgescan.Report

// runImport implements `leadgate import --campaign ID [--url URL] [--token T]
// [--rejects FILE] FILE.csv` uploads a badge-scan export with a progress bar
// and prints a summary that accounts for every row.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	campaignID := fs.String("campaign", "", "campaign the scans belong to (required)")
	newClient := clientFlags(fs)
	rejects := fs.String("rejects", "", "write the rejected rows, with their reasons, to this CSV file (to fix and import again)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 && strings.HasPrefix(fs.Arg(1), "-") {
		return fmt.Errorf("flags go before the file: leadgate import --campaign ID [flags] %s", fs.Arg(0))
	}
	if *campaignID == "" || fs.NArg() != 1 {
		return errors.New("usage: leadgate import --campaign ID [--rejects FILE] FILE.csv")
	}
	client, err := newClient()
	if err != nil {
		return err
	}
	client.http.Timeout = importTimeout
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	bar := &progress{w: stderr, total: info.Size()}
	header, chunks, err := splitCSV(&countingReader{r: f, n: &bar.read}, chunkLimit)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var total importReport
	var stopped error
	var parts []part
	for i, ch := range chunks {
		bar.draw(fmt.Sprintf("part %d/%d", i+1, len(chunks)))
		rep, err := client.uploadScans(ctx, *campaignID, ch.body)
		// A part stopped by its time or the table, not by the file, goes
		// again while each try writes something: what was written is
		// recognised, so the rest is written.
		for try, last := 1, rep; err != nil && goesOn(last) && try <= maxResends; try++ {
			bar.draw(fmt.Sprintf("part %d/%d again (%d written, stopped: %s)", i+1, len(chunks), last.LeadsCreated+last.LeadsUpdated, last.Stopped.Reason))
			last, err = client.uploadScans(ctx, *campaignID, ch.body)
			rep = resumed(rep, last)
		}
		if rep != nil {
			merge(&total, rep, ch)
			parts = append(parts, part{chunk: ch, issuesURL: rep.IssuesURL, rejected: rep.RejectedTotal})
		}
		if err != nil {
			if rep == nil {
				bar.done()
				return err
			}
			stopped = err // rows were written: say which, then the error
			break
		}
	}
	bar.read = bar.total
	bar.draw("done")
	bar.done()
	printSummary(stdout, path, &total, len(chunks))
	if *rejects != "" {
		n, err := client.writeRejects(ctx, *rejects, header, parts)
		switch {
		case err != nil:
			return errors.Join(fmt.Errorf("writing %s: %w", *rejects, err), stopped)
		case n == 0 && total.RejectedTotal > 0:
			// A part that stopped keeps no issue list to read back.
			fmt.Fprintf(stdout, "%s not listed (the import stopped before keeping them); %s not written: import the file again to list them\n",
				plural(total.RejectedTotal, "rejected row"), *rejects)
		case n == 0:
			fmt.Fprintf(stdout, "no row rejected; %s not written\n", *rejects)
		default:
			fmt.Fprintf(stdout, "%s written to %s: fix them there and import that file\n", plural(n, "rejected row"), *rejects)
		}
	}
	if stopped == nil && total.RejectedTotal > 0 {
		return &exitStatus{2, plural(total.RejectedTotal, "row") + " rejected"}
	}
	return stopped
}

// maxResends bounds how often one part is sent again after a stop that
// says to (badgescan.Stop.Again).
const maxResends = 3

// goesOn says a part whose last try stopped is worth sending again: the
// stop was its time or the table, and that try wrote something, so the
// part is getting through.
func goesOn(rep *importReport) bool {
	return rep != nil && rep.Stopped != nil && rep.Stopped.Again && rep.LeadsCreated+rep.LeadsUpdated > 0
}

// resumed is a part's report after it was sent again: the rows the earlier
// tries wrote count as created or updated, not as already imported, where
// the new try met them again; everything else (rows read, issues, where it
// stopped) is the new try's. A try that answered nothing, or stopped
// having written nothing, leaves the report as it was: the table is as the
// earlier tries left it, and their report says so.
//
// A new try that stopped may not have met every row the earlier tries
// wrote: such a row was queued when it stopped (one of its NotImported) or
// never read. It is counted once, as written: out of NotImported, and
// into RowsRead when the new try did not read it.
func resumed(before, again *importReport) *importReport {
	if again == nil || again.Stopped != nil && again.LeadsCreated+again.LeadsUpdated == 0 {
		return before
	}
	r := *again
	written := before.LeadsCreated + before.LeadsUpdated
	met := min(written, again.AlreadyImported)
	unmet := written - met
	queued := min(unmet, again.NotImported)
	r.LeadsCreated += before.LeadsCreated
	r.LeadsUpdated += before.LeadsUpdated
	r.AlreadyImported -= met
	r.NotImported -= queued
	r.RowsRead += unmet - queued
	return &r
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// part is a chunk as sent, and where its issues can be read.
type part struct {
	chunk
	issuesURL string
	rejected  int
}

// chunk is part of the file re-written as UTF-8 CSV, with the file's own row
// numbers and lines so the report points into the file the user has.
type chunk struct {
	body    []byte
	numbers []int // chunk row i (1-based) is file row numbers[i-1]
	lines   []int
}

// splitCSV reads the export in any dialect and cuts it into chunks of about
// limit bytes at row boundaries, each with the header. A file that fits is
// one chunk.
func splitCSV(r io.Reader, limit int) ([]string, []chunk, error) {
	rd, err := badgescan.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	var chunks []chunk
	var cur *chunk
	var buf bytes.Buffer
	var w *csv.Writer
	flush := func() {
		if cur != nil {
			w.Flush()
			cur.body = bytes.Clone(buf.Bytes())
			chunks = append(chunks, *cur)
			cur = nil
		}
	}
	for {
		row, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *badgescan.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return nil, nil, err
		}
		if cur == nil {
			buf.Reset()
			w = csv.NewWriter(&buf)
			_ = w.Write(rd.Header())
			cur = &chunk{}
		}
		if rowErr != nil {
			// Keep the row's place so the server reports it; it is blank.
			row = badgescan.Row{Number: rowErr.Number, Line: rowErr.Line}
		}
		_ = w.Write(row.Fields)
		cur.numbers = append(cur.numbers, row.Number)
		cur.lines = append(cur.lines, row.Line)
		w.Flush()
		if buf.Len() >= limit || len(cur.numbers) >= badgescan.MaxRows {
			flush()
		}
	}
	flush()
	if len(chunks) == 0 { // header only: let the server say what it makes of it
		buf.Reset()
		w = csv.NewWriter(&buf)
		_ = w.Write(rd.Header())
		w.Flush()
		chunks = append(chunks, chunk{body: buf.Bytes()})
	}
	return rd.Header(), chunks, nil
}

// uploadScans sends one chunk gzip-compressed. An upload that stopped
// midway answers with the report of what it wrote, returned with the error.
func (c *apiClient) uploadScans(ctx context.Context, campaignID string, csvBody []byte) (*importReport, error) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(csvBody)
	_ = zw.Close()
	var rep importReport
	r, err := c.json(ctx, request{method: http.MethodPost, path: "/v1/campaigns/" + url.PathEscape(campaignID) + "/badge-scans", body: gz.Bytes(),
		header: map[string]string{"Content-Type": "text/csv; charset=utf-8", "Content-Encoding": "gzip"}, limit: 64 << 20}, "an import report", &rep)
	if err != nil {
		if r == nil {
			return nil, err
		}
		var partial struct {
			Report *importReport `json:"report"`
		}
		_ = json.Unmarshal(r.body, &partial)
		return partial.Report, err
	}
	return &rep, nil
}

// merge adds a chunk's report to the total, mapping its row numbers back to
// the file's.
func merge(total, rep *importReport, ch chunk) {
	if total.Campaign == "" {
		*total = importReport{Campaign: rep.Campaign, Columns: rep.Columns, IgnoredColumns: rep.IgnoredColumns, TimesWithoutZoneIn: rep.TimesWithoutZoneIn,
			Rejected: []badgescan.RowIssue{}, Warnings: []badgescan.RowIssue{}}
	}
	total.RowsRead += rep.RowsRead
	total.LeadsCreated += rep.LeadsCreated
	total.LeadsUpdated += rep.LeadsUpdated
	total.AlreadyImported += rep.AlreadyImported
	total.DuplicatesInFile += rep.DuplicatesInFile
	total.RejectedTotal += rep.RejectedTotal
	total.WarningsTotal += rep.WarningsTotal
	total.NotImported += rep.NotImported
	if rep.Stopped != nil {
		st := *rep.Stopped
		if n := st.Row; n >= 1 && n <= len(ch.numbers) {
			st.Row, st.Line = ch.numbers[n-1], ch.lines[n-1]
		}
		total.Stopped = &st
	}
	back := func(issues []badgescan.RowIssue) []badgescan.RowIssue {
		for i := range issues {
			if n := issues[i].Row; n >= 1 && n <= len(ch.numbers) {
				issues[i].Row, issues[i].Line = ch.numbers[n-1], ch.lines[n-1]
			}
		}
		return issues
	}
	total.Rejected = append(total.Rejected, back(rep.Rejected)...)
	total.Warnings = append(total.Warnings, back(rep.Warnings)...)
}

func printSummary(w io.Writer, path string, r *importReport, parts int) {
	fmt.Fprintf(w, "%s → campaign/%s", path, r.Campaign)
	if parts > 1 {
		fmt.Fprintf(w, " (in %d parts; duplicates are counted within each part)", parts)
	}
	fmt.Fprintln(w)
	for _, c := range r.Columns {
		to := cmp.Or(c.Field, "(ignored)")
		fmt.Fprintf(w, "  column %-32q → %s\n", c.Header, to)
	}
	if r.TimesWithoutZoneIn != "" {
		fmt.Fprintf(w, "  times without a zone read in %s\n", r.TimesWithoutZoneIn)
	}
	fmt.Fprintf(w, "rows read          %6d\n", r.RowsRead)
	fmt.Fprintf(w, "leads created      %6d\n", r.LeadsCreated)
	fmt.Fprintf(w, "leads updated      %6d\n", r.LeadsUpdated)
	fmt.Fprintf(w, "already imported   %6d\n", r.AlreadyImported)
	fmt.Fprintf(w, "rows rejected      %6d\n", r.RejectedTotal)
	fmt.Fprintf(w, "duplicates in file %6d\n", r.DuplicatesInFile)
	for i, x := range r.Rejected {
		if i == 20 {
			break
		}
		fmt.Fprintf(w, "  row %d (line %d): %s\n", x.Row, x.Line, x.Reason)
	}
	if more := r.RejectedTotal - min(len(r.Rejected), 20); more > 0 {
		fmt.Fprintf(w, "  … and %d more (--rejects FILE lists them all)\n", more)
	}
	if r.WarningsTotal > 0 {
		fmt.Fprintf(w, "warnings           %6d (values dropped from imported rows)\n", r.WarningsTotal)
		for i, x := range r.Warnings {
			if i == 10 {
				break
			}
			fmt.Fprintf(w, "  row %d (line %d): %s\n", x.Row, x.Line, x.Reason)
		}
		if more := r.WarningsTotal - min(len(r.Warnings), 10); more > 0 {
			fmt.Fprintf(w, "  … and %d more\n", more)
		}
	}
	if r.Stopped != nil {
		fmt.Fprintf(w, "not imported       %6d\n", r.NotImported)
		fmt.Fprintf(w, "STOPPED at row %d (line %d): %s\n", r.Stopped.Row, r.Stopped.Line, r.Stopped.Reason)
	}
}

// writeRejects writes every rejected row of every part as the user sent it,
// with the file's row and line and the reason in three columns after the
// file's own, so ops staff can fix the rows in a spreadsheet and upload the
// file again (the three extra columns are ignored then). The CSV is
// spreadsheet-safe: a badge app's cell may hold a formula. Nothing is
// written when no row was rejected; the answer says whether it wrote.
func (c *apiClient) writeRejects(ctx context.Context, path string, header []string, parts []part) (int, error) {
	var rows [][]string
	for _, p := range parts {
		if p.issuesURL == "" || p.rejected == 0 {
			continue
		}
		issues, err := c.issues(ctx, p.issuesURL)
		if err != nil {
			return 0, err
		}
		sent, err := csv.NewReader(bytes.NewReader(p.body)).ReadAll()
		if err != nil {
			return 0, fmt.Errorf("re-read part of the file: %w", err)
		}
		for _, x := range issues {
			if x.kind != "rejected" || x.Row < 1 || x.Row >= len(sent) || x.Row > len(p.numbers) {
				continue
			}
			fields := make([]string, len(header), len(header)+3)
			copy(fields, sent[x.Row])
			rows = append(rows, append(fields, strconv.Itoa(p.numbers[x.Row-1]), strconv.Itoa(p.lines[x.Row-1]), x.Reason))
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := safecsv.NewWriter(f)
	_ = w.Write(append(slices.Clone(header), "leadgate row", "leadgate line", "leadgate reason"))
	for _, row := range rows {
		_ = w.Write(row)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return len(rows), f.Close()
}

type issue struct {
	badgescan.RowIssue
	kind string
}

// issues reads an import's issue list (the transport undoes its gzip).
func (c *apiClient) issues(ctx context.Context, path string) ([]issue, error) {
	rep, err := c.do(ctx, request{method: http.MethodGet, path: path, header: map[string]string{"Accept": "text/csv"}, limit: maxIssuesBytes})
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(rep.body))
	r.FieldsPerRecord = 4
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read the issue list %s: %w", path, err)
	}
	var out []issue
	for _, row := range rows[min(1, len(rows)):] {
		n, _ := strconv.Atoi(row[0])
		l, _ := strconv.Atoi(row[1])
		out = append(out, issue{RowIssue: badgescan.RowIssue{Row: n, Line: l, Reason: row[3]}, kind: row[2]})
	}
	return out, nil
}

// maxIssuesBytes bounds an issue list as read: the server keeps at most
// 1 MiB of it gzip-compressed, which CSV of reasons does not expand 64
// times past.
const maxIssuesBytes = 64 << 20

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// progress draws a one-line bar on a terminal (or a line per step
// elsewhere, so CI logs stay readable).
type progress struct {
	w     io.Writer
	total int64
	read  int64
}

func (p *progress) draw(state string) {
	pct := 100
	if p.total > 0 {
		pct = int(p.read * 100 / p.total)
	}
	const width = 30
	bar := strings.Repeat("█", pct*width/100) + strings.Repeat("░", width-pct*width/100)
	if isTerminal(p.w) {
		fmt.Fprintf(p.w, "\r%s %3d%%  %s ", bar, pct, state)
		return
	}
	fmt.Fprintf(p.w, "%s %3d%%  %s\n", bar, pct, state)
}

func (p *progress) done() {
	if isTerminal(p.w) {
		fmt.Fprintln(p.w)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
