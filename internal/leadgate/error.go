package leadgate

import (
	"errors"
	"fmt"
)

// Error codes. They name what went wrong in the domain's terms; the HTTP edge
// decides which status each becomes.
const (
	EBADREQUEST   = "bad_request"  // the request itself cannot be read
	EINVALID      = "invalid"      // readable, but breaks a rule (every problem listed)
	ENOTFOUND     = "not_found"    // no such campaign, version, lead
	ECONFLICT     = "conflict"     // the state changed under the caller, or forbids this now
	EGONE         = "gone"         // existed, and is over (a campaign past its end)
	EUNAUTHORIZED = "unauthorized" // no or wrong credentials
	EFORBIDDEN    = "forbidden"    // credentials lack the scope
	ETOOLARGE     = "too_large"    // body over the stated limit
	EUNSUPPORTED  = "unsupported"  // content type we do not read
	EUNAVAILABLE  = "unavailable"  // a dependency did not answer in time: retry later
	EINTERNAL     = "internal"     // our fault; details are logged, never shown
)

// Problem is one thing wrong with an input, at a path a person can find
// ("fit.employees.min", "line 12").
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error is an error the domain expects and can explain to a caller.
type Error struct {
	Code     string
	Message  string
	Problems []Problem
	// Cause is the error behind it, logged and never shown.
	Cause error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("leadgate error: code=%s message=%s", e.Code, e.Message)
	if len(e.Problems) > 0 {
		s += fmt.Sprintf(" problems=%v", e.Problems)
	}
	if e.Cause != nil {
		s += " cause=" + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// MaxProblems bounds the problems one error lists: past it, a last entry
// counts the rest, so an answer stays small whatever was sent.
const MaxProblems = 100

// Invalid returns an EINVALID error listing every problem (up to
// MaxProblems).
func Invalid(message string, problems []Problem) *Error {
	if n := len(problems); n > MaxProblems {
		problems = append(problems[:MaxProblems-1:MaxProblems-1], Problem{Message: fmt.Sprintf("and %d more problems", n-MaxProblems+1)})
	}
	return &Error{Code: EINVALID, Message: message, Problems: problems}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message a caller may see: the *Error's message, or
// a generic one for anything else, so internal details never leak.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Internal error."
	}
}

// ErrorProblems returns the problems of the first *Error in err's chain.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}
