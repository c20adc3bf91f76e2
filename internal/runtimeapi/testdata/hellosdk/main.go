// Command hellosdk is hello plus what every leadgate function does at init
// and nothing more: load the AWS SDK configuration and make one DynamoDB
// client. The cold-start benchmark reports it to show the SDK's share.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context) (string, error) { return db.Options().Region, nil })
}
