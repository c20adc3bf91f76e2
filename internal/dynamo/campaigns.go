package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// CampaignStore keeps campaign definitions as immutable versions.
//
// Layout (table keyed by campaignId + version): version 1..n are the published
// versions, never rewritten. Version 0 is the head: a copy of the latest
// version plus its number, so "the current definition" is one GetItem and a
// concurrent publish is caught by a condition on the head. Drafts live below
// zero (draft d7 at version -7), in the campaign's own partition, so a
// draft and the version it becomes change in one transaction.
type CampaignStore struct {
	db    *dynamodb.Client
	table string
}

// NewCampaignStore returns a store on the given table.
func NewCampaignStore(db *dynamodb.Client, table string) *CampaignStore {
	return &CampaignStore{db: db, table: table}
}

const headVersion = 0

// maxPublishRounds bounds how many concurrent edits of one campaign Publish
// rides out before answering "conflict".
const maxPublishRounds = 16

// campaignItem is the stored form of one version (or the head).
type campaignItem struct {
	CampaignID  string `dynamodbav:"campaignId"`
	Version     int    `dynamodbav:"version"`
	Latest      int    `dynamodbav:"latest,omitempty"` // head only
	Digest      string `dynamodbav:"digest"`
	PublishedAt string `dynamodbav:"publishedAt"`
	PublishedBy string `dynamodbav:"publishedBy"`
	// Definition is the validated definition as JSON: one attribute keeps
	// the document exactly as judged, whatever fields later releases add.
	Definition string `dynamodbav:"definition"`
	// SignOff is how the version came to be (policy, approvals, draft,
	// mode) as JSON; absent on versions published before sign-off existed.
	SignOff string `dynamodbav:"signOff,omitempty"`
}

// signOff is the stored form of how a version was agreed.
type signOff struct {
	Policy    string              `json:"policy,omitempty"`
	Approvals []campaign.Approval `json:"approvals,omitempty"`
	Draft     string              `json:"draft,omitempty"`
	Mode      string              `json:"mode,omitempty"`
}

func (it *campaignItem) published() (*campaign.Published, error) {
	var d campaign.Definition
	if err := json.Unmarshal([]byte(it.Definition), &d); err != nil {
		return nil, fmt.Errorf("decode definition %s v%d: %w", it.CampaignID, it.Version, err)
	}
	at, err := time.Parse(time.RFC3339Nano, it.PublishedAt)
	if err != nil {
		return nil, fmt.Errorf("decode publishedAt of %s v%d: %w", it.CampaignID, it.Version, err)
	}
	var so signOff
	if it.SignOff != "" {
		if err := json.Unmarshal([]byte(it.SignOff), &so); err != nil {
			return nil, fmt.Errorf("decode sign-off of %s v%d: %w", it.CampaignID, it.Version, err)
		}
	}
	v := it.Version
	if v == headVersion {
		v = it.Latest
	}
	return &campaign.Published{Version: v, PublishedAt: at, PublishedBy: it.PublishedBy, Digest: it.Digest, Definition: &d,
		Policy: so.Policy, Approvals: so.Approvals, Draft: so.Draft, Mode: so.Mode}, nil
}

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
	doc, err := json.Marshal(d)
	if err != nil {
		return nil, false, fmt.Errorf("encode definition %s: %w", d.ID, err)
	}
	so, err := json.Marshal(signOff{Policy: p.Policy, Approvals: p.Approvals, Draft: p.Draft, Mode: p.Mode})
	if err != nil {
		return nil, false, fmt.Errorf("encode sign-off of %s: %w", d.ID, err)
	}
	digest := d.Digest()
	// Publishers racing for the same version number: each round exactly one
	// wins and the losers re-read the head, so n racers settle in n rounds.
	// A draft does not race: it was reviewed against its base.
	for range maxPublishRounds {
		head, err := s.head(ctx, d.ID, true)
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
		if head != nil && head.Digest == digest {
			if from != nil {
				if err := s.DeleteDraft(ctx, d.ID, from.ID); err != nil {
					return nil, false, err
				}
			}
			p, err := head.published()
			return p, false, err
		}
		next := campaignItem{
			CampaignID: d.ID, Version: latest + 1, Digest: digest,
			PublishedAt: p.PublishedAt.UTC().Format(time.RFC3339Nano), PublishedBy: p.PublishedBy, Definition: string(doc), SignOff: string(so),
		}
		newHead := next
		newHead.Version, newHead.Latest = headVersion, next.Version
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
		p, err := next.published()
		return p, true, err
	}
	return nil, false, leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s is being published by someone else right now; try again.", d.ID)
}

func (s *CampaignStore) putVersion(ctx context.Context, version, head campaignItem, previous int, from *campaign.Draft) error {
	vItem, err := attributevalue.MarshalMap(version)
	if err != nil {
		return err
	}
	hItem, err := attributevalue.MarshalMap(head)
	if err != nil {
		return err
	}
	headCond := "attribute_not_exists(campaignId)"
	var values map[string]types.AttributeValue
	if previous > 0 {
		headCond = "latest = :previous"
		values = map[string]types.AttributeValue{":previous": &types.AttributeValueMemberN{Value: strconv.Itoa(previous)}}
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: vItem, ConditionExpression: aws.String("attribute_not_exists(campaignId)")}},
		{Put: &types.Put{TableName: &s.table, Item: hItem, ConditionExpression: &headCond, ExpressionAttributeValues: values}},
	}
	if from != nil {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: campaignKey(from.Campaign, draftVersion(from.ID)),
			ConditionExpression:       aws.String("writes = :read"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":read": &types.AttributeValueMemberN{Value: strconv.Itoa(from.Writes)}},
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

func (s *CampaignStore) head(ctx context.Context, id string, consistent bool) (*campaignItem, error) {
	return s.get(ctx, id, headVersion, consistent)
}

func (s *CampaignStore) get(ctx context.Context, id string, version int, consistent bool) (*campaignItem, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            campaignKey(id, version),
		ConsistentRead: &consistent,
	})
	if err != nil {
		return nil, fmt.Errorf("get campaign %s v%d: %w", id, version, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var it campaignItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode campaign %s v%d: %w", id, version, err)
	}
	return &it, nil
}

func campaignKey(id string, version int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"campaignId": &types.AttributeValueMemberS{Value: id},
		"version":    &types.AttributeValueMemberN{Value: strconv.Itoa(version)},
	}
}

// Current returns the latest published version of a campaign.
func (s *CampaignStore) Current(ctx context.Context, id string) (*campaign.Published, error) {
	it, err := s.head(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No campaign %q.", id)
	}
	return it.published()
}

// Version returns one published version.
func (s *CampaignStore) Version(ctx context.Context, id string, version int) (*campaign.Published, error) {
	if version < 1 {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "Versions start at 1.")
	}
	it, err := s.get(ctx, id, version, false)
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "Campaign %q has no version %d.", id, version)
	}
	return it.published()
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
			var it campaignItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("decode a version of %s: %w", id, err)
			}
			pub, err := it.published()
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
			var it campaignItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("decode campaign head: %w", err)
			}
			pub, err := it.published()
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
