package badgescan

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
)

// IssueStore keeps the full list of an import's rejected rows and
// warnings, which the answer only starts.
type IssueStore interface {
	SaveIssues(ctx context.Context, campaignID, importID string, csvGzip []byte, at time.Time) error
}

// Importer imports badge-scan files: every row becomes a touch point on a
// lead (created or updated) or a rejection with its row number and reason.
type Importer struct {
	definitions *capture.Definitions
	leads       capture.LeadStore
	issues      IssueStore
	workers     int
	log         *slog.Logger
}

// NewImporter returns an importer writing with the given number of
// concurrent workers.
func NewImporter(definitions *capture.Definitions, leads capture.LeadStore, issues IssueStore, workers int, log *slog.Logger) *Importer {
	return &Importer{definitions: definitions, leads: leads, issues: issues, workers: max(workers, 1), log: log}
}

// Options are what an upload may say about its file.
type Options struct {
	// TimeZone is where the file's zone-less times were written (an IANA
	// name); "" takes the campaign's intake.timeZone, else UTC.
	TimeZone string
}

// Bounds on what one upload can make leadgate hold or answer.
const (
	// MaxRows is the most rows one upload imports; `leadgate import`
	// splits bigger files. It bounds the emails held to count duplicates.
	MaxRows = 100_000
	// MaxListed is how many rejected rows, warnings and columns the answer
	// lists; the totals count them all, and IssuesURL has every issue.
	MaxListed = 100
	// maxPendingBytes bounds the rows read but not yet written: a slow
	// table slows the reading instead of filling memory.
	maxPendingBytes = 8 << 20
	// maxTags bounds the tags kept from one scan, and maxTagBytes each tag.
	maxTags, maxTagBytes = 20, 100
	// maxPreambleRows bounds the rows read above a report's table to find
	// its header.
	maxPreambleRows = 30
)

// Report accounts for every row: RowsRead = LeadsCreated + LeadsUpdated +
// AlreadyImported + RejectedTotal + NotImported.
type Report struct {
	Campaign  string `json:"campaign"`
	ImportID  string `json:"importId"`
	Encoding  string `json:"encoding"`
	Delimiter string `json:"delimiter"`
	// TimesWithoutZoneIn says in which time zone the file's times without
	// one (most apps write the show's local time) were read.
	TimesWithoutZoneIn string `json:"timesWithoutZoneIn"`
	// Columns lists the first MaxListed headers and where each went;
	// ColumnsTotal counts them all.
	Columns             []Column `json:"columns"`
	ColumnsTotal        int      `json:"columnsTotal"`
	IgnoredColumns      []string `json:"ignoredColumns"`
	IgnoredColumnsTotal int      `json:"ignoredColumnsTotal"`
	RowsRead            int      `json:"rowsRead"`
	LeadsCreated        int      `json:"leadsCreated"`
	LeadsUpdated        int      `json:"leadsUpdated"`
	AlreadyImported     int      `json:"alreadyImported"` // scans an earlier upload recorded
	DuplicatesInFile    int      `json:"duplicatesInFile"`
	// Rejected lists the first MaxListed rejected rows by row number.
	Rejected      []RowIssue `json:"rejected"`
	RejectedTotal int        `json:"rejectedTotal"`
	// Warnings are values dropped from rows that were imported (an
	// unreadable rating, an unknown country): the row's good data stays.
	Warnings      []RowIssue `json:"warnings"`
	WarningsTotal int        `json:"warningsTotal"`
	// IssuesURL is where every rejected row and warning can be read as
	// CSV, when there are any.
	IssuesURL string `json:"issuesUrl,omitempty"`
	// NotImported counts rows read but not written because the import
	// stopped (Stopped says why). Uploading the file again imports them:
	// what was written is recognised.
	NotImported int `json:"notImported"`
	// Stopped says where and why an import stopped before the file's end.
	Stopped *Stop `json:"stopped,omitempty"`
}

// RowIssue names a row (as a spreadsheet numbers data rows) and what was
// wrong with it.
type RowIssue struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Stop is where an import stopped: the first row it did not read, the line
// the file had reached, and why.
type Stop struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	// Again says the stop was the import's time or the table, not the
	// file: uploading the same file again goes on where it stopped (what
	// was written is recognised). leadgate import does so by itself.
	Again bool `json:"again,omitempty"`
}

// IssuesPath is where an import's issues are served.
func IssuesPath(campaignID, importID string) string {
	return "/v1/campaigns/" + campaignID + "/badge-scans/" + importID + "/issues.csv"
}

// rowsPerWorkerQueue bounds rows waiting for each worker.
const rowsPerWorkerQueue = 64

type job struct {
	row   Row
	email string
	sub   *lead.Submission
	warns []RowIssue
	size  int // bytes held, for the pending budget
}

// Import reads the file and writes every lead. Rows of one person go to one
// worker, in file order, so they never race each other; different people
// are written concurrently.
//
// A file refused before any row is read (no header, no email column) gets
// an error alone. Once rows are read, the report always comes back: with a
// nil error when the file was read to its end, or with the error that
// stopped it and Report.Stopped saying where.
func (im *Importer) Import(ctx context.Context, campaignID string, file io.Reader, opt Options, now time.Time) (*Report, error) {
	p, rules, err := im.definitions.Get(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	zone := cmp.Or(opt.TimeZone, p.Definition.Intake.TimeZone)
	loc, err := time.LoadLocation(cmp.Or(zone, "UTC"))
	if err != nil || zone == "Local" {
		return nil, leadgate.Invalid("The time zone is not one leadgate knows.", []leadgate.Problem{{Path: "timeZone", Message: fmt.Sprintf("%s: want an IANA time zone like Europe/Berlin", lead.Quoted(zone))}})
	}
	if err := capture.Open(p.Definition, capture.When{}); err != nil {
		return nil, err // paused: the whole file waits
	}
	r, err := NewReader(file)
	if errors.Is(err, ErrEmpty) {
		return nil, leadgate.Invalid("The file is empty.", []leadgate.Problem{{Message: "no header row and no data"}})
	}
	if err != nil {
		return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The file cannot be read as CSV: %s", readProblem(err))
	}
	m := mapColumns(p.Definition, r.Header())
	m.delimiter, m.loc = r.Dialect().Delimiter, loc
	// Some exports (a webinar tool's report) put a summary above the
	// table: the header is the first row that names an email column.
	for tries := 0; !m.has(lead.FieldEmail) && tries < maxPreambleRows; tries++ {
		row, err := r.Read()
		if err != nil {
			break
		}
		header := make([]string, len(row.Fields))
		for i, f := range row.Fields {
			header[i] = trimCell(f)
		}
		if next := mapColumns(p.Definition, header); next.has(lead.FieldEmail) {
			r.rebase(header)
			m, m.delimiter, m.loc = next, r.Dialect().Delimiter, loc
		}
	}
	if !m.has(lead.FieldEmail) {
		return nil, leadgate.Invalid("The file has no email column.", []leadgate.Problem{{
			Path:    "columns",
			Message: fmt.Sprintf("no column is an email address; the columns are: %s. Name one Email, or map it under intake.columns", headerList(r.Header())),
		}})
	}
	ignored := append([]string{}, m.ignored()...)
	rep := &Report{
		Campaign: campaignID, ImportID: newImportID(), Encoding: r.Dialect().Encoding, Delimiter: string(r.Dialect().Delimiter),
		Columns: m.columns[:min(len(m.columns), MaxListed)], ColumnsTotal: len(m.columns),
		IgnoredColumns: ignored[:min(len(ignored), MaxListed)], IgnoredColumnsTotal: len(ignored),
		TimesWithoutZoneIn: cmp.Or(zone, "UTC (no time zone stated: set the campaign's intake.timeZone, or ?timeZone= on the upload)"),
		Rejected:           []RowIssue{}, Warnings: []RowIssue{},
	}
	acc := &accounting{rep: rep, issues: newIssueLog()}

	pending := newByteBudget(maxPendingBytes)
	queues := make([]chan job, im.workers)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	for i := range queues {
		queues[i] = make(chan job, rowsPerWorkerQueue)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queues[i] {
				var outcome capture.Outcome
				err := context.Cause(ctx)
				if err == nil {
					_, outcome, err = capture.Capture(ctx, im.leads, p.Definition, rules, j.sub, now)
				}
				pending.give(j.size)
				if err != nil && !errors.Is(err, lead.ErrErased) && leadgate.ErrorCode(err) == leadgate.EINTERNAL {
					cancel(err) // the store failed: stop, and do not report the row as done
					acc.notImported(j)
					continue
				}
				acc.written(j, outcome, err)
			}
		}()
	}

	seen := map[string]bool{} // emails met so far in this file
	var stop error
	var stopAt Stop // where the import stopped: the first row not imported
	for stop == nil {
		stopAt.Row, stopAt.Line = r.Position()
		if err := context.Cause(ctx); err != nil {
			stop = err
			break
		}
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			acc.rejected(RowIssue{rowErr.Number, rowErr.Line, "unreadable row: " + readProblem(rowErr.Err)})
			continue
		}
		if err != nil {
			stop = streamError(err)
			stopAt.Line = r.LineReached()
			break
		}
		if row.Number > MaxRows {
			stop = leadgate.Errorf(leadgate.ETOOLARGE, "An upload takes at most %d rows; split the file (leadgate import does).", MaxRows)
			stopAt.Row, stopAt.Line = row.Number, row.Line
			break
		}
		j, reason := rowJob(p, m, row, now)
		if reason != "" {
			acc.rejected(RowIssue{row.Number, row.Line, reason})
			continue
		}
		if seen[j.email] {
			acc.duplicate()
		}
		seen[j.email] = true
		j.size = rowBytes(row)
		pending.take(j.size)
		h := fnv.New32a()
		h.Write([]byte(j.email))
		queues[h.Sum32()%uint32(len(queues))] <- j
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if stop == nil {
		stop = context.Cause(ctx) // a write failed after the last row was read
		stopAt.Row, stopAt.Line = r.Position()
	}

	if stop != nil {
		stopAt.Reason = stopReason(stop)
		code := leadgate.ErrorCode(stop)
		stopAt.Again = code == leadgate.EINTERNAL || code == leadgate.EUNAVAILABLE
		rep.Stopped = &stopAt
	}
	if rep.RejectedTotal+rep.WarningsTotal > 0 && ctx.Err() == nil {
		if err := im.issues.SaveIssues(ctx, campaignID, rep.ImportID, acc.issues.close(), now); err != nil {
			im.log.WarnContext(ctx, "save import issues", "campaign", campaignID, "import", rep.ImportID, "error", err)
		} else {
			rep.IssuesURL = IssuesPath(campaignID, rep.ImportID)
		}
	}
	im.log.InfoContext(ctx, "badge scans imported", "campaign", campaignID, "import", rep.ImportID, "rows", rep.RowsRead, "created", rep.LeadsCreated,
		"updated", rep.LeadsUpdated, "already_imported", rep.AlreadyImported, "rejected", rep.RejectedTotal, "not_imported", rep.NotImported,
		"stopped", rep.Stopped != nil)
	metrics.Count(ctx, im.log, metrics.RejectedRows, rep.RejectedTotal, "campaign", campaignID)
	if stop != nil {
		return rep, stopError(stop)
	}
	return rep, nil
}

// accounting adds each row's outcome to the report; workers and the reader
// share it.
type accounting struct {
	mu     sync.Mutex
	rep    *Report
	issues *issueLog
}

func (a *accounting) written(j job, outcome capture.Outcome, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rep.RowsRead++
	for _, w := range j.warns {
		a.rep.WarningsTotal++
		a.rep.Warnings = listed(a.rep.Warnings, w)
		a.issues.add("warning", w)
	}
	switch {
	case errors.Is(err, lead.ErrErased):
		a.reject(RowIssue{j.row.Number, j.row.Line, "the person was erased after this scan at their request"})
	case err != nil:
		a.reject(RowIssue{j.row.Number, j.row.Line, leadgate.ErrorMessage(err)})
	case outcome == capture.Created:
		a.rep.LeadsCreated++
	case outcome == capture.Updated:
		a.rep.LeadsUpdated++
	default:
		a.rep.AlreadyImported++
	}
}

func (a *accounting) rejected(x RowIssue) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rep.RowsRead++
	a.reject(x)
}

func (a *accounting) reject(x RowIssue) {
	a.rep.RejectedTotal++
	a.rep.Rejected = listed(a.rep.Rejected, x)
	a.issues.add("rejected", x)
}

func (a *accounting) notImported(j job) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rep.RowsRead++
	a.rep.NotImported++
}

func (a *accounting) duplicate() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rep.DuplicatesInFile++
}

// listed keeps the MaxListed issues with the lowest row numbers.
func listed(list []RowIssue, x RowIssue) []RowIssue {
	i, _ := slices.BinarySearchFunc(list, x, byRow)
	if i >= MaxListed {
		return list
	}
	list = slices.Insert(list, i, x)
	if len(list) > MaxListed {
		list = list[:MaxListed]
	}
	return list
}

func byRow(a, b RowIssue) int { return a.Row - b.Row }

// streamError turns the reader's failure into what the uploader is told:
// the file is cut short, damaged, or too big.
func streamError(err error) error {
	if leadgate.ErrorCode(err) != leadgate.EINTERNAL {
		return err // the upload's own limits say what they are
	}
	return leadgate.Errorf(leadgate.EBADREQUEST, "The file stops being readable: %s.", readProblem(err))
}

// stopReason says in a sentence why an import stopped.
func stopReason(err error) string {
	switch {
	case leadgate.ErrorCode(err) != leadgate.EINTERNAL:
		return leadgate.ErrorMessage(err)
	case errors.Is(err, context.DeadlineExceeded):
		return "the import ran out of time; upload the file again (what was written is recognised), or split it"
	}
	return "the leads could not be written; upload the file again: what was written is recognised"
}

// stopError is the error an import that stopped answers with.
func stopError(err error) error {
	if leadgate.ErrorCode(err) != leadgate.EINTERNAL {
		return err
	}
	return fmt.Errorf("import stopped: %w", err)
}

// headerList names a file's columns for a message, the first few only,
// each cut short.
func headerList(header []string) string {
	const show = 20
	names := make([]string, 0, show)
	for _, h := range header[:min(len(header), show)] {
		names = append(names, shortHeader(h))
	}
	if len(header) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names, ", "), len(header)-show)
}

// shortHeader cuts a header for an answer: a header can be a megabyte.
func shortHeader(h string) string {
	const max = 60
	if len(h) <= max {
		return h
	}
	return lead.CleanText(h[:max]) + "…"
}

func rowBytes(r Row) int {
	n := 64
	for _, f := range r.Fields {
		n += len(f) + 16
	}
	return n
}

func newImportID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return "im_" + hex.EncodeToString(b[:])
}

// ValidImportID reports whether id is shaped like the ids imports get.
func ValidImportID(id string) bool {
	rest, ok := strings.CutPrefix(id, "im_")
	if !ok || len(rest) != 20 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// rowJob turns a row into a submission, or says why the row is rejected.
func rowJob(p *campaign.Published, m mapping, row Row, now time.Time) (job, string) {
	d := p.Definition
	j := job{row: row}
	warn := func(format string, args ...any) {
		j.warns = append(j.warns, RowIssue{row.Number, row.Line, fmt.Sprintf(format, args...)})
	}
	if n := swallowedRows(row.Fields, m.delimiter, len(m.columns)); n > 0 {
		return j, fmt.Sprintf("a quoted cell in this row runs on over %d line(s) that look like rows of their own: a quote is not closed; close it and upload the file again", n)
	}
	rawEmail := strings.TrimSpace(m.value(row.Fields, lead.FieldEmail))
	if rawEmail == "" {
		return j, "no email"
	}
	email, _, problem := capture.NormalizeField(d, lead.FieldEmail, rawEmail)
	if problem != "" {
		return j, "invalid email: " + problem
	}
	j.email = email
	sub := &lead.Submission{
		Fields: map[string]string{lead.FieldEmail: email},
		Touch:  lead.TouchPoint{Type: d.Intake.TouchPoint, At: now, ReceivedAt: now, Campaign: d.ID, Version: p.Version, Source: lead.SourceBadgeScan},
	}
	for _, f := range m.fields() {
		if f == lead.FieldEmail {
			continue
		}
		v, cut, problem := capture.NormalizeField(d, f, m.value(row.Fields, f))
		if problem != "" {
			warn("%s dropped: %s", f, problem)
			continue
		}
		if cut {
			warn("%s cut to the length leadgate keeps", f)
		}
		if v != "" {
			sub.Fields[f] = v
		}
	}
	if full := m.value(row.Fields, colFullName); full != "" && sub.Fields[lead.FieldFirstName] == "" && sub.Fields[lead.FieldLastName] == "" {
		first, last := SplitName(lead.CleanText(full))
		sub.Fields[lead.FieldFirstName], sub.Fields[lead.FieldLastName] = first, last
	}
	tp := &sub.Touch
	if raw := m.value(row.Fields, colRating); raw != "" {
		if n, ok := Rating(raw); ok {
			tp.Rating = n
		} else {
			warn("rating %s not recognised: want hot/warm/cold, A/B/C, 0–5 stars or n/10", quote(raw))
		}
	}
	if isWebinarList(d) {
		if problem := webinarRow(m, row, tp); problem != "" {
			return j, problem
		}
	}
	scanned := strings.TrimSpace(m.value(row.Fields, colScannedAt))
	if isWebinarList(d) {
		scanned = webinarTime(m, row, tp.Type)
	}
	when := capture.When{At: now} // a scan that states no time is not held to the dates
	if scanned != "" {
		if t, ok := ScanTimeIn(scanned, m.loc); ok {
			tp.At = t
			when = capture.When{At: t, Stated: true}
			if doubt := doubtfulScanTime(d, t, now); doubt != "" {
				when.Stated = false
				tp.DoubtfulTime = true
				warn("scan time %s %s: kept, but it counts as the upload time", quote(scanned), doubt)
			}
		} else {
			warn("scan time %s not recognised: the upload time stands in", quote(scanned))
		}
	}
	if isWebinarList(d) && tp.Type != lead.TouchWebinarAttended {
		// A registration comes before the webinar it is for, and a no-show
		// has no time of its own: only attending is held to the dates.
		when.Stated = false
	}
	if notes, cut := lead.CleanTextCut(m.value(row.Fields, colNotes)); notes != "" {
		if cut {
			warn("notes cut to the length leadgate keeps")
		}
		tp.Notes = notes
		if slices.ContainsFunc(d.Fields.Custom, func(f campaign.Field) bool { return f.Name == colNotes }) {
			sub.Fields[colNotes] = notes
		}
	}
	for _, tag := range strings.FieldsFunc(m.value(row.Fields, colTags), func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if tag = lead.CleanText(tag); tag == "" {
			continue
		}
		if len(tp.Tags) == maxTags {
			warn("more than %d tags: the rest were dropped", maxTags)
			break
		}
		if len(tag) > maxTagBytes {
			tag = lead.CleanText(tag[:maxTagBytes])
		}
		tp.Tags = append(tp.Tags, tag)
	}
	booth := lead.CleanText(m.value(row.Fields, colBooth))
	if booth != "" {
		tp.Hidden = map[string]string{colBooth: booth}
	}
	if err := capture.Open(d, when); err != nil {
		return j, "outside the campaign's dates: " + leadgate.ErrorMessage(err)
	}
	scanKey := scanned
	if isWebinarList(d) {
		// One registration, attendance or no-show per person and day:
		// registered, then attended, are two touch points, but an attendee
		// who rejoined three times attended once.
		day := scanned
		if t, ok := ScanTimeIn(scanned, m.loc); ok {
			day = t.In(m.loc).Format(time.DateOnly)
		}
		scanKey = tp.Type + "@" + day
	}
	tp.ID = scanID(d.ID, email, scanKey, booth, row.Fields)
	capture.RecordConsents(d, sub)
	j.sub = sub
	return j, ""
}

// isWebinarList reports whether the campaign's files are webinar attendee
// lists: its touch point is a webinar's.
func isWebinarList(d *campaign.Definition) bool {
	switch d.Intake.TouchPoint {
	case lead.TouchWebinarRegistered, lead.TouchWebinarAttended, lead.TouchWebinarMissed:
		return true
	}
	return false
}

// webinarRow sets what a row of an attendee list is: attended, missed (the
// list says the person did not attend), or registered (the list says
// nothing of attendance), with the minutes in session.
func webinarRow(m mapping, row Row, tp *lead.TouchPoint) string {
	tp.Type = lead.TouchWebinarRegistered
	joined := strings.Trim(strings.TrimSpace(m.value(row.Fields, colJoinedAt)), "-")
	if m.has(colAttended) {
		switch strings.ToLower(strings.TrimSpace(m.value(row.Fields, colAttended))) {
		case "yes", "y", "true", "1", "attended", "x":
			tp.Type = lead.TouchWebinarAttended
		case "":
			// Left blank: a join time says the person was there.
			tp.Type = lead.TouchWebinarMissed
			if joined != "" {
				tp.Type = lead.TouchWebinarAttended
			}
		case "no", "n", "false", "0", "did not attend", "absent":
			tp.Type = lead.TouchWebinarMissed
		default:
			return fmt.Sprintf("attended %s: want yes or no", quote(m.value(row.Fields, colAttended)))
		}
	}
	minutes := strings.TrimSpace(m.value(row.Fields, colMinutes))
	if _, err := strconv.ParseFloat(minutes, 64); err == nil && tp.Type == lead.TouchWebinarAttended {
		tp.Detail = map[string]string{"minutes": lead.Clean(minutes, 20)}
	}
	return ""
}

// webinarTime is when a row of an attendee list happened: the join time of
// an attendee, else the registration time, else a scan-time column.
func webinarTime(m mapping, row Row, typ string) string {
	for _, col := range []string{colJoinedAt, colRegisteredAt, colScannedAt} {
		if col == colJoinedAt && typ != lead.TouchWebinarAttended {
			continue
		}
		if v := strings.TrimSpace(m.value(row.Fields, col)); v != "" {
			return v
		}
	}
	return ""
}

// swallowedRows counts the lines inside the row's cells that look like rows
// of the file: enough delimiters, and a cell that is an email address. A
// quote left open makes the reader take the rows after it as one cell's
// text; a multi-line note reads as prose, not as rows.
func swallowedRows(cells []string, delim rune, columns int) int {
	n := 0
	for _, c := range cells {
		lines := strings.Split(c, "\n")
		for _, l := range lines[1:] {
			parts := strings.Split(l, string(delim))
			if len(parts)-1 < max(1, (columns-1)*2/3) {
				continue
			}
			if slices.ContainsFunc(parts, looksLikeEmail) {
				n++
			}
		}
	}
	return n
}

func looksLikeEmail(s string) bool {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " \t")
}

// doubtfulScanTime says why a scan time cannot be taken at its word: a
// day or more after the upload, or over a year before the campaign starts.
// "" when it can.
func doubtfulScanTime(d *campaign.Definition, t, uploaded time.Time) string {
	switch {
	case t.After(uploaded.Add(24 * time.Hour)):
		return "lies in the future"
	case d.Starts != nil && t.Before(d.Starts.AddDate(-1, 0, 0)):
		return "is more than a year before the campaign starts"
	}
	return ""
}

// quote quotes a cell for a message, cut short.
func quote(s string) string {
	const max = 60
	if len(s) > max {
		return fmt.Sprintf("%q…", lead.CleanText(s[:max]))
	}
	return fmt.Sprintf("%q", s)
}

// scanID names a scan so that uploading a file twice, or a file that
// overlaps an earlier one, records each scan once: by its scan time and
// device when the app exports them, else by the row's content.
func scanID(campaignID, email, scanned, booth string, cells []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", campaignID, email)
	if scanned != "" {
		fmt.Fprintf(h, "at\x00%s\x00%s", scanned, booth)
	} else {
		for _, c := range cells {
			fmt.Fprintf(h, "%s\x00", strings.TrimSpace(c))
		}
	}
	return "tp_" + hex.EncodeToString(h.Sum(nil)[:12])
}
