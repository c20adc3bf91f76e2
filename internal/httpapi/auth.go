package httpapi

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
	ScopeCampaignsRead    = "leadgate/campaigns.read"
	ScopeCampaignsWrite   = "leadgate/campaigns.write"
	ScopeLeadsRead        = "leadgate/leads.read"
	ScopeImport           = "leadgate/import"
	ScopeTouchPointsWrite = "leadgate/touch-points.write" // systems that send touch points
	ScopeRepsWrite        = "leadgate/reps.write"
	ScopeAccountsWrite    = "leadgate/accounts.write" // accounts and who owns them
	ScopeSalesRep         = "leadgate/sales.rep"      // answers for the leads one holds
	ScopeSalesManager     = "leadgate/sales.manager"  // answers for any lead
	ScopePrivacy          = "leadgate/privacy"        // erases people on request
	ScopeWebhooksWrite    = "leadgate/webhooks.write" // manages outbound webhook subscriptions
	// Signing a definition for one side; holding both lets a caller
	// publish in one step.
	ScopeApproveMarketing = "leadgate/definitions.approve.marketing"
	ScopeApproveSales     = "leadgate/definitions.approve.sales"
)

// AllScopes lists every scope, for a local token that may do everything.
var AllScopes = []string{ScopeCampaignsRead, ScopeCampaignsWrite, ScopeLeadsRead, ScopeImport, ScopeTouchPointsWrite, ScopeRepsWrite, ScopeAccountsWrite, ScopeSalesRep, ScopeSalesManager, ScopePrivacy, ScopeWebhooksWrite, ScopeApproveMarketing, ScopeApproveSales}

// caller is who the authorizer says is calling.
type caller struct {
	id     string // who, for the record: email, user name, client or subject
	scopes []string
	claims map[string]string
}

// DefaultRepClaim is the token claim that names the rep calling: Cognito
// puts the user name there, and rep ids are user names.
const DefaultRepClaim = "username"

// repID is the rep the caller is, by the one claim that names reps; "" when
// the token has none, and then it cannot act as a rep.
func (c caller) repID(claim string) string {
	return strings.TrimSpace(c.claims[claim])
}

func callerOf(req *events.APIGatewayV2HTTPRequest) (caller, error) {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil {
		return caller{}, leadgate.Errorf(leadgate.EUNAUTHORIZED, "This route needs a bearer token.")
	}
	c := caller{scopes: a.JWT.Scopes, claims: a.JWT.Claims}
	// Cognito and most IdPs put scopes in a space-separated "scope" claim;
	// API Gateway fills Scopes only for some token types.
	if s := a.JWT.Claims["scope"]; s != "" {
		c.scopes = append(c.scopes, strings.Fields(s)...)
	}
	for _, k := range []string{"email", "username", "client_id", "sub"} {
		if v := a.JWT.Claims[k]; v != "" {
			c.id = v
			break
		}
	}
	return c, nil
}

// signer is the caller as someone who signs definitions: the sides its
// scopes let it sign for, and every name it goes by.
func (c caller) signer() definitions.Signer {
	s := definitions.Signer{ID: c.id}
	for side, scope := range map[string]string{campaign.SideMarketing: ScopeApproveMarketing, campaign.SideSales: ScopeApproveSales} {
		if slices.Contains(c.scopes, scope) {
			s.Sides = append(s.Sides, side)
		}
	}
	slices.Sort(s.Sides)
	for _, k := range []string{"email", "username", "client_id", "sub"} {
		if v := c.claims[k]; v != "" {
			s.Names = append(s.Names, v)
		}
	}
	return s
}

// authorize returns the caller if it holds every one of scopes.
func authorize(req *events.APIGatewayV2HTTPRequest, scopes ...string) (caller, error) {
	c, err := callerOf(req)
	if err != nil {
		return c, err
	}
	for _, scope := range scopes {
		if !slices.Contains(c.scopes, scope) {
			if len(scopes) > 1 {
				return c, leadgate.Errorf(leadgate.EFORBIDDEN, "This route needs the scopes %s; the token lacks %s.", strings.Join(scopes, ", "), scope)
			}
			return c, leadgate.Errorf(leadgate.EFORBIDDEN, "This route needs the scope %s.", scope)
		}
	}
	return c, nil
}

// authorizeAny returns the caller if it holds at least one of scopes.
func authorizeAny(req *events.APIGatewayV2HTTPRequest, scopes ...string) (caller, error) {
	c, err := callerOf(req)
	if err != nil {
		return c, err
	}
	if !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(c.scopes, s) }) {
		return c, leadgate.Errorf(leadgate.EFORBIDDEN, "This route needs one of the scopes %s.", strings.Join(scopes, ", "))
	}
	return c, nil
}
