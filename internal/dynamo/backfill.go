package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leaditem"
	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
)

// BackfillCampaignShards gives every lead written before the campaign
// index was sharded its campaignShard, so byCampaignShard lists it: a
// parallel scan in segments, one conditional update per lead that has a
// campaign and no shard. It changes nothing else (not the revision: a
// writer racing it writes the shard itself, and the update then fails its
// condition and is skipped), and running it again updates nothing. Each
// update is a stream record the router and reporter read and find no
// change in. It returns how many leads it updated.
func (s *LeadStore) BackfillCampaignShards(ctx context.Context, segments int) (int64, error) {
	var (
		updated  atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.backfillSegment(ctx, seg, segments, &updated); err != nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return updated.Load(), firstErr
}

func (s *LeadStore) backfillSegment(ctx context.Context, seg, segments int, updated *atomic.Int64) error {
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName: &s.table, Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(int32(segments)),
		FilterExpression:         aws.String("#type = :lead AND attribute_exists(#campaign) AND attribute_not_exists(campaignShard)"),
		ProjectionExpression:     aws.String("pk, sk, id, #campaign"),
		ExpressionAttributeNames: map[string]string{"#type": "type", "#campaign": "campaign"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":lead": &types.AttributeValueMemberS{Value: leaditem.TypeLead},
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("backfill scan segment %d: %w", seg, err)
		}
		for _, item := range page.Items {
			var it struct {
				ID       string `dynamodbav:"id"`
				Campaign string `dynamodbav:"campaign"`
			}
			if err := attributevalue.UnmarshalMap(item, &it); err != nil || it.Campaign == "" {
				continue
			}
			_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: &s.table, Key: leadtable.Key(it.ID),
				UpdateExpression:         aws.String("SET campaignShard = :shard"),
				ConditionExpression:      aws.String("#campaign = :campaign AND attribute_not_exists(campaignShard)"),
				ExpressionAttributeNames: map[string]string{"#campaign": "campaign"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":shard":    &types.AttributeValueMemberS{Value: leadtable.CampaignShardKey(it.Campaign, it.ID)},
					":campaign": &types.AttributeValueMemberS{Value: it.Campaign},
				},
			})
			switch {
			case isConditionFailure(err):
				// Written since the scan read it: the writer set the shard.
			case err != nil:
				return fmt.Errorf("backfill lead %s: %w", it.ID, err)
			default:
				updated.Add(1)
			}
		}
	}
	return nil
}
