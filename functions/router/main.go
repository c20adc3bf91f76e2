// Command router is the Lambda function that reads the leads table's stream
// and sends each stage change to the sales-ready or nurture queue.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/leadgate/leadgate/internal/awsenv"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/router"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := router.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire router function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
