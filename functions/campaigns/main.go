// Command campaigns is the Lambda function behind the campaign definitions
// admin API (/v1/campaigns...).
package main

import (
	"os"
	// This function loads time zones (time.LoadLocation: definitions'
	// intake.timeZone, reps' shifts, badge-scan files) and Lambda's image
	// need not carry the zone database. A test in internal/wiring keeps this
	// import where, and only where, a function can load a zone.
	_ "time/tzdata"

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
