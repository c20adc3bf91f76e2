package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/outbound"
)

// WebhookStore keeps outbound webhook subscriptions and the delivery
// ledger in the webhooks table (pk, sk; expiresAt is its TTL):
//
//	pk "subscriptions", sk <id>       a subscription
//	pk "subscriptions", sk "#count"   how many there are, the bound's guard
//	pk "delivery#<id>", sk <event id> a delivery's claim or outcome
type WebhookStore struct {
	db    *dynamodb.Client
	table string
}

// NewWebhookStore returns a store on the webhooks table.
func NewWebhookStore(db *dynamodb.Client, table string) *WebhookStore {
	return &WebhookStore{db: db, table: table}
}

const (
	subscriptionsPK = "subscriptions"
	countSK         = "#count" // no subscription id starts with #
)

type subscriptionItem struct {
	PK          string   `dynamodbav:"pk"`
	SK          string   `dynamodbav:"sk"`
	URL         string   `dynamodbav:"url"`
	Events      []string `dynamodbav:"events"`
	Format      string   `dynamodbav:"format"`
	Description string   `dynamodbav:"description,omitempty"`
	Secret      string   `dynamodbav:"secret"`
	CreatedAt   string   `dynamodbav:"createdAt"`
	UpdatedAt   string   `dynamodbav:"updatedAt"`
}

func (it subscriptionItem) subscription() outbound.Subscription {
	s := outbound.Subscription{ID: it.SK, URL: it.URL, Events: it.Events, Format: it.Format, Description: it.Description, Secret: it.Secret}
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, it.CreatedAt)
	s.UpdatedAt, _ = time.Parse(time.RFC3339Nano, it.UpdatedAt)
	return s
}

func pkSK(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}
}

// PutSubscription stores a subscription. A new one and the count go up in
// one transaction whose condition is the bound, so concurrent creations
// cannot pass it.
func (s *WebhookStore) PutSubscription(ctx context.Context, sub *outbound.Subscription, create bool) error {
	item, err := attributevalue.MarshalMap(subscriptionItem{
		PK: subscriptionsPK, SK: sub.ID, URL: sub.URL, Events: sub.Events, Format: sub.Format, Description: sub.Description,
		Secret: sub.Secret, CreatedAt: sub.CreatedAt.Format(time.RFC3339Nano), UpdatedAt: sub.UpdatedAt.Format(time.RFC3339Nano),
	})
	if err != nil {
		return fmt.Errorf("encode subscription %s: %w", sub.ID, err)
	}
	if !create {
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_exists(pk)")})
		if isConditionFailure(err) {
			return leadgate.Errorf(leadgate.ECONFLICT, "Subscription %s was deleted meanwhile; send it again.", sub.ID)
		}
		if err != nil {
			return fmt.Errorf("put subscription %s: %w", sub.ID, err)
		}
		return nil
	}
	err = s.transact(ctx, []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{
			TableName: &s.table, Key: pkSK(subscriptionsPK, countSK),
			UpdateExpression:    aws.String("ADD n :one"),
			ConditionExpression: aws.String("attribute_not_exists(n) OR n < :max"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": &types.AttributeValueMemberN{Value: "1"},
				":max": &types.AttributeValueMemberN{Value: strconv.Itoa(outbound.MaxSubscriptions)},
			},
		}},
	})
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) && len(tc.CancellationReasons) == 2 {
		if aws.ToString(tc.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
			return leadgate.Errorf(leadgate.ECONFLICT, "Subscription %s was created meanwhile; send it again.", sub.ID)
		}
		if aws.ToString(tc.CancellationReasons[1].Code) == "ConditionalCheckFailed" {
			return leadgate.Errorf(leadgate.ECONFLICT, "There are %d subscriptions already, the most there may be: delete one first.", outbound.MaxSubscriptions)
		}
	}
	if isTransactionConflict(err) {
		return leadgate.Errorf(leadgate.ECONFLICT, "Subscriptions were changed meanwhile; send it again.")
	}
	if err != nil {
		return fmt.Errorf("create subscription %s: %w", sub.ID, err)
	}
	return nil
}

// transact writes items in one transaction, again while it only collided
// with another one on the count (DynamoDB cancels both sides of a
// conflict; the other may be done by now).
func (s *WebhookStore) transact(ctx context.Context, items []types.TransactWriteItem) error {
	var err error
	for range 5 {
		if _, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); !isTransactionConflict(err) {
			return err
		}
	}
	return err
}

// isTransactionConflict reports a transaction cancelled only because
// another one was writing the same items.
func isTransactionConflict(err error) bool {
	var tc *types.TransactionCanceledException
	return errors.As(err, &tc) && !isConditionFailure(err) && slices.ContainsFunc(tc.CancellationReasons, func(r types.CancellationReason) bool {
		return aws.ToString(r.Code) == "TransactionConflict"
	})
}

// Subscription returns one subscription, with its secret.
func (s *WebhookStore) Subscription(ctx context.Context, id string) (*outbound.Subscription, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: pkSK(subscriptionsPK, id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get subscription %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No subscription %s.", id)
	}
	var it subscriptionItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode subscription %s: %w", id, err)
	}
	sub := it.subscription()
	return &sub, nil
}

// Subscriptions returns every subscription, by id: one partition of at
// most outbound.MaxSubscriptions items, one page.
func (s *WebhookStore) Subscriptions(ctx context.Context) ([]outbound.Subscription, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: subscriptionsPK}},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	subs := make([]outbound.Subscription, 0, len(out.Items))
	for _, item := range out.Items {
		var it subscriptionItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, fmt.Errorf("decode subscription: %w", err)
		}
		if it.SK == countSK {
			continue
		}
		subs = append(subs, it.subscription())
	}
	return subs, nil
}

// DeleteSubscription removes a subscription and counts it out, in one
// transaction.
func (s *WebhookStore) DeleteSubscription(ctx context.Context, id string) error {
	err := s.transact(ctx, []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.table, Key: pkSK(subscriptionsPK, id), ConditionExpression: aws.String("attribute_exists(pk)")}},
		{Update: &types.Update{
			TableName: &s.table, Key: pkSK(subscriptionsPK, countSK),
			UpdateExpression:          aws.String("ADD n :minus"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":minus": &types.AttributeValueMemberN{Value: "-1"}},
		}},
	})
	if isConditionFailure(err) {
		return leadgate.Errorf(leadgate.ENOTFOUND, "No subscription %s.", id)
	}
	if isTransactionConflict(err) {
		return leadgate.Errorf(leadgate.ECONFLICT, "Subscriptions were changed meanwhile; delete it again.")
	}
	if err != nil {
		return fmt.Errorf("delete subscription %s: %w", id, err)
	}
	return nil
}

// Claim takes a delivery for one try: it succeeds when the ledger has no
// record of it, or only a claim whose lease is over (a try that crashed).
// When it does not, a consistent read says whether the delivery is
// settled or held by another try.
func (s *WebhookStore) Claim(ctx context.Context, sub, event string, now, leaseUntil, expiresAt time.Time) (claimed, settled bool, err error) {
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "delivery#" + sub}, "sk": &types.AttributeValueMemberS{Value: event},
			"state":      &types.AttributeValueMemberS{Value: "claimed"},
			"leaseUntil": &types.AttributeValueMemberN{Value: strconv.FormatInt(leaseUntil.UnixMilli(), 10)},
			"expiresAt":  &types.AttributeValueMemberN{Value: strconv.FormatInt(expiresAt.Unix(), 10)},
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR (#state = :claimed AND leaseUntil < :now)"),
		ExpressionAttributeNames:  map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":claimed": &types.AttributeValueMemberS{Value: "claimed"}, ":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)}},
	})
	if isConditionFailure(err) {
		state, err := s.Outcome(ctx, sub, event)
		if err != nil {
			return false, false, err
		}
		return false, state != "" && state != "claimed", nil
	}
	if err != nil {
		return false, false, fmt.Errorf("claim delivery of %s to %s: %w", event, sub, err)
	}
	return true, false, nil
}

// Release ends a claim's lease at once, for the next try to take.
func (s *WebhookStore) Release(ctx context.Context, sub, event string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: pkSK("delivery#"+sub, event),
		UpdateExpression:          aws.String("SET leaseUntil = :zero"),
		ConditionExpression:       aws.String("#state = :claimed"),
		ExpressionAttributeNames:  map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": &types.AttributeValueMemberN{Value: "0"}, ":claimed": &types.AttributeValueMemberS{Value: "claimed"}},
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("release delivery of %s to %s: %w", event, sub, err)
	}
	return nil
}

// Settle records a delivery's outcome; nothing claims it again until the
// record expires.
func (s *WebhookStore) Settle(ctx context.Context, sub, event, outcome, detail string, expiresAt time.Time) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "delivery#" + sub}, "sk": &types.AttributeValueMemberS{Value: event},
			"state":     &types.AttributeValueMemberS{Value: outcome},
			"detail":    &types.AttributeValueMemberS{Value: clipDetail(detail)},
			"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(expiresAt.Unix(), 10)},
		},
	})
	if err != nil {
		return fmt.Errorf("settle delivery of %s to %s: %w", event, sub, err)
	}
	return nil
}

// Outcome returns the ledger's state of a delivery ("" for none): what an
// operator (and a test) reads.
func (s *WebhookStore) Outcome(ctx context.Context, sub, event string) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: pkSK("delivery#"+sub, event), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("get delivery of %s to %s: %w", event, sub, err)
	}
	if v, ok := out.Item["state"].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// clipDetail keeps an error text to a size fit for an item.
func clipDetail(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}
