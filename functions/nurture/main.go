// Command nurture is the Lambda function behind the nurture queue's consumer: it enrolls leads in their campaign's nurture track.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/leadgate/leadgate/internal/awsenv"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/nurture"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := nurture.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire nurture function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
