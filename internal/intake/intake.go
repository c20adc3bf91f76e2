package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
)

// LeadStore keeps leads. Upsert hands change the stored record (nil when
// the person is new; known, when the caller already holds it, saves a
// failed first write) and writes what it returns in one conditional write; a
// nil return writes nothing. Concurrent upserts of one lead never lose an
// update: the loser is handed the winner's record and tries again.
type LeadStore interface {
	Upsert(ctx context.Context, id string, known *lead.Record, change func(current *lead.Record) (*lead.Record, error)) (stored *lead.Record, created bool, err error)
	Get(ctx context.Context, id string) (*lead.Record, error)
}

// SpamCounter counts submissions dropped as bots, per campaign and day.
type SpamCounter interface {
	CountSpam(ctx context.Context, campaignID string, at time.Time) error
}

// Service takes in landing-page submissions.
type Service struct {
	definitions *Definitions
	leads       LeadStore
	spam        SpamCounter
	log         *slog.Logger
}

// NewService returns the intake service.
func NewService(definitions *Definitions, leads LeadStore, spam SpamCounter, log *slog.Logger) *Service {
	return &Service{definitions: definitions, leads: leads, spam: spam, log: log}
}

// Result is what a submission came to.
type Result struct {
	LeadID    string     `json:"leadId"`
	Stage     lead.Stage `json:"stage"`
	New       bool       `json:"new"`
	Duplicate bool       `json:"duplicate"`
	// Ignored lists posted names the campaign does not declare: they were
	// dropped, and a page author wants to know.
	Ignored []string `json:"ignored,omitempty"`
	// Redirect is where a plain HTML form goes next: the form's own
	// redirect if allowed, else the campaign's thank-you page.
	Redirect string `json:"-"`
	// Spam is set when the submission was dropped as a bot's; the caller
	// answers exactly as for a person.
	Spam bool `json:"-"`
}

// Campaign returns a campaign's current definition, for the edge to answer
// CORS with its allowed origins.
func (s *Service) Campaign(ctx context.Context, id string) (*campaign.Published, error) {
	p, _, err := s.definitions.Get(ctx, id)
	return p, err
}

// Submit records one submission: the person is created or updated, the touch
// point added and the verdict stored, in one write.
func (s *Service) Submit(ctx context.Context, campaignID string, f *Form) (*Result, error) {
	p, rules, err := s.definitions.Get(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if err := open(p.Definition, f.ReceivedAt); err != nil {
		return nil, err
	}
	form, problems := parse(p, f)
	res := &Result{Redirect: p.Definition.Intake.ThankYouURL, Ignored: form.ignored}
	if form.redirect != "" {
		res.Redirect = form.redirect
	}
	// A bot is answered like a person whatever else is wrong with its post,
	// so it learns nothing from trying.
	if form.spam != "" {
		res.Spam, res.New, res.Stage = true, true, lead.StageSuspect
		res.LeadID = lead.IDFor(form.sub.Fields[lead.FieldEmail] + "\x00spam")
		s.log.InfoContext(ctx, "spam dropped", "campaign", campaignID, "reason", form.spam)
		metrics.Count(ctx, s.log, metrics.SpamDropped, 1, "campaign", campaignID)
		if err := s.spam.CountSpam(ctx, campaignID, f.ReceivedAt); err != nil {
			s.log.WarnContext(ctx, "count spam", "campaign", campaignID, "error", err)
		}
		return res, nil
	}
	if len(problems) > 0 {
		// List the required fields it lacks too, as for someone new: with
		// the form already refused, every problem belongs in one answer.
		for _, m := range missing(p.Definition, &form.sub, nil) {
			if !slices.ContainsFunc(problems, func(p leadgate.Problem) bool { return p.Path == m.Path }) {
				problems = append(problems, m)
			}
		}
		return nil, leadgate.Invalid(fmt.Sprintf("The submission has %d problem(s).", len(problems)), problems)
	}
	sub := &form.sub
	sub.Touch.ID = touchID(campaignID, f, sub)
	RecordConsents(p.Definition, sub)
	id := lead.IDFor(sub.Fields[lead.FieldEmail])

	// A complete submission is written without reading. Only one that
	// leaves out required fields needs to know whether we have them already.
	var known *lead.Record
	if len(missing(p.Definition, sub, nil)) > 0 {
		known, err = s.leads.Get(ctx, id)
		if err != nil && leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
			return nil, err
		}
		if problems := missing(p.Definition, sub, known); len(problems) > 0 {
			return nil, leadgate.Invalid(fmt.Sprintf("The submission has %d problem(s).", len(problems)), problems)
		}
	}

	duplicate := false
	stored, created, err := s.leads.Upsert(ctx, id, known, func(current *lead.Record) (*lead.Record, error) {
		if current.Erased(sub.Touch) {
			return nil, lead.ErrErased
		}
		next, dup := lead.Apply(current, sub, f.ReceivedAt)
		if duplicate = dup; dup {
			return nil, nil
		}
		var v lead.Verdict
		rules.Evaluate(&v, &next.Lead, next.Touches, f.ReceivedAt)
		next.Judge(v)
		next.Retain(retentionDays(p.Definition))
		return next, nil
	})
	if errors.Is(err, lead.ErrErased) {
		// A retry of a form sent before the person asked to be erased:
		// dropped, and answered as the retry it is.
		res.LeadID, res.Stage, res.Duplicate = id, lead.StageSuspect, true
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	res.LeadID, res.Stage, res.New, res.Duplicate = stored.ID, stored.Stage, created, duplicate
	s.log.InfoContext(ctx, "submission recorded", "lead_id", stored.ID, "campaign", campaignID, "stage", string(stored.Stage), "new", created, "duplicate", duplicate)
	metrics.Count(ctx, s.log, metrics.SubmissionsReceived, 1, "campaign", campaignID)
	return res, nil
}

// open says whether the campaign takes submissions at t.
func open(d *campaign.Definition, t time.Time) error {
	switch {
	case d.Status == campaign.StatusPaused:
		return leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s is paused and takes no submissions.", d.ID)
	case d.Ends != nil && t.After(d.Ends.EndOfDay()):
		return leadgate.Errorf(leadgate.EGONE, "Campaign %s ended on %s.", d.ID, d.Ends)
	case d.Starts != nil && t.Before(d.Starts.Time):
		return leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s opens on %s.", d.ID, d.Starts)
	}
	return nil
}

// touchID names a submission so a retry is recognised: by the client's
// Idempotency-Key when it sends one; otherwise by what was posted, including
// the page's render time, so a double click or a client retry is one touch
// point while the same person filling the form again another day is another.
func touchID(campaignID string, f *Form, sub *lead.Submission) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", campaignID)
	if f.IdempotencyKey != "" {
		fmt.Fprintf(h, "key\x00%s", f.IdempotencyKey)
	} else {
		for _, k := range sortedNames(f.Values) {
			fmt.Fprintf(h, "%s\x00%s\x00", k, f.Values[k])
		}
		if _, ok := f.Values[keyRenderedAt]; !ok {
			// No render time: the day stands in for the page view.
			fmt.Fprintf(h, "day\x00%s", f.ReceivedAt.UTC().Format(time.DateOnly))
		}
	}
	return "tp_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// retentionDays is how long the campaign keeps leads that never qualify.
func retentionDays(d *campaign.Definition) int {
	if d.Retention == nil {
		return 0
	}
	return d.Retention.UnqualifiedDays
}
