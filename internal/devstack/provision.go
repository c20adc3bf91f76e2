package devstack

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/leadgate/leadgate/internal/samtemplate"
)

// Local stand-ins for the pseudo parameters and account CloudFormation has.
const (
	region    = "us-east-1"
	accountID = "000000000000"
)

// Resources are the local names of what the template declares.
type Resources struct {
	Tables   map[string]string // logical ID -> table name
	Queues   map[string]string // logical ID -> queue URL
	Resolver samtemplate.Resolver
}

// Provision creates every DynamoDB table and SQS queue in t, named
// prefix+logicalID. It is safe to run again against the same servers.
func Provision(ctx context.Context, cfg aws.Config, t *samtemplate.Template, prefix string) (*Resources, error) {
	res := &Resources{
		Tables: map[string]string{},
		Queues: map[string]string{},
		Resolver: samtemplate.Resolver{
			Refs: map[string]string{
				"AWS::Region": region, "AWS::AccountId": accountID, "AWS::URLSuffix": "amazonaws.com",
				"AWS::StackName": "leadgate-local", "AWS::Partition": "aws",
			},
			Attrs: map[string]string{},
		},
	}
	for name, p := range t.Parameters {
		if p.Default != nil {
			v := fmt.Sprint(p.Default)
			if strings.HasPrefix(v, "/") && prefix != "" {
				// A Parameter Store path: each run's parameters apart, as
				// its tables and queues are.
				v = "/" + strings.TrimSuffix(prefix, "-") + v
			}
			res.Resolver.Refs[name] = v
		}
	}
	// The local gateway stands in for the JWT authorizer: these are the
	// issuer and audience of its one token (localClaims).
	for name, v := range map[string]string{"JwtIssuer": "https://leadgate.local", "JwtAudience": "leadgate-local"} {
		if _, ok := t.Parameters[name]; ok && res.Resolver.Refs[name] == "" {
			res.Resolver.Refs[name] = v
		}
	}
	db := dynamodb.NewFromConfig(cfg)
	for _, tbl := range t.OfType("AWS::DynamoDB::Table") {
		name := prefix + tbl.LogicalID
		streamARN, err := createTable(ctx, db, name, tbl.Properties)
		if err != nil {
			return nil, fmt.Errorf("create table %s: %w", tbl.LogicalID, err)
		}
		res.Tables[tbl.LogicalID] = name
		res.Resolver.Refs[tbl.LogicalID] = name
		res.Resolver.Attrs[tbl.LogicalID+".Arn"] = "arn:aws:dynamodb:" + region + ":" + accountID + ":table/" + name
		res.Resolver.Attrs[tbl.LogicalID+".StreamArn"] = streamARN
	}
	q := sqs.NewFromConfig(cfg)
	for _, queue := range t.Queues() {
		url, arn, err := createQueue(ctx, q, prefix+queue.LogicalID, queue.Properties, res.Resolver)
		if err != nil {
			return nil, fmt.Errorf("create queue %s: %w", queue.LogicalID, err)
		}
		res.Queues[queue.LogicalID] = url
		res.Resolver.Refs[queue.LogicalID] = url
		res.Resolver.Attrs[queue.LogicalID+".Arn"] = arn
		res.Resolver.Attrs[queue.LogicalID+".QueueName"] = prefix + queue.LogicalID
		res.Resolver.Attrs[queue.LogicalID+".QueueUrl"] = url
	}
	sm := secretsmanager.NewFromConfig(cfg)
	for _, secret := range t.OfType("AWS::SecretsManager::Secret") {
		arn, err := createSecret(ctx, sm, prefix+secret.LogicalID, secret.Properties)
		if err != nil {
			return nil, fmt.Errorf("create secret %s: %w", secret.LogicalID, err)
		}
		res.Resolver.Refs[secret.LogicalID] = arn
	}
	return res, nil
}

// createSecret creates a secret as CloudFormation's GenerateSecretString
// does (letters and digits of PasswordLength), or keeps the one there: a
// restart keeps the console's sessions.
func createSecret(ctx context.Context, sm *secretsmanager.Client, name string, props map[string]any) (string, error) {
	if out, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &name}); err == nil {
		return aws.ToString(out.ARN), nil
	}
	n := 32
	if g, ok := props["GenerateSecretString"].(map[string]any); ok {
		if l, ok := g["PasswordLength"].(int); ok {
			n = l
		}
	}
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)] // 256 % 62 skews a few letters slightly: no matter for a 64-character key
	}
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: aws.String(string(b))})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ARN), nil
}

// createTable creates a table from its CloudFormation properties, whose
// names match the SDK's input fields, and returns its stream ARN.
func createTable(ctx context.Context, db *dynamodb.Client, name string, props map[string]any) (string, error) {
	in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: dbtypes.BillingModePayPerRequest}
	for field, dst := range map[string]any{
		"AttributeDefinitions":   &in.AttributeDefinitions,
		"KeySchema":              &in.KeySchema,
		"GlobalSecondaryIndexes": &in.GlobalSecondaryIndexes,
		"LocalSecondaryIndexes":  &in.LocalSecondaryIndexes,
	} {
		if err := convert(props[field], dst); err != nil {
			return "", fmt.Errorf("%s: %w", field, err)
		}
	}
	if ss, ok := props["StreamSpecification"].(map[string]any); ok {
		view, _ := ss["StreamViewType"].(string)
		in.StreamSpecification = &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewType(view)}
	}
	_, err := db.CreateTable(ctx, in)
	var inUse *dbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return "", err
	}
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Table.LatestStreamArn), nil
}

// convert copies a template value into an SDK type through JSON.
func convert(v any, dst any) error {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// queueAttributes are the CloudFormation queue properties that are SQS
// attributes of the same name.
var queueAttributes = []string{"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication"}

func createQueue(ctx context.Context, q *sqs.Client, name string, props map[string]any, r samtemplate.Resolver) (url, arn string, err error) {
	attrs := map[string]string{}
	for _, a := range queueAttributes {
		if v, ok := props[a]; ok {
			s, err := r.String(v)
			if err != nil {
				return "", "", fmt.Errorf("%s: %w", a, err)
			}
			attrs[a] = s
		}
	}
	if fifo, _ := props["FifoQueue"].(bool); fifo {
		name += ".fifo"
	}
	if rp, ok := props["RedrivePolicy"].(map[string]any); ok {
		target, err := r.String(rp["deadLetterTargetArn"])
		if err != nil {
			return "", "", fmt.Errorf("RedrivePolicy: %w", err)
		}
		max, err := r.String(rp["maxReceiveCount"])
		if err != nil {
			return "", "", fmt.Errorf("RedrivePolicy: %w", err)
		}
		n, err := strconv.Atoi(max)
		if err != nil {
			return "", "", fmt.Errorf("RedrivePolicy.maxReceiveCount %q: %w", max, err)
		}
		b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": target, "maxReceiveCount": n})
		attrs["RedrivePolicy"] = string(b)
	}
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	if err != nil {
		return "", "", err
	}
	ga, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.QueueUrl), ga.Attributes["QueueArn"], nil
}
