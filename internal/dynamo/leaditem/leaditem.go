// Package leaditem reads the leads table's item layout where it arrives
// without the store: in the table's stream. It is the store's layout (see
// internal/dynamo/leadtable), kept in a package of its own so that a stream
// consumer does not link the DynamoDB client.
package leaditem

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/lead"
)

// The attributes and item types the stream needs.
const (
	AttrType   = "type"   // the item's kind
	AttrRecord = "record" // the lead as one JSON document
	TypeLead   = "lead"   // a lead (a tombstone or an import's issues are other kinds)
)

// FromStream reads a stream image: the lead, or nil when the image is not
// a lead's (another kind of item, or no image: a removal).
func FromStream(img map[string]events.DynamoDBAttributeValue) (*lead.Record, error) {
	t, ok := img[AttrType]
	if !ok || t.DataType() != events.DataTypeString || t.String() != TypeLead {
		return nil, nil
	}
	doc, ok := img[AttrRecord]
	if !ok || doc.DataType() != events.DataTypeString {
		return nil, fmt.Errorf("lead item without its record")
	}
	r, err := lead.Decode([]byte(doc.String()))
	if err != nil {
		return nil, fmt.Errorf("decode lead record: %w", err)
	}
	return r, nil
}
