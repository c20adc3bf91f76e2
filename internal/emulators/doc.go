// Package emulators runs the AWS stand-ins leadgate develops and tests
// against — DynamoDB Local, and moto's server for SQS and Parameter Store —
// so that `leadgate local` and every integration test's TestMain share one
// way of starting, waiting for and tearing them down.
package emulators
