package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
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
	// CampaignShard keys the byCampaignShard index: a campaign's leads,
	// spread over campaignShards partitions by the lead id (campaigns.go).
	CampaignShard string `dynamodbav:"campaignShard,omitempty"`
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
	// NameKey and NameSort key the sparse byName index (names.go).
	NameKey  string `dynamodbav:"nameKey,omitempty"`
	NameSort string `dynamodbav:"nameSort,omitempty"`
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
		CampaignShard: campaignShardKey(r.Verdict.Campaign, r.ID),
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
	it.NameKey, it.NameSort = nameKeys(r)
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

// spamShards is how many items (and partitions) a campaign's bot count of
// a day is spread over: a bot flood on one campaign is one write per post,
// at 5,000 posts/s five times what one partition takes, and a throttled
// partition of the leads table slows the other campaigns' leads in it.
// Sixteen keep each item near 300 writes/s at that rate (SCALING.md).
const spamShards = 16

// spamKey is the item of a campaign's bot count of a day in shard; shard 0
// is where the count was kept before it was sharded, so that one counts
// too.
func spamKey(campaignID string, day time.Time, shard int) map[string]types.AttributeValue {
	pk := "STATS#" + campaignID
	if shard > 0 {
		pk += "#" + strconv.Itoa(shard)
	}
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: "SPAM#" + day.UTC().Format(time.DateOnly)},
	}
}

// CountSpam adds one to the campaign's bot count for the day, in a shard
// the instant picks: spread, with nothing to hash a bot by.
func (s *LeadStore) CountSpam(ctx context.Context, campaignID string, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       spamKey(campaignID, at, int(uint64(at.UnixNano())%spamShards)),
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
	})
	if err != nil {
		return fmt.Errorf("count spam for %s: %w", campaignID, err)
	}
	return nil
}

// SpamCount returns the bots dropped for a campaign on a day: the sum of
// its shards, read in one batch.
func (s *LeadStore) SpamCount(ctx context.Context, campaignID string, day time.Time) (int, error) {
	keys := make([]map[string]types.AttributeValue, spamShards)
	for shard := range spamShards {
		keys[shard] = spamKey(campaignID, day, shard)
	}
	total := 0
	proj := types.KeysAndAttributes{ProjectionExpression: aws.String("#n"), ExpressionAttributeNames: map[string]string{"#n": "count"}}
	err := s.batchItems(ctx, keys, proj, func(item map[string]types.AttributeValue) error {
		var c struct {
			Count int `dynamodbav:"count"`
		}
		if err := attributevalue.UnmarshalMap(item, &c); err != nil {
			return err
		}
		total += c.Count
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read spam count for %s: %w", campaignID, err)
	}
	return total, nil
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
