package campaigntable

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestEdgeLayouts: what TestItemLayout's items leave out: empty strings
// (attributevalue writes an empty S for a field without omitempty, never
// NULL), a head whose latest is 0, and items read back by the old decoder
// (attributevalue into the layout) and the hand one alike.
func TestEdgeLayouts(t *testing.T) {
	for name, it := range map[string]Item{
		"empty strings":   {CampaignID: "c", Version: 2},
		"head at 0":       {CampaignID: "c", Version: HeadVersion, Definition: "{}", PublishedAt: "x"},
		"negative number": {CampaignID: "c", Version: -7, Latest: -1},
	} {
		t.Run(name, func(t *testing.T) {
			got, want := encodeBothWays(t, it)
			if _, ok := got["publishedBy"].(*types.AttributeValueMemberS); !ok {
				t.Errorf("publishedBy is %T, want an S", got["publishedBy"])
			}
			back, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			var old layout
			if err := attributevalue.UnmarshalMap(want, &old); err != nil {
				t.Fatal(err)
			}
			if *back != Item(old) || *back != it {
				t.Errorf("reads back as %+v; the old decoder read %+v; written %+v", *back, old, it)
			}
		})
	}
}
