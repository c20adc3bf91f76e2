package webhooks_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/leadgate/leadgate/internal/wiring/webhooks"
)

// TestWire: the endpoint wires with the variables template.yaml gives the
// function (Globals' tables and its own secrets prefix; the rest take
// their defaults), and names what is missing otherwise. Which variables
// the template gives it is held to wiring.WebhooksConfig by wiring's
// TestConfigMatchesTemplate.
func TestWire(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := map[string]string{"CAMPAIGNS_TABLE": "c", "LEADS_TABLE": "l", "WEBHOOK_SECRETS_PREFIX": "/leadgate/webhooks/"}
	if _, err := webhooks.Wire(aws.Config{Region: "us-east-1"}, func(k string) string { return env[k] }, log); err != nil {
		t.Fatal(err)
	}
	delete(env, "WEBHOOK_SECRETS_PREFIX")
	if _, err := webhooks.Wire(aws.Config{Region: "us-east-1"}, func(k string) string { return env[k] }, log); err == nil || !strings.Contains(err.Error(), "WEBHOOK_SECRETS_PREFIX") {
		t.Errorf("without the secrets prefix: %v", err)
	}
}
