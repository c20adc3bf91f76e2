package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// An import's issue list (gzip-compressed CSV) is kept in the leads table
// under pk IMPORT#<campaign>#<import>, in parts that each fit an item, for
// issuesKeptFor; nothing reads it but the issues download.
const (
	issuesPartBytes = 300 << 10
	issuesKeptFor   = 30 * 24 * time.Hour
)

func issuesPK(campaignID, importID string) *types.AttributeValueMemberS {
	return &types.AttributeValueMemberS{Value: "IMPORT#" + campaignID + "#" + importID}
}

// SaveIssues keeps an import's issue list.
func (s *LeadStore) SaveIssues(ctx context.Context, campaignID, importID string, csvGzip []byte, at time.Time) error {
	expires := strconv.FormatInt(at.Add(issuesKeptFor).Unix(), 10)
	for part := 0; part*issuesPartBytes < len(csvGzip) || part == 0; part++ {
		chunk := csvGzip[part*issuesPartBytes : min(len(csvGzip), (part+1)*issuesPartBytes)]
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: map[string]types.AttributeValue{
			"pk":        issuesPK(campaignID, importID),
			"sk":        &types.AttributeValueMemberS{Value: fmt.Sprintf("ISSUES#%03d", part)},
			"type":      &types.AttributeValueMemberS{Value: "import-issues"},
			"csv":       &types.AttributeValueMemberB{Value: chunk},
			"expiresAt": &types.AttributeValueMemberN{Value: expires},
		}})
		if err != nil {
			return fmt.Errorf("save issues of import %s: %w", importID, err)
		}
	}
	return nil
}

// Issues returns an import's issue list as it was saved.
func (s *LeadStore) Issues(ctx context.Context, campaignID, importID string) ([]byte, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": issuesPK(campaignID, importID)},
		ConsistentRead:            aws.Bool(true),
	})
	var gz []byte
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read issues of import %s: %w", importID, err)
		}
		for _, it := range page.Items {
			if b, ok := it["csv"].(*types.AttributeValueMemberB); ok {
				gz = append(gz, b.Value...)
			}
		}
	}
	if len(gz) == 0 {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No issues for import %s of campaign %s (they are kept %d days).", importID, campaignID, int(issuesKeptFor.Hours()/24))
	}
	return gz, nil
}

// webhookPK names the item that remembers a webhook id.
func webhookPK(source, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "WEBHOOK#" + source + "#" + id},
		"sk": &types.AttributeValueMemberS{Value: "SEEN"},
	}
}

// Seen says whether a webhook id was taken and is still remembered.
func (s *LeadStore) Seen(ctx context.Context, source, id string) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: webhookPK(source, id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("read webhook %s of %s: %w", id, source, err)
	}
	until, ok := out.Item["expiresAt"].(*types.AttributeValueMemberN)
	if !ok {
		return false, nil
	}
	n, err := strconv.ParseInt(until.Value, 10, 64)
	// An id past its time is forgotten (DynamoDB Local keeps expired items).
	return err == nil && time.Now().Unix() < n, nil
}

// Remember notes a webhook id taken until the given time; the table's TTL
// lets it go after.
func (s *LeadStore) Remember(ctx context.Context, source, id string, until time.Time) error {
	item := webhookPK(source, id)
	item["type"] = &types.AttributeValueMemberS{Value: "webhook-seen"}
	item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("remember webhook %s of %s: %w", id, source, err)
	}
	return nil
}
