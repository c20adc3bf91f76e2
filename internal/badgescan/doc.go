// Package badgescan takes in the badge-scan CSV files that lead-retrieval
// apps export after a trade show, and the attendee lists webinar tools
// export: each row becomes a touch point on a lead, handed to capture like a
// form post. No two apps agree on encoding, delimiter or line ends, and
// exhibitors often round-trip the file through Excel before uploading it, so
// the reader guesses the dialect instead of asking, and headers are matched
// against a table kept as data (columns.yaml).
//
// The rule of this package: every row is accounted for. A row is written,
// recognised as already imported, or rejected with its row number, file line
// and reason; an upload that stops midway says what it wrote.
package badgescan
