// Package campaigns wires the campaigns Lambda function (functions/campaigns) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package campaigns

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi"
	"github.com/leadgate/leadgate/internal/queue/sqssend"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the campaign definitions admin API.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (httpapi.Handler, error) {
	var c fnenv.CampaignsConfig
	if err := fnenv.Read("campaigns", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	campaigns, leads := dynamo.NewCampaignStore(db, c.CampaignsTable), dynamo.NewLeadStore(db, c.LeadsTable)
	q := sqs.NewFromConfig(cfg)
	rejudges := rejudge.NewStarter(campaigns, sqssend.NewTaskSender(q, c.RejudgeQueueURL), leads)
	events := sqssend.NewWebhookSender(q, c.WebhookQueueURL, "")
	return httpapi.NewCampaigns(campaigns, definitions.New(campaigns, leads, rejudges, events), log, time.Now), nil
}
