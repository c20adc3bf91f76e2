// Package dynamo stores leadgate's data in DynamoDB: campaign definitions and
// their versions (CampaignStore); leads with their touch points, verdicts and
// history, badge-scan issue lists and webhook ids (LeadStore); reps and the
// hand-over of a lead to one (SalesStore); funnel counters (FunnelStore).
// A lead's item and the one way it changes are in leadtable, a version's
// item and the read of the version in force in campaigntable: LeadStore
// and CampaignStore embed them.
//
// The rule of this layer: it (with its subpackages) is the only one that
// speaks DynamoDB, and the rest of leadgate sees domain types. Every write
// is a single conditional or idempotent one, so a retry is safe and no
// update is lost.
package dynamo
