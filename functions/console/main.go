// Command console is the Lambda function behind the manager console.
package main

import (
	"os"
	// This function loads time zones (time.LoadLocation: reps' shifts) and
	// Lambda's image need not carry the zone database. A test in
	// internal/wiring keeps this import where, and only where, a function
	// can load a zone.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/leadgate/leadgate/internal/awsenv"
	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/wiring/console"
)

func main() {
	log := logging.New(os.Stdout)
	cfg, err := awsenv.Load(os.Getenv)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	handler, err := console.Wire(cfg, os.Getenv, log)
	if err != nil {
		log.Error("wire console function", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}
