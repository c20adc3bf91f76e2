// Package rejudge wires the rejudge Lambda function (functions/rejudge) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package rejudge

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/queue/sqssend"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the re-judge queue's consumer.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (queue.Handler, error) {
	var c fnenv.RejudgeConfig
	if err := fnenv.Read("rejudge", env, &c); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	campaigns := dynamo.NewCampaignStore(db, c.CampaignsTable)
	q := sqs.NewFromConfig(cfg)
	tasks := sqssend.NewTaskSender(q, c.RejudgeQueueURL)
	events := sqssend.NewWebhookSender(q, c.WebhookQueueURL, "")
	w := rejudge.NewWorker(campaigns, tasks, dynamo.NewLeadStore(db, c.LeadsTable), campaigns, events, time.Now, log)
	return queue.ConsumeTasks(log, w.Handle), nil
}
