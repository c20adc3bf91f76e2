// Package sqssend sends to SQS: the router's messages about leads whose
// stage changed, re-judge tasks, and outbound webhook events and
// deliveries, in batches of ten where SQS allows. It is apart from package
// queue, which adapts SQS batches to consumers, so that a function that
// only consumes a queue does not link the SQS client.
package sqssend
