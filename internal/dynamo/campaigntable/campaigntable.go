// Package campaigntable is a published campaign version's item in the
// campaigns table, and the read of the version in force. It is apart from
// package dynamo, which publishes versions and keeps drafts and jobs in the
// same table, so that the public intake function, which only reads the
// version in force, links this and not attributevalue: the item is coded
// by hand. Package dynamo's CampaignStore is this Reader with the writes
// and lists added.
//
// Layout (table keyed by campaignId + version): version 1..n are the
// published versions, never rewritten. Version 0 is the head: a copy of the
// latest version plus its number, so "the current definition" is one
// GetItem and a concurrent publish is caught by a condition on the head.
package campaigntable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// HeadVersion is the version number of a campaign's head.
const HeadVersion = 0

// Item is the stored form of one version (or the head).
type Item struct {
	CampaignID  string
	Version     int
	Latest      int // the head's only: the version it copies
	Digest      string
	PublishedAt string
	PublishedBy string
	// Definition is the validated definition as JSON: one attribute keeps
	// the document exactly as judged, whatever fields later releases add.
	Definition string
	// SignOff is how the version came to be (policy, approvals, draft,
	// mode) as JSON; absent on versions published before sign-off existed.
	SignOff string
}

// signOff is the stored form of how a version was agreed.
type signOff struct {
	Policy    string              `json:"policy,omitempty"`
	Approvals []campaign.Approval `json:"approvals,omitempty"`
	Draft     string              `json:"draft,omitempty"`
	Mode      string              `json:"mode,omitempty"`
}

// NewItem is the item of p published as version; p's definition must have
// passed Validate.
func NewItem(p *campaign.Published, version int) (Item, error) {
	d := p.Definition
	doc, err := json.Marshal(d)
	if err != nil {
		return Item{}, fmt.Errorf("encode definition %s: %w", d.ID, err)
	}
	so, err := json.Marshal(signOff{Policy: p.Policy, Approvals: p.Approvals, Draft: p.Draft, Mode: p.Mode})
	if err != nil {
		return Item{}, fmt.Errorf("encode sign-off of %s: %w", d.ID, err)
	}
	return Item{CampaignID: d.ID, Version: version, Digest: d.Digest(), PublishedAt: p.PublishedAt.UTC().Format(time.RFC3339Nano),
		PublishedBy: p.PublishedBy, Definition: string(doc), SignOff: string(so)}, nil
}

// Key is the key of a campaign's item at version: a published version, the
// head, or the drafts' and jobs' items below zero.
func Key(id string, version int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"campaignId": &types.AttributeValueMemberS{Value: id},
		"version":    &types.AttributeValueMemberN{Value: strconv.Itoa(version)},
	}
}

// Encode is the item as stored, written by hand (TestItemLayout holds it
// to what attributevalue writes).
func (it *Item) Encode() map[string]types.AttributeValue {
	item := Key(it.CampaignID, it.Version)
	if it.Latest != 0 {
		item["latest"] = &types.AttributeValueMemberN{Value: strconv.Itoa(it.Latest)}
	}
	item["digest"] = &types.AttributeValueMemberS{Value: it.Digest}
	item["publishedAt"] = &types.AttributeValueMemberS{Value: it.PublishedAt}
	item["publishedBy"] = &types.AttributeValueMemberS{Value: it.PublishedBy}
	item["definition"] = &types.AttributeValueMemberS{Value: it.Definition}
	if it.SignOff != "" {
		item["signOff"] = &types.AttributeValueMemberS{Value: it.SignOff}
	}
	return item
}

// Decode reads a version's (or the head's) item.
func Decode(item map[string]types.AttributeValue) (*Item, error) {
	var (
		it   Item
		errs []error
	)
	text := func(name string, into *string) {
		switch v := item[name].(type) {
		case nil, *types.AttributeValueMemberNULL:
		case *types.AttributeValueMemberS:
			*into = v.Value
		default:
			errs = append(errs, fmt.Errorf("%s is %T, not a string", name, v))
		}
	}
	number := func(name string, into *int) {
		switch v := item[name].(type) {
		case nil, *types.AttributeValueMemberNULL:
		case *types.AttributeValueMemberN:
			n, err := strconv.Atoi(v.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			*into = n
		default:
			errs = append(errs, fmt.Errorf("%s is %T, not a number", name, v))
		}
	}
	text("campaignId", &it.CampaignID)
	number("version", &it.Version)
	number("latest", &it.Latest)
	text("digest", &it.Digest)
	text("publishedAt", &it.PublishedAt)
	text("publishedBy", &it.PublishedBy)
	text("definition", &it.Definition)
	text("signOff", &it.SignOff)
	if len(errs) > 0 {
		return nil, fmt.Errorf("decode campaign %s v%d: %w", it.CampaignID, it.Version, errors.Join(errs...))
	}
	return &it, nil
}

// Published is the version the item holds.
func (it *Item) Published() (*campaign.Published, error) {
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
	if v == HeadVersion {
		v = it.Latest
	}
	return &campaign.Published{Version: v, PublishedAt: at, PublishedBy: it.PublishedBy, Digest: it.Digest, Definition: &d,
		Policy: so.Policy, Approvals: so.Approvals, Draft: so.Draft, Mode: so.Mode}, nil
}

// Reader reads a campaigns table's versions.
type Reader struct {
	db    *dynamodb.Client
	table string
}

// NewReader returns a reader of the given table.
func NewReader(db *dynamodb.Client, table string) *Reader {
	return &Reader{db: db, table: table}
}

// Item reads a campaign's item at version, nil when there is none.
func (r *Reader) Item(ctx context.Context, id string, version int, consistent bool) (*Item, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &r.table,
		Key:            Key(id, version),
		ConsistentRead: &consistent,
	})
	if err != nil {
		return nil, fmt.Errorf("get campaign %s v%d: %w", id, version, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	return Decode(out.Item)
}

// Current returns the latest published version of a campaign.
func (r *Reader) Current(ctx context.Context, id string) (*campaign.Published, error) {
	it, err := r.Item(ctx, id, HeadVersion, false)
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No campaign %q.", id)
	}
	return it.Published()
}
