package dynamo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/lead"
)

// TestCampaignCursor: a cursor goes round, and one that points into
// another campaign or another shard, or is not one, is refused.
func TestCampaignCursor(t *testing.T) {
	key := func(shardKey string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "LEAD#ld_1"}, "sk": &types.AttributeValueMemberS{Value: "LEAD"},
			"campaignShard": &types.AttributeValueMemberS{Value: shardKey}, "updatedAt": &types.AttributeValueMemberS{Value: "2026-11-20T10:00:00Z"},
		}
	}
	tests := []struct {
		name   string
		cursor string
		shard  int
		key    bool
		ok     bool
	}{
		{"mid-shard", encodeCampaignCursor(7, key("webinar#7")), 7, true, true},
		{"start of a shard", encodeCampaignCursor(12, nil), 12, false, true},
		{"another campaign", encodeCampaignCursor(7, key("other#7")), 0, false, false},
		{"another shard", encodeCampaignCursor(7, key("webinar#8")), 0, false, false},
		{"shard out of range", encodeCampaignCursor(leadtable.CampaignShards, nil), 0, false, false},
		{"not base64", "%%%", 0, false, false},
		{"a byOwner cursor", encodeCursor(key("webinar#7")), 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shard, k, err := decodeCampaignCursor(tt.cursor, "webinar")
			if (err == nil) != tt.ok || shard != tt.shard || (k != nil) != tt.key {
				t.Errorf("shard %d key %v err %v", shard, k, err)
			}
		})
	}
}

// TestMergeByTime: shards each in order merge into one order; an error
// from each stops the merge.
func TestMergeByTime(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	stream := func(minutes ...int) chan *lead.Record {
		ch := make(chan *lead.Record, len(minutes))
		for _, m := range minutes {
			ch <- &lead.Record{Lead: lead.Lead{ID: at.Add(time.Duration(m) * time.Minute).Format("15:04")}, UpdatedAt: at.Add(time.Duration(m) * time.Minute)}
		}
		close(ch)
		return ch
	}
	var got []string
	err := mergeByTime(context.Background(), []chan *lead.Record{stream(1, 4, 9), stream(), stream(2, 3, 10)}, func(r *lead.Record) error {
		got = append(got, r.ID)
		return nil
	})
	if want := "[10:01 10:02 10:03 10:04 10:09 10:10]"; err != nil || fmtList(got) != want {
		t.Errorf("%v %v, want %s", got, err, want)
	}
	stop := errors.New("stop")
	n := 0
	err = mergeByTime(context.Background(), []chan *lead.Record{stream(1, 2), stream(3)}, func(*lead.Record) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("%v after %d", err, n)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
