// Package definitions is the life of a campaign's definition: a change
// starts as a draft, is compared with the version in force, previewed
// against the campaign's own leads, signed by marketing and by sales, and
// published. It knows nothing of HTTP nor of YAML: the caller reads the
// definition (authored.Read) and says who is acting and for which sides
// they may sign.
package definitions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/backtest"
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/rejudge"
)

// Store keeps definitions: published versions and drafts.
type Store interface {
	Publish(ctx context.Context, p *campaign.Published, from *campaign.Draft) (*campaign.Published, bool, error)
	Current(ctx context.Context, id string) (*campaign.Published, error)
	CreateDraft(ctx context.Context, dr *campaign.Draft) (*campaign.Draft, error)
	Drafts(ctx context.Context, campaignID string) ([]*campaign.Draft, error)
	SaveDraft(ctx context.Context, dr *campaign.Draft) error
	Draft(ctx context.Context, campaignID, draftID string) (*campaign.Draft, error)
}

// LeadReader reads a campaign's leads changed since a time, page by page.
type LeadReader interface {
	CampaignLeadsSince(ctx context.Context, campaignID string, since time.Time, each func(*lead.Record) error) error
}

// Rejudges starts the jobs that re-judge a campaign's open leads under a
// version published with mode rejudge.
type Rejudges interface {
	Start(ctx context.Context, campaignID string, version int, by string, now time.Time) (*rejudge.Job, error)
}

// Service runs the life of definitions.
type Service struct {
	store    Store
	leads    LeadReader
	rejudges Rejudges
	events   outbound.EventSender
}

// New returns the service; events takes the definition.published event of
// each new version, for the webhooks out.
func New(store Store, leads LeadReader, rejudges Rejudges, events outbound.EventSender) *Service {
	return &Service{store: store, leads: leads, rejudges: rejudges, events: events}
}

// Published is a version as publishing it came out: the job re-judging
// the campaign's leads when its mode asked for one, or why that job did
// not start (the version stands; the job can be started again).
type Published struct {
	*campaign.Published
	Created      bool
	Rejudge      *rejudge.Job
	RejudgeError string
	// AnnounceError is why the definition.published event was not queued,
	// for the log: the version stands, and the daily sweep announces it.
	AnnounceError error `json:"-"`
}

// published announces a new version to the webhooks out and starts the
// re-judge its mode asks for.
func (s *Service) published(ctx context.Context, p *campaign.Published, created bool, by string, now time.Time) *Published {
	out := &Published{Published: p, Created: created}
	if !created {
		return out
	}
	ev := outbound.DefinitionEvent(outbound.DefinitionPublished, p)
	if failed, err := s.events.SendEvents(ctx, []*outbound.Event{&ev}); err != nil || len(failed) > 0 {
		out.AnnounceError = fmt.Errorf("announce version %d of %s: %w", p.Version, p.Definition.ID, err)
	}
	if p.Mode != campaign.ModeRejudge {
		return out
	}
	job, err := s.rejudges.Start(ctx, p.Definition.ID, p.Version, by, now)
	if err != nil {
		out.RejudgeError = "The re-judge of the campaign's open leads did not start (" + leadgate.ErrorMessage(err) + "); start it with POST /v1/campaigns/" + p.Definition.ID + "/rejudge-jobs."
		return out
	}
	out.Rejudge = job
	return out
}

// Rejudge starts a re-judge of the campaign's open leads under its version
// in force.
func (s *Service) Rejudge(ctx context.Context, who Signer, id string, now time.Time) (*rejudge.Job, error) {
	cur, err := s.store.Current(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.rejudges.Start(ctx, id, cur.Version, who.ID, now)
}

// Signer is who acts: the id recorded, every name they are known by (for
// a definition that names its approvers), and the sides their scopes let
// them sign for.
type Signer struct {
	ID    string
	Names []string
	Sides []string
}

// draft reads a draft and the version in force it is compared with.
func (s *Service) draft(ctx context.Context, id, draftID string) (*campaign.Draft, *campaign.Published, error) {
	dr, err := s.store.Draft(ctx, id, draftID)
	if err != nil {
		return nil, nil, err
	}
	cur, err := s.current(ctx, id)
	return dr, cur, err
}

// current is the version in force, nil for a campaign not yet published.
func (s *Service) current(ctx context.Context, id string) (*campaign.Published, error) {
	p, err := s.store.Current(ctx, id)
	if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
		return nil, nil
	}
	return p, err
}

// Proposal is a draft as written, with what it changes.
type Proposal struct {
	Draft    *campaign.Draft
	Warnings []leadgate.Problem
	Changes  []campaign.Change
	// Current is the version the draft is compared with, nil for a new
	// campaign.
	Current *campaign.Published
	// Existing says an open draft already proposed the same: it is
	// answered instead of a copy.
	Existing bool
}

// Mode reads a publishing mode, forward when none is given.
func Mode(s string) (string, error) {
	switch s {
	case "", campaign.ModeForward:
		return campaign.ModeForward, nil
	case campaign.ModeRejudge:
		return campaign.ModeRejudge, nil
	}
	return "", leadgate.Errorf(leadgate.EINVALID, "mode %q: want forward (new touch points only) or rejudge (every open lead now).", clip(s))
}

// Propose writes a new draft of campaign id: d as read and validated for
// it (authored.Read), with the warnings reading it gave. A dry run
// compares it the same way and stores nothing: the draft it answers has
// no id.
func (s *Service) Propose(ctx context.Context, who Signer, id string, d *campaign.Definition, warnings []leadgate.Problem, mode string, dryRun bool, now time.Time) (*Proposal, error) {
	cur, err := s.current(ctx, id)
	if err != nil {
		return nil, err
	}
	dr := &campaign.Draft{Campaign: id, Revision: 1, Mode: mode, CreatedBy: who.ID, CreatedAt: now, UpdatedBy: who.ID, UpdatedAt: now,
		Digest: d.Digest(), Definition: d, Approvals: []campaign.Approval{}, BasedOn: versionOf(cur)}
	if dryRun {
		return proposal(dr, cur, warnings), nil
	}
	// The same file applied again (by CI, by a second person) is the same
	// proposal, not another draft to sign.
	open, err := s.store.Drafts(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, o := range open {
		if o.Digest == dr.Digest && o.Mode == mode && o.BasedOn == dr.BasedOn {
			p := proposal(o, cur, warnings)
			p.Existing = true
			return p, nil
		}
	}
	dr, err = s.store.CreateDraft(ctx, dr)
	if err != nil {
		return nil, err
	}
	return proposal(dr, cur, warnings), nil
}

// Replace writes a new revision of a draft: a new definition (or mode),
// read and validated for campaign id as in Propose, compared with the
// version now in force. Approvals were of the old revision and start over.
func (s *Service) Replace(ctx context.Context, who Signer, id, draftID string, d *campaign.Definition, warnings []leadgate.Problem, mode string, now time.Time) (*Proposal, error) {
	dr, cur, err := s.draft(ctx, id, draftID)
	if err != nil {
		return nil, err
	}
	dr.Revision++
	dr.Definition, dr.Digest, dr.Mode, dr.BasedOn = d, d.Digest(), mode, versionOf(cur)
	dr.UpdatedBy, dr.UpdatedAt = who.ID, now
	dr.Approvals, dr.Preview = []campaign.Approval{}, nil
	if err := s.store.SaveDraft(ctx, dr); err != nil {
		return nil, err
	}
	return proposal(dr, cur, warnings), nil
}

// Compare reads a draft with what it changes from the version in force.
func (s *Service) Compare(ctx context.Context, id, draftID string) (*Proposal, error) {
	dr, cur, err := s.draft(ctx, id, draftID)
	if err != nil {
		return nil, err
	}
	return ProposalOf(dr, cur), nil
}

// ProposalOf is a draft compared with the version in force (nil for
// none), for a reader that has both already.
func ProposalOf(dr *campaign.Draft, cur *campaign.Published) *Proposal { return proposal(dr, cur, nil) }

func proposal(dr *campaign.Draft, cur *campaign.Published, warnings []leadgate.Problem) *Proposal {
	p := &Proposal{Draft: dr, Warnings: warnings, Current: cur}
	if cur != nil {
		p.Changes = campaign.Diff(cur.Definition, dr.Definition)
	}
	return p
}

func versionOf(p *campaign.Published) int {
	if p == nil {
		return 0
	}
	return p.Version
}

// Decision is what an approver says of a draft.
type Decision struct {
	Decision string `json:"decision"`
	// Side is the side signed for; it may be left out by a caller who
	// may sign for one side only.
	Side string `json:"side,omitempty"`
	Note string `json:"note,omitempty"`
	// Revision, when given, is the revision the approver read: a draft
	// replaced since is not signed unseen.
	Revision int `json:"revision,omitempty"`
}

// Signed is what a decision came to: the draft as it now stands, or the
// version it became.
type Signed struct {
	Draft     *campaign.Draft
	Policy    string
	Changes   []campaign.Change // what the draft changes from the version it was signed against
	Published *Published
}

// maxSignRounds bounds how often a decision is retried against concurrent
// decisions on the same draft; each round one of them lands.
const maxSignRounds = 8

// Decide records an approver's decision on a draft and publishes the
// draft once its approvals are complete. Whose approval counts is the
// version in force's to say (a draft cannot name its own approvers), or
// the draft's own for a campaign's first version.
func (s *Service) Decide(ctx context.Context, who Signer, id, draftID string, dec Decision, now time.Time) (*Signed, error) {
	if dec.Decision != campaign.Approve && dec.Decision != campaign.Reject {
		return nil, leadgate.Invalid("The decision is missing or unknown.", []leadgate.Problem{{Path: "decision", Message: strconv.Quote(clip(dec.Decision)) + ": want approve or reject"}})
	}
	if len(dec.Note) > campaign.MaxNoteBytes {
		return nil, leadgate.Invalid("The note is too long.", []leadgate.Problem{{Path: "note", Message: fmt.Sprintf("%d bytes: at most %d", len(dec.Note), campaign.MaxNoteBytes)}})
	}
	side, err := sideOf(who, dec.Side)
	if err != nil {
		return nil, err
	}
	for range maxSignRounds {
		dr, cur, err := s.draft(ctx, id, draftID)
		if err != nil {
			return nil, err
		}
		if dec.Revision != 0 && dec.Revision != dr.Revision {
			return nil, leadgate.Errorf(leadgate.ECONFLICT, "Draft %s is at revision %d, not the %d you read; read it again before deciding.", draftID, dr.Revision, dec.Revision)
		}
		// A draft is signed for what it changes from its base; once the
		// campaign has moved on, that is no longer what it would change.
		if v := versionOf(cur); v != dr.BasedOn {
			return nil, leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s moved on to version %d since draft %s was written on version %d: replace the draft (PUT) to review it against the version in force.", id, v, dr.ID, dr.BasedOn)
		}
		governing := dr.Definition
		if cur != nil {
			governing = cur.Definition
		}
		if !governing.MayApprove(side, who.Names...) {
			return nil, leadgate.Errorf(leadgate.EFORBIDDEN, "Campaign %s names its %s approvers, and you are not one of them.", id, side)
		}
		decided := *dr
		decided.Approvals = append(slices.DeleteFunc(slices.Clone(dr.Approvals), func(a campaign.Approval) bool { return a.Side == side }),
			campaign.Approval{Side: side, Decision: dec.Decision, By: who.ID, At: now, Note: dec.Note, Preview: dr.Preview})
		policy := campaign.PolicyOf(cur)
		if !decided.Approved(policy) {
			err = s.store.SaveDraft(ctx, &decided)
			if err == nil {
				return &Signed{Draft: &decided, Policy: policy, Changes: proposal(&decided, cur, nil).Changes}, nil
			}
		} else {
			var p *campaign.Published
			var created bool
			p, created, err = s.store.Publish(ctx, &campaign.Published{
				Definition: dr.Definition, PublishedBy: who.ID, PublishedAt: now,
				Policy: policy, Approvals: decided.Approvals, Draft: dr.ID, Mode: dr.Mode,
			}, dr)
			if err == nil {
				return &Signed{Draft: &decided, Policy: policy, Changes: proposal(&decided, cur, nil).Changes, Published: s.published(ctx, p, created, who.ID, now)}, nil
			}
		}
		if !isConflict(err) {
			return nil, err
		}
	}
	return nil, leadgate.Errorf(leadgate.ECONFLICT, "Draft %s of %s is being decided by others right now; try again.", draftID, id)
}

// isConflict reports a concurrent change the next round may ride out.
func isConflict(err error) bool {
	var e *leadgate.Error
	return errors.As(err, &e) && e.Code == leadgate.ECONFLICT
}

// sideOf is the side a signer signs for: the one they name, or their only
// one.
func sideOf(who Signer, named string) (string, error) {
	switch {
	case named != "" && !slices.Contains(campaign.Sides, named):
		return "", leadgate.Invalid("The side is unknown.", []leadgate.Problem{{Path: "side", Message: strconv.Quote(clip(named)) + ": want marketing or sales"}})
	case named != "" && !slices.Contains(who.Sides, named):
		return "", leadgate.Errorf(leadgate.EFORBIDDEN, "You may not sign for %s: that needs the scope leadgate/definitions.approve.%s.", named, named)
	case named != "":
		return named, nil
	case len(who.Sides) == 1:
		return who.Sides[0], nil
	case len(who.Sides) == 0:
		return "", leadgate.Errorf(leadgate.EFORBIDDEN, "Signing a definition needs the scope leadgate/definitions.approve.marketing or leadgate/definitions.approve.sales.")
	}
	return "", leadgate.Invalid("Say which side you sign for.", []leadgate.Problem{{Path: "side", Message: "you may sign for marketing and for sales: name one"}})
}

// PublishNow publishes a definition in one step, for a caller who may sign
// for both sides: both approvals are recorded as theirs, marked one-step.
func (s *Service) PublishNow(ctx context.Context, who Signer, d *campaign.Definition, mode string, now time.Time) (*Published, error) {
	cur, err := s.current(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	governing := d
	if cur != nil {
		governing = cur.Definition
	}
	for _, side := range campaign.Sides {
		if !slices.Contains(who.Sides, side) {
			return nil, leadgate.Errorf(leadgate.EFORBIDDEN, "Publishing in one step needs both approval scopes (leadgate/definitions.approve.marketing and .sales); propose a draft instead: POST /v1/campaigns/%s/drafts.", d.ID)
		}
		if !governing.MayApprove(side, who.Names...) {
			return nil, leadgate.Errorf(leadgate.EFORBIDDEN, "Campaign %s names its %s approvers, and you are not one of them; propose a draft instead.", d.ID, side)
		}
	}
	p := OneStep(d, who.ID, campaign.PolicyOf(cur), now)
	p.Mode = mode
	stored, created, err := s.store.Publish(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	return s.published(ctx, stored, created, who.ID, now), nil
}

// OneStep is d published by one person signing for both sides.
func OneStep(d *campaign.Definition, by, policy string, now time.Time) *campaign.Published {
	approvals := make([]campaign.Approval, 0, len(campaign.Sides))
	for _, side := range campaign.Sides {
		approvals = append(approvals, campaign.Approval{Side: side, Decision: campaign.Approve, By: by, At: now, OneStep: true})
	}
	return &campaign.Published{Definition: d, PublishedBy: by, PublishedAt: now, Policy: policy, Approvals: approvals, Mode: campaign.ModeForward}
}

// Preview bounds.
const (
	DefaultPreviewDays = 90
	MaxPreviewDays     = 730
)

// Preview re-judges the campaign's leads of the last days under the
// version in force and under the draft, and keeps the figures on the
// draft for its approvers to sign with.
// onChange, when not nil, hears of every lead whose stage the draft
// changes, listed or not.
func (s *Service) Preview(ctx context.Context, id, draftID string, days int, now time.Time, onChange func(*backtest.Change) error) (*backtest.Report, error) {
	if days < 1 || days > MaxPreviewDays {
		return nil, leadgate.Errorf(leadgate.EINVALID, "days=%d: preview between 1 and %d days.", days, MaxPreviewDays)
	}
	dr, cur, err := s.draft(ctx, id, draftID)
	if err != nil {
		return nil, err
	}
	run := backtest.New(cur, dr.ID, dr.Definition, days, now)
	err = s.leads.CampaignLeadsSince(ctx, id, backtest.Since(now, days), func(r *lead.Record) error {
		if c := run.Add(r); c != nil && onChange != nil {
			return onChange(c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep := run.Report()
	// The figures belong to the revision previewed; a draft replaced
	// meanwhile keeps none, and losing that race is not an error.
	dr.Preview = rep.Figures()
	if err := s.store.SaveDraft(ctx, dr); err != nil && !isConflict(err) {
		return nil, err
	}
	return &rep, nil
}

// clip shortens what a caller sent before it is quoted back.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
