package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// LeadStore keeps leads in the leads table: leadtable.Store, the one way a
// lead is read and changed, with the table's indexes and other items read
// here.
type LeadStore struct {
	*leadtable.Store
	db    *dynamodb.Client
	table string
}

// NewLeadStore returns a store on the given table.
func NewLeadStore(db *dynamodb.Client, table string) *LeadStore {
	return &LeadStore{Store: leadtable.New(db, table), db: db, table: table}
}

// WithReps returns the store able to move the counts of reps in repsTable
// with a change (lead.Change's Hold and Release).
func (s *LeadStore) WithReps(repsTable string) *LeadStore {
	c := *s
	c.Store = s.Store.WithReps(repsTable)
	return &c
}

// SpamCount returns the bots dropped for a campaign on a day: the sum of
// its shards, read in one batch.
func (s *LeadStore) SpamCount(ctx context.Context, campaignID string, day time.Time) (int, error) {
	keys := make([]map[string]types.AttributeValue, leadtable.SpamShards)
	for shard := range leadtable.SpamShards {
		keys[shard] = leadtable.SpamKey(campaignID, day, shard)
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
		r, err := leadtable.Decode(item)
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
