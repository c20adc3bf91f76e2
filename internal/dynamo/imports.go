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
