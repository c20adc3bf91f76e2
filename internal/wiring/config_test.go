package wiring

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/samtemplate"
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
	// Wired in internal/wiring/webhooks, the one function that links SSM;
	// its own test wires it with the template's environment.
	"WebhooksFunction": {&WebhooksConfig{}, nil},
	// Wired in internal/wiring/console, which alone links the pages, the
	// OpenID Connect client and Secrets Manager.
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
		for _, v := range variables(fn.config) {
			read[v.name] = true
			if _, ok := globalsRead[v.name]; ok {
				globalsRead[v.name] = true
			}
			if _, set := f.Environment[v.name]; v.required && !set {
				t.Errorf("%T requires %s, which template.yaml does not set for %s", fn.config, v.name, f.LogicalID)
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
		for _, v := range variables(fn.config) {
			if !v.required {
				optional[v.name] = true
			}
		}
	}
	for name := range defaults {
		if !optional[name] {
			t.Errorf("defaults has %s, which no function reads as optional", name)
		}
	}
}

func TestRead(t *testing.T) {
	required := map[string]string{
		"CAMPAIGNS_TABLE":        "campaigns",
		"LEADS_TABLE":            "leads",
		"WEBHOOK_SECRETS_PREFIX": "/leadgate/webhooks/",
	}
	with := func(more map[string]string, without ...string) map[string]string {
		env := maps.Clone(required)
		maps.Copy(env, more)
		for _, k := range without {
			delete(env, k)
		}
		return env
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    WebhooksConfig
		wantErr string
	}{
		{
			name: "defaults fill what is unset",
			env:  required,
			want: WebhooksConfig{
				CampaignsTable: "campaigns", LeadsTable: "leads", WebhookSecretsPrefix: "/leadgate/webhooks/",
				DefinitionTTL: 30 * time.Second, ImportWorkers: 16, WebhookSecretsTTL: 5 * time.Minute,
			},
		},
		{
			name: "what is set wins over defaults",
			env:  with(map[string]string{"DEFINITION_TTL": "1m30s", "IMPORT_WORKERS": "4", "WEBHOOK_SECRETS_TTL": "0s"}),
			want: WebhooksConfig{
				CampaignsTable: "campaigns", LeadsTable: "leads", WebhookSecretsPrefix: "/leadgate/webhooks/",
				DefinitionTTL: 90 * time.Second, ImportWorkers: 4, WebhookSecretsTTL: 0,
			},
		},
		{
			name:    "every missing variable in one error, in the configuration's order",
			env:     map[string]string{},
			wantErr: "webhooks function: missing environment variables CAMPAIGNS_TABLE, LEADS_TABLE, WEBHOOK_SECRETS_PREFIX",
		},
		{
			name:    "one missing variable",
			env:     with(nil, "LEADS_TABLE"),
			wantErr: "webhooks function: missing environment variable LEADS_TABLE",
		},
		{
			name:    "a bad duration is named",
			env:     with(map[string]string{"DEFINITION_TTL": "x"}),
			wantErr: `webhooks function: DEFINITION_TTL "x" is not a duration`,
		},
		{
			name:    "a bad number is named",
			env:     with(map[string]string{"IMPORT_WORKERS": "many"}),
			wantErr: `webhooks function: IMPORT_WORKERS "many" is not a whole number`,
		},
		{
			name:    "negative values are malformed",
			env:     with(map[string]string{"IMPORT_WORKERS": "-1", "WEBHOOK_SECRETS_TTL": "-5m"}),
			wantErr: `webhooks function: IMPORT_WORKERS "-1" is negative; WEBHOOK_SECRETS_TTL "-5m" is negative`,
		},
		{
			name: "missing and malformed together",
			env:  with(map[string]string{"DEFINITION_TTL": "30", "IMPORT_WORKERS": "1.5"}, "CAMPAIGNS_TABLE", "WEBHOOK_SECRETS_PREFIX"),
			wantErr: `webhooks function: missing environment variables CAMPAIGNS_TABLE, WEBHOOK_SECRETS_PREFIX; ` +
				`DEFINITION_TTL "30" is not a duration; IMPORT_WORKERS "1.5" is not a whole number`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got WebhooksConfig
			err := Read("webhooks", func(k string) string { return tt.env[k] }, &got)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v\nwant    %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// An optional variable with no default stays empty: the leads function then
// takes httpapi's default rep claim.
func TestReadOptionalWithoutDefault(t *testing.T) {
	var got LeadsConfig
	env := map[string]string{"LEADS_TABLE": "leads", "REPS_TABLE": "reps", "ACCOUNTS_TABLE": "accounts", "CAMPAIGNS_TABLE": "campaigns", "FALLBACK_OWNER": "sales-queue"}
	if err := Read("leads", func(k string) string { return env[k] }, &got); err != nil {
		t.Fatal(err)
	}
	if want := (LeadsConfig{LeadsTable: "leads", RepsTable: "reps", AccountsTable: "accounts", CampaignsTable: "campaigns", FallbackOwner: "sales-queue"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
