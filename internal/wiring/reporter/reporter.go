// Package reporter wires the reporter Lambda function (functions/reporter) from its
// environment and AWS configuration. It is a package of its own so that
// the function's binary links only the clients and handlers it uses: a Go
// binary links every package its wiring imports, with their package init.
package reporter

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/funnel"
	"github.com/leadgate/leadgate/internal/stream"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the funnel counter: leads table stream → funnel table.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (stream.Handler, error) {
	var c fnenv.ReporterConfig
	if err := fnenv.Read("reporter", env, &c); err != nil {
		return nil, err
	}
	store := dynamo.NewFunnelStore(dynamodb.NewFromConfig(cfg), c.FunnelTable)
	return stream.Reporter(func(ctx context.Context, ds []funnel.Delta) error { return store.Apply(ctx, ds, time.Now()) }, log), nil
}
