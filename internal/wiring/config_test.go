package wiring

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/samtemplate"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// functions maps each function of template.yaml to its configuration and
// its wiring.
var functions = map[string]struct {
	config any
	wire   func(aws.Config, Env, *slog.Logger) error
}{
	"CampaignsFunction": {&CampaignsConfig{}, wired(Campaigns)},
	"IntakeFunction":    {&IntakeConfig{}, wired(Intake)},
	"LeadsFunction":     {&LeadsConfig{}, wired(Leads)},
	"RepsFunction":      {&RepsConfig{}, wired(Reps)},
	"AssignFunction":    {&AssignConfig{}, wired(Assign)},
	"NurtureFunction":   {&NurtureConfig{}, wired(Nurture)},
	"RejudgeFunction":   {&RejudgeConfig{}, wired(Rejudge)},
	"FollowUpFunction":  {&FollowUpConfig{}, wired(FollowUp)},
	"BadgeScanFunction": {&BadgeScansConfig{}, wired(BadgeScans)},
	"RouterFunction":    {&RouterConfig{}, wired(Router)},
	"ReporterFunction":  {&ReporterConfig{}, wired(Reporter)},
	"ReportsFunction":   {&ReportsConfig{}, wired(Reports)},
	"WebhooksFunction":  {&WebhooksConfig{}, wired(Webhooks)},
	// Wired in internal/wiring/console, which alone links the pages, the
	// OpenID Connect client and Secrets Manager; it reads its session key
	// from Secrets Manager as it is wired, so it is not wired here.
	"ConsoleFunction":       {&ConsoleConfig{}, nil},
	"SubscriptionsFunction": {&SubscriptionsConfig{}, wired(Subscriptions)},
	"DeliverFunction":       {&DeliverConfig{}, wired(Deliver)},
}

func wired[H any](f func(aws.Config, Env, *slog.Logger) (H, error)) func(aws.Config, Env, *slog.Logger) error {
	return func(cfg aws.Config, env Env, log *slog.Logger) error {
		_, err := f(cfg, env, log)
		return err
	}
}

// TestConfigMatchesTemplate holds each function's configuration and
// template.yaml to each other, so that a variable renamed, added or dropped
// in one place fails here rather than at a cold start: every variable a
// function requires is set for it (by Globals or its own Environment),
// every variable its own Environment sets is read, every Globals variable is
// read by some function, and its wiring succeeds with what the template
// gives it.
func TestConfigMatchesTemplate(t *testing.T) {
	tmpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	globalsRead := map[string]bool{}
	for _, v := range variablesOf(tmpl.Globals.Function) {
		globalsRead[v] = false
	}
	for _, f := range tmpl.Functions() {
		ids = append(ids, f.LogicalID)
		fn, ok := functions[f.LogicalID]
		if !ok {
			t.Errorf("template.yaml has %s, which has no configuration here", f.LogicalID)
			continue
		}
		read := map[string]bool{}
		for _, v := range fnenv.Variables(fn.config) {
			read[v.Name] = true
			if _, ok := globalsRead[v.Name]; ok {
				globalsRead[v.Name] = true
			}
			if _, set := f.Environment[v.Name]; v.Required && !set {
				t.Errorf("%T requires %s, which template.yaml does not set for %s", fn.config, v.Name, f.LogicalID)
			}
		}
		for _, v := range variablesOf(tmpl.Resources[f.LogicalID].Properties) {
			if !read[v] {
				t.Errorf("template.yaml sets %s for %s, which %T does not read", v, f.LogicalID, fn.config)
			}
		}
		env := func(k string) string {
			switch v := f.Environment[k].(type) {
			case nil:
				return ""
			case string:
				return v
			case int:
				return fmt.Sprint(v)
			case map[string]any: // a parameter's default, as CloudFormation resolves it
				if p, ok := tmpl.Parameters[fmt.Sprint(v["Ref"])]; ok && p.Default != nil {
					return fmt.Sprint(p.Default)
				}
				return "resolved-" + k
			default: // an intrinsic function: a stand-in for what it resolves to
				return "resolved-" + k
			}
		}
		if fn.wire == nil {
			continue
		}
		if err := fn.wire(aws.Config{}, env, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Errorf("%s with the environment template.yaml gives it: %v", f.LogicalID, err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(functions)) {
		if !slices.Contains(ids, id) {
			t.Errorf("%s has a configuration but is not in template.yaml", id)
		}
	}
	for v, read := range globalsRead {
		if !read {
			t.Errorf("template.yaml's Globals set %s, which no function reads", v)
		}
	}
}

func variablesOf(props map[string]any) []string {
	env, _ := props["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	return slices.Sorted(maps.Keys(vars))
}

// TestConfigFields checks each configuration is only tagged fields, and
// each default belongs to an optional variable some function reads.
func TestConfigFields(t *testing.T) {
	optional := map[string]bool{}
	for _, fn := range functions {
		typ := reflect.TypeOf(fn.config).Elem()
		for i := range typ.NumField() {
			if _, ok := typ.Field(i).Tag.Lookup("env"); !ok {
				t.Errorf("%s.%s has no env tag", typ.Name(), typ.Field(i).Name)
			}
		}
		for _, v := range fnenv.Variables(fn.config) {
			if !v.Required {
				optional[v.Name] = true
			}
		}
	}
	for _, name := range fnenv.Defaulted() {
		if !optional[name] {
			t.Errorf("defaults has %s, which no function reads as optional", name)
		}
	}
}
