package campaign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// MaxDocumentBytes bounds a definition document. Real ones are a few KiB; the
// bound keeps a mistaken upload from costing a DynamoDB item (400 KB cap).
const MaxDocumentBytes = 128 << 10

// Parse reads one definition from YAML (or JSON, which YAML includes). Unknown
// keys are errors, not silently ignored: a misspelt "threshhold" must not
// quietly leave the default in force.
func Parse(doc []byte) (*Definition, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, leadgate.Invalid("The definition is empty.", []leadgate.Problem{{Message: "empty document"}})
	}
	if len(doc) > MaxDocumentBytes {
		return nil, leadgate.Errorf(leadgate.ETOOLARGE, "A definition may be at most %d KiB.", MaxDocumentBytes>>10)
	}
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	dec.KnownFields(true)
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, leadgate.Invalid("The definition could not be read.", YAMLProblems(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, leadgate.Invalid("The definition could not be read.", []leadgate.Problem{{Message: "one definition per document: found a second YAML document"}})
	}
	return &d, nil
}

var (
	yamlLine    = lazyRegexp(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknown = lazyRegexp(`^field (\S+) not found in type .+$`)
	yamlType    = lazyRegexp(`^cannot unmarshal !!(\w+) ` + "`" + `(.*)` + "`" + ` into (.+)$`)
	yamlKindOf  = lazyRegexp(`^cannot unmarshal !!(\w+) into (.+)$`)
)

// YAMLProblems turns the YAML library's messages, which name Go types, into
// ones that name the line and what the author wrote.
func YAMLProblems(err error) []leadgate.Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]leadgate.Problem, 0, len(msgs))
	for _, m := range msgs {
		p := leadgate.Problem{Message: m}
		if g := yamlLine().FindStringSubmatch(m); g != nil {
			p.Path, p.Message = "line "+g[1], g[2]
		}
		if g := yamlUnknown().FindStringSubmatch(p.Message); g != nil {
			p.Message = fmt.Sprintf("unknown key %q", g[1])
		} else if g := yamlType().FindStringSubmatch(p.Message); g != nil {
			p.Message = fmt.Sprintf("%q is %s, want %s", cut(g[2]), yamlKind(g[1]), goKind(g[3]))
		} else if g := yamlKindOf().FindStringSubmatch(p.Message); g != nil {
			p.Message = fmt.Sprintf("got %s, want %s", yamlKind(g[1]), goKind(g[2]))
		} else if strings.Contains(p.Message, "unmarshal") || strings.Contains(p.Message, "struct") {
			// A message of the library's this does not know: it would
			// name Go types.
			p.Message = "not the kind of value expected here"
		}
		out = append(out, p)
	}
	return out
}

func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "str":
		return "text"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	case "null":
		return "nothing"
	case "binary":
		return "binary data"
	}
	return "a value"
}

// cut shortens a value quoted in a message.
func cut(s string) string {
	if len(s) <= 60 {
		return s
	}
	return strings.ToValidUTF8(s[:60], "") + "…"
}

func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	}
	return "a mapping"
}

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
