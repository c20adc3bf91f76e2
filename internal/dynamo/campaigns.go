package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/dynamo/campaigntable"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// CampaignStore keeps campaign definitions as immutable versions
// (campaigntable holds their layout and reads the version in force).
// Drafts live below zero (draft d7 at version -7), in the campaign's own
// partition, so a draft and the version it becomes change in one
// transaction.
type CampaignStore struct {
	*campaigntable.Reader
	db    *dynamodb.Client
	table string
}

// NewCampaignStore returns a store on the given table.
func NewCampaignStore(db *dynamodb.Client, table string) *CampaignStore {
	return &CampaignStore{Reader: campaigntable.NewReader(db, table), db: db, table: table}
}

// maxPublishRounds bounds how many concurrent edits of one campaign Publish
// rides out before answering "conflict".
const maxPublishRounds = 16

// Publish stores p.Definition as the campaign's next version, published by
// p.PublishedBy at p.PublishedAt under p's sign-off; the version number and
// digest are the store's. If the definition is identical to the current
// version, nothing is written and created is false: applying the same file
// twice is not an edit. The definition must have passed Validate.
//
// From is the draft p comes from, or nil. A draft publishes only on top of
// the version it was based on, and is gone once published: both in the one
// transaction that writes the version.
func (s *CampaignStore) Publish(ctx context.Context, p *campaign.Published, from *campaign.Draft) (_ *campaign.Published, created bool, err error) {
	d := p.Definition
	next, err := campaigntable.NewItem(p, 0)
	if err != nil {
		return nil, false, err
	}
	// Publishers racing for the same version number: each round exactly one
	// wins and the losers re-read the head, so n racers settle in n rounds.
	// A draft does not race: it was reviewed against its base.
	for range maxPublishRounds {
		head, err := s.Item(ctx, d.ID, campaigntable.HeadVersion, true)
		if err != nil {
			return nil, false, err
		}
		latest := 0
		if head != nil {
			latest = head.Latest
		}
		if from != nil && latest != from.BasedOn {
			return nil, false, leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s moved on to version %d since draft %s was written on version %d: replace the draft to review it against the current version.", d.ID, latest, from.ID, from.BasedOn)
		}
		if head != nil && head.Digest == next.Digest {
			if from != nil {
				if err := s.DeleteDraft(ctx, d.ID, from.ID); err != nil {
					return nil, false, err
				}
			}
			p, err := head.Published()
			return p, false, err
		}
		next.Version = latest + 1
		newHead := next
		newHead.Version, newHead.Latest = campaigntable.HeadVersion, next.Version
		err = s.putVersion(ctx, next, newHead, latest, from)
		if isConditionFailure(err) {
			if from != nil {
				return nil, false, leadgate.Errorf(leadgate.ECONFLICT, "Draft %s of %s changed or the campaign moved on while it was being published; read it again.", from.ID, d.ID)
			}
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("publish %s v%d: %w", d.ID, next.Version, err)
		}
		p, err := next.Published()
		return p, true, err
	}
	return nil, false, leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s is being published by someone else right now; try again.", d.ID)
}

func (s *CampaignStore) putVersion(ctx context.Context, version, head campaigntable.Item, previous int, from *campaign.Draft) error {
	headCond := "attribute_not_exists(campaignId)"
	var values map[string]types.AttributeValue
	if previous > 0 {
		headCond = "latest = :previous"
		values = map[string]types.AttributeValue{":previous": &types.AttributeValueMemberN{Value: strconv.Itoa(previous)}}
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: version.Encode(), ConditionExpression: aws.String("attribute_not_exists(campaignId)")}},
		{Put: &types.Put{TableName: &s.table, Item: head.Encode(), ConditionExpression: &headCond, ExpressionAttributeValues: values}},
	}
	if from != nil {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: campaigntable.Key(from.Campaign, draftVersion(from.ID)),
			ConditionExpression:       aws.String("writes = :read"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":read": &types.AttributeValueMemberN{Value: strconv.Itoa(from.Writes)}},
		}})
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

// Version returns one published version.
func (s *CampaignStore) Version(ctx context.Context, id string, version int) (*campaign.Published, error) {
	if version < 1 {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "Versions start at 1.")
	}
	it, err := s.Item(ctx, id, version, false)
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "Campaign %q has no version %d.", id, version)
	}
	return it.Published()
}

// Versions lists a campaign's versions up to newest (0: all), newest first,
// at most max.
func (s *CampaignStore) Versions(ctx context.Context, id string, newest, max int) ([]*campaign.Published, error) {
	if newest <= 0 {
		newest = math.MaxInt32
	}
	var out []*campaign.Published
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		Limit:                  aws.Int32(int32(min(max, 1000))),
		KeyConditionExpression: aws.String("campaignId = :id AND version BETWEEN :first AND :newest"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id":     &types.AttributeValueMemberS{Value: id},
			":first":  &types.AttributeValueMemberN{Value: "1"},
			":newest": &types.AttributeValueMemberN{Value: strconv.Itoa(newest)},
		},
		ScanIndexForward: aws.Bool(false),
	})
	for p.HasMorePages() && len(out) < max {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", id, err)
		}
		for _, item := range page.Items {
			it, err := campaigntable.Decode(item)
			if err != nil {
				return nil, err
			}
			pub, err := it.Published()
			if err != nil {
				return nil, err
			}
			if len(out) < max {
				out = append(out, pub)
			}
		}
	}
	if len(out) == 0 {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No campaign %q.", id)
	}
	return out, nil
}

// List returns the current version of every campaign. It scans the heads:
// a company runs hundreds of campaigns, not millions.
func (s *CampaignStore) List(ctx context.Context) ([]*campaign.Published, error) {
	var out []*campaign.Published
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName:                 &s.table,
		FilterExpression:          aws.String("version = :head"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":head": &types.AttributeValueMemberN{Value: "0"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list campaigns: %w", err)
		}
		for _, item := range page.Items {
			it, err := campaigntable.Decode(item)
			if err != nil {
				return nil, err
			}
			pub, err := it.Published()
			if err != nil {
				return nil, err
			}
			out = append(out, pub)
		}
	}
	return out, nil
}

// isConditionFailure reports whether a write lost its condition, alone or
// inside a transaction.
func isConditionFailure(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tc *types.TransactionCanceledException
	return errors.As(err, &tc) && slices.ContainsFunc(tc.CancellationReasons, func(r types.CancellationReason) bool {
		return aws.ToString(r.Code) == "ConditionalCheckFailed"
	})
}
