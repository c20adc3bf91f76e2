package dynamo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/dynamo/campaigntable"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/rejudge"
)

// Re-judge jobs live in the campaign's partition below the drafts: job jN
// at version −2^31−N, for N up to 2^30. Below them all, an item of its
// own counts the jobs started, so an id is never given twice (the head is
// rewritten whole by every publish, so it cannot keep the count).
const jobCounter = math.MinInt32 - 1<<30 - 1

func jobVersion(id string) int {
	if !rejudge.ValidJobID(id) {
		return 0
	}
	n, _ := strconv.Atoi(id[1:])
	return math.MinInt32 - n
}

// jobsKept is how long a job's record is kept (the campaigns table's TTL
// removes it after): a daily decay sweep writes one per campaign a day.
const jobsKept = 30 * 24 * time.Hour

// jobItem is the stored form of a job: what it is, and its counters as
// attributes of their own so that a task adds to them in one update.
type jobItem struct {
	CampaignID   string    `dynamodbav:"campaignId"`
	Version      int       `dynamodbav:"version"`
	Job          jobHeader `dynamodbav:"job"`
	Done         int       `dynamodbav:"done"`
	Changed      int       `dynamodbav:"changed"`
	Errors       int       `dynamodbav:"errors"`
	SegmentsDone int       `dynamodbav:"segmentsDone"`
	FinishedAt   string    `dynamodbav:"finishedAt,omitempty"`
	ExpiresAt    int64     `dynamodbav:"expiresAt"` // the table's TTL attribute
}

// jobHeader is what a job is, as stored once.
type jobHeader struct {
	ID         string    `dynamodbav:"id"`
	Kind       string    `dynamodbav:"kind"`
	Definition int       `dynamodbav:"definition"`
	StartedBy  string    `dynamodbav:"startedBy"`
	StartedAt  time.Time `dynamodbav:"startedAt"`
	Segments   int       `dynamodbav:"segments"`
}

// CreateJob numbers a job of a published campaign and stores it, every
// slice at page 0.
func (s *CampaignStore) CreateJob(ctx context.Context, j *rejudge.Job) (*rejudge.Job, error) {
	if _, err := s.Current(ctx, j.Campaign); err != nil {
		return nil, err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       campaigntable.Key(j.Campaign, jobCounter),
		UpdateExpression:          aws.String("ADD rejudgeJobs :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return nil, fmt.Errorf("number a re-judge job of %s: %w", j.Campaign, err)
	}
	var n struct {
		Jobs int `dynamodbav:"rejudgeJobs"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &n); err != nil {
		return nil, fmt.Errorf("decode job count of %s: %w", j.Campaign, err)
	}
	created := *j
	created.ID = "j" + strconv.Itoa(n.Jobs)
	item, err := attributevalue.MarshalMap(jobItem{CampaignID: j.Campaign, Version: jobVersion(created.ID), ExpiresAt: j.StartedAt.Add(jobsKept).Unix(),
		Job: jobHeader{ID: created.ID, Kind: j.Kind, Definition: j.Version, StartedBy: j.StartedBy, StartedAt: j.StartedAt.UTC(), Segments: j.Segments}})
	if err != nil {
		return nil, err
	}
	for seg := range j.Segments {
		item["page"+strconv.Itoa(seg)] = &types.AttributeValueMemberN{Value: "0"}
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(campaignId)")})
	if err != nil {
		return nil, fmt.Errorf("store re-judge job %s of %s: %w", created.ID, j.Campaign, err)
	}
	return &created, nil
}

// AdvanceJob counts one page of a slice once: only while the slice is at
// page.
func (s *CampaignStore) AdvanceJob(ctx context.Context, campaignID, jobID string, segment, page int, c rejudge.Counts, last bool, now time.Time) (bool, error) {
	v := jobVersion(jobID)
	if v == 0 {
		return false, leadgate.Errorf(leadgate.ENOTFOUND, "No such re-judge job: job ids look like j1.")
	}
	update := "SET #page = :next ADD done :done, changed :changed, errors :errors"
	values := map[string]types.AttributeValue{
		":page": number(page), ":next": number(page + 1),
		":done": number(c.Done), ":changed": number(c.Changed), ":errors": number(c.Errors),
	}
	if last {
		update += ", segmentsDone :one"
		values[":one"] = number(1)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: campaigntable.Key(campaignID, v),
		UpdateExpression:          &update,
		ConditionExpression:       aws.String("#page = :page"),
		ExpressionAttributeNames:  map[string]string{"#page": "page" + strconv.Itoa(segment)},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	counted := err == nil
	switch {
	case isConditionFailure(err) && last:
		// Counted before; the finish may not have been written then.
		return false, s.finishJob(ctx, campaignID, jobID, now)
	case isConditionFailure(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("count re-judge job %s of %s: %w", jobID, campaignID, err)
	case !last:
		return true, nil
	}
	var it jobItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return counted, fmt.Errorf("decode re-judge job %s: %w", jobID, err)
	}
	if it.SegmentsDone < it.Job.Segments {
		return counted, nil
	}
	return counted, s.finishJob(ctx, campaignID, jobID, now)
}

// finishJob says when the job finished, once every slice is done: the
// slice that finished last writes it, or its redelivery if that write
// failed. A job reads as done only then.
func (s *CampaignStore) finishJob(ctx context.Context, campaignID, jobID string, now time.Time) error {
	v := jobVersion(jobID)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: campaigntable.Key(campaignID, v),
		UpdateExpression:          aws.String("SET finishedAt = :at"),
		ConditionExpression:       aws.String("attribute_not_exists(finishedAt) AND #done >= #job.#segments"),
		ExpressionAttributeNames:  map[string]string{"#done": "segmentsDone", "#job": "job", "#segments": "segments"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)}},
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("finish re-judge job %s of %s: %w", jobID, campaignID, err)
	}
	return nil
}

// JobPage is the page a slice of a job has reached.
func (s *CampaignStore) JobPage(ctx context.Context, campaignID, jobID string, segment int) (int, error) {
	item, err := s.jobItem(ctx, campaignID, jobID)
	if err != nil {
		return 0, err
	}
	var page int
	if err := attributevalue.Unmarshal(item["page"+strconv.Itoa(segment)], &page); err != nil {
		return 0, fmt.Errorf("decode re-judge job %s: %w", jobID, err)
	}
	return page, nil
}

// Job reads a job and its progress.
func (s *CampaignStore) Job(ctx context.Context, campaignID, jobID string) (*rejudge.Job, error) {
	item, err := s.jobItem(ctx, campaignID, jobID)
	if err != nil {
		return nil, err
	}
	var it jobItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("decode re-judge job %s: %w", jobID, err)
	}
	header := it.Job
	j := &rejudge.Job{ID: header.ID, Kind: header.Kind, Campaign: campaignID, Version: header.Definition, StartedBy: header.StartedBy, StartedAt: header.StartedAt,
		Segments: header.Segments, SegmentsDone: it.SegmentsDone, Counts: rejudge.Counts{Done: it.Done, Changed: it.Changed, Errors: it.Errors}}
	if it.FinishedAt != "" {
		at, err := time.Parse(time.RFC3339Nano, it.FinishedAt)
		if err != nil {
			return nil, fmt.Errorf("decode re-judge job %s: %w", jobID, err)
		}
		j.FinishedAt = &at
	}
	return j, nil
}

func (s *CampaignStore) jobItem(ctx context.Context, campaignID, jobID string) (map[string]types.AttributeValue, error) {
	v := jobVersion(jobID)
	if v == 0 {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No such re-judge job: job ids look like j1.")
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: campaigntable.Key(campaignID, v), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get re-judge job %s of %s: %w", jobID, campaignID, err)
	}
	if out.Item == nil {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "Campaign %q has no re-judge job %s.", campaignID, jobID)
	}
	return out.Item, nil
}

func number(n int) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
}
