// Package awsenv builds a function's AWS configuration from the
// environment Lambda gives it: the region, the execution role's
// credentials, and any AWS_ENDPOINT_URL_* a test or a local stack sets.
//
// config.LoadDefaultConfig would find the same values, after looking for
// shared config files, profiles, SSO, and the instance metadata service,
// and it links all of that into every binary. At 256 MB a Lambda function
// has a fraction of a vCPU, so that search costs milliseconds on every cold
// start of the public form endpoint.
package awsenv

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Load returns the configuration the environment describes. Lambda always
// sets AWS_REGION and the role's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN; `sam local invoke` sets them from the caller's
// profile. Without them there is nothing to run as, and Load says so.
func Load(getenv func(string) string) (aws.Config, error) {
	region := getenv("AWS_REGION")
	key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	var missing []string
	for _, v := range [][2]string{{"AWS_REGION", region}, {"AWS_ACCESS_KEY_ID", key}, {"AWS_SECRET_ACCESS_KEY", secret}} {
		if v[1] == "" {
			missing = append(missing, v[0])
		}
	}
	if len(missing) > 0 {
		return aws.Config{}, errors.New("the environment lacks " + strings.Join(missing, ", ") + ": a function runs with the region and credentials Lambda sets")
	}
	cfg := aws.Config{
		Region: region,
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "awsenv"}, nil
		})),
		ConfigSources: []any{endpoints(getenv)},
	}
	if u := getenv("AWS_ENDPOINT_URL"); u != "" {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg, nil
}

// endpoints answers each service client's question for its configured
// endpoint, AWS_ENDPOINT_URL_<SERVICE ID> (AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_SQS), as the SDK's own environment reader does.
type endpoints func(string) string

// GetServiceBaseEndpoint is the method the SDK's clients look for among a
// configuration's sources.
func (e endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	u := e("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return u, u != "", nil
}
