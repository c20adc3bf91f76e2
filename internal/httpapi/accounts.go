package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
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
	if _, err := authorize(req, ScopeAccountsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if mt := mediaType(req); mt != "" && !slices.Contains(definitionTypes, mt) {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Errorf(leadgate.EUNSUPPORTED, "Send the account as YAML or JSON, not %s.", mt)
	}
	raw, err := body(req, maxAccountBody)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// An account in YAML may come with the kind line `leadgate apply` reads.
	var doc struct {
		Kind          string `yaml:"kind"`
		sales.Account `yaml:",inline"`
	}
	if err := campaign.DecodeYAML(raw, &doc); err != nil {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("The account could not be read.", leadgate.ErrorProblems(err))
	}
	a := doc.Account
	id := req.PathParameters["accountId"]
	if a.ID == "" {
		a.ID = id
	}
	if err := a.Validate(); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if a.ID != id {
		return events.APIGatewayV2HTTPResponse{}, leadgate.Invalid("The account is another one.", []leadgate.Problem{{Path: "id", Message: strconv.Quote(a.ID) + " does not match the URL's " + strconv.Quote(id)}})
	}
	stored, created, err := h.store.PutAccount(ctx, &a)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return jsonResponse(status, stored), nil
}

func (h *Reps) getAccount(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := authorize(req, ScopeLeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.store.Account(ctx, req.PathParameters["accountId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, a), nil
}

func (h *Reps) listAccounts(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := authorize(req, ScopeLeadsRead); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	accounts, next, err := h.store.Accounts(ctx, req.QueryStringParameters["cursor"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, struct {
		Accounts []*sales.Account `json:"accounts"`
		Next     string           `json:"next,omitempty"`
	}{accounts, next}), nil
}

func (h *Reps) deleteAccount(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if _, err := authorize(req, ScopeAccountsWrite); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := h.store.DeleteAccount(ctx, req.PathParameters["accountId"]); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{"X-Content-Type-Options": "nosniff"}}, nil
}
