// Package samtemplate reads template.yaml for `leadgate local`: the tables,
// queues, functions and HTTP routes it declares. template.yaml stays the one
// list of resources; nothing local keeps a second one.
package samtemplate

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a parsed SAM template. Values keep CloudFormation's intrinsic
// functions as one-key maps ({"Ref": "X"}, {"Fn::GetAtt": ["X", "Arn"]}),
// the same shape as the JSON form of a template.
type Template struct {
	Parameters map[string]Parameter `yaml:"Parameters"`
	Globals    struct {
		Function map[string]any `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]Resource `yaml:"Resources"`
}

// Parameter is a template parameter; locally its Default stands in for what
// `sam deploy` would ask for.
type Parameter struct {
	Type    string `yaml:"Type"`
	Default any    `yaml:"Default"`
}

// Resource is one entry of Resources.
type Resource struct {
	Type       string         `yaml:"Type"`
	Properties map[string]any `yaml:"Properties"`
	Metadata   map[string]any `yaml:"Metadata"`
}

// Load reads and parses a template file.
func Load(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses a template, turning the short-form tags (!Ref, !GetAtt,
// !Sub, ...) into their long form.
func Parse(b []byte) (*Template, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, err
	}
	expandTags(&root)
	var t Template
	if err := root.Decode(&t); err != nil {
		return nil, err
	}
	return &t, nil
}

// expandTags rewrites `!Ref X` as the mapping `Ref: X` and `!Fn X` as
// `Fn::Fn: X` so the tree decodes into plain maps.
func expandTags(n *yaml.Node) {
	for _, c := range n.Content {
		expandTags(c)
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return
	}
	name := strings.TrimPrefix(n.Tag, "!")
	key := "Fn::" + name
	if name == "Ref" || name == "Condition" {
		key = name
	}
	value := *n
	value.Tag = ""
	if name == "GetAtt" && value.Kind == yaml.ScalarNode {
		// !GetAtt A.B is shorthand for [A, B].
		res, attr, _ := strings.Cut(value.Value, ".")
		value = yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: res}, {Kind: yaml.ScalarNode, Value: attr},
		}}
	}
	if value.Kind == yaml.ScalarNode {
		value.Style = 0
		value.Tag = "!!str"
	}
	*n = yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: key, Tag: "!!str"}, &value,
	}}
}

// Named is a resource with its logical ID.
type Named struct {
	LogicalID string
	Resource
}

// OfType returns the resources of one type, sorted by logical ID.
func (t *Template) OfType(typ string) []Named {
	var out []Named
	for id, r := range t.Resources {
		if r.Type == typ {
			out = append(out, Named{id, r})
		}
	}
	slices.SortFunc(out, func(a, b Named) int { return strings.Compare(a.LogicalID, b.LogicalID) })
	return out
}

// Queues returns the SQS queues, dead-letter queues before the queues that
// redrive to them, so each can be created with its redrive policy.
func (t *Template) Queues() []Named {
	qs := t.OfType("AWS::SQS::Queue")
	isTarget := map[string]bool{}
	for _, q := range qs {
		if target := redriveTarget(q.Properties); target != "" {
			isTarget[target] = true
		}
	}
	slices.SortStableFunc(qs, func(a, b Named) int {
		switch {
		case isTarget[a.LogicalID] && !isTarget[b.LogicalID]:
			return -1
		case !isTarget[a.LogicalID] && isTarget[b.LogicalID]:
			return 1
		}
		return 0
	})
	return qs
}

// redriveTarget returns the logical ID of a queue's dead-letter queue.
func redriveTarget(props map[string]any) string {
	rp, _ := props["RedrivePolicy"].(map[string]any)
	att, _ := rp["deadLetterTargetArn"].(map[string]any)
	parts, _ := att["Fn::GetAtt"].([]any)
	if len(parts) == 2 {
		s, _ := parts[0].(string)
		return s
	}
	return ""
}

// Function is a serverless function with its Globals applied.
type Function struct {
	LogicalID   string
	Environment map[string]any // variable -> value (may hold intrinsics)
	Events      []Event
	Timeout     int
}

// Event is one of a function's event sources.
type Event struct {
	Name       string
	Type       string
	Properties map[string]any
}

// Functions returns every AWS::Serverless::Function, sorted by logical ID.
func (t *Template) Functions() []Function {
	var out []Function
	for _, r := range t.OfType("AWS::Serverless::Function") {
		f := Function{LogicalID: r.LogicalID, Environment: map[string]any{}}
		for _, props := range []map[string]any{t.Globals.Function, r.Properties} {
			env, _ := props["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			maps.Copy(f.Environment, vars)
			if n, ok := props["Timeout"].(int); ok {
				f.Timeout = n
			}
		}
		events, _ := r.Properties["Events"].(map[string]any)
		for name, e := range events {
			em, _ := e.(map[string]any)
			typ, _ := em["Type"].(string)
			props, _ := em["Properties"].(map[string]any)
			f.Events = append(f.Events, Event{Name: name, Type: typ, Properties: props})
		}
		slices.SortFunc(f.Events, func(a, b Event) int { return strings.Compare(a.Name, b.Name) })
		out = append(out, f)
	}
	return out
}

// Route is one HttpApi route.
type Route struct {
	Function string // logical ID
	Method   string
	Path     string // API Gateway syntax: /v1/campaigns/{campaignId}
	// Authorizer names the JWT authorizer guarding the route; "" for a
	// public route (Auth: Authorizer: NONE).
	Authorizer string
	// Throttle is the route's limit from the API's RouteSettings, else its
	// DefaultRouteSettings; zero where the template sets none.
	Throttle Throttle
}

// Throttle is API Gateway's token bucket for a route: Rate requests a
// second on average, Burst at once.
type Throttle struct {
	Rate  float64
	Burst int
}

// throttleOf reads ThrottlingRateLimit and ThrottlingBurstLimit from a
// route settings map.
// A limit may be a parameter's !Ref: locally its default, as for every
// parameter.
func (t *Template) throttleOf(settings any) (Throttle, bool) {
	m, ok := settings.(map[string]any)
	if !ok {
		return Throttle{}, false
	}
	number := func(v any) float64 {
		if ref, ok := v.(map[string]any); ok {
			name, _ := ref["Ref"].(string)
			v = t.Parameters[name].Default
		}
		switch n := v.(type) {
		case int:
			return float64(n)
		case float64:
			return n
		case string: // a default written in quotes, or a value given to leadgate local
			f, _ := strconv.ParseFloat(n, 64)
			return f
		}
		return 0
	}
	th := Throttle{Rate: number(m["ThrottlingRateLimit"]), Burst: int(number(m["ThrottlingBurstLimit"]))}
	return th, th.Rate > 0 || th.Burst > 0
}

// Key is the route key API Gateway puts in the event: "GET /v1/campaigns".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes returns every HttpApi route, with the API's default authorizer
// applied where a route names none.
func (t *Template) Routes() []Route {
	defaults := map[string]string{} // API logical ID -> default authorizer
	apis := map[string]map[string]any{}
	for _, api := range t.OfType("AWS::Serverless::HttpApi") {
		auth, _ := api.Properties["Auth"].(map[string]any)
		defaults[api.LogicalID], _ = auth["DefaultAuthorizer"].(string)
		apis[api.LogicalID] = api.Properties
	}
	var out []Route
	for _, f := range t.Functions() {
		for _, e := range f.Events {
			if e.Type != "HttpApi" {
				continue
			}
			r := Route{Function: f.LogicalID}
			r.Method, _ = e.Properties["Method"].(string)
			r.Method = strings.ToUpper(r.Method)
			r.Path, _ = e.Properties["Path"].(string)
			api := ""
			if ref, ok := e.Properties["ApiId"].(map[string]any); ok {
				api, _ = ref["Ref"].(string)
			}
			r.Authorizer = defaults[api]
			if auth, ok := e.Properties["Auth"].(map[string]any); ok {
				if a, ok := auth["Authorizer"].(string); ok {
					r.Authorizer = a
				}
			}
			if r.Authorizer == "NONE" {
				r.Authorizer = ""
			}
			r.Throttle, _ = t.throttleOf(apis[api]["DefaultRouteSettings"])
			if perRoute, ok := apis[api]["RouteSettings"].(map[string]any); ok {
				if th, ok := t.throttleOf(perRoute[r.Key()]); ok {
					r.Throttle = th
				}
			}
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.Key(), b.Key()) })
	return out
}
