package webhook

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/touchpoint"
)

// Mapping says how one tool's webhook payload becomes touch points. It is
// data (mappings/<source>.yaml): a new tool is a new file.
type Mapping struct {
	Name string `yaml:"name"`
	// Events is the path to the list of events in the body; "" when the
	// body is the list, or one event.
	Events string `yaml:"events"`
	// Kind is the path, in an event, to what kind of event it is.
	Kind string `yaml:"kind"`
	// Public says people fill in the tool's forms themselves (a webinar
	// registration page): anyone can give anyone's email, so what the
	// events say about a person ranks as a form post, not as an
	// authenticated system.
	Public bool `yaml:"public"`
	// Rule gives what is common to every kind; Kinds what each kind is and
	// what it says differently. A kind not listed is not a touch point.
	Rule  `yaml:",inline"`
	Kinds map[string]Rule `yaml:"kinds"`
}

// Rule maps one kind of event to a touch point. Values are paths into the
// event ("payload.object.registrant.email").
type Rule struct {
	Type string `yaml:"type,omitempty"`
	// ID lists the paths whose values, joined, are the event's own id; none
	// takes the webhook's id (and the event's place in a list).
	ID       []string          `yaml:"id,omitempty"`
	Email    string            `yaml:"email,omitempty"`
	At       *Time             `yaml:"at,omitempty"`
	Campaign string            `yaml:"campaign,omitempty"`
	Fields   map[string]string `yaml:"fields,omitempty"`
	Detail   map[string]string `yaml:"detail,omitempty"`
	// Outcome is the path to an outcome, and Outcomes maps the tool's
	// words to leadgate's (a call's "answered" to "connected").
	Outcome  string            `yaml:"outcome,omitempty"`
	Outcomes map[string]string `yaml:"outcomes,omitempty"`
}

// Time is where an event says when it happened, and how it writes it:
// unix (seconds), unixms (milliseconds) or rfc3339.
type Time struct {
	Path   string `yaml:"path"`
	Format string `yaml:"format"`
}

//go:embed mappings/*.yaml
var mappingFiles embed.FS

// Mappings are the tools leadgate knows, by source name (the file's name),
// read on first use.
var Mappings = sync.OnceValues(func() (map[string]*Mapping, error) {
	entries, err := mappingFiles.ReadDir("mappings")
	if err != nil {
		return nil, err
	}
	out := map[string]*Mapping{}
	for _, e := range entries {
		b, err := mappingFiles.ReadFile("mappings/" + e.Name())
		if err != nil {
			return nil, err
		}
		var m Mapping
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("mapping %s: %w", e.Name(), err)
		}
		if err := m.check(); err != nil {
			return nil, fmt.Errorf("mapping %s: %w", e.Name(), err)
		}
		out[strings.TrimSuffix(e.Name(), path.Ext(e.Name()))] = &m
	}
	return out, nil
})

func (m *Mapping) check() error {
	for kind := range m.Kinds {
		r := m.rule(kind)
		switch {
		case !lead.IsTouchPointType(r.Type):
			return fmt.Errorf("kind %s: type %q is not a touch point type", kind, r.Type)
		case r.Email == "":
			return fmt.Errorf("kind %s: no email path", kind)
		case r.At == nil || (r.At.Format != "unix" && r.At.Format != "unixms" && r.At.Format != "rfc3339"):
			return fmt.Errorf("kind %s: at needs a path and a format of unix, unixms or rfc3339", kind)
		}
	}
	return nil
}

// rule is a kind's rule over the common one.
func (m *Mapping) rule(kind string) Rule {
	r, k := m.Rule, m.Kinds[kind]
	if k.Type != "" {
		r.Type = k.Type
	}
	if len(k.ID) > 0 {
		r.ID = k.ID
	}
	if k.Email != "" {
		r.Email = k.Email
	}
	if k.At != nil {
		r.At = k.At
	}
	if k.Campaign != "" {
		r.Campaign = k.Campaign
	}
	if k.Fields != nil {
		r.Fields = k.Fields
	}
	if k.Detail != nil {
		r.Detail = k.Detail
	}
	if k.Outcome != "" {
		r.Outcome, r.Outcomes = k.Outcome, k.Outcomes
	}
	return r
}

// Items maps a payload to touch-point items, in the touch-point API's own
// format, so they are checked and recorded like any batch. Events of kinds
// the mapping does not list are skipped and counted.
func (m *Mapping) Items(source, webhookID string, body []byte, campaign string) (items []json.RawMessage, skipped int, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, 0, fmt.Errorf("the payload is not JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, fmt.Errorf("the payload has data after its JSON value")
	}
	events := []any{doc}
	if list, ok := lookup(doc, m.Events).([]any); ok {
		events = list
	}
	for i, ev := range events {
		kind := text(lookup(ev, m.Kind))
		if _, ok := m.Kinds[kind]; !ok {
			skipped++
			continue
		}
		r := m.rule(kind)
		it := touchpoint.Item{Type: r.Type, Email: text(lookup(ev, r.Email)), Source: source, Campaign: campaign}
		if it.Campaign == "" && r.Campaign != "" {
			it.Campaign = text(lookup(ev, r.Campaign))
		}
		var id []string
		for _, p := range r.ID {
			id = append(id, text(lookup(ev, p)))
		}
		if it.ID = strings.Join(id, ":"); it.ID == "" || strings.Trim(it.ID, ":") == "" {
			it.ID = webhookID
			if len(events) > 1 {
				it.ID += "#" + strconv.Itoa(i)
			}
		}
		it.At = when(lookup(ev, r.At.Path), r.At.Format)
		for name, p := range r.Fields {
			if v := text(lookup(ev, p)); v != "" {
				if it.Fields == nil {
					it.Fields = map[string]string{}
				}
				it.Fields[name] = v
			}
		}
		for name, p := range r.Detail {
			if v := text(lookup(ev, p)); v != "" {
				if it.Detail == nil {
					it.Detail = map[string]string{}
				}
				it.Detail[name] = v
			}
		}
		if r.Outcome != "" {
			if o := r.Outcomes[text(lookup(ev, r.Outcome))]; o != "" {
				if it.Detail == nil {
					it.Detail = map[string]string{}
				}
				it.Detail["outcome"] = o
			}
		}
		b, err := json.Marshal(it)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, b)
	}
	return items, skipped, nil
}

// lookup follows a dotted path into a decoded JSON value; "" is the value.
func lookup(v any, p string) any {
	if p == "" {
		return v
	}
	for _, k := range strings.Split(p, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

// text is a JSON value as text: strings as they are, numbers as written.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// when writes an event's time as RFC 3339, or passes on what it cannot
// read for the touch-point check to refuse with its reason.
func when(v any, format string) string {
	s := text(v)
	switch format {
	case "unix", "unixms":
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) > 1e15 {
			return s // not a time: the touch-point check refuses it as written
		}
		if format == "unixms" {
			return time.UnixMilli(int64(n)).UTC().Format(time.RFC3339Nano)
		}
		return time.Unix(int64(n), 0).UTC().Format(time.RFC3339)
	}
	return s
}
