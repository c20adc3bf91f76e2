package campaign

import (
	"strconv"
	"strings"
)

// The engine's explanations and the rendered document describe criteria in
// the same words; these helpers are where those words are made.

// OrList writes "a, b or c".
func OrList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// Describe writes a range for people: "at least 201 employees",
// "$20M to $1B a year". A nil range describes as "".
func (r *Range) Describe(unit string, money bool) string {
	if r == nil {
		return ""
	}
	n := func(v int64) string {
		if money {
			return "$" + humanNumber(v)
		}
		return humanNumber(v)
	}
	switch {
	case r.Max == 0:
		return "at least " + n(r.Min) + " " + unit
	case r.Min == 0:
		return "at most " + n(r.Max) + " " + unit
	}
	return n(r.Min) + " to " + n(r.Max) + " " + unit
}

// humanNumber writes 20000000 as 20M and 1500 as 1,500.
func humanNumber(v int64) string {
	switch {
	case v >= 1e9 && v%1e8 == 0:
		return strconv.FormatFloat(float64(v)/1e9, 'f', -1, 64) + "B"
	case v >= 1e6 && v%1e5 == 0:
		return strconv.FormatFloat(float64(v)/1e6, 'f', -1, 64) + "M"
	}
	s := strconv.FormatInt(v, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
