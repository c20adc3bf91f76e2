package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/httpapi/scopes"
	"github.com/leadgate/leadgate/internal/sales"
)

// AccountStore is what the accounts API needs from storage.
type AccountStore interface {
	PutAccount(ctx context.Context, a *sales.Account) (*sales.Account, bool, error)
	Account(ctx context.Context, id string) (*sales.Account, error)
	Accounts(ctx context.Context, cursor string) ([]*sales.Account, string, error)
	DeleteAccount(ctx context.Context, id string) error
}

// maxAccountBody bounds an account's document: 20 domains and a name fit
// many times over.
const maxAccountBody = 16 << 10

func (h *Reps) putAccount(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.AccountsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := decodeDocument(req, "account", "accountId", maxAccountBody, func(a *sales.Account) *string { return &a.ID }, (*sales.Account).Validate)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	stored, created, err := h.store.PutAccount(ctx, a)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return putResponse(stored, created), nil
}

func (h *Reps) getAccount(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.store.Account(ctx, req.PathParameters["accountId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, a), nil
}

func (h *Reps) listAccounts(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.LeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	accounts, next, err := h.store.Accounts(ctx, req.QueryStringParameters["cursor"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return edge.JSONResponse(http.StatusOK, struct {
			Accounts []*sales.Account `json:"accounts"`
			Next     string           `json:"next,omitempty"`
		}{accounts, next}),

		nil
}

func (h *Reps) deleteAccount(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := scopes.Authorize(req, scopes.AccountsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := h.store.DeleteAccount(ctx, req.PathParameters["accountId"]); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{"X-Content-Type-Options": "nosniff"}}, nil
}
