// Command assign is the Lambda function behind the sales-ready queue's consumer: it gives each MQL an owner.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/leadgate/leadgate/internal/awsenv"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/assign"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := assign.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire assign function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
