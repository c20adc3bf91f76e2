package dynamo

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/sales"
)

// SalesStore keeps reps and writes the hand-over: a lead's assignment and
// its rep's open-lead count change in one transaction, so concurrent
// assigners can never overfill a rep nor assign a lead twice.
type SalesStore struct {
	db       *dynamodb.Client
	leads    *LeadStore
	reps     string
	accounts string // the accounts table (WithAccounts)
}

// NewSalesStore returns a store on the reps table and the leads store.
func NewSalesStore(db *dynamodb.Client, leads *LeadStore, repsTable string) *SalesStore {
	return &SalesStore{db: db, leads: leads.WithReps(repsTable), reps: repsTable}
}

// ownerIndex is the leads table's index of leads by owner.
const ownerIndex = "byOwner"

type repItem struct {
	ID             string   `dynamodbav:"repId"`
	Name           string   `dynamodbav:"name"`
	Email          string   `dynamodbav:"email,omitempty"`
	Territories    []string `dynamodbav:"territories,stringset"`
	Active         bool     `dynamodbav:"active"`
	Capacity       int      `dynamodbav:"capacity"`
	OpenLeads      int      `dynamodbav:"openLeads"`
	LastAssignedAt string   `dynamodbav:"lastAssignedAt,omitempty"`
	Away           string   `dynamodbav:"away,omitempty"`         // []sales.Absence as JSON
	WorkingHours   string   `dynamodbav:"workingHours,omitempty"` // sales.Shift as JSON
	Weight         int      `dynamodbav:"weight,omitempty"`
	Turn           int64    `dynamodbav:"turn,omitempty"`
}

func (it repItem) rep() (sales.Rep, error) {
	r := sales.Rep{ID: it.ID, Name: it.Name, Email: it.Email, Territories: it.Territories, Active: it.Active, Capacity: it.Capacity, OpenLeads: it.OpenLeads, Weight: cmp.Or(it.Weight, sales.DefaultWeight), Turn: it.Turn}
	r.LastAssignedAt, _ = time.Parse(time.RFC3339Nano, it.LastAssignedAt)
	if it.Away != "" {
		if err := json.Unmarshal([]byte(it.Away), &r.Away); err != nil {
			return r, fmt.Errorf("decode absences of rep %s: %w", it.ID, err)
		}
	}
	if it.WorkingHours != "" {
		if err := json.Unmarshal([]byte(it.WorkingHours), &r.WorkingHours); err != nil {
			return r, fmt.Errorf("decode working hours of rep %s: %w", it.ID, err)
		}
	}
	return r, nil
}

// PutRep creates or changes a rep's settings; the open-lead count and the
// round-robin position (last assignment, turn) are leadgate's and survive
// the change.
func (s *SalesStore) PutRep(ctx context.Context, r *sales.Rep) (*sales.Rep, bool, error) {
	set := "SET #name = :name, territories = :territories, active = :active, #capacity = :capacity, weight = :weight, openLeads = if_not_exists(openLeads, :zero)"
	values := map[string]types.AttributeValue{
		":name":        &types.AttributeValueMemberS{Value: r.Name},
		":territories": &types.AttributeValueMemberSS{Value: r.Territories},
		":active":      &types.AttributeValueMemberBOOL{Value: r.Active},
		":capacity":    &types.AttributeValueMemberN{Value: strconv.Itoa(r.Capacity)},
		":weight":      &types.AttributeValueMemberN{Value: strconv.Itoa(cmp.Or(r.Weight, sales.DefaultWeight))},
		":zero":        &types.AttributeValueMemberN{Value: "0"},
	}
	expr := set
	var remove []string
	if r.Email != "" {
		expr += ", email = :email"
		values[":email"] = &types.AttributeValueMemberS{Value: r.Email}
	} else {
		remove = append(remove, "email")
	}
	// Absences and hours are JSON: nothing queries inside them.
	for _, a := range []struct {
		name string
		set  bool
		v    any
	}{{"away", len(r.Away) > 0, r.Away}, {"workingHours", r.WorkingHours != nil, r.WorkingHours}} {
		name := a.name
		if !a.set {
			remove = append(remove, name)
			continue
		}
		doc, err := json.Marshal(a.v)
		if err != nil {
			return nil, false, fmt.Errorf("encode rep %s: %w", r.ID, err)
		}
		expr += ", " + name + " = :" + name
		values[":"+name] = &types.AttributeValueMemberS{Value: string(doc)}
	}
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.reps,
		Key:                       leadtable.RepKey(r.ID),
		UpdateExpression:          &expr,
		ExpressionAttributeNames:  map[string]string{"#name": "name", "#capacity": "capacity"},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllOld,
	})
	if err != nil {
		return nil, false, fmt.Errorf("put rep %s: %w", r.ID, err)
	}
	var old repItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &old); err != nil {
		return nil, false, fmt.Errorf("decode rep %s: %w", r.ID, err)
	}
	rep := *r
	prev, err := old.rep()
	if err != nil {
		return nil, false, err
	}
	rep.OpenLeads, rep.LastAssignedAt, rep.Turn = prev.OpenLeads, prev.LastAssignedAt, prev.Turn
	return &rep, len(out.Attributes) == 0, nil
}

// Rep returns one rep.
func (s *SalesStore) Rep(ctx context.Context, id string) (*sales.Rep, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.reps, Key: leadtable.RepKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get rep %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No rep %s.", id)
	}
	var it repItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode rep %s: %w", id, err)
	}
	r, err := it.rep()
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Reps returns every rep, read consistently: the assigner picks by their
// open-lead counts. A sales team is tens or hundreds of people: a scan.
func (s *SalesStore) Reps(ctx context.Context) ([]sales.Rep, error) {
	var out []sales.Rep
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: &s.reps, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list reps: %w", err)
		}
		for _, item := range page.Items {
			var it repItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("decode rep: %w", err)
			}
			r, err := it.rep()
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// Lead returns a lead read consistently: an assigner must see the latest
// owner and revision.
func (s *SalesStore) Lead(ctx context.Context, id string) (*lead.Record, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.leads.table, Key: leadtable.Key(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get lead %s: %w", id, err)
	}
	return leadtable.Live(id, out.Item)
}

// Update changes a lead, and the rep counts that move with it, in one
// write: LeadStore.Update.
func (s *SalesStore) Update(ctx context.Context, id string, change func(*lead.Record) (lead.Change, error)) (*lead.Record, error) {
	return s.leads.Update(ctx, id, change)
}

// MaxRepLeadsPage bounds a page of an owner's leads: a lead record may
// be up to 128 KiB, and an answer stays well inside 6 MB.
const MaxRepLeadsPage = 25

// RepLeads returns one page of the leads an owner (a rep, or the fallback
// owner) holds, most recently assigned first, from cursor ("" for the
// first page); next is "" after the last page.
func (s *SalesStore) RepLeads(ctx context.Context, repID, cursor string) ([]*lead.Record, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.leads.table,
		IndexName:                 aws.String(ownerIndex),
		KeyConditionExpression:    aws.String("#owner = :rep"),
		ExpressionAttributeNames:  map[string]string{"#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":rep": &types.AttributeValueMemberS{Value: repID}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(MaxRepLeadsPage),
	}
	return s.leads.page(ctx, in, "owner", repID, cursor)
}

// heldDomainIndex is the leads table's sparse index of the leads sales
// holds open, by company domain.
const heldDomainIndex = "byHeldDomain"

// MaxHolderLeads bounds the read of a domain's open leads: the most
// recently assigned this many name the colleagues a new lead may join.
const MaxHolderLeads = 50

// Holders returns the owners of the open leads of a company domain, most
// recently assigned first, repeated as often as they hold one; one query
// of at most MaxHolderLeads keys. The index is eventually consistent: a
// lead assigned a moment ago may not be seen yet.
func (s *SalesStore) Holders(ctx context.Context, domain string) ([]string, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.leads.table,
		IndexName:                 aws.String(heldDomainIndex),
		KeyConditionExpression:    aws.String("heldDomain = :d"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberS{Value: domain}},
		ProjectionExpression:      aws.String("#owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": "owner"},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(MaxHolderLeads),
	})
	if err != nil {
		return nil, fmt.Errorf("leads held at %s: %w", domain, err)
	}
	owners := make([]string, 0, len(out.Items))
	for _, item := range out.Items {
		if o, ok := item["owner"].(*types.AttributeValueMemberS); ok {
			owners = append(owners, o.Value)
		}
	}
	return owners, nil
}
