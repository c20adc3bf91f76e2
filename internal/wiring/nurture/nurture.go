// Package nurture wires the nurture Lambda function (functions/nurture) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package nurture

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/nurture"
	"github.com/leadgate/leadgate/internal/queue"
	"github.com/leadgate/leadgate/internal/wiring/assigner"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the nurture queue's consumer.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (queue.Handler, error) {
	var c fnenv.NurtureConfig
	if err := fnenv.Read("nurture", env, &c); err != nil {
		return nil, err
	}
	_, store := assigner.Stores(cfg, c.LeadsTable, c.RepsTable)
	definitions := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), c.CampaignsTable)
	return queue.Consume(log, "nurture", nurture.NewEnroller(store, definitions, time.Now, log).Handle), nil
}
