// Package intake turns what a landing page posts into a touch point on a
// lead: it maps field names, normalizes values, drops what the campaign did
// not declare, recognises retries, bots and the browser's visitor token, and
// hands the submission to capture to be judged and stored. It knows nothing
// of HTTP or DynamoDB.
//
// The rule of this package: the answer to a post does not depend on what is
// stored, so a public form cannot be asked "is X a lead?".
package intake

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
)

// SpamCounter counts submissions dropped as bots, per campaign and day.
type SpamCounter interface {
	CountSpam(ctx context.Context, campaignID string, at time.Time) error
}

// Service takes in landing-page submissions.
type Service struct {
	definitions *capture.Definitions
	leads       capture.LeadStore
	spam        SpamCounter
	log         *slog.Logger
}

// NewService returns the intake service.
func NewService(definitions *capture.Definitions, leads capture.LeadStore, spam SpamCounter, log *slog.Logger) *Service {
	return &Service{definitions: definitions, leads: leads, spam: spam, log: log}
}

// Result is what a submission came to. What the poster reads (the JSON
// fields) is the same whether or not the person was known, and whatever
// stage they are in: a public endpoint must not answer "is X a lead?".
type Result struct {
	// LeadID is a hash of the normalized email: anyone can compute it,
	// so it says nothing about whether the lead exists.
	LeadID string `json:"leadId"`
	// Visitor is the token that recognises this browser on its next post
	// (the _visitor field, or the cookie an HTML form gets).
	Visitor string `json:"visitor"`
	// Ignored lists posted names the campaign does not declare: they were
	// dropped, and a page author wants to know.
	Ignored []string `json:"ignored,omitempty"`
	// Cut lists values longer than leadgate keeps, cut to length.
	Cut []string `json:"cut,omitempty"`
	// Redirect is where a plain HTML form goes next: the form's own
	// redirect if allowed, else the campaign's thank-you page.
	Redirect string `json:"-"`
}

// Campaign returns a campaign's current definition, for the edge to answer
// CORS with its allowed origins.
func (s *Service) Campaign(ctx context.Context, id string) (*campaign.Published, error) {
	p, _, err := s.definitions.Get(ctx, id)
	return p, err
}

// Submit records one submission: the person is created or updated, the touch
// point added and the verdict stored, in one write, without a read.
//
// Required fields are judged from the post alone, unless it comes with a
// visitor token: then the person may leave out what they told us before
// (progressive profiling), and whatever is still missing leaves the lead a
// suspect. Either way the answer does not depend on what is stored.
func (s *Service) Submit(ctx context.Context, campaignID string, f *Form) (*Result, error) {
	p, rules, err := s.definitions.Get(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if err := capture.Open(p.Definition, capture.When{At: f.ReceivedAt, Stated: true}); err != nil {
		return nil, err
	}
	form, problems := parse(p, f)
	token := cmp.Or(form.visitor, validVisitor(f.Visitor))
	presented := token != ""
	if !presented {
		token = newVisitorToken()
	}
	sub := &form.sub
	res := &Result{
		LeadID: lead.IDFor(sub.Fields[lead.FieldEmail]), Visitor: token,
		Ignored: form.ignored, Cut: sub.Touch.Cut, Redirect: cmp.Or(form.redirect, p.Definition.Intake.ThankYouURL),
	}
	// A bot is answered like a person whatever else is wrong with its post,
	// so it learns nothing from trying.
	if form.spam != "" {
		s.log.InfoContext(ctx, "spam dropped", "campaign", campaignID, "reason", form.spam)
		metrics.Count(ctx, s.log, metrics.SpamDropped, 1, "campaign", campaignID)
		if err := s.spam.CountSpam(ctx, campaignID, f.ReceivedAt); err != nil {
			s.log.WarnContext(ctx, "count spam", "campaign", campaignID, "error", err)
		}
		return res, nil
	}
	if !presented {
		for _, m := range missing(p.Definition, sub) {
			if !slices.ContainsFunc(problems, func(p leadgate.Problem) bool { return p.Path == m.Path }) {
				problems = append(problems, m)
			}
		}
	}
	if len(problems) > 0 {
		return nil, leadgate.Invalid(fmt.Sprintf("The submission has %d problem(s).", len(problems)), problems)
	}
	sub.Touch.ID = touchID(campaignID, f, sub)
	sub.Visitor = lead.VisitorKey(token)
	capture.RecordConsents(p.Definition, sub)

	stored, outcome, err := capture.Capture(ctx, s.leads, p.Definition, rules, sub, f.ReceivedAt)
	switch {
	case errors.Is(err, lead.ErrErased):
		// A retry of a form sent before the person asked to be erased:
		// dropped, and answered as any post is.
		s.log.InfoContext(ctx, "submission of an erased person dropped", "lead_id", res.LeadID, "campaign", campaignID)
		return res, nil
	case errors.Is(err, lead.ErrTooLarge):
		// Only a known person's lead can be full, so the answer must not
		// say so: dropped, and logged for operators.
		s.log.WarnContext(ctx, "submission dropped: the lead is at its size limit", "lead_id", res.LeadID, "campaign", campaignID)
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "submission recorded", "lead_id", stored.ID, "campaign", campaignID, "stage", string(stored.Stage),
		"new", outcome == capture.Created, "duplicate", outcome == capture.Unchanged)
	metrics.Count(ctx, s.log, metrics.SubmissionsReceived, 1, "campaign", campaignID)
	return res, nil
}

// Visitor tokens are random: what a lead keeps of one is its hash
// (lead.VisitorKey), which recognises the browser holding it and nothing
// else.
const visitorPrefix = "lgv_"

func newVisitorToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return visitorPrefix + hex.EncodeToString(b[:])
}

// validVisitor returns t if it is shaped like a token leadgate hands out,
// "" otherwise: a malformed token counts as none.
func validVisitor(t string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(t), visitorPrefix)
	if !ok || len(rest) != 32 {
		return ""
	}
	if _, err := hex.DecodeString(rest); err != nil {
		return ""
	}
	return visitorPrefix + rest
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
		for _, k := range slices.Sorted(maps.Keys(f.Values)) {
			fmt.Fprintf(h, "%s\x00%s\x00", k, f.Values[k])
		}
		if _, ok := f.Values[keyRenderedAt]; !ok {
			// No render time: the day stands in for the page view.
			fmt.Fprintf(h, "day\x00%s", f.ReceivedAt.UTC().Format(time.DateOnly))
		}
	}
	return "tp_" + hex.EncodeToString(h.Sum(nil)[:12])
}
