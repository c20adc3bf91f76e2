// Package outbound sends leadgate's events to the URLs its users subscribe
// (webhooks out; internal/webhook is the other direction, tools posting to
// us). It knows subscriptions and their rules, which events a lead's change
// is (Derive), how an event is signed and laid out (Standard Webhooks, or a
// Slack message), and how one delivery is tried, retried with backoff and
// finally dead-lettered (Deliverer). Storage, queues and the clock are
// passed in: the package speaks neither DynamoDB nor SQS.
//
// Delivery is at least once from the stream and the queues, and at most
// once per (subscription, event) by the ledger: an event's id names the
// occurrence (the lead and its history entry or revision), so a stream
// record or message handled twice yields the same id, and the ledger's
// record of a delivery makes the second one a no-op.
package outbound
