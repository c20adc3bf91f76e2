// Package sales is the sales side of the hand-over: the reps leads are
// assigned to and the territories they cover, the accounts whose leads go
// to their owners, how the assigner chooses one (the account's owner, a
// colleague holding the company's leads, then weighted round robin among
// the active reps who cover the lead's country and have room), and the
// answers sales gives back on a lead (accept, qualify,
// reject, recycle, ...) with the stage each moves it to. These are rules on
// plain types; storage sits behind interfaces.
//
// The rule of this package: a lead is assigned once, and a rep never holds
// more leads than their capacity.
package sales
