package dynamo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/funnel"
)

// FunnelStore keeps the funnel counters: per campaign, definition version
// and day, funnelShards items (pk C#<campaign> for shard 0,
// C#<campaign>#<shard> for the others; sk <day>#v<version>), each metric a
// number attribute "n.<metric>", summed when read. A rep's own metrics
// (funnel.RepOf) go to an item of the rep's beside them (sk
// <day>#v<version>#r#<rep>), so that an item's size is bounded by one rep's
// buckets, not by the size of the sales team. Every counted history entry leaves a
// marker (pk M#<lead>#<entry>) written in the same transaction as its
// counts, so a replayed stream record counts nothing twice. Markers expire
// after MarkerLife, long after a stream's 24-hour retention.
type FunnelStore struct {
	db    *dynamodb.Client
	table string
}

// NewFunnelStore returns a store on the funnel table.
func NewFunnelStore(db *dynamodb.Client, table string) *FunnelStore {
	return &FunnelStore{db: db, table: table}
}

// MarkerLife is how long a counted entry's marker is kept.
const MarkerLife = 7 * 24 * time.Hour

// maxTransact is DynamoDB's limit of items in one transaction.
const maxTransact = 100

// maxMetrics bounds the metrics one counter update adds: each is a
// "#mN :mN" in the update expression, which DynamoDB caps at 4 KB, and
// times in buckets give a chunk of acceptances up to four new metrics each
// (the two stages, a time for the campaign and one for the rep). 150 keep
// the expression under 2.1 KB.
const maxMetrics = 150

// chunkSize is how many of ds, from the first, one transaction counts:
// within maxTransact, a marker each, the counter, and one item per rep the
// entries count for; and at most maxMetrics metrics (at least one delta,
// which holds a handful).
func chunkSize(ds []funnel.Delta) int {
	metrics, reps := map[string]bool{}, map[string]bool{}
	for i, d := range ds {
		for m := range d.Counts {
			metrics[m] = true
			if rep, ok := funnel.RepOf(m); ok {
				reps[rep] = true
			}
		}
		if i > 0 && (len(metrics) > maxMetrics || i+1+1+len(reps) > maxTransact) {
			return i
		}
	}
	return len(ds)
}

// funnelShards is how many items (and partitions) one campaign's counters
// of a day are spread over. Every batch of the leads stream that meets a
// campaign writes its counter, from as many reporters at once as the
// stream has shards: at 5,000 posts/s on one campaign that is about 50
// transactions a second on one item, each costing twice its size in
// write units and conflicting with the others (SCALING.md). A batch's
// chunk picks its shard by its first entry, so a batch still costs one
// transaction per counter, and a replayed chunk lands where it did.
const funnelShards = 8

// funnelPK is the partition of a campaign's counters of one shard; shard 0
// is where counters were kept before they were sharded, so those count
// too.
func funnelPK(campaignID string, shard int) string {
	if shard == 0 {
		return "C#" + campaignID
	}
	return "C#" + campaignID + "#" + strconv.Itoa(shard)
}

func funnelShard(mark string) int {
	h := fnv.New32a()
	h.Write([]byte(mark))
	return int(h.Sum32() % funnelShards)
}

// Apply adds the deltas. Deltas of one counter are summed into one update
// (a batch of stream records costs a transaction per day and version, not a
// write per record); a transaction that meets an already-counted marker is
// redone entry by entry, skipping what was counted.
func (s *FunnelStore) Apply(ctx context.Context, deltas []funnel.Delta, now time.Time) error {
	byKey := map[funnel.Key][]funnel.Delta{}
	var keys []funnel.Key
	for _, d := range deltas {
		if byKey[d.Key] == nil {
			keys = append(keys, d.Key)
		}
		byKey[d.Key] = append(byKey[d.Key], d)
	}
	expires := now.Add(MarkerLife).Unix()
	for _, k := range keys {
		ds := byKey[k]
		for len(ds) > 0 {
			chunk := ds[:chunkSize(ds)]
			ds = ds[len(chunk):]
			err := s.transact(ctx, k, chunk, expires)
			if errors.Is(err, errCounted) {
				for _, d := range chunk {
					if err := s.transact(ctx, k, []funnel.Delta{d}, expires); err != nil && !errors.Is(err, errCounted) {
						return err
					}
				}
				continue
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

var errCounted = errors.New("already counted")

func (s *FunnelStore) transact(ctx context.Context, k funnel.Key, ds []funnel.Delta, expires int64) error {
	sums := map[string]int{}
	items := make([]types.TransactWriteItem, 0, len(ds)+1)
	for _, d := range ds {
		for m, n := range d.Counts {
			sums[m] += n
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table,
			Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "M#" + d.Mark}, "sk": &types.AttributeValueMemberS{Value: "M"},
				"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires, 10)},
			},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	campaignSums, repSums := map[string]int{}, map[string]map[string]int{}
	for m, n := range sums {
		rep, ok := funnel.RepOf(m)
		if !ok {
			campaignSums[m] = n
			continue
		}
		if repSums[rep] == nil {
			repSums[rep] = map[string]int{}
		}
		repSums[rep][m] = n
	}
	pk := funnelPK(k.Campaign, funnelShard(ds[0].Mark))
	sk := k.Day + "#v" + strconv.Itoa(k.Version)
	items = append(items, s.count(pk, sk, k, campaignSums))
	for _, rep := range slices.Sorted(maps.Keys(repSums)) {
		items = append(items, s.count(pk, sk+"#r#"+rep, k, repSums[rep]))
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if isConditionFailure(err) {
		return errCounted
	}
	if err != nil {
		return fmt.Errorf("count funnel %s %s: %w", k.Campaign, k.Day, err)
	}
	return nil
}

// count adds sums to the counter item pk/sk, which names its key.
func (s *FunnelStore) count(pk, sk string, k funnel.Key, sums map[string]int) types.TransactWriteItem {
	names := map[string]string{"#campaign": "campaign", "#day": "day", "#version": "version"}
	values := map[string]types.AttributeValue{
		":campaign": &types.AttributeValueMemberS{Value: k.Campaign},
		":day":      &types.AttributeValueMemberS{Value: k.Day},
		":version":  &types.AttributeValueMemberN{Value: strconv.Itoa(k.Version)},
	}
	set := []string{"#campaign = :campaign", "#day = :day", "#version = :version"}
	var add []string
	for i, m := range slices.Sorted(maps.Keys(sums)) {
		n, v := "#m"+strconv.Itoa(i), ":m"+strconv.Itoa(i)
		names[n], values[v] = "n."+m, &types.AttributeValueMemberN{Value: strconv.Itoa(sums[m])}
		add = append(add, n+" "+v)
	}
	expr := "SET " + strings.Join(set, ", ")
	if len(add) > 0 {
		expr += " ADD " + strings.Join(add, ", ")
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk},
			"sk": &types.AttributeValueMemberS{Value: sk},
		},
		UpdateExpression: &expr, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	}}
}

// Counters returns a campaign's counters for the days from..to (inclusive),
// by day and version, each the sum of its shards. The shards are read side
// by side.
func (s *FunnelStore) Counters(ctx context.Context, campaignID string, from, to time.Time) ([]funnel.Counter, error) {
	shards := make([][]funnel.Counter, funnelShards)
	errs := make([]error, funnelShards)
	var wg sync.WaitGroup
	for shard := range funnelShards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shards[shard], errs[shard] = s.shardCounters(ctx, campaignID, shard, from, to)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []funnel.Counter
	at := map[funnel.Key]int{}
	for _, cs := range shards {
		for _, c := range cs {
			i, ok := at[c.Key]
			if !ok {
				at[c.Key] = len(out)
				out = append(out, c)
				continue
			}
			for m, n := range c.Counts {
				out[i].Counts[m] += n
			}
		}
	}
	slices.SortFunc(out, func(a, b funnel.Counter) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), cmp.Compare(a.Version, b.Version))
	})
	return out, nil
}

// shardCounters reads one shard of a campaign's counters.
func (s *FunnelStore) shardCounters(ctx context.Context, campaignID string, shard int, from, to time.Time) ([]funnel.Counter, error) {
	var out []funnel.Counter
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":   &types.AttributeValueMemberS{Value: funnelPK(campaignID, shard)},
			":from": &types.AttributeValueMemberS{Value: from.UTC().Format(time.DateOnly)},
			":to":   &types.AttributeValueMemberS{Value: to.UTC().Format(time.DateOnly) + "~"},
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("funnel of %s: %w", campaignID, err)
		}
		for _, item := range page.Items {
			c := funnel.Counter{Key: funnel.Key{Campaign: campaignID}, Counts: map[string]int{}}
			for name, v := range item {
				switch x := v.(type) {
				case *types.AttributeValueMemberN:
					n, _ := strconv.Atoi(x.Value)
					if m, ok := strings.CutPrefix(name, "n."); ok {
						c.Counts[m] += n // += : a day counted across the upgrade also lists times
					} else if name == "version" {
						c.Version = n
					}
				case *types.AttributeValueMemberS:
					if name == "day" {
						c.Day = x.Value
					}
				case *types.AttributeValueMemberL:
					countListedTimes(c.Counts, name, x.Value)
				}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// countListedTimes counts the times a counter written before times were
// counted in buckets listed one by one ("samples": "measure rep seconds",
// rep "-" for none; "mqlToSal": seconds), so the days counted then still
// report their times. Counters expire; these lists end with them.
func countListedTimes(counts map[string]int, name string, list []types.AttributeValue) {
	for _, v := range list {
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			f := strings.Fields(x.Value)
			if name != "samples" || len(f) != 3 {
				continue
			}
			secs, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				continue
			}
			if f[1] == "-" {
				f[1] = ""
			}
			funnel.AddTime(counts, f[0], f[1], secs)
		case *types.AttributeValueMemberN:
			if secs, err := strconv.ParseInt(x.Value, 10, 64); err == nil && name == "mqlToSal" {
				funnel.AddTime(counts, funnel.MQLToSAL, "", secs)
			}
		}
	}
}
