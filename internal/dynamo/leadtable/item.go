package leadtable

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leaditem"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/sales"
)

// A lead's item: pk LEAD#<id>, sk LEAD. The record travels as one JSON
// attribute (record): DynamoDB's cost (and DynamoDB Local's far more) grows
// with the number of attributes it walks, and nothing queries inside a
// verdict. What conditions, keys and stream consumers look at stays
// top-level:
//
//	id, type, email, stage, campaign, rev, updatedAt, record   always
//	campaignShard                 byCampaignShard index: the campaign's shard
//	owner, assignedAt             byOwner index: a rep's leads
//	followUpShard, followUpAt     byFollowUp index: running SLA clocks
//	heldDomain                    byHeldDomain index: company of a lead sales holds open
//	nameKey, nameSort             byName index: last name, first name and id, folded
//	expiresAt                     the table's TTL (epoch seconds)
//	erasedAt, erasedTouches       a tombstone's, and nothing else of the person
//
// An optional attribute is absent, never empty, so the sparse indexes hold
// only the leads they are about.
const (
	// SK is the sort key of a lead's item.
	SK = "LEAD"
	// Tombstone is the type of the item an erasure leaves in a lead's place.
	Tombstone = "tombstone"
)

// Key is the key of a lead's item.
func Key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "LEAD#" + id},
		"sk": &types.AttributeValueMemberS{Value: SK},
	}
}

// Encode is the item of r, index keys and all. It is written by hand, not
// by attributevalue's reflection: the public intake function links this
// package and not attributevalue (with the stream types it brings), which
// keeps its binary, and its cold start, small. TestItemLayout holds it to
// what attributevalue writes for the same fields.
func Encode(r *lead.Record) (map[string]types.AttributeValue, error) {
	// Encode holds every write to the record's byte budget.
	doc, err := r.Encode()
	if err != nil {
		return nil, err
	}
	item := Key(r.ID)
	item["id"] = str(r.ID)
	item["type"] = str(leaditem.TypeLead)
	item["email"] = str(r.Email)
	item["stage"] = str(string(r.Stage))
	item["campaign"] = str(r.Verdict.Campaign)
	item["rev"] = num(r.Rev)
	item["updatedAt"] = str(r.UpdatedAt.UTC().Format(time.RFC3339Nano))
	item[leaditem.AttrRecord] = str(string(doc))
	optional(item, "campaignShard", CampaignShardKey(r.Verdict.Campaign, r.ID))
	optional(item, "owner", r.Owner)
	if r.AssignedAt != nil {
		item["assignedAt"] = str(r.AssignedAt.UTC().Format(time.RFC3339Nano))
		if r.Owner != "" && sales.Open(r.Stage) {
			optional(item, "heldDomain", sales.CompanyDomain(&r.Lead))
		}
	}
	shard, at := FollowUpKeys(r)
	optional(item, "followUpShard", shard)
	optional(item, "followUpAt", at)
	key, sort := NameKeys(r)
	optional(item, "nameKey", key)
	optional(item, "nameSort", sort)
	if r.ExpiresAt != nil && r.ExpiresAt.Unix() != 0 {
		item["expiresAt"] = num(r.ExpiresAt.Unix())
	}
	return item, nil
}

// tombstone is the item of an erased lead at revision rev: the key (a hash
// of the email), the revision, the time, and the touch point ids (hashes)
// so their retries are recognised; nothing else.
func tombstone(l *lead.Record, rev int64, at time.Time) map[string]types.AttributeValue {
	item := Key(l.ID)
	var touches []string
	for _, t := range l.Touches {
		if !slices.Contains(touches, t.ID) {
			touches = append(touches, t.ID)
		}
	}
	if len(touches) > 0 {
		item["erasedTouches"] = &types.AttributeValueMemberSS{Value: touches}
	}
	item["id"] = str(l.ID)
	item["type"] = str(Tombstone)
	item["rev"] = num(rev)
	item["erasedAt"] = str(at.UTC().Format(time.RFC3339Nano))
	return item
}

// Decode reads a lead's item: the lead, or the tombstone of an erased one
// (ErasedAt set, its touch points' ids and nothing else).
func Decode(item map[string]types.AttributeValue) (*lead.Record, error) {
	typ, err := stringAttr(item, "type")
	if err != nil {
		return nil, fmt.Errorf("decode lead: %w", err)
	}
	id, err := stringAttr(item, "id")
	if err != nil {
		return nil, fmt.Errorf("decode lead: %w", err)
	}
	if typ == Tombstone {
		return decodeTombstone(id, item)
	}
	doc, err := stringAttr(item, leaditem.AttrRecord)
	if err != nil {
		return nil, fmt.Errorf("decode lead %s: %w", id, err)
	}
	r, err := lead.Decode([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("decode lead %s: %w", id, err)
	}
	return r, nil
}

func decodeTombstone(id string, item map[string]types.AttributeValue) (*lead.Record, error) {
	erased, err := stringAttr(item, "erasedAt")
	if err != nil {
		return nil, fmt.Errorf("decode tombstone %s: %w", id, err)
	}
	at, err := time.Parse(time.RFC3339Nano, erased)
	if err != nil {
		return nil, fmt.Errorf("decode tombstone %s: %w", id, err)
	}
	r := &lead.Record{Lead: lead.Lead{ID: id}, ErasedAt: &at}
	switch v := item["rev"].(type) {
	case nil:
	case *types.AttributeValueMemberN:
		if r.Rev, err = strconv.ParseInt(v.Value, 10, 64); err != nil {
			return nil, fmt.Errorf("decode tombstone %s: rev: %w", id, err)
		}
	default:
		return nil, fmt.Errorf("decode tombstone %s: rev is %T, not a number", id, v)
	}
	switch v := item["erasedTouches"].(type) {
	case nil:
	case *types.AttributeValueMemberSS:
		for _, t := range v.Value {
			r.Touches = append(r.Touches, lead.TouchPoint{ID: t})
		}
	default:
		return nil, fmt.Errorf("decode tombstone %s: erasedTouches is %T, not a string set", id, v)
	}
	return r, nil
}

// stringAttr is a string attribute of item, "" when it is absent.
func stringAttr(item map[string]types.AttributeValue, name string) (string, error) {
	switch v := item[name].(type) {
	case nil, *types.AttributeValueMemberNULL:
		return "", nil
	case *types.AttributeValueMemberS:
		return v.Value, nil
	default:
		return "", fmt.Errorf("%s is %T, not a string", name, v)
	}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func optional(item map[string]types.AttributeValue, name, value string) {
	if value != "" {
		item[name] = str(value)
	}
}

// CampaignShards is how many partitions of the byCampaignShard index a
// campaign's leads are spread over: a write to any lead of a campaign
// writes the index too, and one partition takes about 1,000 write units a
// second, so a launch's leads do not all land in one (SCALING.md).
const CampaignShards = 32

// CampaignShardKey is the byCampaignShard partition key of a campaign's
// lead: the lead id picks the shard, so a lead stays in its shard however
// often it changes. A lead judged by no campaign is in no shard.
func CampaignShardKey(campaignID, leadID string) string {
	if campaignID == "" {
		return ""
	}
	return ShardOf(campaignID, shardOfID(leadID, CampaignShards))
}

// ShardOf is the byCampaignShard partition key of one of a campaign's
// shards.
func ShardOf(campaignID string, shard int) string {
	return campaignID + "#" + strconv.Itoa(shard)
}

func shardOfID(leadID string, shards uint32) int {
	h := fnv.New32a()
	h.Write([]byte(leadID))
	return int(h.Sum32() % shards)
}

const (
	// FollowUpShards is how many partitions of the byFollowUp index the
	// running SLA clocks are spread over, by lead id, so the clocks of a
	// busy launch do not all write one.
	FollowUpShards = 4
	// FollowUpLayout sorts as it reads: fixed width, UTC, milliseconds.
	FollowUpLayout = "2006-01-02T15:04:05.000Z"
)

// FollowUpKeys are the byFollowUp keys of a lead whose SLA clock runs
// (lead.Record.Clock): its shard and when the clock is next due; "" for a
// lead whose clock does not run, which the sparse index leaves out.
func FollowUpKeys(r *lead.Record) (shard, at string) {
	f := r.Clock()
	if f == nil {
		return "", ""
	}
	return strconv.Itoa(shardOfID(r.ID, FollowUpShards)), f.Next().UTC().Format(FollowUpLayout)
}

// FoldName is a name as the byName index keys it: lower case, single
// spaces.
func FoldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// NameKeys are the byName keys of a lead: its last name, and its first
// name then its id, folded; "" for a lead with no name. A lead with one
// name is keyed by it, as a last name.
func NameKeys(r *lead.Record) (key, sort string) {
	last, first := FoldName(r.LastName), FoldName(r.FirstName)
	if last == "" {
		last, first = first, ""
	}
	if last == "" {
		return "", ""
	}
	return last, first + "#" + r.ID
}

// SpamShards is how many items (and partitions) a campaign's bot count of
// a day is spread over: a bot flood on one campaign is one write per post,
// at 5,000 posts/s five times what one partition takes, and a throttled
// partition of the leads table slows the other campaigns' leads in it.
// Sixteen keep each item near 300 writes/s at that rate (SCALING.md).
const SpamShards = 16

// SpamKey is the item of a campaign's bot count of a day in shard; shard 0
// is where the count was kept before it was sharded, so that one counts
// too.
func SpamKey(campaignID string, day time.Time, shard int) map[string]types.AttributeValue {
	pk := "STATS#" + campaignID
	if shard > 0 {
		pk += "#" + strconv.Itoa(shard)
	}
	return map[string]types.AttributeValue{
		"pk": str(pk),
		"sk": str("SPAM#" + day.UTC().Format(time.DateOnly)),
	}
}

// RepKey is the key of a rep's item in the reps table, whose open-lead
// count moves in the same transaction as the lead that moves it.
func RepKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"repId": str(id)}
}
