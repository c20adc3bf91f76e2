// Command campaigns is the Lambda function behind the campaign definitions
// admin API (/v1/campaigns...).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/leadgate/leadgate/internal/awsenv"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/campaigns"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := campaigns.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire campaigns function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
