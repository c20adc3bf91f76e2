// Package touchpoint takes in touch points other systems send: an email
// opened or clicked, a webinar registered for, attended or missed, a
// telesales call and its outcome. It translates each into a submission and
// hands it to capture, like a form post or a badge scan; it knows the API's
// item format, and nothing of HTTP or DynamoDB.
package touchpoint

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/metrics"
	"github.com/leadgate/leadgate/internal/qualify"
)

// Bounds on a batch and its items.
const (
	MaxItems      = 500
	maxIDBytes    = 200
	maxDetailKeys = 20
	maxDetailKey  = 50
	// aheadAllowed is how far in the future a stated time may lie before
	// it is doubtful (clocks differ; a day does not).
	aheadAllowed = 24 * time.Hour
)

// Item is one touch point as a system sends it.
type Item struct {
	ID       string            `json:"id"` // the sender's own event id: the idempotency key
	Type     string            `json:"type"`
	Email    string            `json:"email,omitempty"`
	LeadID   string            `json:"leadId,omitempty"`
	Campaign string            `json:"campaign,omitempty"`
	At       string            `json:"at"` // RFC 3339
	Fields   map[string]string `json:"fields,omitempty"`
	Detail   map[string]string `json:"detail,omitempty"`
	Source   string            `json:"source,omitempty"` // the sending system's name
}

// Outcomes of one item.
const (
	Recorded    = "recorded"
	Duplicate   = "duplicate"
	Rejected    = "rejected"
	UnknownLead = "unknown-lead"
)

// Result is what became of one item, in the order sent.
type Result struct {
	Index   int    `json:"index"`
	ID      string `json:"id,omitempty"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	LeadID  string `json:"leadId,omitempty"`
	// Campaign and Version name the definition that judged the lead.
	Campaign string `json:"campaign,omitempty"`
	Version  int    `json:"version,omitempty"`
}

// Answer is the account of a batch: every item's result, and the count of
// each outcome.
type Answer struct {
	Results []Result       `json:"results"`
	Counts  map[string]int `json:"counts"`
}

// Store is what touch points need from storage: capture's write, and a
// read to find a lead named by id, or the campaign that last judged it.
type Store interface {
	capture.LeadStore
	Get(ctx context.Context, id string) (*lead.Record, error)
}

// Service records batches of touch points.
type Service struct {
	definitions *capture.Definitions
	leads       Store
	workers     int
	log         *slog.Logger
}

// NewService returns the service, writing with workers at once.
func NewService(definitions *capture.Definitions, leads Store, workers int, log *slog.Logger) *Service {
	return &Service{definitions: definitions, leads: leads, workers: max(workers, 1), log: log}
}

// Record takes in a batch from an authenticated system (source api). A bad
// item is rejected with its reason and never fails the others; the same
// batch sent twice records nothing the second time. Items about one person
// are written in the order sent; different people at once. A store that
// fails stops the batch: the answer then comes with the error, and the
// items not reached say so.
func (s *Service) Record(ctx context.Context, items []json.RawMessage, now time.Time) (*Answer, error) {
	return s.RecordAs(ctx, items, lead.SourceAPI, now)
}

// RecordAs is Record for items whose fields rank as from (a public
// registration form that a webhook relays ranks as a form post: anyone can
// fill it in with anyone's email).
func (s *Service) RecordAs(ctx context.Context, items []json.RawMessage, from lead.Source, now time.Time) (*Answer, error) {
	if len(items) > MaxItems {
		return nil, leadgate.Invalid("The batch is too big.", []leadgate.Problem{{Path: "touchPoints", Message: fmt.Sprintf("%d items: send at most %d at a time", len(items), MaxItems)}})
	}
	ans := &Answer{Results: make([]Result, len(items)), Counts: map[string]int{}}
	// Group by person, keeping each person's items in order.
	groups := map[string][]int{}
	var order []string
	for i, raw := range items {
		ans.Results[i] = Result{Index: i}
		key := personKey(raw)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	work := make(chan []int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failure error
	for range min(s.workers, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range work {
				for _, i := range idx {
					mu.Lock()
					stop := failure
					mu.Unlock()
					if stop != nil {
						ans.Results[i].Outcome, ans.Results[i].Reason = Rejected, "not reached: the batch stopped; send it again (what was recorded is recognised)"
						continue
					}
					if err := s.one(ctx, items[i], from, now, &ans.Results[i]); err != nil {
						mu.Lock()
						failure = cmp.Or(failure, err)
						mu.Unlock()
						ans.Results[i].Outcome, ans.Results[i].Reason = Rejected, "not recorded: the store did not answer; send it again"
					}
				}
			}
		}()
	}
	for _, k := range order {
		work <- groups[k]
	}
	close(work)
	wg.Wait()
	for _, r := range ans.Results {
		ans.Counts[r.Outcome]++
	}
	s.log.InfoContext(ctx, "touch points taken in", "items", len(items), "recorded", ans.Counts[Recorded], "duplicate", ans.Counts[Duplicate],
		"rejected", ans.Counts[Rejected], "unknown_lead", ans.Counts[UnknownLead])
	if failure != nil {
		return ans, fmt.Errorf("record touch points: %w", failure)
	}
	return ans, nil
}

// personKey groups an item by whom it is about, read loosely: an item that
// does not decode is its own group.
func personKey(raw json.RawMessage) string {
	var who struct {
		Email  string `json:"email"`
		LeadID string `json:"leadId"`
	}
	if json.Unmarshal(raw, &who) != nil {
		h := fnv.New64a()
		h.Write(raw)
		return fmt.Sprint("raw:", h.Sum64())
	}
	if who.LeadID != "" {
		return "id:" + who.LeadID
	}
	e, _ := lead.NormalizeEmail(who.Email)
	return "id:" + lead.IDFor(e)
}

// one records one item into res; it returns an error only when the store
// failed (a bad item is a result, not an error).
func (s *Service) one(ctx context.Context, raw json.RawMessage, from lead.Source, now time.Time, res *Result) error {
	reject := func(format string, args ...any) error {
		res.Outcome, res.Reason = Rejected, fmt.Sprintf(format, args...)
		return nil
	}
	if problem := exactKeys(raw); problem != "" {
		return reject("not a touch point: %s", problem)
	}
	var it Item
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		return reject("not a touch point: %s", itemProblem(err))
	}
	if len(it.ID) <= maxIDBytes {
		res.ID = it.ID
	}
	switch {
	case strings.TrimSpace(it.ID) == "":
		return reject("id: required (the sending system's own id for the event)")
	case len(it.ID) > maxIDBytes:
		return reject("id: at most %d bytes", maxIDBytes)
	case !lead.IsTouchPointType(it.Type):
		return reject("type %s: want one of %s", lead.Quoted(it.Type), strings.Join(lead.TouchPointTypes, ", "))
	}
	at, err := time.Parse(time.RFC3339, strings.TrimSpace(it.At))
	if err != nil {
		return reject("at %s: want an RFC 3339 time like 2026-11-20T14:05:00Z", lead.Quoted(it.At))
	}
	if at.After(now.Add(aheadAllowed)) {
		// A system states when its event happened; one a day ahead of now
		// has not happened.
		return reject("at %s lies more than a day in the future", at.UTC().Format(time.RFC3339))
	}
	outcome := strings.ToLower(strings.TrimSpace(it.Detail["outcome"]))
	if known, has := lead.TouchOutcomes[it.Type]; outcome != "" && !slices.Contains(known, outcome) {
		if !has {
			return reject("detail.outcome: a %s has no outcomes", it.Type)
		}
		return reject("detail.outcome %s: a %s comes to one of %s", lead.Quoted(outcome), it.Type, strings.Join(known, ", "))
	}

	// Who it is about.
	var known *lead.Record
	email := ""
	switch {
	case it.LeadID != "":
		if !lead.ValidID(it.LeadID) {
			return reject("leadId %s is not a lead id", lead.Quoted(it.LeadID))
		}
		l, err := s.leads.Get(ctx, it.LeadID)
		if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
			res.Outcome, res.Reason = UnknownLead, "no lead "+it.LeadID
			return nil
		}
		if err != nil {
			return err
		}
		known, email = l, l.Email
		if it.Email != "" {
			if e, _ := lead.NormalizeEmail(it.Email); e != email {
				return reject("email and leadId name two different people")
			}
		}
	case it.Email != "":
		e, problem := lead.NormalizeEmail(it.Email)
		if problem != "" {
			return reject("email: %s", problem)
		}
		email = e
	default:
		return reject("name the person: email or leadId")
	}
	res.LeadID = lead.IDFor(email)

	// Which definition judges it: the item's campaign; without one, the
	// campaign that judged the lead last (an email click from a nurture
	// mail counts toward the lead's current definition).
	campaignID := it.Campaign
	if campaignID == "" {
		if known == nil {
			l, err := s.leads.Get(ctx, res.LeadID)
			if err != nil && leadgate.ErrorCode(err) != leadgate.ENOTFOUND {
				return err
			}
			known = l
		}
		if known == nil || known.Verdict.Campaign == "" {
			return reject("campaign: required for someone leadgate does not know yet")
		}
		campaignID = known.Verdict.Campaign
	}
	if !campaign.ValidID(campaignID) {
		return reject("campaign %s is not a campaign id", lead.Quoted(campaignID))
	}
	p, rules, err := s.definitions.Get(ctx, campaignID)
	if leadgate.ErrorCode(err) == leadgate.ENOTFOUND {
		return reject("no campaign %s", campaignID)
	}
	if err != nil {
		return err
	}
	sub, problem := submission(p, &it, email, at, outcome, from, now)
	if problem != "" {
		return reject("%s", problem)
	}
	if err := capture.Open(p.Definition, capture.When{At: at, Stated: true}); err != nil {
		return reject("%s", leadgate.ErrorMessage(err))
	}
	return s.capture(ctx, p, rules, sub, now, res)
}

func (s *Service) capture(ctx context.Context, p *campaign.Published, rules *qualify.Rulebook, sub *lead.Submission, now time.Time, res *Result) error {
	stored, outcome, err := capture.Capture(ctx, s.leads, p.Definition, rules, sub, now)
	switch {
	case errors.Is(err, lead.ErrErased):
		res.Outcome, res.Reason = Rejected, "the person was erased at their request"
		return nil
	case err != nil && leadgate.ErrorCode(err) != leadgate.EINTERNAL:
		res.Outcome, res.Reason = Rejected, leadgate.ErrorMessage(err)
		return nil
	case err != nil:
		return err
	case outcome == capture.Unchanged:
		res.Outcome = Duplicate
	default:
		res.Outcome = Recorded
		metrics.Count(ctx, s.log, metrics.SubmissionsReceived, 1, "campaign", p.Definition.ID)
	}
	res.Campaign, res.Version = stored.Verdict.Campaign, stored.Verdict.Version
	return nil
}

// submission translates an item into capture's terms: its fields as an
// authenticated source gives them, its touch point with the detail it
// carried.
func submission(p *campaign.Published, it *Item, email string, at time.Time, outcome string, from lead.Source, now time.Time) (*lead.Submission, string) {
	d := p.Definition
	sub := &lead.Submission{Fields: map[string]string{lead.FieldEmail: email}, Touch: lead.TouchPoint{
		ID: touchID(it), Type: it.Type, At: at, ReceivedAt: now, Campaign: d.ID, Version: p.Version,
		Source: from, System: lead.Clean(it.Source, lead.MaxName), Outcome: outcome,
	}}
	for name, raw := range it.Fields {
		field, ok := capture.FieldFor(d, name)
		if !ok {
			return nil, fmt.Sprintf("fields.%s: not a field of the person in campaign %s", lead.Clean(name, 60), d.ID)
		}
		if field == lead.FieldEmail {
			if e, _ := lead.NormalizeEmail(raw); e != email {
				return nil, "fields.email: a touch point cannot change whom it is about"
			}
			continue
		}
		v, cut, problem := capture.NormalizeField(d, field, raw)
		if problem != "" {
			return nil, fmt.Sprintf("fields.%s: %s", field, problem)
		}
		if cut {
			sub.Touch.Cut = append(sub.Touch.Cut, field)
		}
		if v != "" {
			sub.Fields[field] = v
		}
	}
	if len(it.Detail) > maxDetailKeys {
		return nil, fmt.Sprintf("detail: at most %d entries", maxDetailKeys)
	}
	for k, raw := range it.Detail {
		k = lead.Clean(k, maxDetailKey)
		v, cut := lead.CleanTextCut(raw)
		if k == "" || v == "" || k == "outcome" {
			continue
		}
		if cut {
			sub.Touch.Cut = append(sub.Touch.Cut, "detail."+k)
		}
		if sub.Touch.Detail == nil {
			sub.Touch.Detail = map[string]string{}
		}
		sub.Touch.Detail[k] = v
	}
	slices.Sort(sub.Touch.Cut)
	capture.RecordConsents(d, sub)
	return sub, ""
}

// touchID names an item by the sending system, its own id and its type, so
// the same event sent twice is one touch point.
func touchID(it *Item) string {
	sum := sha256.Sum256([]byte("api\x00" + strings.TrimSpace(it.Source) + "\x00" + it.Type + "\x00" + strings.TrimSpace(it.ID)))
	return "tp_" + hex.EncodeToString(sum[:12])
}

// itemKeys are an item's names, exactly as written: JSON decoding in Go
// matches names in any case, and a stray "EMAIL" must not name the person.
var itemKeys = []string{"id", "type", "email", "leadId", "campaign", "at", "fields", "detail", "source"}

// exactKeys says what is wrong with an item's names, "" when nothing is.
func exactKeys(raw json.RawMessage) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return "not a JSON object"
	}
	for k := range obj {
		if !slices.Contains(itemKeys, k) {
			return "unknown field " + lead.Quoted(k)
		}
	}
	return ""
}

// itemProblem says what is wrong with an item's JSON, in the API's words.
func itemProblem(err error) string {
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ) && typ.Field == "":
		return "not a JSON object"
	case errors.As(err, &typ):
		return fmt.Sprintf("%s has the wrong kind of value", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "not a JSON object"
}
