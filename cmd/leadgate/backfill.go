package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
)

// runBackfill gives the leads written before the campaign index was
// sharded their shard (SCALING.md, "Migrating"). It talks to DynamoDB
// itself, with the credentials and region of the environment, as the
// operator who deploys the stack does.
func runBackfill(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backfill-campaign-shards", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "the leads table's name (the stack's LeadsTableName output; required)")
	segments := fs.Int("segments", 8, "scan segments read side by side")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *table == "" || *segments < 1 || fs.NArg() > 0 {
		return errors.New("usage: leadgate backfill-campaign-shards --table NAME [--segments 8]")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	n, err := dynamo.NewLeadStore(dynamodb.NewFromConfig(cfg), *table).BackfillCampaignShards(ctx, *segments)
	fmt.Fprintf(stdout, "%d leads given their campaign shard\n", n)
	return err
}
