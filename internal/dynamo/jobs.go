package dynamo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/rejudge"
)

// Re-judge jobs live in the campaign's partition below the drafts: job jN
// at version −2^31−N. The head counts the jobs started (rejudgeJobs), so
// an id is never given twice.
func jobVersion(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "j"))
	if !strings.HasPrefix(id, "j") || err != nil || n < 1 || n > 1<<30 {
		return 0
	}
	return math.MinInt32 - n
}

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
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       campaignKey(j.Campaign, headVersion),
		UpdateExpression:          aws.String("ADD rejudgeJobs :one"),
		ConditionExpression:       aws.String("attribute_exists(campaignId)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if isConditionFailure(err) {
		return nil, leadgate.Errorf(leadgate.ENOTFOUND, "No campaign %q.", j.Campaign)
	}
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
	item, err := attributevalue.MarshalMap(jobItem{CampaignID: j.Campaign, Version: jobVersion(created.ID),
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
		TableName: &s.table, Key: campaignKey(campaignID, v),
		UpdateExpression:          &update,
		ConditionExpression:       aws.String("#page = :page"),
		ExpressionAttributeNames:  map[string]string{"#page": "page" + strconv.Itoa(segment)},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailure(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("count re-judge job %s of %s: %w", jobID, campaignID, err)
	}
	if !last {
		return true, nil
	}
	var it jobItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return true, fmt.Errorf("decode re-judge job %s: %w", jobID, err)
	}
	if it.SegmentsDone < it.Job.Segments {
		return true, nil
	}
	// The slice that finished last says when the job did.
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: campaignKey(campaignID, v),
		UpdateExpression:          aws.String("SET finishedAt = :at"),
		ConditionExpression:       aws.String("attribute_not_exists(finishedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)}},
	})
	if err != nil && !isConditionFailure(err) {
		return true, fmt.Errorf("finish re-judge job %s of %s: %w", jobID, campaignID, err)
	}
	return true, nil
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
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: campaignKey(campaignID, v), ConsistentRead: aws.Bool(true)})
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
