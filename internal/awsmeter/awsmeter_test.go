package awsmeter

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestAskCapacity: every DynamoDB input that can report capacity is asked
// to, by index; an input without the field is left alone.
func TestAskCapacity(t *testing.T) {
	tests := []struct {
		name string
		in   any
	}{
		{"PutItem", &dynamodb.PutItemInput{}},
		{"Query", &dynamodb.QueryInput{}},
		{"TransactWriteItems", &dynamodb.TransactWriteItemsInput{}},
		{"BatchGetItem", &dynamodb.BatchGetItemInput{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			askCapacity(tt.in)
			if got := capacityField(tt.in); got != types.ReturnConsumedCapacityIndexes {
				t.Errorf("ReturnConsumedCapacity %q", got)
			}
		})
	}
	askCapacity(&sqs.SendMessageInput{}) // no such field: nothing to do, no panic
	askCapacity(dynamodb.PutItemInput{}) // not a pointer: left alone
}

func capacityField(in any) types.ReturnConsumedCapacity {
	switch v := in.(type) {
	case *dynamodb.PutItemInput:
		return v.ReturnConsumedCapacity
	case *dynamodb.QueryInput:
		return v.ReturnConsumedCapacity
	case *dynamodb.TransactWriteItemsInput:
		return v.ReturnConsumedCapacity
	case *dynamodb.BatchGetItemInput:
		return v.ReturnConsumedCapacity
	}
	return ""
}

// TestConsumed: one table's capacity, or a list of them, is read off an
// output and counted by table and index; a response with the total only
// counts it on the table.
func TestConsumed(t *testing.T) {
	m := New(func(table string) string { return "T-" + table })
	one := &dynamodb.PutItemOutput{ConsumedCapacity: &types.ConsumedCapacity{TableName: aws.String("leads"), CapacityUnits: aws.Float64(7),
		Table:                  &types.Capacity{CapacityUnits: aws.Float64(5)},
		GlobalSecondaryIndexes: map[string]types.Capacity{"byCampaignShard": {CapacityUnits: aws.Float64(2)}}}}
	list := &dynamodb.TransactWriteItemsOutput{ConsumedCapacity: []types.ConsumedCapacity{
		{TableName: aws.String("reps"), CapacityUnits: aws.Float64(4)},
		{TableName: aws.String("leads"), CapacityUnits: aws.Float64(1), Table: &types.Capacity{CapacityUnits: aws.Float64(1)}},
	}}
	for _, out := range []any{one, list, &dynamodb.GetItemOutput{}, &sqs.SendMessageOutput{}} {
		for _, c := range consumed(out) {
			m.count(m.usage.Write, c)
		}
	}
	want := map[string]float64{"T-leads": 6, "T-leads/byCampaignShard": 2, "T-reps": 4}
	for k, v := range want {
		if m.usage.Write[k] != v {
			t.Errorf("%s: %g, want %g (all: %v)", k, m.usage.Write[k], v, m.usage.Write)
		}
	}
	if len(m.usage.Write) != len(want) {
		t.Errorf("counted %v", m.usage.Write)
	}
}

// TestSub: the usage between two snapshots.
func TestSub(t *testing.T) {
	before := Usage{Requests: map[string]int{"DynamoDB PutItem": 2}, Read: map[string]float64{}, Write: map[string]float64{"leads": 3}}
	after := Usage{Requests: map[string]int{"DynamoDB PutItem": 5, "SQS SendMessageBatch": 1}, Read: map[string]float64{"leads": 1}, Write: map[string]float64{"leads": 3}}
	d := after.Sub(before)
	if d.Requests["DynamoDB PutItem"] != 3 || d.Service("SQS") != 1 || d.Service("DynamoDB") != 3 || d.Read["leads"] != 1 || len(d.Write) != 0 {
		t.Errorf("%s", d)
	}
}
