package scopes

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/leadgate"
)

func TestScopesAreChecked(t *testing.T) {
	req := &events.APIGatewayV2HTTPRequest{}
	if _, err := Authorize(req, CampaignsRead); leadgate.ErrorCode(err) != leadgate.EUNAUTHORIZED {
		t.Errorf("no authorizer: %v", err)
	}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"scope": "openid leadgate/campaigns.read", "client_id": "crm-sync"},
		},
	}
	c, err := Authorize(req, CampaignsRead)
	if err != nil || c.ID != "crm-sync" {
		t.Errorf("read: %v %+v", err, c)
	}
	if _, err := Authorize(req, CampaignsWrite); leadgate.ErrorCode(err) != leadgate.EFORBIDDEN {
		t.Errorf("write without scope: %v", err)
	}
	req.RequestContext.Authorizer.JWT.Claims = nil
	req.RequestContext.Authorizer.JWT.Scopes = []string{CampaignsWrite}
	if _, err := Authorize(req, CampaignsWrite); err != nil {
		t.Errorf("scopes list: %v", err)
	}
}
