// Package geo turns the country a lead typed (or a trade-show CSV exported)
// into the ISO 3166-1 alpha-2 code and sales region the qualification
// definition is written in.
//
// It exists because the two sides never agree on spelling: forms and list
// vendors send "USA", "U.S.", "United States of America", "Deutschland",
// "Holland" or "Korea, Republic of", while a qualification definition says
// "US", "DE" or "EMEA". Normalizing once, here, keeps every rule comparing
// codes instead of each rule guessing at spellings.
//
// All knowledge lives in one table in countries.go; the lookup maps are
// derived from it at init so a new alias is a one-line change and cannot
// drift out of sync with a second list.
package geo
