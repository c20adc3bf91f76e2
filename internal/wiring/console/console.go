// Package console wires the manager console (ConsoleFunction). It is a
// package of its own, as every function's wiring is: it alone links the
// page templates, the OpenID Connect client and Secrets Manager.
package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/leadgate/leadgate/internal/console"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/dynamo"
	"github.com/leadgate/leadgate/internal/httpapi/consoleweb"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/oidc"
	"github.com/leadgate/leadgate/internal/queue/sqssend"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/sales"
	"github.com/leadgate/leadgate/internal/session"
	"github.com/leadgate/leadgate/internal/wiring/fnenv"
)

// Wire wires the console.
func Wire(cfg aws.Config, env fnenv.Env, log *slog.Logger) (edge.Handler, error) {
	var c fnenv.ConsoleConfig
	if err := fnenv.Read("console", env, &c); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	key, err := sessionKey(ctx, secretsmanager.NewFromConfig(cfg), c.SessionKeySecret)
	if err != nil {
		return nil, err
	}
	sealer, err := session.NewSealer(key, time.Now)
	if err != nil {
		return nil, err
	}
	var idp consoleweb.IdentityProvider
	if c.LocalToken == "" {
		oc := oidc.Config{Issuer: c.Issuer, ClientID: c.ClientID, Scopes: strings.Fields(c.Scopes)}
		if err := oc.Validate(); err != nil {
			return nil, fmt.Errorf("console sign-in: %w", err)
		}
		idp = oidc.New(oc, nil)
	}
	db := dynamodb.NewFromConfig(cfg)
	campaigns := dynamo.NewCampaignStore(db, c.CampaignsTable)
	leads := dynamo.NewLeadStore(db, c.LeadsTable)
	salesStore := dynamo.NewSalesStore(db, leads, c.RepsTable).WithAccounts(c.AccountsTable)
	q := sqs.NewFromConfig(cfg)
	rejudges := rejudge.NewStarter(campaigns, sqssend.NewTaskSender(q, c.RejudgeQueueURL), leads)
	svc := &console.Service{
		Campaigns:   campaigns,
		Funnel:      dynamo.NewFunnelStore(db, c.FunnelTable),
		Leads:       leads,
		Sales:       salesStore,
		Definitions: definitions.New(campaigns, leads, rejudges, sqssend.NewWebhookSender(q, c.WebhookQueueURL, "")),
		Reassigner:  sales.NewAssigner(salesStore, campaigns, c.FallbackOwner, time.Now, log),
		Fallback:    c.FallbackOwner,
	}
	return consoleweb.New(consoleweb.Config{Service: svc, Sealer: sealer, IdP: idp, LocalToken: c.LocalToken, RepClaim: c.RepIDClaim, Log: log, Now: time.Now}), nil
}

// secretReader is the one Secrets Manager call the console makes.
type secretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// sessionKey reads the key that signs session cookies, once per cold
// start: rotating it signs everyone out, which is what a rotation is for.
func sessionKey(ctx context.Context, sm secretReader, id string) ([]byte, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		return nil, fmt.Errorf("read the console's session key %s: %w", id, err)
	}
	key := []byte(aws.ToString(out.SecretString))
	if len(key) == 0 {
		key = out.SecretBinary
	}
	if len(key) < session.MinKeyBytes {
		return nil, errors.New("the console's session key is shorter than 32 bytes: let CloudFormation generate it (template.yaml, ConsoleSessionKey)")
	}
	return key, nil
}
