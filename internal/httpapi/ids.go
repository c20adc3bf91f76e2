package httpapi

import (
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/sales"
)

// idRules say what each path parameter may hold. An id that breaks its
// rule cannot name anything, so it is refused here, before any store sees
// it (DynamoDB refuses keys over 2 KB with an error of its own).
var idRules = map[string]struct {
	valid func(string) bool
	what  string
}{
	"campaignId":     {campaign.ValidID, "a campaign id is lower-case letters, digits and dashes, at most 63"},
	"leadId":         {lead.ValidID, "a lead id is ld_ and 24 letters and digits"},
	"repId":          {sales.ValidRepID, "a rep id is lower-case letters, digits, dots and dashes, at most 63"},
	"accountId":      {sales.ValidAccountID, "an account id is lower-case letters, digits, dots and dashes, at most 63"},
	"importId":       {badgescan.ValidImportID, "an import id is im_ and 20 hex digits"},
	"source":         {campaign.ValidID, "a webhook source is lower-case letters, digits and dashes"},
	"draftId":        {campaign.ValidDraftID, "a draft id is d and a number, like d1"},
	"jobId":          {rejudge.ValidJobID, "a re-judge job id is j and a number, like j1"},
	"subscriptionId": {outbound.ValidID, "a subscription id is lower-case letters, digits and dashes, at most 63"},
}

// checkIDs refuses a request whose path parameters cannot be ids: 404 (no
// such thing), or 400 where the request would create it.
func checkIDs(req *events.APIGatewayV2HTTPRequest) error {
	for name, v := range req.PathParameters {
		rule, ok := idRules[name]
		if !ok || rule.valid(v) {
			continue
		}
		if strings.HasPrefix(req.RouteKey, http.MethodPut+" ") {
			return &leadgate.Error{Code: leadgate.EBADREQUEST, Message: "The path names no valid id.", Problems: []leadgate.Problem{{Path: name, Message: rule.what}}}
		}
		return leadgate.Errorf(leadgate.ENOTFOUND, "No such %s: %s.", name, rule.what)
	}
	return nil
}
