// Package campaign holds the campaign definition: the document marketing and
// sales agree on (the Universal Lead Definition) that says, for one campaign
// and optionally per geography, who is a lead — fit, role, need,
// willingness, interest, engagement — and when a lead is sales-ready. Types
// mirror the YAML kept in git and the JSON the admin API takes.
//
// The rule of this package: a definition that does not hold together is
// refused whole, with every problem listed by path; a published version is
// never changed, only followed by the next.
package campaign
