package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/lead"
)

// The console looks people up by name ("was Ada Lovelace a lead?") through
// the sparse, keys-only byName index: a lead with a name carries nameKey (its
// last name, folded) and nameSort (its first name, folded, then its id):
// leadtable.NameKeys.
// An erasure's tombstone carries neither, so an erased person cannot be
// found by name.

// maxNameWords bounds the words of a lookup tried as the last name: each is
// one query, all at once.
const maxNameWords = 3

// FindByName returns up to limit (at most 100) leads whose last name is one of
// the words of name and whose first name starts with the others: "ada
// lovelace", "Lovelace" and "lovelace ada" all find Ada Lovelace.
func (s *LeadStore) FindByName(ctx context.Context, name string, limit int) ([]*lead.Record, error) {
	limit = min(max(limit, 1), 100) // BatchGetItem reads at most 100 keys
	words := strings.Fields(leadtable.FoldName(name))
	if len(words) > maxNameWords {
		words = words[:maxNameWords]
	}
	// One query per word taken as the last name, side by side; the ids
	// are merged in the words' order, so the first word's matches lead.
	found := make([][]string, len(words))
	g, gctx := errgroup.WithContext(ctx)
	for i, last := range words {
		rest := strings.Join(append(append([]string{}, words[:i]...), words[i+1:]...), " ")
		in := &dynamodb.QueryInput{
			TableName: &s.table, IndexName: aws.String("byName"),
			KeyConditionExpression:    aws.String("nameKey = :k"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":k": &types.AttributeValueMemberS{Value: last}},
			Limit:                     aws.Int32(int32(limit)),
		}
		if rest != "" {
			in.KeyConditionExpression = aws.String("nameKey = :k AND begins_with(nameSort, :first)")
			in.ExpressionAttributeValues[":first"] = &types.AttributeValueMemberS{Value: rest}
		}
		g.Go(func() error {
			out, err := s.db.Query(gctx, in)
			if err != nil {
				return fmt.Errorf("find leads by name: %w", err) // no name: the error is logged
			}
			for _, it := range out.Items {
				// Keys only: the table's key names the lead.
				if pk, ok := it["pk"].(*types.AttributeValueMemberS); ok {
					found[i] = append(found[i], strings.TrimPrefix(pk.Value, "LEAD#"))
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, word := range found {
		for _, id := range word {
			if !seen[id] && len(ids) < limit {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return s.Leads(ctx, ids)
}

// Leads reads leads by id, in the order given, leaving out any gone since
// (erased, or expired).
func (s *LeadStore) Leads(ctx context.Context, ids []string) ([]*lead.Record, error) {
	keys := make([]map[string]types.AttributeValue, 0, len(ids))
	for _, id := range ids {
		keys = append(keys, leadtable.Key(id))
	}
	byID := map[string]*lead.Record{}
	err := s.batchItems(ctx, keys, types.KeysAndAttributes{}, func(item map[string]types.AttributeValue) error {
		r, err := leadtable.Decode(item)
		if err != nil {
			return err
		}
		if r.ErasedAt == nil {
			byID[r.ID] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %d leads: %w", len(ids), err)
	}
	out := make([]*lead.Record, 0, len(byID))
	for _, id := range ids {
		if r := byID[id]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}
