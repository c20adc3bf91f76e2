// Package wiring builds each Lambda function's handler from its environment
// and AWS configuration. A function's main.go and `leadgate local` both call
// it, so what runs locally is what runs in Lambda.
package wiring

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
)

// Env reads one environment variable; os.Getenv in Lambda, the variables
// template.yaml gives the function when local.
type Env func(string) string

// HTTPFunctions maps each HTTP function's logical ID in template.yaml to its
// wiring, so the local server can serve every route the template declares.
var HTTPFunctions = map[string]func(aws.Config, Env, *slog.Logger) (httpapi.Handler, error){
	"CampaignsFunction": Campaigns,
}

// Campaigns wires the campaign definitions admin API.
func Campaigns(cfg aws.Config, env Env, log *slog.Logger) (httpapi.Handler, error) {
	table, err := required(env, "CAMPAIGNS_TABLE")
	if err != nil {
		return nil, err
	}
	store := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), table)
	return httpapi.NewCampaigns(store, log, time.Now), nil
}

func required(env Env, name string) (string, error) {
	v := env(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}
