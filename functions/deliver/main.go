// Command deliver is the Lambda function behind the webhook queue's consumer: it fans events out to their subscriptions and delivers them, signed, with retries.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/leadgate/leadgate/internal/awsenv"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/deliver"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := deliver.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire deliver function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
