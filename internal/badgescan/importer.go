package badgescan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/qualify"
)

// Importer imports badge-scan files: every row becomes a touch point on a
// lead (created or updated) or a rejection with its row number and reason.
type Importer struct {
	definitions *intake.Definitions
	leads       intake.LeadStore
	workers     int
	log         *slog.Logger
}

// NewImporter returns an importer writing with the given number of
// concurrent workers.
func NewImporter(definitions *intake.Definitions, leads intake.LeadStore, workers int, log *slog.Logger) *Importer {
	return &Importer{definitions: definitions, leads: leads, workers: max(workers, 1), log: log}
}

// Report accounts for every row: RowsRead = LeadsCreated + LeadsUpdated +
// AlreadyImported + len(Rejected).
type Report struct {
	Campaign         string     `json:"campaign"`
	Encoding         string     `json:"encoding"`
	Delimiter        string     `json:"delimiter"`
	Columns          []Column   `json:"columns"`
	IgnoredColumns   []string   `json:"ignoredColumns"`
	RowsRead         int        `json:"rowsRead"`
	LeadsCreated     int        `json:"leadsCreated"`
	LeadsUpdated     int        `json:"leadsUpdated"`
	AlreadyImported  int        `json:"alreadyImported"` // scans an earlier upload recorded
	DuplicatesInFile int        `json:"duplicatesInFile"`
	Rejected         []RowIssue `json:"rejected"`
	// Warnings are values dropped from rows that were imported (an
	// unreadable rating, an unknown country): the row's good data stays.
	Warnings []RowIssue `json:"warnings"`
}

// RowIssue names a row (as a spreadsheet numbers data rows) and what was
// wrong with it.
type RowIssue struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// rowsPerWorkerQueue bounds rows waiting for a worker, which keeps memory
// flat however long the file is.
const rowsPerWorkerQueue = 64

type job struct {
	row   Row
	email string
	sub   *lead.Submission
	warns []RowIssue
}

// Import reads the file and writes every lead. Rows of one person go to one
// worker, in file order, so they never race each other; different people
// are written concurrently.
func (im *Importer) Import(ctx context.Context, campaignID string, file io.Reader, now time.Time) (*Report, error) {
	p, rules, err := im.definitions.Get(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if p.Definition.Status == campaign.StatusPaused {
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s is paused and takes no uploads.", campaignID)
	}
	r, err := NewReader(file)
	if errors.Is(err, ErrEmpty) {
		return nil, leadgate.Invalid("The file is empty.", []leadgate.Problem{{Message: "no header row and no data"}})
	}
	if err != nil {
		return nil, leadgate.Errorf(leadgate.EBADREQUEST, "The file cannot be read as CSV: %v", err)
	}
	m := mapColumns(p.Definition, r.Header())
	if !m.has(lead.FieldEmail) {
		return nil, leadgate.Invalid("The file has no email column.", []leadgate.Problem{{
			Path:    "columns",
			Message: fmt.Sprintf("no column is an email address; the columns are: %s. Name one Email, or map it under intake.columns", strings.Join(r.Header(), ", ")),
		}})
	}
	rep := &Report{
		Campaign: campaignID, Encoding: r.Dialect().Encoding, Delimiter: string(r.Dialect().Delimiter),
		Columns: m.columns, IgnoredColumns: m.ignored(), Rejected: []RowIssue{}, Warnings: []RowIssue{},
	}

	var mu sync.Mutex // guards rep while workers run
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
				outcome, err := im.write(ctx, p.Definition, j, rules, now)
				mu.Lock()
				rep.Warnings = append(rep.Warnings, j.warns...)
				switch {
				case errors.Is(err, lead.ErrErased):
					rep.Rejected = append(rep.Rejected, RowIssue{j.row.Number, j.row.Line, "the person was erased after this scan at their request"})
				case err != nil && leadgate.ErrorCode(err) == leadgate.EINTERNAL:
					cancel(err) // the store failed: stop, do not report rows as done
				case err != nil:
					rep.Rejected = append(rep.Rejected, RowIssue{j.row.Number, j.row.Line, leadgate.ErrorMessage(err)})
				default:
					switch outcome {
					case intake.Created:
						rep.LeadsCreated++
					case intake.Updated:
						rep.LeadsUpdated++
					case intake.Unchanged:
						rep.AlreadyImported++
					}
				}
				mu.Unlock()
			}
		}()
	}

	seen := map[string]bool{} // emails met so far in this file
	var readErr error
	for ctx.Err() == nil {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			mu.Lock()
			rep.RowsRead++
			rep.Rejected = append(rep.Rejected, RowIssue{rowErr.Number, rowErr.Line, "unreadable row: " + rowErr.Err.Error()})
			mu.Unlock()
			continue
		}
		if err != nil {
			readErr = leadgate.Errorf(leadgate.EBADREQUEST, "The file stops being readable CSV near line %d: %v", row.Line, err)
			break
		}
		j, reason := rowJob(p, m, row, now)
		mu.Lock()
		rep.RowsRead++
		if reason != "" {
			rep.Rejected = append(rep.Rejected, RowIssue{row.Number, row.Line, reason})
			mu.Unlock()
			continue
		}
		if seen[j.email] {
			rep.DuplicatesInFile++
		}
		seen[j.email] = true
		mu.Unlock()
		h := fnv.New32a()
		h.Write([]byte(j.email))
		select {
		case queues[h.Sum32()%uint32(len(queues))] <- j:
		case <-ctx.Done():
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return nil, fmt.Errorf("import into %s: %w", campaignID, err)
	}
	if readErr != nil {
		return nil, readErr
	}
	im.log.InfoContext(ctx, "badge scans imported", "campaign", campaignID, "rows", rep.RowsRead, "created", rep.LeadsCreated,
		"updated", rep.LeadsUpdated, "already_imported", rep.AlreadyImported, "rejected", len(rep.Rejected))
	metrics.Count(ctx, im.log, metrics.RejectedRows, len(rep.Rejected), "campaign", campaignID)
	slices.SortFunc(rep.Rejected, func(a, b RowIssue) int { return a.Row - b.Row })
	slices.SortFunc(rep.Warnings, func(a, b RowIssue) int { return a.Row - b.Row })
	return rep, nil
}

func (im *Importer) write(ctx context.Context, d *campaign.Definition, j job, rules *qualify.Rulebook, now time.Time) (intake.Outcome, error) {
	_, outcome, err := intake.Capture(ctx, im.leads, d, rules, j.sub, now)
	return outcome, err
}

// rowJob turns a row into a submission, or says why the row is rejected.
func rowJob(p *campaign.Published, m mapping, row Row, now time.Time) (job, string) {
	d := p.Definition
	j := job{row: row}
	warn := func(format string, args ...any) {
		j.warns = append(j.warns, RowIssue{row.Number, row.Line, fmt.Sprintf(format, args...)})
	}
	rawEmail := strings.TrimSpace(m.value(row.Fields, lead.FieldEmail))
	if rawEmail == "" {
		return j, "no email"
	}
	email, _, problem := intake.NormalizeField(d, lead.FieldEmail, rawEmail)
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
		v, _, problem := intake.NormalizeField(d, f, m.value(row.Fields, f))
		if problem != "" {
			warn("%s dropped: %s", f, problem)
			continue
		}
		if v != "" {
			sub.Fields[f] = v
		}
	}
	if full := m.value(row.Fields, colFullName); full != "" && sub.Fields[lead.FieldFirstName] == "" && sub.Fields[lead.FieldLastName] == "" {
		first, last := SplitName(intake.CleanText(full))
		sub.Fields[lead.FieldFirstName], sub.Fields[lead.FieldLastName] = first, last
	}
	tp := &sub.Touch
	if raw := m.value(row.Fields, colRating); raw != "" {
		if n, ok := Rating(raw); ok {
			tp.Rating = n
		} else {
			warn("rating %q not recognised: want hot/warm/cold, A/B/C, 0–5 stars or n/10", raw)
		}
	}
	scanned := strings.TrimSpace(m.value(row.Fields, colScannedAt))
	if scanned != "" {
		if t, ok := ScanTime(scanned); ok {
			tp.At = t
		} else {
			warn("scan time %q not recognised: the upload time stands in", scanned)
		}
	}
	if notes := intake.CleanText(m.value(row.Fields, colNotes)); notes != "" {
		tp.Notes = notes
		if slices.ContainsFunc(d.Fields.Custom, func(f campaign.Field) bool { return f.Name == colNotes }) {
			sub.Fields[colNotes] = notes
		}
	}
	for _, tag := range strings.FieldsFunc(m.value(row.Fields, colTags), func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if tag = intake.CleanText(tag); tag != "" {
			tp.Tags = append(tp.Tags, tag)
		}
	}
	booth := intake.CleanText(m.value(row.Fields, colBooth))
	if booth != "" {
		tp.Hidden = map[string]string{colBooth: booth}
	}
	tp.ID = scanID(d.ID, email, scanned, booth, row.Fields)
	intake.RecordConsents(d, sub)
	j.sub = sub
	return j, ""
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
