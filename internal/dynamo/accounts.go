package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// The accounts table holds two kinds of item:
//
//   - an account: pk ACCOUNT, sk <account id>, with its domains, owner,
//     tier and revision; one partition, so the list is a query in id
//     order (accounts are written by people, a few a minute at most).
//   - a domain's claim: pk DOMAIN#<domain>, sk DOMAIN, naming the account
//     and its owner, so the assigner finds a lead's account by key reads,
//     and a domain can belong to one account only (the claim is written
//     on condition that no other account holds it).
//
// An account and its claims change in one transaction.
const (
	accountPK     = "ACCOUNT"
	domainSK      = "DOMAIN"
	domainPrefix  = "DOMAIN#"
	accountRounds = 8 // writers of one account at once that all land
)

// MaxAccountsPage bounds a page of the account list (an account is under
// 6 KB: 20 domains of at most 253 bytes and a 200-byte name).
const MaxAccountsPage = 100

type accountItem struct {
	ID      string   `dynamodbav:"sk"`
	Name    string   `dynamodbav:"name"`
	Domains []string `dynamodbav:"domains,stringset"`
	Owner   string   `dynamodbav:"owner"`
	Tier    string   `dynamodbav:"tier,omitempty"`
	Rev     int64    `dynamodbav:"rev"`
}

type domainItem struct {
	Account string `dynamodbav:"account"`
	Name    string `dynamodbav:"name"`
	Owner   string `dynamodbav:"owner"`
}

func (it accountItem) account() *sales.Account {
	a := &sales.Account{ID: it.ID, Name: it.Name, Domains: it.Domains, Owner: it.Owner, Tier: it.Tier}
	slices.Sort(a.Domains)
	return a
}

func accountKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: accountPK}, "sk": &types.AttributeValueMemberS{Value: id}}
}

func domainKey(d string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: domainPrefix + d}, "sk": &types.AttributeValueMemberS{Value: domainSK}}
}

// WithAccounts returns the store that keeps accounts in table.
func (s *SalesStore) WithAccounts(table string) *SalesStore {
	c := *s
	c.accounts = table
	return &c
}

// account reads an account item consistently: nil when there is none.
func (s *SalesStore) account(ctx context.Context, id string) (*accountItem, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.accounts, Key: accountKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get account %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var it accountItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode account %s: %w", id, err)
	}
	return &it, nil
}

// Account returns one account.
func (s *SalesStore) Account(ctx context.Context, id string) (*sales.Account, error) {
	it, err := s.account(ctx, id)
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No account %s.", id)
	}
	return it.account(), nil
}

// Accounts returns one page of accounts in id order, after the account id
// cursor ("" for the first page); next is "" after the last page.
func (s *SalesStore) Accounts(ctx context.Context, cursor string) ([]*sales.Account, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.accounts,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: accountPK}},
		Limit:                     aws.Int32(MaxAccountsPage),
		ConsistentRead:            aws.Bool(true),
	}
	if cursor != "" {
		// The cursor is the last account id of the page before: nothing
		// else a caller hands back can steer the read.
		if !sales.ValidAccountID(cursor) {
			return nil, "", leadgate.Errorf(leadgate.EBADREQUEST, "cursor: not one this list gave; start again without it.")
		}
		in.ExclusiveStartKey = accountKey(cursor)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("list accounts: %w", err)
	}
	page := make([]*sales.Account, 0, len(out.Items))
	for _, item := range out.Items {
		var it accountItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, "", fmt.Errorf("decode account: %w", err)
		}
		page = append(page, it.account())
	}
	next := ""
	if len(out.LastEvaluatedKey) > 0 && len(page) > 0 {
		next = page[len(page)-1].ID
	}
	return page, next, nil
}

// PutAccount creates or changes an account, claiming its new domains and
// letting go of those it no longer lists, in one transaction with a check
// that its owner is a rep. A domain another account holds is a conflict.
func (s *SalesStore) PutAccount(ctx context.Context, a *sales.Account) (*sales.Account, bool, error) {
	for range accountRounds {
		old, err := s.account(ctx, a.ID)
		if err != nil {
			return nil, false, err
		}
		items, err := s.accountWrites(a, old)
		if err != nil {
			return nil, false, err
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			stored := *a
			slices.Sort(stored.Domains)
			return &stored, old == nil, nil
		}
		var tc *types.TransactionCanceledException
		if !errors.As(err, &tc) || len(tc.CancellationReasons) != len(items) {
			return nil, false, fmt.Errorf("put account %s: %w", a.ID, err)
		}
		failed := func(i int) bool { return aws.ToString(tc.CancellationReasons[i].Code) == "ConditionalCheckFailed" }
		if failed(1) {
			return nil, false, leadgate.Invalid("The account's owner is not a rep.", []leadgate.Problem{{Path: "owner", Message: strconv.Quote(a.Owner) + " is not a rep: put the rep first"}})
		}
		for i, d := range a.Domains {
			if failed(2 + i) {
				return nil, false, s.claimed(ctx, d)
			}
		}
		conflict := slices.ContainsFunc(tc.CancellationReasons, func(r types.CancellationReason) bool {
			return aws.ToString(r.Code) == "TransactionConflict"
		})
		if failed(0) || conflict {
			continue // changed meanwhile, or another write of the same items in flight: read it again
		}
		return nil, false, fmt.Errorf("put account %s: %w", a.ID, err)
	}
	return nil, false, leadgate.Errorf(leadgate.ECONFLICT, "Account %s is being changed by too many writers at once; try again.", a.ID)
}

// accountWrites are the items of one account's change: the account on its
// revision, the owner's check, a claim per domain (in a's order), and the
// release of each domain it no longer lists.
func (s *SalesStore) accountWrites(a *sales.Account, old *accountItem) ([]types.TransactWriteItem, error) {
	next := accountItem{ID: a.ID, Name: a.Name, Domains: a.Domains, Owner: a.Owner, Tier: a.Tier, Rev: 1}
	put := &types.Put{TableName: &s.accounts, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if old != nil {
		next.Rev = old.Rev + 1
		put.ConditionExpression = aws.String("rev = :rev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":rev": &types.AttributeValueMemberN{Value: strconv.FormatInt(old.Rev, 10)}}
	}
	item, err := attributevalue.MarshalMap(next)
	if err != nil {
		return nil, fmt.Errorf("encode account %s: %w", a.ID, err)
	}
	item["pk"] = &types.AttributeValueMemberS{Value: accountPK}
	put.Item = item
	items := []types.TransactWriteItem{
		{Put: put},
		{ConditionCheck: &types.ConditionCheck{TableName: &s.reps, Key: leadtable.RepKey(a.Owner), ConditionExpression: aws.String("attribute_exists(repId)")}},
	}
	mine := map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: a.ID}}
	for _, d := range a.Domains {
		claim, err := attributevalue.MarshalMap(domainItem{Account: a.ID, Name: a.Name, Owner: a.Owner})
		if err != nil {
			return nil, fmt.Errorf("encode account %s: %w", a.ID, err)
		}
		for k, v := range domainKey(d) {
			claim[k] = v
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.accounts, Item: claim,
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR account = :id"),
			ExpressionAttributeValues: mine,
		}})
	}
	if old != nil {
		for _, d := range old.Domains {
			if !slices.Contains(a.Domains, d) {
				items = append(items, types.TransactWriteItem{Delete: &types.Delete{
					TableName: &s.accounts, Key: domainKey(d),
					ConditionExpression: aws.String("account = :id"), ExpressionAttributeValues: mine,
				}})
			}
		}
	}
	return items, nil
}

// claimed is the conflict of a domain another account holds, naming it.
func (s *SalesStore) claimed(ctx context.Context, domain string) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.accounts, Key: domainKey(domain), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get domain %s: %w", domain, err)
	}
	if out.Item == nil {
		return leadgate.Errorf(leadgate.ECONFLICT, "%s was being claimed or let go by another account at the same moment; try again.", domain)
	}
	var it domainItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return fmt.Errorf("decode domain %s: %w", domain, err)
	}
	return leadgate.Errorf(leadgate.ECONFLICT, "%s belongs to account %s: a domain belongs to one account; take it off %s first.", domain, it.Account, it.Account)
}

// DeleteAccount removes an account and lets go of its domains.
func (s *SalesStore) DeleteAccount(ctx context.Context, id string) error {
	for range accountRounds {
		old, err := s.account(ctx, id)
		if err != nil {
			return err
		}
		if old == nil {
			return leadgate.Errorf(leadgate.ENOTFOUND, "No account %s.", id)
		}
		mine := map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}}
		items := []types.TransactWriteItem{{Delete: &types.Delete{
			TableName: &s.accounts, Key: accountKey(id), ConditionExpression: aws.String("rev = :rev"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":rev": &types.AttributeValueMemberN{Value: strconv.FormatInt(old.Rev, 10)}},
		}}}
		for _, d := range old.Domains {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{
				TableName: &s.accounts, Key: domainKey(d), ConditionExpression: aws.String("account = :id"), ExpressionAttributeValues: mine,
			}})
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		var tc *types.TransactionCanceledException
		if errors.As(err, &tc) {
			continue // changed meanwhile: read it again
		}
		if err != nil {
			return fmt.Errorf("delete account %s: %w", id, err)
		}
		return nil
	}
	return leadgate.Errorf(leadgate.ECONFLICT, "Account %s is being changed by too many writers at once; try again.", id)
}

// AccountFor returns the account whose claim holds the first of domains
// that one holds (most specific first), and that domain: one BatchGetItem
// of at most len(domains) keys, never a scan.
func (s *SalesStore) AccountFor(ctx context.Context, domains []string) (*sales.Account, string, error) {
	if len(domains) == 0 {
		return nil, "", nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(domains))
	for _, d := range domains {
		keys = append(keys, domainKey(d))
	}
	found := map[string]domainItem{}
	req := map[string]types.KeysAndAttributes{s.accounts: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for range accountRounds {
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, "", fmt.Errorf("find account of %v: %w", domains, err)
		}
		for _, item := range out.Responses[s.accounts] {
			var it struct {
				PK string `dynamodbav:"pk"`
				domainItem
			}
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, "", fmt.Errorf("decode domain: %w", err)
			}
			found[it.PK[len(domainPrefix):]] = it.domainItem
		}
		if req = out.UnprocessedKeys; len(req) == 0 {
			break
		}
	}
	if len(req) > 0 {
		return nil, "", fmt.Errorf("find account of %v: keys left unread", domains)
	}
	for _, d := range domains {
		if it, ok := found[d]; ok {
			return &sales.Account{ID: it.Account, Name: it.Name, Owner: it.Owner}, d, nil
		}
	}
	return nil, "", nil
}
