package campaign

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// MaxDocumentBytes bounds a definition document. Real ones are a few KiB; the
// bound keeps a mistaken upload from costing a DynamoDB item (400 KB cap).
const MaxDocumentBytes = 128 << 10

// Digest identifies a definition's content: equal digests mean nothing a lead
// could notice changed, so re-applying the same file publishes nothing new.
func (d *Definition) Digest() string {
	b, err := json.Marshal(d)
	if err != nil {
		// A Definition holds only strings, numbers and slices of them.
		panic(fmt.Sprintf("campaign: marshal definition: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// lazyRegexp compiles a pattern on first use: compiling at start-up would
// add to every function's cold start, used or not.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// cut shortens a value quoted in a message.
func cut(s string) string {
	if len(s) <= 60 {
		return s
	}
	return strings.ToValidUTF8(s[:60], "") + "…"
}
