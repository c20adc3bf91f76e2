// Package qualify is the qualification engine: it judges a lead and its
// touch points against a campaign's published definition and returns the
// verdict — stage, fit grade, engagement score, and every criterion with
// what it saw and what it wanted. Compile turns a definition into a
// Rulebook once; Rulebook.Evaluate judges.
//
// The rule of this package: it is pure Go — no AWS, no clock, no I/O — so
// the same verdict comes out wherever it runs, and it does no allocation per
// evaluation so intake can afford it on every request.
package qualify
