package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/dynamo/campaigntable"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// MaxOpenDrafts bounds the drafts a campaign holds at once. Two writers
// creating drafts at the same instant may each see room for one more, so
// the bound can be passed by the number of such racers, never more.
const MaxOpenDrafts = 20

// draftCounter is the item counting a campaign's drafts ever written, so
// an id is never given twice: a published version names its draft for
// good. It sits below every draft.
const draftCounter = math.MinInt32

// draftItem is the stored form of a draft.
type draftItem struct {
	CampaignID string `dynamodbav:"campaignId"`
	Version    int    `dynamodbav:"version"` // -n for draft dn
	Writes     int    `dynamodbav:"writes"`
	Draft      string `dynamodbav:"draft"` // campaign.Draft as JSON
}

// draftVersion is where draft id is stored, 0 for an id that is not one.
func draftVersion(id string) int {
	if !campaign.ValidDraftID(id) {
		return 0
	}
	n, _ := strconv.Atoi(id[1:])
	return -n
}

// CreateDraft stores dr as the campaign's newest draft and gives it its id.
func (s *CampaignStore) CreateDraft(ctx context.Context, dr *campaign.Draft) (*campaign.Draft, error) {
	open, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("campaignId = :id AND version BETWEEN :low AND :high"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id":   &types.AttributeValueMemberS{Value: dr.Campaign},
			":low":  &types.AttributeValueMemberN{Value: strconv.Itoa(draftCounter + 1)},
			":high": &types.AttributeValueMemberN{Value: "-1"},
		},
		Select: types.SelectCount,
	})
	if err != nil {
		return nil, fmt.Errorf("count drafts of %s: %w", dr.Campaign, err)
	}
	if open.Count >= MaxOpenDrafts {
		return nil, leadgate.Errorf(leadgate.ECONFLICT, "Campaign %s already has %d open drafts; publish or discard one first.", dr.Campaign, open.Count)
	}
	next, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       campaigntable.Key(dr.Campaign, draftCounter),
		UpdateExpression:          aws.String("ADD drafts :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return nil, fmt.Errorf("number a draft of %s: %w", dr.Campaign, err)
	}
	var counted struct {
		Drafts int `dynamodbav:"drafts"`
	}
	if err := attributevalue.UnmarshalMap(next.Attributes, &counted); err != nil {
		return nil, fmt.Errorf("decode draft count of %s: %w", dr.Campaign, err)
	}
	created := *dr
	created.ID = "d" + strconv.Itoa(counted.Drafts)
	created.Revision = 1
	if err := s.SaveDraft(ctx, &created); err != nil {
		return nil, err
	}
	return &created, nil
}

// SaveDraft writes dr, which must still be as it was read (dr.Writes): two
// people replacing or approving one draft at once cannot both win, and the
// loser reads it again. A draft never written (Writes 0) must be new.
func (s *CampaignStore) SaveDraft(ctx context.Context, dr *campaign.Draft) error {
	doc, err := json.Marshal(dr)
	if err != nil {
		return fmt.Errorf("encode draft %s of %s: %w", dr.ID, dr.Campaign, err)
	}
	item, err := attributevalue.MarshalMap(draftItem{CampaignID: dr.Campaign, Version: draftVersion(dr.ID), Writes: dr.Writes + 1, Draft: string(doc)})
	if err != nil {
		return fmt.Errorf("encode draft %s of %s: %w", dr.ID, dr.Campaign, err)
	}
	put := &dynamodb.PutItemInput{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(campaignId)")}
	if dr.Writes > 0 {
		put.ConditionExpression = aws.String("writes = :read")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":read": &types.AttributeValueMemberN{Value: strconv.Itoa(dr.Writes)}}
	}
	_, err = s.db.PutItem(ctx, put)
	if err == nil {
		dr.Writes++
	}
	if isConditionFailure(err) {
		return leadgate.Errorf(leadgate.ECONFLICT, "Draft %s of %s was changed (or discarded) by someone else meanwhile; read it again.", dr.ID, dr.Campaign)
	}
	if err != nil {
		return fmt.Errorf("save draft %s of %s: %w", dr.ID, dr.Campaign, err)
	}
	return nil
}

// Draft returns one draft.
func (s *CampaignStore) Draft(ctx context.Context, campaignID, draftID string) (*campaign.Draft, error) {
	v := draftVersion(draftID)
	if v == 0 {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No such draft: draft ids look like d1.")
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: campaigntable.Key(campaignID, v), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get draft %s of %s: %w", draftID, campaignID, err)
	}
	if out.Item == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "Campaign %q has no draft %s.", campaignID, draftID)
	}
	return decodeDraft(out.Item)
}

// Drafts lists a campaign's open drafts, newest first.
func (s *CampaignStore) Drafts(ctx context.Context, campaignID string) ([]*campaign.Draft, error) {
	var out []*campaign.Draft
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("campaignId = :id AND version BETWEEN :low AND :high"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id":   &types.AttributeValueMemberS{Value: campaignID},
			":low":  &types.AttributeValueMemberN{Value: strconv.Itoa(draftCounter + 1)},
			":high": &types.AttributeValueMemberN{Value: "-1"},
		},
		ScanIndexForward: aws.Bool(true), // -9 before -8: newest first
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list drafts of %s: %w", campaignID, err)
		}
		for _, item := range page.Items {
			dr, err := decodeDraft(item)
			if err != nil {
				return nil, err
			}
			out = append(out, dr)
		}
	}
	return out, nil
}

// DeleteDraft discards a draft.
func (s *CampaignStore) DeleteDraft(ctx context.Context, campaignID, draftID string) error {
	v := draftVersion(draftID)
	if v == 0 {
		return leadgate.Errorf(leadgate.ENOTFOUND, "No such draft: draft ids look like d1.")
	}
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: campaigntable.Key(campaignID, v), ConditionExpression: aws.String("attribute_exists(campaignId)"),
	})
	if isConditionFailure(err) {
		return leadgate.Errorf(leadgate.ENOTFOUND, "Campaign %q has no draft %s.", campaignID, draftID)
	}
	if err != nil {
		return fmt.Errorf("discard draft %s of %s: %w", draftID, campaignID, err)
	}
	return nil
}

func decodeDraft(item map[string]types.AttributeValue) (*campaign.Draft, error) {
	var it draftItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("decode draft: %w", err)
	}
	var dr campaign.Draft
	if err := json.Unmarshal([]byte(it.Draft), &dr); err != nil {
		return nil, fmt.Errorf("decode draft %d of %s: %w", -it.Version, it.CampaignID, err)
	}
	dr.Writes = it.Writes
	return &dr, nil
}
