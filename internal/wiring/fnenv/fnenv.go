// Package fnenv reads each Lambda function's environment into its typed
// configuration: one place knows the variables' names, which are required
// and the defaults of the others, and a function missing several variables
// is told of all of them in one error.
//
// It is apart from the wiring packages so that each function's own wiring
// package (internal/wiring/<function>) can read its configuration while
// linking only its own clients and handlers.
package fnenv

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Env reads one environment variable; os.Getenv in Lambda, the variables
// template.yaml gives the function when local.
type Env func(string) string

// Each function's configuration: the environment variables it reads, named
// as template.yaml names them (TestConfigMatchesTemplate holds the two to
// each other). A field tagged `env:"NAME,required"` must be set; a field
// tagged `env:"NAME"` may be, and takes defaults[NAME] when it is not.

// CampaignsConfig is the campaigns function's environment.
type CampaignsConfig struct {
	CampaignsTable string `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable     string `env:"LEADS_TABLE,required"` // read by previews
	// RejudgeQueueURL is where publishing in mode rejudge queues its job.
	RejudgeQueueURL string `env:"REJUDGE_QUEUE_URL,required"`
	// WebhookQueueURL takes each new version's definition.published event.
	WebhookQueueURL string `env:"WEBHOOK_QUEUE_URL,required"`
}

// RejudgeConfig is the re-judge function's environment.
type RejudgeConfig struct {
	CampaignsTable  string `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable      string `env:"LEADS_TABLE,required"`
	RejudgeQueueURL string `env:"REJUDGE_QUEUE_URL,required"` // its own queue: each page hands on the next
	// WebhookQueueURL takes the definition events the daily sweep announces.
	WebhookQueueURL string `env:"WEBHOOK_QUEUE_URL,required"`
}

// IntakeConfig is the intake function's environment.
type IntakeConfig struct {
	CampaignsTable string        `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable     string        `env:"LEADS_TABLE,required"`
	DefinitionTTL  time.Duration `env:"DEFINITION_TTL"`
}

// LeadsConfig is the leads function's environment.
type LeadsConfig struct {
	LeadsTable     string `env:"LEADS_TABLE,required"`
	RepsTable      string `env:"REPS_TABLE,required"`
	AccountsTable  string `env:"ACCOUNTS_TABLE,required"`
	CampaignsTable string `env:"CAMPAIGNS_TABLE,required"`
	// RepIDClaim is the token claim holding a rep's id; empty is
	// scopes.DefaultRepClaim.
	RepIDClaim string `env:"REP_ID_CLAIM"`
	// FallbackOwner is the shared queue a reassignment falls back to.
	FallbackOwner string `env:"FALLBACK_OWNER,required"`
}

// RepsConfig is the reps function's environment.
type RepsConfig struct {
	LeadsTable    string `env:"LEADS_TABLE,required"`
	RepsTable     string `env:"REPS_TABLE,required"`
	AccountsTable string `env:"ACCOUNTS_TABLE,required"`
	// FallbackOwner is the shared queue whose leads are listed like a rep's.
	FallbackOwner string `env:"FALLBACK_OWNER,required"`
}

// AssignConfig is the assign function's environment.
type AssignConfig struct {
	LeadsTable     string `env:"LEADS_TABLE,required"`
	RepsTable      string `env:"REPS_TABLE,required"`
	AccountsTable  string `env:"ACCOUNTS_TABLE,required"`
	CampaignsTable string `env:"CAMPAIGNS_TABLE,required"`
	FallbackOwner  string `env:"FALLBACK_OWNER,required"`
}

// FollowUpConfig is the follow-up function's environment.
type FollowUpConfig struct {
	LeadsTable     string `env:"LEADS_TABLE,required"`
	RepsTable      string `env:"REPS_TABLE,required"`
	AccountsTable  string `env:"ACCOUNTS_TABLE,required"`
	CampaignsTable string `env:"CAMPAIGNS_TABLE,required"`
	FallbackOwner  string `env:"FALLBACK_OWNER,required"`
}

// NurtureConfig is the nurture function's environment.
type NurtureConfig struct {
	LeadsTable     string `env:"LEADS_TABLE,required"`
	RepsTable      string `env:"REPS_TABLE,required"`
	CampaignsTable string `env:"CAMPAIGNS_TABLE,required"`
}

// BadgeScansConfig is the badge-scan function's environment.
type BadgeScansConfig struct {
	CampaignsTable string        `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable     string        `env:"LEADS_TABLE,required"`
	DefinitionTTL  time.Duration `env:"DEFINITION_TTL"`
	ImportWorkers  int           `env:"IMPORT_WORKERS"`
}

// RouterConfig is the router function's environment.
type RouterConfig struct {
	SalesReadyQueueURL string `env:"SALES_READY_QUEUE_URL,required"`
	NurtureQueueURL    string `env:"NURTURE_QUEUE_URL,required"`
	// WebhookQueueURL is where the outbound webhook events of each change
	// go, for the deliver function.
	WebhookQueueURL string `env:"WEBHOOK_QUEUE_URL,required"`
}

// SubscriptionsConfig is the webhook subscriptions function's environment.
type SubscriptionsConfig struct {
	WebhooksTable string `env:"WEBHOOKS_TABLE,required"`
	// WebhookLocalTargets lets subscriptions name http://127.0.0.1 (and
	// localhost, ::1): leadgate local sets it, a deployed stack never.
	WebhookLocalTargets bool `env:"WEBHOOK_LOCAL_TARGETS"`
}

// DeliverConfig is the outbound webhook deliverer's environment.
type DeliverConfig struct {
	WebhooksTable             string `env:"WEBHOOKS_TABLE,required"`
	WebhookQueueURL           string `env:"WEBHOOK_QUEUE_URL,required"` // its own queue: each retry is queued again
	WebhookDeadLetterQueueURL string `env:"WEBHOOK_DEAD_LETTER_QUEUE_URL,required"`
	// How long a delivery is retried, and the first wait (doubling up to an
	// hour): tests shorten both to seconds.
	WebhookRetryWindow  time.Duration `env:"WEBHOOK_RETRY_WINDOW"`
	WebhookRetryBase    time.Duration `env:"WEBHOOK_RETRY_BASE"`
	WebhookLocalTargets bool          `env:"WEBHOOK_LOCAL_TARGETS"`
}

// ReporterConfig is the reporter function's environment.
type ReporterConfig struct {
	FunnelTable string `env:"FUNNEL_TABLE,required"`
}

// ReportsConfig is the reports function's environment.
type ReportsConfig struct {
	CampaignsTable string `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable     string `env:"LEADS_TABLE,required"`
	FunnelTable    string `env:"FUNNEL_TABLE,required"`
}

// ConsoleConfig is the console function's environment.
type ConsoleConfig struct {
	CampaignsTable  string `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable      string `env:"LEADS_TABLE,required"`
	FunnelTable     string `env:"FUNNEL_TABLE,required"`
	RepsTable       string `env:"REPS_TABLE,required"`
	AccountsTable   string `env:"ACCOUNTS_TABLE,required"`
	FallbackOwner   string `env:"FALLBACK_OWNER,required"`
	RejudgeQueueURL string `env:"REJUDGE_QUEUE_URL,required"` // a draft signed in mode rejudge queues its job
	WebhookQueueURL string `env:"WEBHOOK_QUEUE_URL,required"` // definition.published
	// SessionKeySecret is the Secrets Manager secret (ARN or name) whose
	// value signs the session cookies.
	SessionKeySecret string `env:"CONSOLE_SESSION_KEY_SECRET,required"`
	// The identity provider people sign in with: the API's JWT issuer and
	// the app client (JwtAudience), and the scopes to ask for. The browser
	// comes back to /console/callback on the domain it called.
	Issuer     string `env:"CONSOLE_ISSUER"`
	ClientID   string `env:"CONSOLE_CLIENT_ID"`
	Scopes     string `env:"CONSOLE_SCOPES"`
	RepIDClaim string `env:"REP_ID_CLAIM"`
	// LocalToken is set by leadgate local alone: it turns the identity
	// provider off and the token sign-in form on.
	LocalToken string `env:"CONSOLE_LOCAL_TOKEN"`
}

// WebhooksConfig is the webhooks function's environment.
type WebhooksConfig struct {
	CampaignsTable       string        `env:"CAMPAIGNS_TABLE,required"`
	LeadsTable           string        `env:"LEADS_TABLE,required"`
	WebhookSecretsPrefix string        `env:"WEBHOOK_SECRETS_PREFIX,required"`
	DefinitionTTL        time.Duration `env:"DEFINITION_TTL"`
	ImportWorkers        int           `env:"IMPORT_WORKERS"`
	WebhookSecretsTTL    time.Duration `env:"WEBHOOK_SECRETS_TTL"`
}

// defaults are the values of the optional variables template.yaml leaves
// unset, whichever function reads them.
var defaults = map[string]string{
	// How long a function trusts a cached campaign definition: an edit
	// reaches every warm container within it.
	"DEFINITION_TTL": "30s",
	// How many leads a badge-scan upload or a touch-point batch writes at
	// once: enough to keep DynamoDB busy, few enough for a 512 MB function.
	"IMPORT_WORKERS": "16",
	// How long a container trusts the webhook secrets it read: a rotation
	// reaches every warm container within it.
	"WEBHOOK_SECRETS_TTL": "5m",
	// Outbound webhooks are retried for a day, from 30 s on.
	"WEBHOOK_RETRY_WINDOW":  "24h",
	"WEBHOOK_RETRY_BASE":    "30s",
	"WEBHOOK_LOCAL_TARGETS": "false",
}

// Read fills the configuration cfg points to from env, defaults filling
// what is optional and unset. Its error names the function and every
// variable missing or malformed, not only the first.
func Read(function string, env Env, cfg any) error {
	var missing, malformed []string
	for _, v := range Variables(cfg) {
		s := env(v.Name)
		if s == "" && v.Required {
			missing = append(missing, v.Name)
			continue
		}
		if s == "" {
			if s = defaults[v.Name]; s == "" {
				continue
			}
		}
		if err := set(v.field, s); err != nil {
			malformed = append(malformed, fmt.Sprintf("%s %q %v", v.Name, s, err))
		}
	}
	var problems []string
	switch len(missing) {
	case 0:
	case 1:
		problems = append(problems, "missing environment variable "+missing[0])
	default:
		problems = append(problems, "missing environment variables "+strings.Join(missing, ", "))
	}
	problems = append(problems, malformed...)
	if len(problems) > 0 {
		return fmt.Errorf("%s function: %s", function, strings.Join(problems, "; "))
	}
	return nil
}

// Variable is one tagged field of a configuration.
type Variable struct {
	Name     string
	Required bool
	field    reflect.Value
}

// Variables lists the tagged fields of the struct cfg points to, in order.
func Variables(cfg any) []Variable {
	s := reflect.ValueOf(cfg).Elem()
	var out []Variable
	for i := range s.NumField() {
		tag, ok := s.Type().Field(i).Tag.Lookup("env")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		out = append(out, Variable{Name: name, Required: opt == "required", field: s.Field(i)})
	}
	return out
}

// Defaulted lists the optional variables that have a default.
func Defaulted() []string {
	return slices.Sorted(maps.Keys(defaults))
}

var durationType = reflect.TypeFor[time.Duration]()

// set parses s into f by f's type.
func set(f reflect.Value, s string) error {
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("is not a duration")
		}
		if d < 0 {
			return errors.New("is negative")
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("is not a whole number")
		}
		if n < 0 {
			return errors.New("is negative")
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("is not true or false")
		}
		f.SetBool(b)
	default:
		panic(fmt.Sprintf("fnenv: a configuration field of type %s", f.Type()))
	}
	return nil
}
