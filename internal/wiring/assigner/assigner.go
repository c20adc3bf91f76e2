// Package assigner builds the sales assigner and its stores, which the
// leads, reps, assign, follow-up and nurture functions' wiring share.
package assigner

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/sales"
)

// New builds the one assigner the assign, follow-up and leads
// functions share, on a sales store that reads accounts.
func New(cfg aws.Config, leadsTable, repsTable, accountsTable, campaignsTable, fallback string, log *slog.Logger) (*dynamo.LeadStore, *dynamo.SalesStore, *sales.Assigner) {
	leads, store := Stores(cfg, leadsTable, repsTable)
	store = store.WithAccounts(accountsTable)
	campaigns := dynamo.NewCampaignStore(dynamodb.NewFromConfig(cfg), campaignsTable)
	return leads, store, sales.NewAssigner(store, campaigns, fallback, time.Now, log)
}

// Stores builds the lead store and the sales store on it.
func Stores(cfg aws.Config, leadsTable, repsTable string) (*dynamo.LeadStore, *dynamo.SalesStore) {
	db := dynamodb.NewFromConfig(cfg)
	store := dynamo.NewLeadStore(db, leadsTable)
	return store, dynamo.NewSalesStore(db, store, repsTable)
}
