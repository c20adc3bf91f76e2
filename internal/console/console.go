// Package console is the manager console's pages: what each page shows,
// read from the stores, and rendered as HTML. It knows nothing of HTTP or
// Lambda; internal/httpapi adapts requests to it.
package console

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/backtest"
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
	"golang.org/x/sync/errgroup"
)

// CampaignStore is what the console reads of definitions.
type CampaignStore interface {
	List(ctx context.Context) ([]*campaign.Published, error)
	Current(ctx context.Context, id string) (*campaign.Published, error)
	Version(ctx context.Context, id string, version int) (*campaign.Published, error)
	Versions(ctx context.Context, id string, newest, max int) ([]*campaign.Published, error)
	Drafts(ctx context.Context, campaignID string) ([]*campaign.Draft, error)
}

// FunnelStore is what the console reads of the funnel counters.
type FunnelStore interface {
	Counters(ctx context.Context, campaignID string, from, to time.Time) ([]funnel.Counter, error)
}

// LeadStore is what the console reads of leads.
type LeadStore interface {
	Get(ctx context.Context, id string) (*lead.Record, error)
	FindByName(ctx context.Context, name string, limit int) ([]*lead.Record, error)
	Leads(ctx context.Context, ids []string) ([]*lead.Record, error)
	CampaignLeads(ctx context.Context, campaignID string, each func(*lead.Record) error) error
}

// SalesStore is what the sales queue reads.
type SalesStore interface {
	Reps(ctx context.Context) ([]sales.Rep, error)
	OldestLeads(ctx context.Context, owner, cursor string) ([]*lead.Record, string, error)
	DueFollowUps(ctx context.Context, t time.Time, limit int) ([]string, error)
}

// Definitions changes drafts: the one service every edge signs through.
type Definitions interface {
	Decide(ctx context.Context, who definitions.Signer, id, draftID string, dec definitions.Decision, now time.Time) (*definitions.Signed, error)
	Preview(ctx context.Context, id, draftID string, days int, now time.Time, onChange func(*backtest.Change) error) (*backtest.Report, error)
}

// Reassigner gives a lead another owner on a manager's word.
type Reassigner interface {
	Reassign(ctx context.Context, leadID, to, by, note string) (*lead.Record, error)
}

// Service reads and changes what the console's pages show.
type Service struct {
	Campaigns   CampaignStore
	Funnel      FunnelStore
	Leads       LeadStore
	Sales       SalesStore
	Definitions Definitions
	Reassigner  Reassigner
	// Fallback is the shared queue's owner name.
	Fallback string
}

// Bounds on what one page reads and shows.
const (
	// MaxVersionsListed is how many versions the campaign page lists.
	MaxVersionsListed = 20
	// MaxSLALeads is how many near or late SLA clocks the queue reads.
	MaxSLALeads = 100
	// MaxLookupMatches is how many leads a name lookup lists.
	MaxLookupMatches = 20
	// maxBatchRead is the most ids one LeadStore.Leads call is given:
	// DynamoDB's BatchGetItem reads at most 100 keys.
	maxBatchRead = 100
	// NearSLA is how close to its deadline a clock is listed as near.
	NearSLA = time.Hour
	// smallSample is below how many a rate is flagged as resting on too
	// few leads to read much into.
	smallSample = 5
)

// CampaignRow is one campaign on the campaigns page.
type CampaignRow struct {
	ID, Name, Channel, Funnel string
	Version                   int
	ReviewBy                  string
	Overdue                   bool
	Verdict, Advice           string
	Leakage                   Rate
	MQLs                      int
	Drafts                    int
}

// Rate is a share with what it stands on: "3 of 4 (75%)", never a bare
// "100%" from one lead.
type Rate struct {
	Num, Den int
}

// Known reports whether the rate has a denominator.
func (r Rate) Known() bool { return r.Den > 0 }

// Small reports whether the rate rests on fewer than smallSample leads.
func (r Rate) Small() bool { return r.Den > 0 && r.Den < smallSample }

func (r Rate) String() string {
	if r.Den == 0 {
		return "— (none yet)"
	}
	s := fmt.Sprintf("%d of %d (%.0f%%)", r.Num, r.Den, 100*float64(r.Num)/float64(r.Den))
	if r.Small() {
		s += ", too few to judge"
	}
	return s
}

// CampaignList reads every campaign, with its funnel over p when
// withFunnel (a viewer without leads.read is shown no figures, so none are
// read for them). Each campaign's counters and drafts are reads of their
// own, campaignReaders campaigns at a time: one after another, a few
// hundred campaigns would be a few hundred round trips before the page.
func (s *Service) CampaignList(ctx context.Context, p funnel.Period, now time.Time, withFunnel bool) ([]CampaignRow, error) {
	ps, err := s.Campaigns.List(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ps, func(a, b *campaign.Published) int { return strings.Compare(a.Definition.ID, b.Definition.ID) })
	rows := make([]CampaignRow, len(ps))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(campaignReaders)
	for i, pub := range ps {
		g.Go(func() error {
			row, err := s.campaignRow(ctx, pub, p, now, withFunnel)
			rows[i] = row
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return rows, nil
}

// campaignReaders bounds the campaigns the list reads at once.
const campaignReaders = 8

func (s *Service) campaignRow(ctx context.Context, pub *campaign.Published, p funnel.Period, now time.Time, withFunnel bool) (CampaignRow, error) {
	d := pub.Definition
	var counters []funnel.Counter
	if withFunnel {
		var err error
		if counters, err = s.Funnel.Counters(ctx, d.ID, p.From, p.To); err != nil {
			return CampaignRow{}, err
		}
	}
	r := funnel.Build(d.ID, p.From, p.To, counters, d.Leakage)
	drafts, err := s.Campaigns.Drafts(ctx, d.ID)
	if err != nil {
		return CampaignRow{}, err
	}
	mqls := r.Total.Entered[string(lead.StageMQL)]
	return CampaignRow{
		ID: d.ID, Name: d.Name, Channel: d.Channel, Funnel: d.Funnel, Version: pub.Version,
		ReviewBy: d.ReviewBy.String(), Overdue: d.ReviewOverdue(now), Verdict: r.Verdict, Advice: r.Advice,
		Leakage: Rate{Num: mqls - r.Total.Entered[string(lead.StageSQL)], Den: mqls}, MQLs: mqls, Drafts: len(drafts),
	}, nil
}

// CampaignQuery is what the campaign page was asked to show.
type CampaignQuery struct {
	Period funnel.Period
	// Version narrows the funnel to one version's leads; 0 for all.
	Version int
	// DiffFrom and DiffTo are two versions to compare; 0 for none.
	DiffFrom, DiffTo int
	// WithFunnel reads the funnel's figures: only for a viewer with
	// leads.read, who alone is shown them.
	WithFunnel bool
}

// check refuses a query naming a version the campaign does not have, or
// one side of a comparison without the other: an empty funnel or no diff
// would look like an answer.
func (q CampaignQuery) check(latest int) error {
	var problems []leadgate.Problem
	for _, v := range []struct {
		name string
		n    int
	}{{"version", q.Version}, {"diffFrom", q.DiffFrom}, {"diffTo", q.DiffTo}} {
		if v.n > latest {
			problems = append(problems, leadgate.Problem{Path: v.name, Message: fmt.Sprintf("version %d does not exist: the latest is %d", v.n, latest)})
		}
	}
	if (q.DiffFrom == 0) != (q.DiffTo == 0) {
		problems = append(problems, leadgate.Problem{Path: "diffTo", Message: "a comparison needs both diffFrom and diffTo"})
	}
	if len(problems) > 0 {
		return leadgate.Invalid("The page was asked for something it cannot show.", problems)
	}
	return nil
}

// CampaignPage is one campaign: the agreed definition, its versions and
// drafts, and its funnel.
type CampaignPage struct {
	Current  *campaign.Published
	Versions []*campaign.Published
	Query    CampaignQuery
	Funnel   FunnelView
	Drafts   []DraftView
	Diff     *VersionDiff
	Overdue  bool
}

// VersionDiff is what changed between two versions.
type VersionDiff struct {
	From, To int
	Changes  []campaign.Change
}

// DraftView is a draft on the campaign page.
type DraftView struct {
	Draft   *campaign.Draft
	State   string
	Policy  string
	Changes []campaign.Change
	// Waiting are the sides that have not yet approved this revision.
	Waiting []string
}

// FunnelView is the funnel figures the page shows for the chosen slice.
type FunnelView struct {
	Report  funnel.Report
	Numbers funnel.Numbers // the total, or the chosen version's
	Stages  []StageRow
	Rates   []RateRow
	Reasons []ReasonRow
}

// StageRow is one stage's count.
type StageRow struct {
	Stage           string
	Entered, People int
}

// RateRow is one conversion with its sample.
type RateRow struct {
	Label string
	Rate  Rate
}

// ReasonRow is why sales turned leads back.
type ReasonRow struct {
	Kind, Code string
	N          int
}

// Campaign reads the campaign page.
func (s *Service) Campaign(ctx context.Context, id string, q CampaignQuery, now time.Time) (*CampaignPage, error) {
	cur, err := s.Campaigns.Current(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := q.check(cur.Version); err != nil {
		return nil, err
	}
	// What the page shows besides the version in force are reads of their
	// own: side by side, the page waits for the slowest, not for their sum.
	page := &CampaignPage{Current: cur, Query: q, Overdue: cur.Definition.ReviewOverdue(now)}
	var counters []funnel.Counter
	var drafts []*campaign.Draft
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		page.Versions, err = s.Campaigns.Versions(gctx, id, cur.Version, MaxVersionsListed)
		return err
	})
	if q.WithFunnel {
		g.Go(func() (err error) {
			counters, err = s.Funnel.Counters(gctx, id, q.Period.From, q.Period.To)
			return err
		})
	}
	if q.DiffFrom != 0 {
		g.Go(func() (err error) {
			page.Diff, err = s.diff(gctx, id, q.DiffFrom, q.DiffTo)
			return err
		})
	}
	g.Go(func() (err error) {
		drafts, err = s.Campaigns.Drafts(gctx, id)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if q.Version != 0 {
		counters = slices.DeleteFunc(counters, func(c funnel.Counter) bool { return c.Version != q.Version })
	}
	page.Funnel = funnelView(funnel.Build(id, q.Period.From, q.Period.To, counters, cur.Definition.Leakage))
	for _, dr := range drafts {
		// The drafts and the version in force are read already: compared
		// here, not read again per draft.
		prop := definitions.ProposalOf(dr, cur)
		policy := campaign.PolicyOf(prop.Current)
		v := DraftView{Draft: prop.Draft, Policy: policy, State: prop.Draft.State(policy), Changes: prop.Changes}
		for _, side := range campaign.Sides {
			if a := prop.Draft.Decided(side); a == nil || a.Decision != campaign.Approve {
				v.Waiting = append(v.Waiting, side)
			}
		}
		page.Drafts = append(page.Drafts, v)
	}
	return page, nil
}

// diff reads the two versions side by side and compares them.
func (s *Service) diff(ctx context.Context, id string, from, to int) (*VersionDiff, error) {
	var a, b *campaign.Published
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		a, err = s.Campaigns.Version(ctx, id, from)
		return err
	})
	g.Go(func() (err error) {
		b, err = s.Campaigns.Version(ctx, id, to)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return &VersionDiff{From: from, To: to, Changes: campaign.Diff(a.Definition, b.Definition)}, nil
}

func funnelView(r funnel.Report) FunnelView {
	n := r.Total
	if len(r.ByVersion) == 1 {
		n = r.ByVersion[0]
	}
	v := FunnelView{Report: r, Numbers: n}
	for _, st := range funnel.Stages {
		v.Stages = append(v.Stages, StageRow{Stage: string(st), Entered: n.Entered[string(st)], People: n.People[string(st)]})
	}
	for _, c := range n.Conversion {
		v.Rates = append(v.Rates, RateRow{Label: string(c.From) + " → " + string(c.To), Rate: Rate{Num: n.Entered[string(c.To)], Den: n.Entered[string(c.From)]}})
	}
	mqls := n.Entered[string(lead.StageMQL)]
	v.Rates = append(v.Rates,
		RateRow{Label: "MQL → SQL leakage", Rate: Rate{Num: max(mqls-n.Entered[string(lead.StageSQL)], 0), Den: mqls}},
		RateRow{Label: "SLA met", Rate: Rate{Num: n.SLA.Met, Den: n.SLA.Met + n.SLA.Missed}})
	for kind, m := range map[string]map[string]int{"rejected": n.Rejections, "recycled": n.Recycles} {
		for code, k := range m {
			v.Reasons = append(v.Reasons, ReasonRow{Kind: kind, Code: code, N: k})
		}
	}
	slices.SortFunc(v.Reasons, func(a, b ReasonRow) int {
		return cmp.Or(b.N-a.N, strings.Compare(a.Kind, b.Kind), strings.Compare(a.Code, b.Code))
	})
	return v
}

// Decide records the viewer's decision on a draft.
func (s *Service) Decide(ctx context.Context, who definitions.Signer, id, draftID string, dec definitions.Decision, now time.Time) (*definitions.Signed, error) {
	return s.Definitions.Decide(ctx, who, id, draftID, dec, now)
}

// Preview re-judges the campaign's recent leads under a draft and keeps the
// figures on the draft, where the campaign page shows them.
func (s *Service) Preview(ctx context.Context, id, draftID string, now time.Time) (*backtest.Report, error) {
	return s.Definitions.Preview(ctx, id, draftID, definitions.DefaultPreviewDays, now, nil)
}

// Lookup finds leads by email (one at most) or by name (at most
// MaxLookupMatches).
func (s *Service) Lookup(ctx context.Context, q string) (*LookupPage, error) {
	q = strings.TrimSpace(q)
	page := &LookupPage{Query: q}
	if len(q) > 200 {
		return nil, leadgate.Invalid("The search is too long.", []leadgate.Problem{{Path: "q", Message: "at most 200 characters"}})
	}
	if q == "" {
		return page, nil
	}
	if !strings.Contains(q, "@") {
		leads, err := s.Leads.FindByName(ctx, q, MaxLookupMatches)
		page.Leads, page.Capped = leads, len(leads) >= MaxLookupMatches
		return page, err
	}
	email, problem := lead.NormalizeEmail(q)
	if problem != "" {
		return nil, leadgate.Invalid("That is not an email address.", []leadgate.Problem{{Path: "q", Message: problem}})
	}
	r, err := s.Leads.Get(ctx, lead.IDFor(email))
	switch {
	case leadgate.ErrorCode(err) == leadgate.ENOTFOUND:
	case err != nil:
		return nil, err
	default:
		page.Leads = []*lead.Record{r}
	}
	return page, nil
}

// LeadPage answers "was X a lead, and why not": the verdict criterion by
// criterion, the touch points with where each came from, the history, the
// owner and the SLA clock.
type LeadPage struct {
	Lead    *lead.Record
	Reasons []string
	Clock   *lead.FollowUp
	// Late is set when the clock has run past its deadline.
	Late bool
	Reps []sales.Rep // for a manager's reassignment
}

// Lead reads a lead's page; reps are listed when withReps (a manager may
// reassign).
func (s *Service) Lead(ctx context.Context, id string, withReps bool, now time.Time) (*LeadPage, error) {
	r, err := s.Leads.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &LeadPage{Lead: r, Reasons: r.Verdict.Reasons(), Clock: r.Clock()}
	p.Late = p.Clock != nil && !p.Clock.DueAt.IsZero() && now.After(p.Clock.DueAt)
	if withReps {
		if p.Reps, err = s.reps(ctx); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Service) reps(ctx context.Context) ([]sales.Rep, error) {
	reps, err := s.Sales.Reps(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(reps, func(a, b sales.Rep) int { return strings.Compare(a.ID, b.ID) })
	return reps, nil
}

// QueuePage is the sales queue: what waits on the fallback owner, and the
// clocks near or past their deadline, per rep.
type QueuePage struct {
	Fallback    string
	Waiting     []*lead.Record
	MoreWaiting bool
	ByRep       []RepQueue
	Reps        []sales.Rep
	Now         time.Time
}

// RepQueue is one rep's leads near or past their SLA.
type RepQueue struct {
	Rep   string
	Leads []ClockedLead
}

// ClockedLead is a lead with its running clock.
type ClockedLead struct {
	Lead  *lead.Record
	Clock *lead.FollowUp
	Late  bool
}

// Queue reads the sales queue: the fallback queue's first page, oldest
// first, and the clocks near or past due; reps are listed when withReps
// (a manager may reassign from the page).
func (s *Service) Queue(ctx context.Context, now time.Time, withReps bool) (*QueuePage, error) {
	p := &QueuePage{Fallback: s.Fallback, Now: now}
	waiting, next, err := s.Sales.OldestLeads(ctx, s.Fallback, "")
	if err != nil {
		return nil, err
	}
	p.Waiting, p.MoreWaiting = waiting, next != ""
	ids, err := s.Sales.DueFollowUps(ctx, now.Add(NearSLA), MaxSLALeads)
	if err != nil {
		return nil, err
	}
	// The index answers up to MaxSLALeads from each of its shards, and one
	// batch read takes at most maxBatchRead ids.
	var leads []*lead.Record
	for batch := range slices.Chunk(ids, maxBatchRead) {
		some, err := s.Leads.Leads(ctx, batch)
		if err != nil {
			return nil, err
		}
		leads = append(leads, some...)
	}
	byRep := map[string][]ClockedLead{}
	for _, r := range leads {
		c := r.Clock()
		if c == nil || c.DueAt.IsZero() || c.DueAt.After(now.Add(NearSLA)) {
			continue // answered or handed over since the index was read, or only its reminder is near
		}
		byRep[c.Owner] = append(byRep[c.Owner], ClockedLead{Lead: r, Clock: c, Late: now.After(c.DueAt)})
	}
	for rep, ls := range byRep {
		slices.SortFunc(ls, func(a, b ClockedLead) int { return a.Clock.DueAt.Compare(b.Clock.DueAt) })
		p.ByRep = append(p.ByRep, RepQueue{Rep: rep, Leads: ls})
	}
	slices.SortFunc(p.ByRep, func(a, b RepQueue) int { return strings.Compare(a.Rep, b.Rep) })
	if withReps {
		if p.Reps, err = s.reps(ctx); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Reassign gives a lead to rep (or "auto") on a manager's word.
func (s *Service) Reassign(ctx context.Context, leadID, rep, by, note string) (*lead.Record, error) {
	rep = strings.TrimSpace(rep)
	if rep == "" {
		return nil, leadgate.Invalid("Name the rep.", []leadgate.Problem{{Path: "rep", Message: "required: a rep id, or \"auto\""}})
	}
	return s.Reassigner.Reassign(ctx, leadID, rep, by, note)
}

// CampaignExists checks a campaign is published, before its export starts.
func (s *Service) CampaignExists(ctx context.Context, id string) error {
	_, err := s.Campaigns.Current(ctx, id)
	return err
}
