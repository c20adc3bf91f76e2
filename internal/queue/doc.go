// Package queue speaks SQS: Sender sends the router's messages about leads
// whose stage changed, in batches of ten, and Consume adapts an SQS batch to
// a consumer (the assigner, the nurture enroller) that handles one message
// at a time.
//
// The rule of this package: a message that fails is reported by its id (a
// partial batch failure), so only it is retried and, after the queue's
// maxReceiveCount, it reaches the dead-letter queue.
package queue
