package leadtable

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leaditem"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/sales"
)

// BenchmarkDecodeLead measures what reading a lead from a page of the
// campaign index costs leadgate, besides DynamoDB: the item's attributes
// and the record's JSON, for a lead with five touch points and a verdict of
// ten criteria. A preview pays it once per lead.
func BenchmarkDecodeLead(b *testing.B) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	r := &lead.Record{
		Lead: lead.Lead{ID: lead.IDFor("morgan.lee@northwind.example"), Email: "morgan.lee@northwind.example", FirstName: "Morgan", LastName: "Lee",
			Company: "Northwind Logistics", Title: "Head of Platform", Country: "IE",
			Fields: map[string]string{"employees": "1001-5000", "industry": "Software", "cloudSpend": "Idle resources", "consent": "yes"}},
		Stage: lead.StageMQL, Rev: 6, CreatedAt: at, UpdatedAt: at,
		Provenance: map[string]lead.Provenance{},
	}
	for i := range 5 {
		r.Touches = append(r.Touches, lead.TouchPoint{ID: fmt.Sprint("t", i), Type: lead.TouchContentDownload, At: at.Add(time.Duration(i) * time.Hour),
			Campaign: "cloud-cost-whitepaper", Version: 2, Source: lead.SourceForm, UTM: map[string]string{"source": "linkedin", "campaign": "q4"}})
	}
	for _, f := range []string{"email", "firstName", "lastName", "company", "title", "country", "employees", "industry"} {
		r.Provenance[f] = lead.Provenance{Source: lead.SourceForm, Touch: "t0", At: at}
	}
	for i := range 10 {
		r.Verdict.Criteria = append(r.Verdict.Criteria, lead.Criterion{Rule: fmt.Sprint("fit.rule", i), Group: lead.GroupFit, Outcome: lead.Pass, Saw: "Software", Want: "one of Software, Retail"})
	}
	r.History = []lead.Transition{{At: at, To: lead.StageNurture, By: lead.ByEngine}, {At: at, From: lead.StageNurture, To: lead.StageMQL, By: lead.ByEngine}}
	item, err := Encode(r)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(item); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(item["record"].(*types.AttributeValueMemberS).Value)), "record-bytes")
}

// layout is a lead's item as attributevalue writes and reads it: the
// layout the table has held since the first release, and the oracle the
// hand-written codec is held to.
type layout struct {
	ID            string   `dynamodbav:"id"`
	Type          string   `dynamodbav:"type"`
	Email         string   `dynamodbav:"email"`
	Stage         string   `dynamodbav:"stage"`
	Campaign      string   `dynamodbav:"campaign"`
	Rev           int64    `dynamodbav:"rev"`
	UpdatedAt     string   `dynamodbav:"updatedAt"`
	Record        string   `dynamodbav:"record"`
	CampaignShard string   `dynamodbav:"campaignShard,omitempty"`
	Owner         string   `dynamodbav:"owner,omitempty"`
	AssignedAt    string   `dynamodbav:"assignedAt,omitempty"`
	FollowUpShard string   `dynamodbav:"followUpShard,omitempty"`
	FollowUpAt    string   `dynamodbav:"followUpAt,omitempty"`
	HeldDomain    string   `dynamodbav:"heldDomain,omitempty"`
	NameKey       string   `dynamodbav:"nameKey,omitempty"`
	NameSort      string   `dynamodbav:"nameSort,omitempty"`
	ExpiresAt     int64    `dynamodbav:"expiresAt,omitempty"`
	ErasedAt      string   `dynamodbav:"erasedAt,omitempty"`
	ErasedTouches []string `dynamodbav:"erasedTouches,stringset,omitempty"`
}

// oracle is r's item as attributevalue writes the layout.
func oracle(t *testing.T, r *lead.Record) map[string]types.AttributeValue {
	t.Helper()
	doc, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	it := layout{
		ID: r.ID, Type: leaditem.TypeLead, Email: r.Email, Stage: string(r.Stage), Campaign: r.Verdict.Campaign,
		Rev: r.Rev, UpdatedAt: r.UpdatedAt.UTC().Format(time.RFC3339Nano), Record: string(doc), Owner: r.Owner,
		CampaignShard: CampaignShardKey(r.Verdict.Campaign, r.ID),
	}
	if r.AssignedAt != nil {
		it.AssignedAt = r.AssignedAt.UTC().Format(time.RFC3339Nano)
		if r.Owner != "" && sales.Open(r.Stage) {
			it.HeldDomain = sales.CompanyDomain(&r.Lead)
		}
	}
	if r.ExpiresAt != nil {
		it.ExpiresAt = r.ExpiresAt.Unix()
	}
	it.FollowUpShard, it.FollowUpAt = FollowUpKeys(r)
	it.NameKey, it.NameSort = NameKeys(r)
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range Key(r.ID) {
		item[k] = v
	}
	return item
}

// TestItemLayout: the hand-written codec writes, attribute for attribute,
// what attributevalue writes for the layout, and reads back what it wrote
// and what attributevalue wrote: items stored before the codec and after
// it are one layout.
func TestItemLayout(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 123456000, time.FixedZone("CET", 3600))
	due, remind := at.Add(4*time.Hour), at.Add(time.Hour)
	expires, epoch := at.AddDate(0, 6, 0), time.Unix(0, 0)
	person := lead.Lead{ID: lead.IDFor("morgan.lee@northwind.example"), Email: "morgan.lee@northwind.example",
		FirstName: " Morgan ", LastName: "LEE  Smith", Company: "Northwind"}
	for _, tc := range []struct {
		name string
		r    lead.Record
		want []string // attributes the item must carry beyond the eight always there
	}{
		{"new person, no campaign, no name", lead.Record{Lead: lead.Lead{ID: "a1", Email: "a@b.example"}, Stage: lead.StageSuspect, Rev: 1, UpdatedAt: at}, nil},
		{"judged, nurtured, expiring", lead.Record{Lead: person, Stage: lead.StageNurture, Rev: 2, UpdatedAt: at,
			Verdict: lead.Verdict{Campaign: "cloud-cost-whitepaper"}, ExpiresAt: &expires},
			[]string{"campaignShard", "nameKey", "nameSort", "expiresAt"}},
		{"expiry at the epoch is none", lead.Record{Lead: person, Stage: lead.StageNurture, Rev: 2, UpdatedAt: at, ExpiresAt: &epoch},
			[]string{"nameKey", "nameSort"}},
		{"MQL held by a rep, clock running", lead.Record{Lead: person, Stage: lead.StageMQL, Rev: 5, UpdatedAt: at,
			Verdict: lead.Verdict{Campaign: "launch"}, Owner: "rep.ana", AssignedAt: &at,
			FollowUp: &lead.FollowUp{Owner: "rep.ana", Since: at, DueAt: due, RemindAt: &remind}},
			[]string{"campaignShard", "owner", "assignedAt", "heldDomain", "followUpShard", "followUpAt", "nameKey", "nameSort"}},
		{"first name only, closed by sales", lead.Record{Lead: lead.Lead{ID: "c3", Email: "cher@music.example", FirstName: "Cher"}, Stage: lead.StageDisqualified, Rev: 9,
			UpdatedAt: at, Owner: "rep.bo", AssignedAt: &at},
			[]string{"owner", "assignedAt", "nameKey", "nameSort"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encode(&tc.r)
			if err != nil {
				t.Fatal(err)
			}
			want := oracle(t, &tc.r)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Encode differs from attributevalue:\n got  %s\n want %s", describe(got), describe(want))
			}
			if len(got) != 10+len(tc.want) {
				t.Errorf("item has %d attributes, want pk, sk, eight always there and %v: %s", len(got), tc.want, describe(got))
			}
			for _, name := range tc.want {
				if _, ok := got[name]; !ok {
					t.Errorf("item lacks %s: %s", name, describe(got))
				}
			}
			for name, item := range map[string]map[string]types.AttributeValue{"hand-written": got, "attributevalue's": want} {
				back, err := Decode(item)
				if err != nil {
					t.Fatalf("decode the %s item: %v", name, err)
				}
				if back.ID != tc.r.ID || back.Rev != tc.r.Rev || back.Stage != tc.r.Stage || !back.UpdatedAt.Equal(tc.r.UpdatedAt) || back.Owner != tc.r.Owner {
					t.Errorf("the %s item reads back as %+v", name, back)
				}
			}
		})
	}
}

// TestTombstone: an erased lead's item keeps its id, revision, time and
// the ids of its touch points (once each) and nothing of the person; it
// reads back as the tombstone, written by hand or by attributevalue.
func TestTombstone(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	l := &lead.Record{Lead: lead.Lead{ID: "e1", Email: "gone@away.example", FirstName: "Gone"},
		Touches: []lead.TouchPoint{{ID: "t1"}, {ID: "t2"}, {ID: "t1"}}}
	item := tombstone(l, 4, at)
	for name := range item {
		switch name {
		case "pk", "sk", "id", "type", "rev", "erasedAt", "erasedTouches":
		default:
			t.Errorf("the tombstone keeps %s", name)
		}
	}
	viaAV, err := attributevalue.MarshalMap(layout{ID: "e1", Type: Tombstone, Rev: 4, ErasedAt: at.Format(time.RFC3339Nano), ErasedTouches: []string{"t1", "t2"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, it := range map[string]map[string]types.AttributeValue{"hand-written": item, "attributevalue's": viaAV} {
		r, err := Decode(it)
		if err != nil {
			t.Fatalf("decode the %s tombstone: %v", name, err)
		}
		if r.ID != "e1" || r.Rev != 4 || r.ErasedAt == nil || !r.ErasedAt.Equal(at) || len(r.Touches) != 2 || r.Touches[0].ID != "t1" || r.Touches[1].ID != "t2" || r.Email != "" {
			t.Errorf("the %s tombstone reads back as %+v", name, r)
		}
		if _, err := Live("e1", it); err == nil {
			t.Errorf("the %s tombstone reads as a live lead", name)
		}
	}
}

// TestDecodeRefusesAnotherLayout: an attribute of the wrong type is an
// error naming it, not a lead read as empty.
func TestDecodeRefusesAnotherLayout(t *testing.T) {
	good, err := Encode(&lead.Record{Lead: lead.Lead{ID: "a1", Email: "a@b.example"}, Stage: lead.StageSuspect, Rev: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		attr string
		v    types.AttributeValue
	}{
		{"record", &types.AttributeValueMemberN{Value: "1"}},
		{"record", &types.AttributeValueMemberS{Value: "{not json"}},
		{"type", &types.AttributeValueMemberBOOL{Value: true}},
		{"id", &types.AttributeValueMemberSS{Value: []string{"a1"}}},
	} {
		t.Run(tc.attr, func(t *testing.T) {
			item := map[string]types.AttributeValue{}
			for k, v := range good {
				item[k] = v
			}
			item[tc.attr] = tc.v
			if _, err := Decode(item); err == nil {
				t.Errorf("an item whose %s is %T decoded", tc.attr, tc.v)
			}
		})
	}
	tomb := tombstone(&lead.Record{Lead: lead.Lead{ID: "e1"}}, 2, time.Now())
	tomb["rev"] = &types.AttributeValueMemberS{Value: "2"}
	if _, err := Decode(tomb); err == nil {
		t.Error("a tombstone whose rev is a string decoded")
	}
}

func describe(item map[string]types.AttributeValue) string {
	var it map[string]any
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return err.Error()
	}
	delete(it, "record")
	return fmt.Sprint(it)
}

// TestCampaignShardKey: a lead stays in one shard, every shard is used,
// and a lead no campaign judged is in none.
func TestCampaignShardKey(t *testing.T) {
	if CampaignShardKey("", "ld_1") != "" {
		t.Error("a lead of no campaign has a shard")
	}
	used := map[string]bool{}
	for i := range 2000 {
		id := lead.IDFor(string(rune('a'+i%26)) + time.Duration(i).String() + "@example.com")
		k := CampaignShardKey("webinar", id)
		if k != CampaignShardKey("webinar", id) {
			t.Fatal("shard changes")
		}
		used[k] = true
	}
	if len(used) != CampaignShards {
		t.Errorf("%d shards used of %d", len(used), CampaignShards)
	}
}

// TestIndexKeysDoNotMove: a stored lead keeps its index keys, so these
// shards are the ones items written by earlier releases carry; a change
// of the hash or the shard counts would strand them (golden values).
func TestIndexKeysDoNotMove(t *testing.T) {
	due := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ id, campaignShard, followUpShard string }{
		{"ld_1", "webinar#21", "1"},
		{"ld_jxu6wsektsadutv4iojftyiz", "webinar#26", "2"},
	} {
		r := &lead.Record{Lead: lead.Lead{ID: tc.id}, Stage: lead.StageMQL, Owner: "rep.ana", FollowUp: &lead.FollowUp{Owner: "rep.ana", DueAt: due}}
		shard, at := FollowUpKeys(r)
		if got := CampaignShardKey("webinar", tc.id); got != tc.campaignShard || shard != tc.followUpShard || at != "2026-11-20T14:00:00.000Z" {
			t.Errorf("%s: campaign shard %s, follow-up %s at %s; stored leads carry %s and %s", tc.id, got, shard, at, tc.campaignShard, tc.followUpShard)
		}
	}
}
