package leadtable

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/lead"
)

// oldDecode is package dynamo's decodeLead as it was before the hand
// codec (282a968^:internal/dynamo/leads.go): attributevalue reads the
// layout, then the record's JSON or the tombstone.
func oldDecode(item map[string]types.AttributeValue) (*lead.Record, error) {
	var it layout
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("decode lead: %w", err)
	}
	if it.Type == Tombstone {
		at, err := time.Parse(time.RFC3339Nano, it.ErasedAt)
		if err != nil {
			return nil, fmt.Errorf("decode tombstone %s: %w", it.ID, err)
		}
		r := &lead.Record{Lead: lead.Lead{ID: it.ID}, Rev: it.Rev, ErasedAt: &at}
		for _, id := range it.ErasedTouches {
			r.Touches = append(r.Touches, lead.TouchPoint{ID: id})
		}
		return r, nil
	}
	var r lead.Record
	if err := json.Unmarshal([]byte(it.Record), &r); err != nil {
		return nil, fmt.Errorf("decode lead %s: %w", it.ID, err)
	}
	return &r, nil
}

// TestEdgeLayouts: the corners TestItemLayout's cases leave out, where
// attributevalue's rules (an empty string without omitempty is an empty
// S, never NULL or absent; an int64 omitempty drops only 0) decide what
// the item holds: empty email, stage and campaign; an expiry before the
// epoch, and one inside its first second; an owner without an assignment;
// an assignment without an owner; a lead with no id or time at all.
func TestEdgeLayouts(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	before, firstSecond := time.Unix(-86400, 0), time.Unix(0, 5e8)
	for name, r := range map[string]lead.Record{
		"zero record":                  {},
		"id only":                      {Lead: lead.Lead{ID: "x"}},
		"expiry before the epoch":      {Lead: lead.Lead{ID: "x"}, ExpiresAt: &before},
		"expiry in the epoch's second": {Lead: lead.Lead{ID: "x"}, ExpiresAt: &firstSecond},
		"owner, never assigned":        {Lead: lead.Lead{ID: "x"}, Owner: "rep", Stage: lead.StageMQL},
		"assigned, no owner":           {Lead: lead.Lead{ID: "x", Company: "Acme", Email: "a@acme.example"}, Stage: lead.StageMQL, AssignedAt: &at},
		"held, no company domain":      {Lead: lead.Lead{ID: "x", Email: "a@gmail.com"}, Owner: "rep", Stage: lead.StageMQL, AssignedAt: &at},
		"blank names":                  {Lead: lead.Lead{ID: "x", FirstName: " ", LastName: "  "}, Rev: 3},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Encode(&r)
			if err != nil {
				t.Fatal(err)
			}
			want := oracle(t, &r)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Encode differs from attributevalue:\n got  %s\n want %s", describe(got), describe(want))
			}
			for _, name := range []string{"email", "stage", "campaign"} {
				if _, ok := got[name].(*types.AttributeValueMemberS); !ok {
					t.Errorf("%s is %T, want an S (empty or not)", name, got[name])
				}
			}
			n, nerr := Decode(want)
			o, oerr := oldDecode(want)
			if nerr != nil || oerr != nil || !reflect.DeepEqual(n, o) {
				t.Errorf("attributevalue's item reads as %+v (%v), the old decoder read %+v (%v)", n, nerr, o, oerr)
			}
		})
	}
}

// TestDecodeAgreesWithTheOldDecoder: on every shape of item the old code
// wrote (a lead, a tombstone with and without touch points) and the other
// kinds of item in the leads table, Decode reads what decodeLead read, or
// fails where it failed.
func TestDecodeAgreesWithTheOldDecoder(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	live, err := Encode(&lead.Record{Lead: lead.Lead{ID: "l", Email: "l@x.example"}, Stage: lead.StageNurture, Rev: 2, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	without := func(item map[string]types.AttributeValue, name string) map[string]types.AttributeValue {
		c := map[string]types.AttributeValue{}
		for k, v := range item {
			if k != name {
				c[k] = v
			}
		}
		return c
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for name, item := range map[string]map[string]types.AttributeValue{
		"lead":                       live,
		"lead without type":          without(live, "type"),
		"lead without record":        without(live, "record"),
		"tombstone":                  tombstone(&lead.Record{Lead: lead.Lead{ID: "e"}, Touches: []lead.TouchPoint{{ID: "t1"}, {ID: "t1"}, {ID: "t2"}}}, 3, at),
		"tombstone without touches":  tombstone(&lead.Record{Lead: lead.Lead{ID: "e"}}, 3, at),
		"tombstone without erasedAt": without(tombstone(&lead.Record{Lead: lead.Lead{ID: "e"}}, 3, at), "erasedAt"),
		"spam count":                 {"pk": s("STATS#c#3"), "sk": s("SPAM#2026-11-20"), "count": &types.AttributeValueMemberN{Value: "3"}},
		"import issues":              {"pk": s("IMPORT#c#i"), "sk": s("ISSUES#000"), "type": s("import-issues"), "csv": &types.AttributeValueMemberB{Value: []byte{1}}, "expiresAt": &types.AttributeValueMemberN{Value: "9"}},
		"webhook id":                 {"pk": s("WEBHOOK#s#i"), "sk": s("SEEN"), "type": s("webhook-seen"), "expiresAt": &types.AttributeValueMemberN{Value: "9"}},
	} {
		t.Run(name, func(t *testing.T) {
			n, nerr := Decode(item)
			o, oerr := oldDecode(item)
			if (nerr == nil) != (oerr == nil) || !reflect.DeepEqual(n, o) {
				t.Errorf("Decode: %+v, %v; the old decoder: %+v, %v", n, nerr, o, oerr)
			}
		})
	}
}

// TestNameKeysDoNotMove: golden byName keys, as the code before the move
// (package dynamo's nameKeys) wrote them: TestItemLayout's oracle computes
// the index keys with this package's own functions, so only golden values
// hold them to what stored items carry.
func TestNameKeysDoNotMove(t *testing.T) {
	for _, tc := range []struct{ first, last, key, sort string }{
		{" Morgan ", "LEE  Smith", "lee smith", "morgan#a1"},
		{"Cher", "", "cher", "#a1"},
		{"", "  ", "", ""},
	} {
		key, sort := NameKeys(&lead.Record{Lead: lead.Lead{ID: "a1", FirstName: tc.first, LastName: tc.last}})
		if key != tc.key || sort != tc.sort {
			t.Errorf("%q %q: keys %q %q, stored items carry %q %q", tc.first, tc.last, key, sort, tc.key, tc.sort)
		}
	}
}
