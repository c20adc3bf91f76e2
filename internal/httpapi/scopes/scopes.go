// Package scopes is what a caller of leadgate's HTTP functions may do: the
// API's OAuth scopes, the caller API Gateway's JWT authorizer vouches for
// (or a console session stands for), and the check that it holds a
// route's scopes. It is the one home of each scope for the API's handler
// sets (package httpapi) and the console's (package consoleweb).
package scopes

import (
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/definitions"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// Scopes the non-public routes require. API Gateway's JWT authorizer checks
// the token's signature, issuer and audience; the handler checks the scope,
// so the rule is in the code that it protects and is tested with it.
const (
	CampaignsRead    = "leadgate/campaigns.read"
	CampaignsWrite   = "leadgate/campaigns.write"
	LeadsRead        = "leadgate/leads.read"
	Import           = "leadgate/import"
	TouchPointsWrite = "leadgate/touch-points.write" // systems that send touch points
	RepsWrite        = "leadgate/reps.write"
	AccountsWrite    = "leadgate/accounts.write" // accounts and who owns them
	SalesRep         = "leadgate/sales.rep"      // answers for the leads one holds
	SalesManager     = "leadgate/sales.manager"  // answers for any lead
	Privacy          = "leadgate/privacy"        // erases people on request
	WebhooksWrite    = "leadgate/webhooks.write" // manages outbound webhook subscriptions
	// Signing a definition for one side; holding both lets a caller
	// publish in one step.
	ApproveMarketing = "leadgate/definitions.approve.marketing"
	ApproveSales     = "leadgate/definitions.approve.sales"
)

// All lists every scope, for a local token that may do everything.
var All = []string{CampaignsRead, CampaignsWrite, LeadsRead, Import, TouchPointsWrite, RepsWrite, AccountsWrite, SalesRep, SalesManager, Privacy, WebhooksWrite, ApproveMarketing, ApproveSales}

// Caller is who the authorizer says is calling.
type Caller struct {
	ID     string // who, for the record: email, user name, client or subject
	Scopes []string
	Claims map[string]string
}

// DefaultRepClaim is the token claim that names the rep calling: Cognito
// puts the user name there, and rep ids are user names.
const DefaultRepClaim = "username"

// nameClaims are the claims a caller goes by, the one recorded first.
var nameClaims = []string{"email", "username", "client_id", "sub"}

// Has reports whether the caller holds scope.
func (c Caller) Has(scope string) bool { return slices.Contains(c.Scopes, scope) }

// RepID is the rep the caller is, by the one claim that names reps; "" when
// the token has none, and then it cannot act as a rep.
func (c Caller) RepID(claim string) string {
	return strings.TrimSpace(c.Claims[claim])
}

// CallerOf is the caller of a request through API Gateway's JWT
// authorizer.
func CallerOf(req *events.APIGatewayV2HTTPRequest) (Caller, error) {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil {
		return Caller{}, leadgate.Errorf(leadgate.EUNAUTHORIZED, "This route needs a bearer token.")
	}
	c := Caller{Scopes: a.JWT.Scopes, Claims: a.JWT.Claims}
	// Cognito and most IdPs put scopes in a space-separated "scope" claim;
	// API Gateway fills Scopes only for some token types.
	if s := a.JWT.Claims["scope"]; s != "" {
		c.Scopes = append(c.Scopes, strings.Fields(s)...)
	}
	for _, k := range nameClaims {
		if v := a.JWT.Claims[k]; v != "" {
			c.ID = v
			break
		}
	}
	return c, nil
}

// Signer is the caller as someone who signs definitions: the sides its
// scopes let it sign for, and every name it goes by.
func (c Caller) Signer() definitions.Signer {
	s := definitions.Signer{ID: c.ID}
	for side, scope := range map[string]string{campaign.SideMarketing: ApproveMarketing, campaign.SideSales: ApproveSales} {
		if c.Has(scope) {
			s.Sides = append(s.Sides, side)
		}
	}
	slices.Sort(s.Sides)
	for _, k := range nameClaims {
		if v := c.Claims[k]; v != "" {
			s.Names = append(s.Names, v)
		}
	}
	return s
}

// Authorize returns the caller if it holds every one of scopes.
func Authorize(req *events.APIGatewayV2HTTPRequest, scopes ...string) (Caller, error) {
	c, err := CallerOf(req)
	if err != nil {
		return c, err
	}
	for _, scope := range scopes {
		if !c.Has(scope) {
			if len(scopes) > 1 {
				return c, leadgate.Errorf(leadgate.EFORBIDDEN, "This route needs the scopes %s; the token lacks %s.", strings.Join(scopes, ", "), scope)
			}
			return c, leadgate.Errorf(leadgate.EFORBIDDEN, "This route needs the scope %s.", scope)
		}
	}
	return c, nil
}

// AuthorizeAny returns the caller if it holds at least one of scopes.
func AuthorizeAny(req *events.APIGatewayV2HTTPRequest, scopes ...string) (Caller, error) {
	c, err := CallerOf(req)
	if err != nil {
		return c, err
	}
	if !slices.ContainsFunc(scopes, c.Has) {
		return c, leadgate.Errorf(leadgate.EFORBIDDEN, "This route needs one of the scopes %s.", strings.Join(scopes, ", "))
	}
	return c, nil
}
