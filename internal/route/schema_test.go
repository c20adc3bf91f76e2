package route_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestExampleMessagesMatchTheSchema checks the example messages in events/
// (real router output) against schemas/lead-routed.v1.json, the contract
// outside consumers code against. The checker covers the keywords the
// schema uses.
func TestExampleMessagesMatchTheSchema(t *testing.T) {
	var schema map[string]any
	readJSON(t, "../../schemas/lead-routed.v1.json", &schema)
	for _, file := range []string{"sales-ready-message.json", "nurture-message.json"} {
		t.Run(file, func(t *testing.T) {
			var ev events.SQSEvent
			readJSON(t, "../../events/"+file, &ev)
			for _, r := range ev.Records {
				var msg any
				if err := json.Unmarshal([]byte(r.Body), &msg); err != nil {
					t.Fatal(err)
				}
				if problems := check(schema, schema, msg, "$"); len(problems) > 0 {
					t.Errorf("does not match the schema:\n  %s", strings.Join(problems, "\n  "))
				}
			}
		})
	}
	// The checker must be able to fail.
	bad := map[string]any{"schema": "leadgate.lead-routed/v2", "queue": "elsewhere"}
	if problems := check(schema, schema, bad, "$"); len(problems) < 3 {
		t.Errorf("a wrong message passed: %v", problems)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func check(root, s map[string]any, v any, path string) []string {
	if ref, ok := s["$ref"].(string); ok {
		def := root["$defs"].(map[string]any)[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		return check(root, def, v, path)
	}
	var out []string
	fail := func(format string, args ...any) { out = append(out, path+": "+fmt.Sprintf(format, args...)) }
	if c, ok := s["const"]; ok && v != c {
		fail("want %v, got %v", c, v)
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, v) {
		fail("%v is not one of %v", v, e)
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("want an object")
			return out
		}
		for _, r := range asList(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				fail("missing %s", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, val := range m {
			if p, ok := props[k].(map[string]any); ok {
				out = append(out, check(root, p, val, path+"."+k)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				out = append(out, check(root, ap, val, path+"."+k)...)
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			fail("want an array")
			return out
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range l {
				out = append(out, check(root, items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			fail("want a string")
		} else if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok || (s["type"] == "integer" && n != float64(int64(n))) {
			fail("want a %s", s["type"])
		} else if min, ok := s["minimum"].(float64); ok && n < min {
			fail("%v is below %v", n, min)
		}
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
