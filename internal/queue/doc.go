// Package queue adapts an SQS batch, as Lambda hands it to a function, to a
// consumer that handles one message at a time (the assigner, the nurture
// enroller, the re-judge worker, the webhook deliverer) or to one round of
// a schedule's work. Sending to SQS is package sqssend's.
//
// The rule of this package: a message that fails is reported by its id (a
// partial batch failure), so only it is retried and, after the queue's
// maxReceiveCount, it reaches the dead-letter queue.
package queue
