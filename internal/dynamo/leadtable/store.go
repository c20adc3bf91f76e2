// Package leadtable is a lead's item in the leads table (its key, its
// layout, its index keys) and the one way a stored lead changes: read,
// apply, bump the revision, write on the revision read, retry.
//
// It is apart from package dynamo, which reads the table's indexes and keeps
// the other tables, so that the public intake function links this and
// nothing more: no attributevalue (whose reflection and stream types weigh
// on the binary and on every cold start), no funnel, no webhooks. Package
// dynamo's LeadStore is this Store with the table's queries added.
package leadtable

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// MaxRounds bounds the retries of one change under contention: each round
// one writer wins, so this many writers of the same person at the same
// instant all land.
const MaxRounds = 64

// Store keeps leads in the leads table, one item per person, with the
// touch points and verdict inside, so a submission is one write. Every
// write is conditional on the revision it read (rev), so no update is
// lost.
type Store struct {
	db    *dynamodb.Client
	table string
	reps  string // the reps table, for changes that move a rep's count
}

// New returns a store on the given table.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// WithReps returns the store able to move the counts of reps in repsTable
// with a change (lead.Change's Hold and Release).
func (s *Store) WithReps(repsTable string) *Store {
	c := *s
	c.reps = repsTable
	return &c
}

// Get returns one lead.
func (s *Store) Get(ctx context.Context, id string) (*lead.Record, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: Key(id)})
	if err != nil {
		return nil, fmt.Errorf("get lead %s: %w", id, err)
	}
	return Live(id, out.Item)
}

// Live decodes a lead's item; no item, or a tombstone, is not found.
func Live(id string, item map[string]types.AttributeValue) (*lead.Record, error) {
	if item == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No lead %s.", id)
	}
	r, err := Decode(item)
	if err != nil {
		return nil, err
	}
	if r.ErasedAt != nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No lead %s.", id)
	}
	return r, nil
}

// Update is the one way to change a stored lead: read it (consistently),
// let change decide, write the result on that revision in one conditional
// write, with the rep counts that move with it in the same transaction, and
// start again from the item that won when someone else wrote first. change
// sees nil for a lead never stored, and the tombstone of an erased one; it
// may run more than once, and returns lead.None to write nothing. Update
// returns the lead as stored.
func (s *Store) Update(ctx context.Context, id string, change func(current *lead.Record) (lead.Change, error)) (*lead.Record, error) {
	stored, _, err := s.update(ctx, id, true, change)
	return stored, err
}

// Upsert is Update for capture, without the read: it first writes as if the
// person were new; if they are not, the failed condition hands back the
// stored item (ReturnValuesOnConditionCheckFailure), change runs on it, and
// the write is retried on that revision. A new person costs one write, a
// known one two. created says the write made the lead.
func (s *Store) Upsert(ctx context.Context, id string, change func(current *lead.Record) (*lead.Record, error)) (stored *lead.Record, created bool, err error) {
	return s.update(ctx, id, false, func(current *lead.Record) (lead.Change, error) {
		next, err := change(current)
		return lead.Change{Next: next}, err
	})
}

func (s *Store) update(ctx context.Context, id string, read bool, change func(*lead.Record) (lead.Change, error)) (*lead.Record, bool, error) {
	var current *lead.Record
	for range MaxRounds {
		if read {
			var err error
			if current, err = s.raw(ctx, id); err != nil {
				return nil, false, err
			}
		}
		c, err := change(current)
		if err != nil {
			return nil, false, err
		}
		if c.Next == nil && c.EraseAt.IsZero() {
			return current, false, nil
		}
		prev := int64(0)
		if current != nil {
			prev = current.Rev
		}
		stored, won, err := s.apply(ctx, id, current, prev, c)
		switch {
		case err == nil:
			return stored, current == nil, nil
		case !errors.Is(err, lead.ErrChanged):
			return nil, false, err
		case won != nil:
			current, read = won, false // the item that won: no read needed
		default:
			read = true
		}
	}
	return nil, false, leadgate.Errorf(leadgate.ECONFLICT, "Lead %s is being changed by too many writers at once; try again.", id)
}

// apply writes one change on revision prev. A lost condition is
// lead.ErrChanged, with the item that won when DynamoDB hands it back; a rep
// without room is sales.ErrRepFull.
func (s *Store) apply(ctx context.Context, id string, current *lead.Record, prev int64, c lead.Change) (stored, won *lead.Record, err error) {
	var put *types.Put
	if !c.EraseAt.IsZero() {
		live, err := lead.Live(current, id)
		if err != nil {
			return nil, nil, err
		}
		put, stored = s.put(tombstone(live, prev+1, c.EraseAt), current, prev), &lead.Record{Lead: lead.Lead{ID: id}, Rev: prev + 1, ErasedAt: &c.EraseAt}
	} else {
		next := *c.Next
		next.Rev = prev + 1
		item, err := Encode(&next)
		if err != nil {
			return nil, nil, err
		}
		put, stored = s.put(item, current, prev), &next
	}
	var reps []types.TransactWriteItem
	if c.Hold != "" {
		reps = append(reps, s.hold(c.Hold, c.Turn, stored.UpdatedAt))
	}
	if c.Release != "" {
		reps = append(reps, s.release(c.Release))
	}
	if len(reps) == 0 {
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			if ccf.Item != nil {
				won, err := Decode(ccf.Item)
				if err != nil {
					return nil, nil, err
				}
				return nil, won, lead.ErrChanged
			}
			return nil, nil, lead.ErrChanged
		}
		if err != nil {
			return nil, nil, fmt.Errorf("write lead %s: %w", id, err)
		}
		return stored, nil, nil
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{{Put: put}}, reps...)})
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) && len(tc.CancellationReasons) == 1+len(reps) {
		failed := func(i int) bool { return aws.ToString(tc.CancellationReasons[i].Code) == "ConditionalCheckFailed" }
		switch {
		case failed(0):
			return nil, nil, lead.ErrChanged
		case c.Hold != "" && failed(1):
			return nil, nil, sales.ErrRepFull
		case c.Release != "" && failed(len(reps)):
			// The rep's count is already zero (the fallback owner, a rep
			// removed since): let the lead go alone rather than keep it.
			c.Release = ""
			return s.apply(ctx, id, current, prev, c)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("write lead %s: %w", id, err)
	}
	return stored, nil, nil
}

// put is the whole-item write of item, conditioned on the stored item
// being the one read, current at revision prev, or on there being none
// when none was read. Every part of leadgate writes a lead this way, so a
// whole-item put loses nothing and nothing is lost to a race.
func (s *Store) put(item map[string]types.AttributeValue, current *lead.Record, prev int64) *types.Put {
	p := &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if current != nil {
		p.ConditionExpression = aws.String("#rev = :rev")
		p.ExpressionAttributeNames = map[string]string{"#rev": "rev"}
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":rev": num(prev)}
	}
	return p
}

// hold counts a lead against a rep, only while the rep is active and
// below capacity; the rep's last assignment moves to at and, for a
// round-robin pick, their turn to turn, only if no one moved it there or
// past it since it was read.
func (s *Store) hold(repID string, turn int64, at time.Time) types.TransactWriteItem {
	u := &types.Update{
		TableName:                &s.reps,
		Key:                      RepKey(repID),
		UpdateExpression:         aws.String("SET openLeads = openLeads + :one, lastAssignedAt = :at"),
		ConditionExpression:      aws.String("active = :true AND openLeads < #capacity"),
		ExpressionAttributeNames: map[string]string{"#capacity": "capacity"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": num(1), ":true": &types.AttributeValueMemberBOOL{Value: true},
			":at": str(at.UTC().Format(time.RFC3339Nano)),
		},
	}
	if turn > 0 {
		u.UpdateExpression = aws.String(*u.UpdateExpression + ", turn = :turn")
		u.ConditionExpression = aws.String(*u.ConditionExpression + " AND (attribute_not_exists(turn) OR turn < :turn)")
		u.ExpressionAttributeValues[":turn"] = num(turn)
	}
	return types.TransactWriteItem{Update: u}
}

// release takes a lead off a rep's count, only while it is above zero.
func (s *Store) release(repID string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 &s.reps,
		Key:                       RepKey(repID),
		UpdateExpression:          aws.String("SET openLeads = openLeads - :one"),
		ConditionExpression:       aws.String("openLeads > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":zero": num(0)},
	}}
}

// raw reads a lead item as stored: nil when there is none, the tombstone
// when the person was erased.
func (s *Store) raw(ctx context.Context, id string) (*lead.Record, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: Key(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get lead %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	return Decode(out.Item)
}

// CountSpam adds one to the campaign's bot count for the day, in a shard
// the instant picks: spread, with nothing to hash a bot by.
func (s *Store) CountSpam(ctx context.Context, campaignID string, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       SpamKey(campaignID, at, int(uint64(at.UnixNano())%SpamShards)),
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
	})
	if err != nil {
		return fmt.Errorf("count spam for %s: %w", campaignID, err)
	}
	return nil
}
