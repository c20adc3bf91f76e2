package main

import (
	"bytes"
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
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/safecsv"
)

// chunkLimit is how much CSV goes in one request before gzip. Export text
// compresses about 5:1, so a chunk stays well under the 4 MB an upload may
// carry; most shows' files fit in one. A variable so tests can force parts.
var chunkLimit = 12 << 20

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
	base := fs.String("url", "", "API base URL (default $LEADGATE_URL, else "+defaultAPIURL+")")
	token := fs.String("token", "", "bearer token (default $LEADGATE_TOKEN)")
	rejects := fs.String("rejects", "", "write rejected rows and their reasons to this CSV file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *campaignID == "" || fs.NArg() != 1 {
		return errors.New("usage: leadgate import --campaign ID FILE.csv")
	}
	client, err := newAPIClient(firstNonEmpty(*base, os.Getenv("LEADGATE_URL"), defaultAPIURL), firstNonEmpty(*token, os.Getenv("LEADGATE_TOKEN")))
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
	chunks, err := splitCSV(&countingReader{r: f, n: &bar.read}, chunkLimit)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var total importReport
	for i, ch := range chunks {
		bar.draw(fmt.Sprintf("part %d/%d", i+1, len(chunks)))
		rep, err := client.uploadScans(ctx, *campaignID, ch.body)
		if err != nil {
			bar.done()
			return err
		}
		merge(&total, rep, ch)
	}
	bar.read = bar.total
	bar.draw("done")
	bar.done()
	printSummary(stdout, path, &total, len(chunks))
	if *rejects != "" {
		if err := writeRejects(*rejects, &total); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rejected rows written to %s\n", *rejects)
	}
	return nil
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
func splitCSV(r io.Reader, limit int) ([]chunk, error) {
	rd, err := badgescan.NewReader(r)
	if err != nil {
		return nil, err
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
			return nil, err
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
		if buf.Len() >= limit {
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
	return chunks, nil
}

func (c *apiClient) uploadScans(ctx context.Context, campaignID string, csvBody []byte) (*importReport, error) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(csvBody)
	_ = zw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/campaigns/"+url.PathEscape(campaignID)+"/badge-scans", &gz)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("HTTP %s: reading the reply: %w", resp.Status, err)
	}
	if resp.StatusCode >= 400 {
		return nil, c.replyError(resp, body)
	}
	var rep importReport
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("HTTP %s: the reply is not an import report (is --url the leadgate API?): %w", resp.Status, err)
	}
	return &rep, nil
}

// merge adds a chunk's report to the total, mapping its row numbers back to
// the file's.
func merge(total, rep *importReport, ch chunk) {
	if total.Campaign == "" {
		*total = importReport{Campaign: rep.Campaign, Columns: rep.Columns, IgnoredColumns: rep.IgnoredColumns,
			Rejected: []badgescan.RowIssue{}, Warnings: []badgescan.RowIssue{}}
	}
	total.RowsRead += rep.RowsRead
	total.LeadsCreated += rep.LeadsCreated
	total.LeadsUpdated += rep.LeadsUpdated
	total.AlreadyImported += rep.AlreadyImported
	total.DuplicatesInFile += rep.DuplicatesInFile
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
		to := c.Field
		if to == "" {
			to = "(ignored)"
		}
		fmt.Fprintf(w, "  column %-32q → %s\n", c.Header, to)
	}
	fmt.Fprintf(w, "rows read          %6d\n", r.RowsRead)
	fmt.Fprintf(w, "leads created      %6d\n", r.LeadsCreated)
	fmt.Fprintf(w, "leads updated      %6d\n", r.LeadsUpdated)
	fmt.Fprintf(w, "already imported   %6d\n", r.AlreadyImported)
	fmt.Fprintf(w, "rows rejected      %6d\n", len(r.Rejected))
	fmt.Fprintf(w, "duplicates in file %6d\n", r.DuplicatesInFile)
	for i, x := range r.Rejected {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more (--rejects FILE lists them all)\n", len(r.Rejected)-20)
			break
		}
		fmt.Fprintf(w, "  row %d (line %d): %s\n", x.Row, x.Line, x.Reason)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "warnings           %6d (values dropped from imported rows)\n", len(r.Warnings))
		for i, x := range r.Warnings {
			if i == 10 {
				fmt.Fprintf(w, "  … and %d more\n", len(r.Warnings)-10)
				break
			}
			fmt.Fprintf(w, "  row %d (line %d): %s\n", x.Row, x.Line, x.Reason)
		}
	}
}

// writeRejects writes the rejected rows as CSV, formula-safe: a reason may
// quote a cell a spreadsheet would otherwise run.
func writeRejects(path string, r *importReport) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := safecsv.NewWriter(f)
	_ = w.Write([]string{"row", "line", "reason"})
	for _, x := range r.Rejected {
		_ = w.Write([]string{fmt.Sprint(x.Row), fmt.Sprint(x.Line), x.Reason})
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

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
