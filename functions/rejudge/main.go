// Command rejudge is the Lambda function behind the re-judge queue: it re-judges a page of a campaign's open leads per task.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/leadgate/leadgate/internal/awsenv"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/rejudge"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := rejudge.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire rejudge function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
