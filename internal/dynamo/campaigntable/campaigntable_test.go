package campaigntable

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/campaign"
)

// layout is a version's item as attributevalue writes and reads it: the
// layout the table has held since the first release, and the oracle the
// hand-written codec is held to.
type layout struct {
	CampaignID  string `dynamodbav:"campaignId"`
	Version     int    `dynamodbav:"version"`
	Latest      int    `dynamodbav:"latest,omitempty"`
	Digest      string `dynamodbav:"digest"`
	PublishedAt string `dynamodbav:"publishedAt"`
	PublishedBy string `dynamodbav:"publishedBy"`
	Definition  string `dynamodbav:"definition"`
	SignOff     string `dynamodbav:"signOff,omitempty"`
}

// encodeBothWays is it encoded by hand and by attributevalue, which must
// agree attribute for attribute.
func encodeBothWays(t *testing.T, it Item) (hand, oracle map[string]types.AttributeValue) {
	t.Helper()
	oracle, err := attributevalue.MarshalMap(layout(it))
	if err != nil {
		t.Fatal(err)
	}
	hand = it.Encode()
	if !reflect.DeepEqual(hand, oracle) {
		t.Errorf("Encode differs from attributevalue:\n got  %v\n want %v", hand, oracle)
	}
	return hand, oracle
}

// TestItemLayout: the hand-written codec writes, attribute for attribute,
// what attributevalue writes for the layout, and reads back what either
// wrote, as the same published version.
func TestItemLayout(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 5000, time.UTC)
	p := &campaign.Published{PublishedAt: at, PublishedBy: "ana@marketing.example", Policy: "both-teams",
		Approvals:  []campaign.Approval{{Side: "sales", Decision: "approve", By: "bo@sales.example", At: at}},
		Definition: &campaign.Definition{ID: "launch", Name: "Launch", Channel: "webinar", ReviewBy: campaign.Date{Time: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)}}}
	version, err := NewItem(p, 3)
	if err != nil {
		t.Fatal(err)
	}
	head := version
	head.Version, head.Latest = HeadVersion, 3
	old := version
	old.SignOff = "" // published before sign-off was stored
	for name, it := range map[string]Item{"version": version, "head": head, "without sign-off": old} {
		t.Run(name, func(t *testing.T) {
			got, want := encodeBothWays(t, it)
			for from, item := range map[string]map[string]types.AttributeValue{"hand-written": got, "attributevalue's": want} {
				back, err := Decode(item)
				if err != nil {
					t.Fatalf("decode the %s item: %v", from, err)
				}
				if *back != it {
					t.Errorf("the %s item reads back as %+v, want %+v", from, *back, it)
				}
				pub, err := back.Published()
				if err != nil {
					t.Fatal(err)
				}
				if pub.Version != 3 || !pub.PublishedAt.Equal(at) || pub.Definition.ID != "launch" || pub.Digest != p.Definition.Digest() {
					t.Errorf("the %s item is published as %+v", from, pub)
				}
				if withSignOff := it.SignOff != ""; withSignOff != (pub.Policy == "both-teams" && len(pub.Approvals) == 1) {
					t.Errorf("the %s item's sign-off reads back as %q %v", from, pub.Policy, pub.Approvals)
				}
			}
		})
	}
}

// TestDecodeRefusesAnotherLayout: an attribute of the wrong type is an
// error naming it, not a version read as empty.
func TestDecodeRefusesAnotherLayout(t *testing.T) {
	for _, tc := range []struct {
		attr string
		v    types.AttributeValue
	}{
		{"definition", &types.AttributeValueMemberN{Value: "1"}},
		{"version", &types.AttributeValueMemberS{Value: "1"}},
		{"latest", &types.AttributeValueMemberN{Value: "one"}},
	} {
		t.Run(tc.attr, func(t *testing.T) {
			item := (&Item{CampaignID: "launch", Version: 0, Latest: 2, Definition: "{}"}).Encode()
			item[tc.attr] = tc.v
			if _, err := Decode(item); err == nil {
				t.Errorf("an item whose %s is %v decoded", tc.attr, tc.v)
			}
		})
	}
}
