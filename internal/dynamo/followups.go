package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/lead"
)

// followUpIndex is the leads table's index of running SLA clocks. It is
// sparse: only a lead whose clock runs (lead.Record.Clock) carries its
// keys (leadtable.FollowUpKeys), so a sweep reads what is due and nothing
// else, however many leads the table holds.
const followUpIndex = "byFollowUp"

// DueFollowUps returns the ids of leads whose SLA clock is due at or
// before t, at most limit from each shard, the longest due first. The
// index holds keys only (the sweep reads each lead consistently as it
// changes it) and is eventually consistent: a lead it names may have
// moved on since.
func (s *SalesStore) DueFollowUps(ctx context.Context, t time.Time, limit int) ([]string, error) {
	due := make([][]string, leadtable.FollowUpShards)
	g, ctx := errgroup.WithContext(ctx)
	for shard := range leadtable.FollowUpShards {
		g.Go(func() error {
			out, err := s.db.Query(ctx, &dynamodb.QueryInput{
				TableName:              &s.leads.table,
				IndexName:              aws.String(followUpIndex),
				KeyConditionExpression: aws.String("followUpShard = :shard AND followUpAt <= :t"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":shard": &types.AttributeValueMemberS{Value: strconv.Itoa(shard)},
					":t":     &types.AttributeValueMemberS{Value: t.UTC().Format(leadtable.FollowUpLayout)},
				},
				Limit: aws.Int32(int32(limit)),
			})
			if err != nil {
				return fmt.Errorf("due follow-ups of shard %d: %w", shard, err)
			}
			for _, item := range out.Items {
				if pk, ok := item["pk"].(*types.AttributeValueMemberS); ok {
					due[shard] = append(due[shard], strings.TrimPrefix(pk.Value, "LEAD#"))
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(due...), nil
}

// OldestLeads returns one page of the leads an owner holds, the longest
// held first: the fallback queue drains in the order leads joined it.
func (s *SalesStore) OldestLeads(ctx context.Context, owner, cursor string) ([]*lead.Record, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.leads.table,
		IndexName:                 aws.String(ownerIndex),
		KeyConditionExpression:    aws.String("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(MaxRepLeadsPage),
	}
	return s.leads.page(ctx, in, "owner", owner, cursor)
}
