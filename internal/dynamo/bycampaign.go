package dynamo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// campaignIndex is the leads table's index of leads by the campaign whose
// definition last judged them, sorted by when they last changed. Its
// partition key is campaignShard, the campaign and one of
// leadtable.CampaignShards shards of the lead id: a write to any lead of
// a campaign writes the index too, and one partition takes about 1,000
// write units a second, so a launch's leads are spread over that many
// partitions instead of all landing in one (SCALING.md works the figure
// out). It holds keys
// only: every write of a lead moves its entry (updatedAt changes), and an
// entry holding the record costs as many units as the lead itself, twice
// (out of the old place, into the new), on every form, scan and touch
// point; keys cost one each. The readers (export, preview, re-judge) are
// rare and get the records they list from the table, 100 a request.
const (
	campaignIndex = "byCampaignShard"
	// campaignReaders bounds the shards read at once: enough that an
	// export of 100,000 leads is read well within an HTTP API's 30 s,
	// few enough that one reader cannot take a table's read capacity.
	campaignReaders = 8
)

// eachShard runs read for every shard of the campaign index,
// campaignReaders at a time; the first error cancels the others and is
// returned.
func eachShard(ctx context.Context, read func(ctx context.Context, shard int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(campaignReaders)
	for shard := range leadtable.CampaignShards {
		g.Go(func() error { return read(ctx, shard) })
	}
	return g.Wait()
}

// shardQuery is the query of one shard of a campaign's index, for leads
// changed from from to to (both inclusive, "" for open).
func (s *LeadStore) shardQuery(campaignID string, shard int, from, to string) *dynamodb.QueryInput {
	cond, values := "campaignShard = :c", map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: leadtable.ShardOf(campaignID, shard)}}
	switch {
	case from != "" && to != "":
		cond += " AND updatedAt BETWEEN :from AND :to"
		values[":from"], values[":to"] = &types.AttributeValueMemberS{Value: from}, &types.AttributeValueMemberS{Value: to}
	case from != "":
		cond += " AND updatedAt >= :from"
		values[":from"] = &types.AttributeValueMemberS{Value: from}
	}
	return &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(campaignIndex), KeyConditionExpression: &cond, ExpressionAttributeValues: values}
}

// pagedQuery reads a shard from from in pages of one BatchGetItem's
// worth of keys: a reader holds a page of records per shard, not the
// thousands of keys a 1 MB page of the index lists.
func (s *LeadStore) pagedQuery(campaignID string, shard int, from string) *dynamodb.QueryInput {
	in := s.shardQuery(campaignID, shard, from, "")
	in.Limit = aws.Int32(batchGet)
	return in
}

// readShard calls each with the shard's leads changed from from, oldest
// change first, page by page.
func (s *LeadStore) readShard(ctx context.Context, campaignID string, shard int, from string, each func(*lead.Record) error) error {
	p := dynamodb.NewQueryPaginator(s.db, s.pagedQuery(campaignID, shard, from))
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("leads of %s shard %d: %w", campaignID, shard, err)
		}
		leads, err := s.listed(ctx, campaignID, page.Items)
		if err != nil {
			return err
		}
		for _, r := range leads {
			if err := each(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchGet is DynamoDB's limit of keys in one BatchGetItem.
const batchGet = 100

// batchItems reads the items of keys from the leads table, batchGet keys a
// request, and calls each with every item read. What DynamoDB leaves
// unprocessed (throttled, or past 16 MB a response) is asked for again
// after a growing pause, at most leadtable.MaxRounds times; keys still unread
// then are an error, never a silent gap. in carries a projection, if any.
func (s *LeadStore) batchItems(ctx context.Context, keys []map[string]types.AttributeValue, in types.KeysAndAttributes, each func(map[string]types.AttributeValue) error) error {
	for chunk := range slices.Chunk(keys, batchGet) {
		in.Keys = chunk
		req := map[string]types.KeysAndAttributes{s.table: in}
		for round := 0; len(req) > 0; round++ {
			if round == leadtable.MaxRounds {
				return fmt.Errorf("%d keys left unread after %d rounds", len(req[s.table].Keys), round)
			}
			if round > 0 {
				if err := pause(ctx, round); err != nil {
					return err
				}
			}
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return err
			}
			for _, item := range out.Responses[s.table] {
				if err := each(item); err != nil {
					return err
				}
			}
			req = out.UnprocessedKeys
		}
	}
	return nil
}

// pause waits before round of a read DynamoDB answered in part: 10 ms,
// doubling, at most a second, as AWS advises for unprocessed keys.
func pause(ctx context.Context, round int) error {
	t := time.NewTimer(min(10*time.Millisecond<<min(round-1, 7), time.Second))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// listed reads the leads a page of the campaign index lists, in its
// order, from the table. A lead erased, expired or judged by another
// campaign since the index listed it (the index trails the table) is
// left out.
func (s *LeadStore) listed(ctx context.Context, campaignID string, entries []map[string]types.AttributeValue) ([]*lead.Record, error) {
	keys := make([]map[string]types.AttributeValue, len(entries))
	for i, e := range entries {
		keys[i] = map[string]types.AttributeValue{"pk": e["pk"], "sk": e["sk"]}
	}
	byPK := make(map[string]*lead.Record, len(entries))
	err := s.batchItems(ctx, keys, types.KeysAndAttributes{}, func(item map[string]types.AttributeValue) error {
		r, err := leadtable.Decode(item)
		if err != nil {
			return err
		}
		if pk, ok := item["pk"].(*types.AttributeValueMemberS); ok && r.ErasedAt == nil && r.Verdict.Campaign == campaignID {
			byPK[pk.Value] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("leads of %s: %w", campaignID, err)
	}
	leads := make([]*lead.Record, 0, len(entries))
	for _, e := range entries {
		if pk, ok := e["pk"].(*types.AttributeValueMemberS); ok && byPK[pk.Value] != nil {
			leads = append(leads, byPK[pk.Value])
		}
	}
	return leads, nil
}

// CampaignLeads calls each with every lead of a campaign, oldest change
// first. The shards are read side by side and merged by time; each shard
// holds at most a page and a page's worth of leads in memory, so an
// export of any size holds about leadtable.CampaignShards pages.
func (s *LeadStore) CampaignLeads(ctx context.Context, campaignID string, each func(*lead.Record) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	streams := make([]chan *lead.Record, leadtable.CampaignShards)
	sem := make(chan struct{}, campaignReaders)
	var wg sync.WaitGroup
	for shard := range streams {
		ch := make(chan *lead.Record, 100)
		streams[shard] = ch
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(ch)
			p := dynamodb.NewQueryPaginator(s.db, s.pagedQuery(campaignID, shard, ""))
			for p.HasMorePages() {
				// The semaphore bounds the queries in flight, not the
				// shards open: the merge needs every shard's next lead.
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				page, err := p.NextPage(ctx)
				var leads []*lead.Record
				if err == nil {
					leads, err = s.listed(ctx, campaignID, page.Items)
				}
				<-sem
				if err != nil {
					cancel(fmt.Errorf("leads of %s shard %d: %w", campaignID, shard, err))
					return
				}
				for _, r := range leads {
					select {
					case ch <- r:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	err := mergeByTime(ctx, streams, each)
	if err == nil {
		err = context.Cause(ctx) // a reader's error, or the caller's
	}
	cancel(nil)
	wg.Wait()
	return err
}

// mergeByTime calls each with the leads of streams, each already ordered
// by change, in order of change overall (ties by stream). A closed stream
// is done.
func mergeByTime(ctx context.Context, streams []chan *lead.Record, each func(*lead.Record) error) error {
	heads := make([]*lead.Record, len(streams))
	next := func(i int) {
		select {
		case r, ok := <-streams[i]:
			if ok {
				heads[i] = r
				return
			}
		case <-ctx.Done():
		}
		heads[i] = nil
	}
	for i := range streams {
		next(i)
	}
	for {
		first := -1
		for i, h := range heads {
			if h != nil && (first < 0 || h.UpdatedAt.Before(heads[first].UpdatedAt)) {
				first = i
			}
		}
		if first < 0 || ctx.Err() != nil {
			return nil
		}
		if err := each(heads[first]); err != nil {
			return err
		}
		next(first)
	}
}

// CampaignLeadsSince calls each once with every lead of a campaign whose
// record changed at or after since, in no particular order: the shards
// are read side by side, campaignReaders at a time. Each is called by one
// reader at a time; the first error stops them all. A lead written while
// it is read moves to a later place in its shard and may be met twice:
// the ids met (about 60 bytes each, one per lead) make sure it is called
// once.
func (s *LeadStore) CampaignLeadsSince(ctx context.Context, campaignID string, since time.Time, each func(*lead.Record) error) error {
	var mu sync.Mutex
	met := map[string]struct{}{}
	// Stored times are RFC 3339 with trailing zeros trimmed; the bound,
	// with every fraction digit, sorts before any stored time of its
	// instant or later.
	from := since.UTC().Format(segmentBound)
	return eachShard(ctx, func(ctx context.Context, shard int) error {
		return s.readShard(ctx, campaignID, shard, from, func(r *lead.Record) error {
			mu.Lock()
			defer mu.Unlock()
			if _, ok := met[r.ID]; ok {
				return nil
			}
			met[r.ID] = struct{}{}
			return each(r)
		})
	})
}

// segmentBound formats the time bounds of reads of the campaign index.
const segmentBound = "2006-01-02T15:04:05.000000000Z07:00"

// CampaignPage reads one page of at most limit leads of a campaign changed
// from from to to (both inclusive, in the index's own form), starting at
// cursor ("" for the first page); next is "" after the last page. The
// shards are read one after another, so a page may end in one and the
// next begin in another: the cursor says which. Page by page, a re-judge
// job hands its place on in a message.
func (s *LeadStore) CampaignPage(ctx context.Context, campaignID, from, to, cursor string, limit int) ([]*lead.Record, string, error) {
	shard, start := 0, map[string]types.AttributeValue(nil)
	if cursor != "" {
		var err error
		if shard, start, err = decodeCampaignCursor(cursor, campaignID); err != nil {
			return nil, "", err
		}
	}
	page := make([]*lead.Record, 0, limit)
	for {
		in := s.shardQuery(campaignID, shard, from, to)
		in.Limit, in.ExclusiveStartKey = aws.Int32(int32(limit-len(page))), start
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("leads of %s shard %d: %w", campaignID, shard, err)
		}
		leads, err := s.listed(ctx, campaignID, out.Items)
		if err != nil {
			return nil, "", err
		}
		page = append(page, leads...)
		start = out.LastEvaluatedKey
		if len(start) == 0 {
			if shard++; shard == leadtable.CampaignShards {
				return page, "", nil
			}
		}
		if len(page) == limit {
			return page, encodeCampaignCursor(shard, start), nil
		}
	}
}

// campaignCursor is where a page of a campaign's index ended: the shard,
// and the key in it to go on from (none: from its start).
type campaignCursor struct {
	Shard int               `json:"s"`
	Key   map[string]string `json:"k,omitempty"`
}

func encodeCampaignCursor(shard int, key map[string]types.AttributeValue) string {
	c := campaignCursor{Shard: shard}
	if len(key) > 0 {
		c.Key = map[string]string{}
		for k, v := range key {
			if sv, ok := v.(*types.AttributeValueMemberS); ok {
				c.Key[k] = sv.Value
			}
		}
	}
	b, _ := json.Marshal(c) // ints and strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCampaignCursor reads a cursor of the campaign's index. A cursor is
// handed to callers, so one that does not decode, or points into another
// campaign, is refused.
func decodeCampaignCursor(cursor, campaignID string) (int, map[string]types.AttributeValue, error) {
	bad := leadgate.Errorf(leadgate.EBADREQUEST, "cursor: not one this list gave; start again without it.")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(cursor) > 2048 {
		return 0, nil, bad
	}
	var c campaignCursor
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a cursor of another index is not one of these
	if err := dec.Decode(&c); err != nil || c.Shard < 0 || c.Shard >= leadtable.CampaignShards {
		return 0, nil, bad
	}
	if c.Key == nil {
		return c.Shard, nil, nil
	}
	if len(c.Key) != 4 || c.Key["campaignShard"] != leadtable.ShardOf(campaignID, c.Shard) || c.Key["pk"] == "" || c.Key["sk"] == "" || c.Key["updatedAt"] == "" {
		return 0, nil, bad
	}
	key := map[string]types.AttributeValue{}
	for k, v := range c.Key {
		key[k] = &types.AttributeValueMemberS{Value: v}
	}
	return c.Shard, key, nil
}

// Oldest is when the campaign's least recently changed lead changed: the
// oldest of each shard's oldest.
func (s *LeadStore) Oldest(ctx context.Context, campaignID string) (time.Time, bool, error) {
	var (
		mu     sync.Mutex
		oldest time.Time
		any    bool
	)
	err := eachShard(ctx, func(ctx context.Context, shard int) error {
		in := s.shardQuery(campaignID, shard, "", "")
		in.ExpressionAttributeNames = map[string]string{"#u": "updatedAt"}
		in.ProjectionExpression, in.Limit = aws.String("#u"), aws.Int32(1)
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return fmt.Errorf("oldest lead of %s shard %d: %w", campaignID, shard, err)
		}
		if len(out.Items) == 0 {
			return nil
		}
		var it struct {
			UpdatedAt string `dynamodbav:"updatedAt"`
		}
		if err := attributevalue.UnmarshalMap(out.Items[0], &it); err != nil {
			return err
		}
		// Compared as times: stored times trim trailing zeros, so their
		// text does not sort as they do across shards.
		at, err := time.Parse(time.RFC3339Nano, it.UpdatedAt)
		if err != nil {
			return fmt.Errorf("oldest lead of %s shard %d: %w", campaignID, shard, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !any || at.Before(oldest) {
			oldest, any = at, true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, err
	}
	return oldest, any, nil
}
