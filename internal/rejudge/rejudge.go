// Package rejudge re-judges a campaign's open leads under a version
// published with mode rejudge: every lead not in sales' hands and not
// disqualified by sales is judged again now, and one whose stage changes is
// written through the store's one way of changing a lead, so the stream
// routes a new MQL to sales as it would any other. A lead judged into the
// stage it already has is not written at all: no history entry, no stream
// record, no message.
//
// A job reads the campaign's index in Segments slices side by side, a page
// of PageSize leads per task; each task hands the next page on as a new
// task. Progress is kept per slice with a condition on the page number, so
// a task delivered twice counts once and a re-run of a whole job changes
// nothing.
package rejudge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/qualify"
)

// Schema names the version of Task on the queue.
const Schema = "leadgate.rejudge.v1"

// Segments is how many slices of the index a job reads side by side, and
// PageSize how many leads one task reads. With the queue consumer's
// concurrency capped (template.yaml: MaximumConcurrency 2), a job writes
// at most two pages' worth of changed leads at a time, however large the
// campaign: it cannot take the table's write capacity from intake.
const (
	Segments = 4
	PageSize = 100
)

// Kinds of task and job.
const (
	// KindRejudge re-judges open leads under a new version: a lead is
	// written when its stage changes.
	KindRejudge = "rejudge"
	// KindDecay refreshes verdicts gone stale as scores decay: a lead is
	// written when its stage changes or its score crossed the threshold.
	KindDecay = "decay"
	// KindSweep is the schedule's task: start a decay job for every active
	// campaign whose points decay.
	KindSweep = "sweep"
)

// Task is one page of one slice of a job, or the schedule's sweep.
type Task struct {
	Schema   string `json:"schema"`
	Kind     string `json:"kind,omitempty"` // "" is KindRejudge
	Campaign string `json:"campaign"`
	Version  int    `json:"version"`
	Job      string `json:"job"`
	Segment  int    `json:"segment"`
	// From and To bound the slice of the index (its updatedAt), inclusive;
	// Cursor is where the page starts, "" for the slice's first.
	From   string `json:"from"`
	To     string `json:"to"`
	Cursor string `json:"cursor,omitempty"`
	// Page counts the slice's pages done before this one.
	Page int `json:"page"`
}

// Counts are what a job did.
type Counts struct {
	Done    int `json:"done"`    // leads read and judged
	Changed int `json:"changed"` // leads whose stage changed
	Errors  int `json:"errors"`  // leads that could not be judged or written
}

// ValidJobID reports whether id can name a job: j and a number from 1, at
// most nine digits (j1, j12).
func ValidJobID(id string) bool { return campaign.ValidSerialID(id, 'j') }

// Job is one re-judge of a campaign's open leads.
type Job struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Campaign     string     `json:"campaign"`
	Version      int        `json:"version"`
	StartedBy    string     `json:"startedBy"`
	StartedAt    time.Time  `json:"startedAt"`
	FinishedAt   *time.Time `json:"finishedAt,omitempty"`
	Segments     int        `json:"segments"`
	SegmentsDone int        `json:"segmentsDone"`
	Counts
}

// State says whether the job is still going.
func (j *Job) State() string {
	if j.FinishedAt != nil {
		return "done"
	}
	return "running"
}

// Jobs keeps jobs and their progress.
type Jobs interface {
	// CreateJob stores j and gives it its id.
	CreateJob(ctx context.Context, j *Job) (*Job, error)
	// AdvanceJob adds c to the job's counts and moves slice segment past
	// page, finishing it when last, if the slice is still at page; it
	// reports whether it was (false: the page was counted before).
	AdvanceJob(ctx context.Context, campaignID, jobID string, segment, page int, c Counts, last bool, now time.Time) (bool, error)
	// JobPage is the page slice segment of a job has reached.
	JobPage(ctx context.Context, campaignID, jobID string, segment int) (int, error)
}

// Queue carries tasks.
type Queue interface {
	SendTask(ctx context.Context, t *Task) error
}

// Leads is what a job needs of the lead store.
type Leads interface {
	// CampaignPage reads one page of the campaign's index within from..to
	// (inclusive), from cursor; next is "" after the last page.
	CampaignPage(ctx context.Context, campaignID, from, to, cursor string, limit int) (page []*lead.Record, next string, err error)
	// Oldest is when the campaign's least recently changed lead changed;
	// false when it has none.
	Oldest(ctx context.Context, campaignID string) (time.Time, bool, error)
	Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error)
}

// Definitions reads published versions.
type Definitions interface {
	Current(ctx context.Context, id string) (*campaign.Published, error)
	Version(ctx context.Context, id string, version int) (*campaign.Published, error)
	List(ctx context.Context) ([]*campaign.Published, error)
}

// indexTime is how the index's sort key writes a time, with every digit of
// the fraction: stored times trim trailing zeros, so a bound never equals
// a stored time and each lead falls in one slice.
const indexTime = "2006-01-02T15:04:05.000000000Z07:00"

// settle is how long after a publish intake may still judge by the version
// before (its definitions cache, DEFINITION_TTL, is 30 s by default): a
// job reads that far past its start.
const settle = time.Minute

// Start begins a job re-judging the campaign's open leads under version:
// it stores the job and queues the first page of each slice.
func Start(ctx context.Context, jobs Jobs, q Queue, leads Leads, kind, campaignID string, version int, by string, now time.Time) (*Job, error) {
	oldest, any, err := leads.Oldest(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if !any {
		oldest = now
	}
	j, err := jobs.CreateJob(ctx, &Job{Kind: kind, Campaign: campaignID, Version: version, StartedBy: by, StartedAt: now, Segments: Segments})
	if err != nil {
		return nil, err
	}
	end := now.Add(settle)
	step := end.Sub(oldest) / Segments
	for i := range Segments {
		t := &Task{Schema: Schema, Kind: kind, Campaign: campaignID, Version: version, Job: j.ID, Segment: i,
			From: oldest.Add(time.Duration(i) * step).UTC().Format(indexTime), To: oldest.Add(time.Duration(i+1) * step).UTC().Format(indexTime)}
		if i == 0 {
			t.From = oldest.Add(-time.Second).UTC().Format(indexTime)
		}
		if i == Segments-1 {
			t.To = end.UTC().Format(indexTime)
		}
		if err := q.SendTask(ctx, t); err != nil {
			return nil, fmt.Errorf("queue slice %d of re-judge job %s: %w", i, j.ID, err)
		}
	}
	return j, nil
}

// Worker runs tasks.
type Worker struct {
	jobs  Jobs
	queue Queue
	leads Leads
	defs  Definitions
	// events takes the definition events the daily sweep announces, for
	// the webhooks out.
	events outbound.EventSender
	now    func() time.Time
	log    *slog.Logger

	mu        sync.Mutex
	rulebooks map[string]*qualify.Rulebook // by campaign and version: versions never change
}

// NewWorker returns a worker.
func NewWorker(jobs Jobs, q Queue, leads Leads, defs Definitions, events outbound.EventSender, now func() time.Time, log *slog.Logger) *Worker {
	return &Worker{jobs: jobs, queue: q, leads: leads, defs: defs, events: events, now: now, log: log, rulebooks: map[string]*qualify.Rulebook{}}
}

// maxRulebooks bounds the compiled versions a worker keeps.
const maxRulebooks = 64

func (w *Worker) rulebook(ctx context.Context, campaignID string, version int) (*qualify.Rulebook, error) {
	key := fmt.Sprintf("%s@%d", campaignID, version)
	w.mu.Lock()
	rb := w.rulebooks[key]
	w.mu.Unlock()
	if rb != nil {
		return rb, nil
	}
	p, err := w.defs.Version(ctx, campaignID, version)
	if err != nil {
		return nil, err
	}
	rb = qualify.Compile(p)
	w.mu.Lock()
	if len(w.rulebooks) >= maxRulebooks {
		clear(w.rulebooks)
	}
	w.rulebooks[key] = rb
	w.mu.Unlock()
	return rb, nil
}

// Handle runs one task: it judges a page of leads, counts it once, and
// queues the next page. redelivered says the queue delivered the task
// before: a task whose page was counted then re-sends the next page, in
// case the first delivery counted it and failed before sending.
func (w *Worker) Handle(ctx context.Context, t *Task, redelivered bool) error {
	switch {
	case t.Schema != Schema:
		return fmt.Errorf("task schema %q, want %s", t.Schema, Schema)
	case t.Kind == KindSweep:
		return w.sweep(ctx)
	case t.Kind != "" && t.Kind != KindRejudge && t.Kind != KindDecay:
		return fmt.Errorf("task kind %q, want %s, %s or %s", t.Kind, KindRejudge, KindDecay, KindSweep)
	}
	// A job judges by the version in force when it started. Once another
	// is published, that publish decides what happens to the leads (forward
	// or re-judge), and the rest of this job's slice is not judged: a task
	// left in the queue, or redriven from its dead-letter queue days later,
	// must not undo a newer verdict.
	cur, err := w.defs.Current(ctx, t.Campaign)
	if err != nil {
		return err
	}
	if cur.Version != t.Version {
		w.log.InfoContext(ctx, "re-judge slice ends: a newer version is in force", "job", t.Job, "campaign", t.Campaign, "version", t.Version, "in_force", cur.Version, "segment", t.Segment)
		_, err := w.jobs.AdvanceJob(ctx, t.Campaign, t.Job, t.Segment, t.Page, Counts{}, true, w.now())
		return err
	}
	rb, err := w.rulebook(ctx, t.Campaign, t.Version)
	if err != nil {
		return err
	}
	page, next, err := w.leads.CampaignPage(ctx, t.Campaign, t.From, t.To, t.Cursor, PageSize)
	if err != nil {
		return err
	}
	var c Counts
	for _, l := range page {
		changed, err := w.rejudge(ctx, rb, t, l)
		switch {
		case errors.Is(err, errSkipped):
			continue
		case isTransient(err):
			return err // the whole page again: what it changed stays changed
		case err != nil:
			c.Errors++
			w.log.ErrorContext(ctx, "re-judge failed", "job", t.Job, "campaign", t.Campaign, "lead_id", l.ID, "error", err.Error())
		case changed:
			c.Changed++
		}
		c.Done++
	}
	last := next == ""
	counted, err := w.jobs.AdvanceJob(ctx, t.Campaign, t.Job, t.Segment, t.Page, c, last, w.now())
	if err != nil {
		return err
	}
	if !counted {
		at, err := w.jobs.JobPage(ctx, t.Campaign, t.Job, t.Segment)
		if err != nil || !redelivered || at != t.Page+1 {
			return err // a copy of a task already done and handed on
		}
	}
	if last {
		return nil
	}
	n := *t
	n.Cursor, n.Page = next, t.Page+1
	return w.queue.SendTask(ctx, &n)
}

var errSkipped = errors.New("not re-judged")

// rejudge judges one lead read from the index, and writes it only when its
// stage changes or, in a decay job, its score crossed the threshold.
func (w *Worker) rejudge(ctx context.Context, rb *qualify.Rulebook, t *Task, l *lead.Record) (bool, error) {
	var v lead.Verdict
	if l.ErasedAt != nil || l.Verdict.Campaign != t.Campaign {
		return false, errSkipped
	}
	rb.Judge(&v, l, w.now())
	if !stale(t.Kind, l, &v) {
		return false, nil
	}
	changed := false
	_, err := w.leads.Update(ctx, l.ID, func(cur *lead.Record) (lead.Change, error) {
		changed = false
		if cur == nil || cur.ErasedAt != nil || cur.Verdict.Campaign != t.Campaign || cur.Verdict.Version > t.Version {
			return lead.None, nil
		}
		now := w.now()
		var v lead.Verdict
		rb.Judge(&v, cur, now)
		if !stale(t.Kind, cur, &v) {
			return lead.None, nil
		}
		n := *cur
		if n.Stage == lead.StageMQL && crossed(cur, &v) && v.Criterion(scoreRule).Outcome != lead.Pass {
			// Decided: an MQL waiting for sales stays one when its score
			// decays below the threshold. It was handed over by the agreed
			// definition, and taking it back unseen would cost the trust
			// the hand-over rests on; the history says it went cold, for
			// sales and the SLA to see.
			n.Remember(lead.Transition{At: now, From: n.Stage, To: n.Stage, By: lead.ByEngine,
				Reason: "score decayed to " + v.Criterion(scoreRule).Seen() + ", below the threshold, while waiting for sales", Campaign: v.Campaign, Version: v.Version})
		}
		n.Judge(v)
		n.UpdatedAt = now
		changed = true
		return lead.Change{Next: &n}, nil
	})
	return changed, err
}

// scoreRule is the engine's rule for the engagement score.
const scoreRule = "engagement.score"

// stale reports whether a lead's stored verdict is to be replaced by v: a
// stage that moves, or in a decay job a score that crossed the threshold.
// A lead in sales' hands keeps the verdict that handed it over.
func stale(kind string, l *lead.Record, v *lead.Verdict) bool {
	if l.Moves(*v) {
		return true
	}
	return kind == KindDecay && l.Open() && crossed(l, v)
}

// crossed reports whether the score criterion's outcome differs between
// the stored verdict and v.
func crossed(l *lead.Record, v *lead.Verdict) bool {
	was, now := l.Verdict.Criterion(scoreRule), v.Criterion(scoreRule)
	return was != nil && now != nil && was.Outcome != now.Outcome
}

// sweep starts a decay job for every active campaign whose points decay,
// counts the definitions overdue for review, and announces to the webhooks
// out a review falling due (and a publication the request that published
// could not announce): outbound.DefinitionEvents says which, within two
// days of it, so an overdue definition is announced once, not daily. A sweep that failed part
// way is delivered again and starts every job again: a decay job changes
// nothing another did, so a second one costs reads, never a double write.
func (w *Worker) sweep(ctx context.Context) error {
	ps, err := w.defs.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	overdue := 0
	var announce []*outbound.Event
	for _, p := range ps {
		d := p.Definition
		for _, ev := range outbound.DefinitionEvents(p, w.now()) {
			announce = append(announce, &ev)
		}
		// The daily look at every definition is also when one past its
		// review date is counted, for the alarm on it.
		if d.ReviewOverdue(w.now()) {
			overdue++
			metrics.Count(ctx, w.log, metrics.ReviewOverdue, 1, "campaign", d.ID)
		}
		if d.Status == campaign.StatusPaused || d.Engagement.HalfLifeDays == 0 {
			continue
		}
		j, err := Start(ctx, w.jobs, w.queue, w.leads, KindDecay, d.ID, p.Version, "decay sweep", w.now())
		if err != nil {
			errs = append(errs, fmt.Errorf("decay job of %s: %w", d.ID, err))
			continue
		}
		w.log.InfoContext(ctx, "decay job started", "campaign", d.ID, "version", p.Version, "job", j.ID)
	}
	metrics.Count(ctx, w.log, metrics.ReviewOverdueCampaigns, overdue)
	if len(announce) > 0 {
		// A failure fails the sweep, which comes again: the jobs it
		// starts again change nothing, and the ledger drops repeats.
		if failed, err := w.events.SendEvents(ctx, announce); err != nil || len(failed) > 0 {
			errs = append(errs, fmt.Errorf("announce %d definition events: %w", len(failed), err))
		}
	}
	return errors.Join(errs...)
}

// isTransient reports an error worth retrying the page for: the table
// throttled or did not answer.
func isTransient(err error) bool {
	if err == nil {
		return false
	}
	code := leadgate.ErrorCode(err)
	return code == leadgate.EUNAVAILABLE || code == leadgate.EINTERNAL || errors.Is(err, context.DeadlineExceeded)
}

// Starter starts jobs, for the function that publishes definitions.
type Starter struct {
	jobs  Jobs
	queue Queue
	leads Leads
}

// NewStarter returns a starter.
func NewStarter(jobs Jobs, q Queue, leads Leads) *Starter {
	return &Starter{jobs: jobs, queue: q, leads: leads}
}

// Start begins a job re-judging the campaign's open leads under version.
func (s *Starter) Start(ctx context.Context, campaignID string, version int, by string, now time.Time) (*Job, error) {
	return Start(ctx, s.jobs, s.queue, s.leads, KindRejudge, campaignID, version, by, now)
}
