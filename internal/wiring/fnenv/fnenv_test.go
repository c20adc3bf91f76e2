package fnenv

import (
	"maps"
	"testing"
	"time"
)

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
