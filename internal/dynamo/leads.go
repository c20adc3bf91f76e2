package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leaditem"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// LeadStore keeps leads in the leads table, one item per person:
// pk LEAD#<id>, sk LEAD, with the touch points and verdict inside, so a
// submission is one write. Every write is conditional on the revision it
// read (rev), so no update is lost.
type LeadStore struct {
	db    *dynamodb.Client
	table string
	reps  string // the reps table, for changes that move a rep's count
}

// NewLeadStore returns a store on the given table.
func NewLeadStore(db *dynamodb.Client, table string) *LeadStore {
	return &LeadStore{db: db, table: table}
}

// WithReps returns the store able to move the counts of reps in repsTable
// with a change (lead.Change's Hold and Release).
func (s *LeadStore) WithReps(repsTable string) *LeadStore {
	c := *s
	c.reps = repsTable
	return &c
}

const (
	leadSK = "LEAD"
	// maxUpsertRounds bounds the retries of one upsert under contention:
	// each round one writer wins, so this many writers of the same person
	// at the same instant all land.
	maxUpsertRounds = 64
)

// leadItem is the stored form of a lead. The record travels as one JSON
// attribute: DynamoDB's cost (and DynamoDB Local's far more) grows with the
// number of attributes it walks, and nothing queries inside a verdict. What
// conditions, keys and stream consumers look at stays top-level.
type leadItem struct {
	ID        string `dynamodbav:"id"`
	Type      string `dynamodbav:"type"`
	Email     string `dynamodbav:"email"`
	Stage     string `dynamodbav:"stage"`
	Campaign  string `dynamodbav:"campaign"`
	Rev       int64  `dynamodbav:"rev"`
	UpdatedAt string `dynamodbav:"updatedAt"`
	Record    string `dynamodbav:"record"`
	// Owner and AssignedAt key the byOwner index: a rep's leads.
	Owner      string `dynamodbav:"owner,omitempty"`
	AssignedAt string `dynamodbav:"assignedAt,omitempty"`
	// FollowUpShard and FollowUpAt key the byFollowUp index: running SLA
	// clocks, by when they are next due (followups.go).
	FollowUpShard string `dynamodbav:"followUpShard,omitempty"`
	FollowUpAt    string `dynamodbav:"followUpAt,omitempty"`
	// HeldDomain keys the sparse byHeldDomain index: the company domain of
	// a lead sales holds open (mql, sal, sql, opportunity with an owner),
	// so the assigner finds the colleagues of a new lead.
	HeldDomain string `dynamodbav:"heldDomain,omitempty"`
	// ExpiresAt is the table's TTL attribute (epoch seconds): unqualified
	// leads past their campaign's retention are deleted by DynamoDB.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
	// ErasedAt marks a tombstone: the lead was erased on request.
	// ErasedTouches are the ids (hashes) of its touch points, so a retry of
	// one is recognised; nothing readable of the person is kept.
	ErasedAt      string   `dynamodbav:"erasedAt,omitempty"`
	ErasedTouches []string `dynamodbav:"erasedTouches,stringset,omitempty"`
}

func leadKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "LEAD#" + id},
		"sk": &types.AttributeValueMemberS{Value: leadSK},
	}
}

// put is the whole-item write of r, conditioned on the item being at
// revision prev (absent when prev is 0). Every part of leadgate writes a lead
// this way, so a whole-item put loses nothing and nothing is lost to a race.
func (s *LeadStore) put(r *lead.Record, prev int64) (*types.Put, error) {
	// Encode holds every write to the record's byte budget.
	doc, err := r.Encode()
	if err != nil {
		return nil, err
	}
	it := leadItem{
		ID: r.ID, Type: leaditem.TypeLead, Email: r.Email, Stage: string(r.Stage), Campaign: r.Verdict.Campaign,
		Rev: r.Rev, UpdatedAt: r.UpdatedAt.UTC().Format(time.RFC3339Nano), Record: string(doc), Owner: r.Owner,
	}
	if r.AssignedAt != nil {
		it.AssignedAt = r.AssignedAt.UTC().Format(time.RFC3339Nano)
		if r.Owner != "" && sales.Open(r.Stage) {
			it.HeldDomain = sales.CompanyDomain(&r.Lead)
		}
	}
	if r.ExpiresAt != nil {
		it.ExpiresAt = r.ExpiresAt.Unix()
	}
	it.FollowUpShard, it.FollowUpAt = followUpKeys(r)
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("encode lead %s: %w", r.ID, err)
	}
	maps.Copy(item, leadKey(r.ID))
	p := &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if prev > 0 {
		p.ConditionExpression = aws.String("#rev = :rev")
		p.ExpressionAttributeNames = map[string]string{"#rev": "rev"}
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":rev": &types.AttributeValueMemberN{Value: strconv.FormatInt(prev, 10)}}
	}
	return p, nil
}

func decodeLead(item map[string]types.AttributeValue) (*lead.Record, error) {
	var it leadItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("decode lead: %w", err)
	}
	if it.Type == tombstone {
		at, err := time.Parse(time.RFC3339Nano, it.ErasedAt)
		if err != nil {
			return nil, fmt.Errorf("decode tombstone %s: %w", it.ID, err)
		}
		r := &lead.Record{Lead: lead.Lead{ID: it.ID}, Rev: it.Rev, ErasedAt: &at}
		for _, id := range it.ErasedTouches {
			r.Touches = append(r.Touches, lead.TouchPoint{ID: id})
		}
		return r, nil
	}
	var r lead.Record
	if err := json.Unmarshal([]byte(it.Record), &r); err != nil {
		return nil, fmt.Errorf("decode lead %s: %w", it.ID, err)
	}
	return &r, nil
}

// tombstone is the type of the item an erasure leaves in a lead's place.
const tombstone = "tombstone"

// tombstonePut replaces the lead by its tombstone: the key (a hash of the
// email), the revision, the time, and the touch point ids (hashes) so their
// retries are recognised; nothing else.
func (s *LeadStore) tombstonePut(l *lead.Record, at time.Time) *types.Put {
	id, prev := l.ID, l.Rev
	item := leadKey(id)
	var touches []string
	for _, t := range l.Touches {
		if !slices.Contains(touches, t.ID) {
			touches = append(touches, t.ID)
		}
	}
	if len(touches) > 0 {
		item["erasedTouches"] = &types.AttributeValueMemberSS{Value: touches}
	}
	item["id"] = &types.AttributeValueMemberS{Value: id}
	item["type"] = &types.AttributeValueMemberS{Value: tombstone}
	item["rev"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(prev+1, 10)}
	item["erasedAt"] = &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)}
	return &types.Put{
		TableName: &s.table, Item: item,
		ConditionExpression:       aws.String("#rev = :rev"),
		ExpressionAttributeNames:  map[string]string{"#rev": "rev"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":rev": &types.AttributeValueMemberN{Value: strconv.FormatInt(prev, 10)}},
	}
}

// Get returns one lead.
func (s *LeadStore) Get(ctx context.Context, id string) (*lead.Record, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: leadKey(id)})
	if err != nil {
		return nil, fmt.Errorf("get lead %s: %w", id, err)
	}
	return liveLead(id, out.Item)
}

// liveLead decodes a lead item; no item, or a tombstone, is not found.
func liveLead(id string, item map[string]types.AttributeValue) (*lead.Record, error) {
	if item == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No lead %s.", id)
	}
	r, err := decodeLead(item)
	if err != nil {
		return nil, err
	}
	if r.ErasedAt != nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No lead %s.", id)
	}
	return r, nil
}

// CountSpam adds one to the campaign's bot count for the day.
func (s *LeadStore) CountSpam(ctx context.Context, campaignID string, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "STATS#" + campaignID},
			"sk": &types.AttributeValueMemberS{Value: "SPAM#" + at.UTC().Format(time.DateOnly)},
		},
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
	})
	if err != nil {
		return fmt.Errorf("count spam for %s: %w", campaignID, err)
	}
	return nil
}

// SpamCount returns the bots dropped for a campaign on a day.
func (s *LeadStore) SpamCount(ctx context.Context, campaignID string, day time.Time) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "STATS#" + campaignID},
			"sk": &types.AttributeValueMemberS{Value: "SPAM#" + day.UTC().Format(time.DateOnly)},
		},
	})
	if err != nil {
		return 0, fmt.Errorf("read spam count for %s: %w", campaignID, err)
	}
	var c struct {
		Count int `dynamodbav:"count"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return 0, err
	}
	return c.Count, nil
}

// campaignIndex is the leads table's index of leads by the campaign whose
// definition last judged them.
const campaignIndex = "byCampaign"

// CampaignLeads calls each with every lead of a campaign, oldest change
// first, page by page, so an export of any size holds one page in memory.
func (s *LeadStore) CampaignLeads(ctx context.Context, campaignID string, each func(*lead.Record) error) error {
	return s.campaignLeads(ctx, campaignID, "", "", each)
}

// campaignSegments is how many slices of a campaign's index
// CampaignLeadsSince reads at once: one reader gets a page of about 1 MB
// from DynamoDB per round trip, so a campaign of 100,000 leads is read by
// several side by side within an HTTP API's 30 seconds.
const campaignSegments = 4

// CampaignLeadsSince calls each once with every lead of a campaign whose
// record changed at or after since, in no particular order: the index is
// read in campaignSegments slices of the time since then, side by side.
// Each is called by one reader at a time; the first error stops them all.
// A lead written while it is read moves to a later place in the index and
// may be met twice: the ids met (about 60 bytes each, one per lead) make
// sure it is called once.
func (s *LeadStore) CampaignLeadsSince(ctx context.Context, campaignID string, since time.Time, each func(*lead.Record) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	met := map[string]struct{}{}
	var wg sync.WaitGroup
	step := time.Since(since) / campaignSegments
	for i := range campaignSegments {
		// Stored times are RFC 3339 with trailing zeros trimmed, so a bound
		// with all nine fraction digits never equals one: each lead falls
		// in exactly one slice.
		from, to := since.Add(time.Duration(i)*step).UTC().Format(segmentBound), ""
		if i < campaignSegments-1 {
			to = since.Add(time.Duration(i+1) * step).UTC().Format(segmentBound)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.campaignLeads(ctx, campaignID, from, to, func(r *lead.Record) error {
				mu.Lock()
				defer mu.Unlock()
				if _, ok := met[r.ID]; ok {
					return nil
				}
				met[r.ID] = struct{}{}
				return each(r)
			})
			if err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return err
	}
	return nil
}

// segmentBound formats the bounds of CampaignLeadsSince's slices.
const segmentBound = "2006-01-02T15:04:05.000000000Z07:00"

// campaignLeads reads the campaign's leads changed from from to to (both
// inclusive, "" for open), oldest change first.
func (s *LeadStore) campaignLeads(ctx context.Context, campaignID, from, to string, each func(*lead.Record) error) error {
	cond, values := "#campaign = :c", map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: campaignID}}
	switch {
	case from != "" && to != "":
		cond += " AND updatedAt BETWEEN :from AND :to"
		values[":from"], values[":to"] = &types.AttributeValueMemberS{Value: from}, &types.AttributeValueMemberS{Value: to}
	case from != "":
		cond += " AND updatedAt >= :from"
		values[":from"] = &types.AttributeValueMemberS{Value: from}
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(campaignIndex),
		KeyConditionExpression:    &cond,
		ExpressionAttributeNames:  map[string]string{"#campaign": "campaign"},
		ExpressionAttributeValues: values,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("leads of %s: %w", campaignID, err)
		}
		for _, item := range page.Items {
			r, err := decodeLead(item)
			if err != nil {
				return err
			}
			if err := each(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// CampaignPage reads one page of at most limit leads of a campaign changed
// from from to to (both inclusive, in the index's own form), starting at
// cursor ("" for the first page); next is "" after the last page. Page by
// page, a re-judge job hands its place on in a message.
func (s *LeadStore) CampaignPage(ctx context.Context, campaignID, from, to, cursor string, limit int) ([]*lead.Record, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                &s.table,
		IndexName:                aws.String(campaignIndex),
		KeyConditionExpression:   aws.String("#campaign = :c AND updatedAt BETWEEN :from AND :to"),
		ExpressionAttributeNames: map[string]string{"#campaign": "campaign"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":c": &types.AttributeValueMemberS{Value: campaignID}, ":from": &types.AttributeValueMemberS{Value: from}, ":to": &types.AttributeValueMemberS{Value: to},
		},
		Limit: aws.Int32(int32(limit)),
	}
	return s.page(ctx, in, "campaign", campaignID, cursor)
}

// page reads one page of an index of the leads table, whose partition is
// the attribute partition at value, from cursor: the one way a page and
// the cursor to the next are read.
func (s *LeadStore) page(ctx context.Context, in *dynamodb.QueryInput, partition, value, cursor string) ([]*lead.Record, string, error) {
	if cursor != "" {
		key, err := decodeCursor(cursor, partition, value)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = key
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("leads of %s %s: %w", partition, value, err)
	}
	page := make([]*lead.Record, 0, len(out.Items))
	for _, item := range out.Items {
		r, err := decodeLead(item)
		if err != nil {
			return nil, "", err
		}
		page = append(page, r)
	}
	return page, encodeCursor(out.LastEvaluatedKey), nil
}

// encodeCursor writes where a page of one of the leads table's indexes
// ended (its keys are all strings: pk, sk, and the index's own), "" after
// the last page.
func encodeCursor(key map[string]types.AttributeValue) string {
	if len(key) == 0 {
		return ""
	}
	plain := map[string]string{}
	for k, v := range key {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			plain[k] = sv.Value
		}
	}
	b, _ := json.Marshal(plain) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor for a page of the index partition where
// attribute partition is value. A cursor is handed to callers, so one
// that does not decode, or points into another partition, is refused.
func decodeCursor(cursor, partition, value string) (map[string]types.AttributeValue, error) {
	bad := leadgate.Errorf(leadgate.EBADREQUEST, "cursor: not one this list gave; start again without it.")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(cursor) > 2048 {
		return nil, bad
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil || len(plain) != 4 || plain[partition] != value || plain["pk"] == "" || plain["sk"] == "" {
		return nil, bad
	}
	key := map[string]types.AttributeValue{}
	for k, v := range plain {
		key[k] = &types.AttributeValueMemberS{Value: v}
	}
	return key, nil
}

// Oldest is when the campaign's least recently changed lead changed.
func (s *LeadStore) Oldest(ctx context.Context, campaignID string) (time.Time, bool, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(campaignIndex),
		KeyConditionExpression:    aws.String("#campaign = :c"),
		ExpressionAttributeNames:  map[string]string{"#campaign": "campaign", "#u": "updatedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: campaignID}},
		ProjectionExpression:      aws.String("#u"),
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("oldest lead of %s: %w", campaignID, err)
	}
	if len(out.Items) == 0 {
		return time.Time{}, false, nil
	}
	var it struct {
		UpdatedAt string `dynamodbav:"updatedAt"`
	}
	if err := attributevalue.UnmarshalMap(out.Items[0], &it); err != nil {
		return time.Time{}, false, err
	}
	at, err := time.Parse(time.RFC3339Nano, it.UpdatedAt)
	return at, err == nil, err
}
