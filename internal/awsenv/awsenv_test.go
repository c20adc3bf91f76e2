package awsenv_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/awsenv"
)

// TestLoadReadsWhatLambdaSets: the region, the role's credentials with
// their session token, and each service's configured endpoint reach the
// SDK's clients as config.LoadDefaultConfig would hand them on.
func TestLoadReadsWhatLambdaSets(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
		"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324",
	} {
		t.Setenv(k, v)
	}
	os.Unsetenv("AWS_ENDPOINT_URL")
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Errorf("credentials %+v, %v", creds, err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("region %q", cfg.Region)
	}
	if got := aws.ToString(dynamodb.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:8000" {
		t.Errorf("DynamoDB endpoint %q", got)
	}
	if got := aws.ToString(sqs.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:9324" {
		t.Errorf("SQS endpoint %q", got)
	}

	// One endpoint for every service.
	os.Unsetenv("AWS_ENDPOINT_URL_SQS")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
	cfg, _ = awsenv.Load(os.Getenv)
	if got := aws.ToString(sqs.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:4566" {
		t.Errorf("SQS endpoint with only AWS_ENDPOINT_URL: %q", got)
	}
	if got := aws.ToString(dynamodb.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:8000" {
		t.Errorf("a service's own endpoint gives way to the global one: %q", got)
	}
}

func TestLoadSaysWhatIsMissing(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"}
	_, err := awsenv.Load(func(k string) string { return env[k] })
	if err == nil || err.Error() != "the environment lacks AWS_REGION, AWS_SECRET_ACCESS_KEY: a function runs with the region and credentials Lambda sets" {
		t.Errorf("err = %v", err)
	}
}
