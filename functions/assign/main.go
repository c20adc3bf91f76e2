// Command assign is the Lambda function behind the sales-ready queue's consumer: it gives each MQL an owner.
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
