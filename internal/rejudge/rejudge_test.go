package rejudge_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/rejudge"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// book is an in-memory job, queue, lead store and definition: enough to
// drive the worker's counting and handing on, which are its own logic;
// the DynamoDB side is proven against DynamoDB Local in
// internal/devstack (TestPublishForwardOrRejudge).
type book struct {
	pages   map[int]int // slice → page reached
	counts  rejudge.Counts
	sent    []rejudge.Task
	leads   [][]*lead.Record // the index, page by page
	written []string
	events  []string // definition events announced: type and id
}

func (b *book) SendEvents(_ context.Context, evs []*outbound.Event) ([]int, error) {
	for _, e := range evs {
		b.events = append(b.events, e.Type+" "+e.ID)
	}
	return nil, nil
}

func (b *book) CreateJob(_ context.Context, j *rejudge.Job) (*rejudge.Job, error) {
	c := *j
	c.ID = "j1"
	return &c, nil
}

func (b *book) AdvanceJob(_ context.Context, _, _ string, segment, page int, c rejudge.Counts, _ bool, _ time.Time) (bool, error) {
	if b.pages[segment] != page {
		return false, nil
	}
	b.pages[segment] = page + 1
	b.counts.Done += c.Done
	b.counts.Changed += c.Changed
	b.counts.Errors += c.Errors
	return true, nil
}

func (b *book) JobPage(_ context.Context, _, _ string, segment int) (int, error) {
	return b.pages[segment], nil
}

func (b *book) SendTask(_ context.Context, t *rejudge.Task) error {
	b.sent = append(b.sent, *t)
	return nil
}

func (b *book) CampaignPage(_ context.Context, _, _, _, cursor string, _ int) ([]*lead.Record, string, error) {
	i := 0
	if cursor != "" {
		i = int(cursor[0] - '0')
	}
	next := ""
	if i+1 < len(b.leads) {
		next = string(rune('0' + i + 1))
	}
	return b.leads[i], next, nil
}

func (b *book) Oldest(context.Context, string) (time.Time, bool, error) {
	return now.Add(-time.Hour), true, nil
}

func (b *book) Update(_ context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error) {
	for _, page := range b.leads {
		for _, l := range page {
			if l.ID == id {
				c, err := change(l)
				if err == nil && c.Next != nil {
					*l = *c.Next
					b.written = append(b.written, id)
				}
				return l, err
			}
		}
	}
	return nil, nil
}

func (b *book) Version(context.Context, string, int) (*campaign.Published, error) {
	d, err := authored.Parse([]byte("id: w\nname: W\nchannel: webinar\nfunnel: middle\nowner: m@example.com\nsalesOwner: s@example.com\nreviewBy: 2027-03-01\n" +
		"engagement: {threshold: 10, points: {webinar-attended: 20}}\n"))
	if err != nil {
		return nil, err
	}
	if _, err := d.Validate(now); err != nil {
		return nil, err
	}
	return &campaign.Published{Version: 2, Definition: d}, nil
}

func (b *book) Current(ctx context.Context, id string) (*campaign.Published, error) {
	return b.Version(ctx, id, 2)
}

func (b *book) List(ctx context.Context) ([]*campaign.Published, error) {
	p, err := b.Version(ctx, "w", 2)
	return []*campaign.Published{p}, err
}

func nurtured(id string) *lead.Record {
	return &lead.Record{Lead: lead.Lead{ID: id, Email: id + "@example.com"}, Stage: lead.StageNurture,
		Verdict: lead.Verdict{Campaign: "w", Version: 1, Stage: lead.StageNurture},
		Touches: []lead.TouchPoint{{ID: id, Type: lead.TouchWebinarAttended, At: now.Add(-time.Hour)}}}
}

// TestHandleCountsEachPageOnce: a task counts its page and hands the next
// on; a copy of it delivered again counts nothing and hands nothing on,
// unless the queue redelivers it (its first delivery may have failed after
// counting), and then it hands the next page on again.
func TestHandleCountsEachPageOnce(t *testing.T) {
	b := &book{pages: map[int]int{}, leads: [][]*lead.Record{{nurtured("a"), nurtured("b")}, {nurtured("c")}}}
	b.leads[0][1].Stage, b.leads[0][1].Verdict.Stage = lead.StageSAL, lead.StageSAL // in sales' hands: left alone
	w := rejudge.NewWorker(b, b, b, b, b, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	first := rejudge.Task{Schema: rejudge.Schema, Campaign: "w", Version: 2, Job: "j1", Segment: 0}

	if err := w.Handle(ctx, &first, false); err != nil {
		t.Fatal(err)
	}
	if b.counts != (rejudge.Counts{Done: 2, Changed: 1}) || len(b.sent) != 1 || b.sent[0].Page != 1 || b.sent[0].Cursor != "1" {
		t.Fatalf("first page: counts %+v, sent %+v", b.counts, b.sent)
	}
	if len(b.written) != 1 || b.written[0] != "a" || b.leads[0][0].Stage != lead.StageMQL {
		t.Fatalf("written %q, a is %s", b.written, b.leads[0][0].Stage)
	}

	// The same task again: judged again (nothing left to change), not
	// counted, nothing sent.
	if err := w.Handle(ctx, &first, false); err != nil {
		t.Fatal(err)
	}
	if b.counts.Done != 2 || len(b.sent) != 1 || len(b.written) != 1 {
		t.Errorf("a copy: counts %+v, sent %d, written %q", b.counts, len(b.sent), b.written)
	}
	// Redelivered: not counted, the next page handed on again.
	if err := w.Handle(ctx, &first, true); err != nil {
		t.Fatal(err)
	}
	if b.counts.Done != 2 || len(b.sent) != 2 || b.sent[1] != b.sent[0] {
		t.Errorf("redelivered: counts %+v, sent %+v", b.counts, b.sent)
	}

	// The last page: counted, nothing more to hand on.
	if err := w.Handle(ctx, &b.sent[0], false); err != nil {
		t.Fatal(err)
	}
	if b.counts != (rejudge.Counts{Done: 3, Changed: 2}) || len(b.sent) != 2 || b.pages[0] != 2 {
		t.Errorf("last page: counts %+v, sent %d, page %d", b.counts, len(b.sent), b.pages[0])
	}
}

// TestStartSlicesTheIndex: a job's slices cover the index from before its
// oldest lead to a minute past the start, edge to edge.
func TestStartSlicesTheIndex(t *testing.T) {
	b := &book{pages: map[int]int{}}
	j, err := rejudge.Start(context.Background(), b, b, b, rejudge.KindRejudge, "w", 2, "maria", now)
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != "j1" || j.Segments != rejudge.Segments || len(b.sent) != rejudge.Segments {
		t.Fatalf("job %+v, %d tasks", j, len(b.sent))
	}
	if b.sent[0].From != "2026-12-01T10:59:59.000000000Z" || b.sent[len(b.sent)-1].To != "2026-12-01T12:01:00.000000000Z" {
		t.Errorf("slices from %s to %s", b.sent[0].From, b.sent[len(b.sent)-1].To)
	}
	for i := 1; i < len(b.sent); i++ {
		if b.sent[i].From != b.sent[i-1].To {
			t.Errorf("slice %d starts at %s, the one before ends at %s", i, b.sent[i].From, b.sent[i-1].To)
		}
	}
}

// TestSweepAnnouncesAReviewFallingDueOnce: the daily sweep announces
// definition.review_due in the two days after the review date, with the
// same id each day (the delivery ledger drops the repeat), and never
// after, so an overdue definition is not announced every day.
func TestSweepAnnouncesAReviewFallingDueOnce(t *testing.T) {
	sweep := rejudge.Task{Schema: rejudge.Schema, Kind: rejudge.KindSweep}
	reviewBy := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"before the review date", reviewBy.Add(12 * time.Hour), 0},
		{"the day after", reviewBy.Add(36 * time.Hour), 1},
		{"the day after that", reviewBy.Add(60 * time.Hour), 1},
		{"a week later", reviewBy.Add(7 * 24 * time.Hour), 0},
	}
	var ids []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &book{pages: map[int]int{}}
			w := rejudge.NewWorker(b, b, b, b, b, func() time.Time { return tt.at }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err := w.Handle(context.Background(), &sweep, false); err != nil {
				t.Fatal(err)
			}
			if len(b.events) != tt.want {
				t.Fatalf("announced %v", b.events)
			}
			ids = append(ids, b.events...)
		})
	}
	if len(ids) != 2 || ids[0] != ids[1] || ids[0][:len(outbound.DefinitionReviewDue)] != outbound.DefinitionReviewDue {
		t.Errorf("announcements %v: want one review_due id, twice", ids)
	}
}
