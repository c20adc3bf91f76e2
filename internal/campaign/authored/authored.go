// Package authored reads what people write and keep in git: campaign
// definitions (Parse, and Read, which also validates one sent for a
// campaign), and the reps and accounts documents, from YAML or JSON,
// strictly: unknown keys, repeated keys and a second document are
// errors, and every problem names the line and what the author wrote, not
// Go's types. It is a package of its own so that the functions that only
// judge leads do not link the YAML decoder (nor run its package init): the
// definition types are package campaign's, and read YAML through their
// UnmarshalText methods.
package authored

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Read parses and validates a definition sent for campaign id, as a draft
// or a publish: every problem by path, or the definition and its warnings.
// A definition that names no id takes id.
func Read(doc []byte, id string, now time.Time) (*campaign.Definition, []leadgate.Problem, error) {
	d, err := Parse(doc)
	if err != nil {
		return nil, nil, err
	}
	if d.ID == "" {
		d.ID = id
	}
	warnings, err := d.Validate(now)
	if err != nil {
		return nil, nil, err
	}
	if d.ID != id {
		return nil, nil, leadgate.Invalid("The definition is for another campaign.", []leadgate.Problem{{Path: "id", Message: strconv.Quote(d.ID) + " does not match the URL's " + strconv.Quote(id)}})
	}
	return d, warnings, nil
}

// Parse reads one definition from YAML (or JSON, which YAML includes). Unknown
// keys are errors, not silently ignored: a misspelt "threshhold" must not
// quietly leave the default in force.
func Parse(doc []byte) (*campaign.Definition, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, leadgate.Invalid("The definition is empty.", []leadgate.Problem{{Message: "empty document"}})
	}
	if len(doc) > campaign.MaxDocumentBytes {
		return nil, leadgate.Errorf(leadgate.ETOOLARGE, "A definition may be at most %d KiB.", campaign.MaxDocumentBytes>>10)
	}
	var d campaign.Definition
	if err := Decode(doc, &d); err != nil {
		return nil, leadgate.Invalid("The definition could not be read.", leadgate.ErrorProblems(err))
	}
	return &d, nil
}

// maxYAMLNodes bounds the values one document may hold: a definition of
// the largest size holds a few thousand.
const maxYAMLNodes = 20_000

// Decode reads one YAML (or JSON) document into v strictly: unknown keys
// are errors, not silently ignored, and a second document is refused. The
// document is first read as a tree and refused when it repeats a key or
// holds too many values: the YAML library's own checks take seconds on a few
// thousand repeated keys.
func Decode(doc []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	var root yaml.Node
	err := dec.Decode(&root)
	if errors.Is(err, io.EOF) {
		return leadgate.Invalid("The document is empty.", []leadgate.Problem{{Message: "empty document"}})
	}
	if err != nil {
		return leadgate.Invalid("The document could not be read.", Problems(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return leadgate.Invalid("The document could not be read.", []leadgate.Problem{{Message: "one document at a time: found a second YAML document"}})
	}
	if problems := treeProblems(&root); len(problems) > 0 {
		return leadgate.Invalid("The document could not be read.", problems)
	}
	if problems := textProblems(&root, reflect.TypeOf(v)); len(problems) > 0 {
		return leadgate.Invalid("The document could not be read.", problems)
	}
	strict := yaml.NewDecoder(bytes.NewReader(doc))
	strict.KnownFields(true)
	if err := strict.Decode(v); err != nil {
		return leadgate.Invalid("The document could not be read.", Problems(err))
	}
	return nil
}

// treeProblems finds repeated keys and counts values, stopping at the
// first few problems.
func treeProblems(root *yaml.Node) []leadgate.Problem {
	var problems []leadgate.Problem
	nodes := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if nodes++; nodes > maxYAMLNodes || len(problems) >= 10 {
			return
		}
		if n.Kind == yaml.MappingNode {
			seen := make(map[string]bool, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if seen[k] {
					problems = append(problems, leadgate.Problem{Path: fmt.Sprintf("line %d", n.Content[i].Line), Message: fmt.Sprintf("key %q is given twice", cut(k))})
				}
				seen[k] = true
			}
		}
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && notANumber(n.Value) {
			// YAML's .nan and .inf pass every comparison a check makes
			// (NaN is neither below 0 nor above 1) and then break JSON.
			problems = append(problems, leadgate.Problem{Path: fmt.Sprintf("line %d", n.Line), Message: fmt.Sprintf("%s: give a finite number", cut(n.Value))})
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	if nodes > maxYAMLNodes {
		problems = append(problems, leadgate.Problem{Message: fmt.Sprintf("more than %d values: this is not a definition", maxYAMLNodes)})
	}
	return problems
}

// textTypes are the types YAML reads through UnmarshalText, with what
// they look like: structs (Date wraps a time.Time, Duration a
// time.Duration), which the decoder would otherwise fill from a mapping
// field by field (or leave zero from {}), and which it hands a !!binary
// scalar decoded.
var textTypes = map[reflect.Type]string{
	reflect.TypeFor[campaign.Date]():     "a date like 2027-05-01",
	reflect.TypeFor[campaign.Duration](): "a duration like 90d",
}

// textProblems walks the document beside the type it is decoded into and
// refuses, where a date or a duration goes, anything but a scalar written
// as text: a mapping, a list, binary data.
func textProblems(root *yaml.Node, t reflect.Type) []leadgate.Problem {
	var problems []leadgate.Problem
	visits := 0
	var walk func(n *yaml.Node, t reflect.Type)
	walk = func(n *yaml.Node, t reflect.Type) {
		// Aliases are followed, so visits are bounded as nodes are.
		if visits++; visits > maxYAMLNodes || len(problems) >= 10 || n == nil {
			return
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, t)
			}
			return
		case yaml.AliasNode:
			walk(n.Alias, t)
			return
		}
		if want, ok := textTypes[t]; ok {
			at := fmt.Sprintf("line %d", n.Line)
			switch {
			case n.Kind == yaml.MappingNode:
				problems = append(problems, leadgate.Problem{Path: at, Message: "got a mapping, want " + want})
			case n.Kind == yaml.SequenceNode:
				problems = append(problems, leadgate.Problem{Path: at, Message: "got a list, want " + want})
			case n.ShortTag() == "!!binary":
				problems = append(problems, leadgate.Problem{Path: at, Message: "got binary data, want " + want})
			}
			return
		}
		switch {
		case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
			fields := yamlFields(t)
			for i := 0; i+1 < len(n.Content); i += 2 {
				if f, ok := fields[n.Content[i].Value]; ok {
					walk(n.Content[i+1], f)
				}
			}
		case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], t.Elem())
			}
		case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, t.Elem())
			}
		}
	}
	walk(root, t)
	return problems
}

// yamlFields are a struct's fields by the key YAML reads them from, as the
// decoder names them: the tag's name, else the field's name in lower case;
// an inline struct's fields are the struct's own.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(opts, ","), "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				maps.Copy(fields, yamlFields(ft))
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

// notANumber reports YAML's spellings of NaN and the infinities.
func notANumber(v string) bool {
	switch strings.ToLower(strings.TrimLeft(v, "+-")) {
	case ".nan", ".inf":
		return true
	}
	return false
}

var (
	yamlLine    = lazyRegexp(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknown = lazyRegexp(`^field (\S+) not found in type .+$`)
	yamlType    = lazyRegexp(`^cannot unmarshal !!(\w+) ` + "`" + `(.*)` + "`" + ` into (.+)$`)
	yamlKindOf  = lazyRegexp(`^cannot unmarshal !!(\w+) into (.+)$`)
)

// Problems turns the YAML library's messages, which name Go types, into
// ones that name the line and what the author wrote.
func Problems(err error) []leadgate.Problem {
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
	case t == "campaign.Date":
		return "a date like 2027-05-01"
	case t == "campaign.Duration":
		return "a duration like 90d"
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

// lazyRegexp compiles a pattern on first use: compiling at start-up would
// add to the cold start of every function that links this package.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
