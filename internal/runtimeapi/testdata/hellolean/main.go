// Command hellolean is hellosdk with the configuration every leadgate
// function now builds: awsenv.Load from Lambda's environment instead of
// config.LoadDefaultConfig, and one DynamoDB client. Side by side with
// hellosdk in one run, it shows what the lean configuration saves.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/awsenv"
)

func main() {
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		panic(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context) (string, error) { return db.Options().Region, nil })
}
