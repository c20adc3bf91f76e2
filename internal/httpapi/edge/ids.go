package edge

import (
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// IDRule says what a path parameter may hold. An id that breaks its rule
// cannot name anything, so it is refused by the router, before any store
// sees it (DynamoDB refuses keys over 2 KB with an error of its own).
type IDRule struct {
	Valid func(string) bool
	// What tells the caller what the id looks like.
	What string
}

// The ids more than one handler set takes; the others' rules live with
// their handlers.
var (
	CampaignID = IDRule{campaign.ValidID, "a campaign id is lower-case letters, digits and dashes, at most 63"}
	LeadID     = IDRule{lead.ValidID, "a lead id is ld_ and 24 letters and digits"}
	DraftID    = IDRule{campaign.ValidDraftID, "a draft id is d and a number, like d1"}
)

// checkIDs refuses a request whose path parameters cannot be ids: 404 (no
// such thing), or 400 where the request would create it.
func checkIDs(rules map[string]IDRule, req *events.APIGatewayV2HTTPRequest) error {
	for name, v := range req.PathParameters {
		rule, ok := rules[name]
		if !ok || rule.Valid(v) {
			continue
		}
		if strings.HasPrefix(req.RouteKey, http.MethodPut+" ") {
			return &leadgate.Error{Code: leadgate.EBADREQUEST, Message: "The path names no valid id.", Problems: []leadgate.Problem{{Path: name, Message: rule.What}}}
		}
		return leadgate.Errorf(leadgate.ENOTFOUND, "No such %s: %s.", name, rule.What)
	}
	return nil
}
