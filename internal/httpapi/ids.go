package httpapi

import (
	"github.com/leadgate/leadgate/internal/badgescan"
	"github.com/leadgate/leadgate/internal/httpapi/edge"
	"github.com/leadgate/leadgate/internal/outbound"
	"github.com/leadgate/leadgate/internal/rejudge"
	"github.com/leadgate/leadgate/internal/sales"
)

// idRules say what each path parameter of this package's routes may hold
// (edge.IDRule).
var idRules = map[string]edge.IDRule{
	"campaignId":     edge.CampaignID,
	"leadId":         edge.LeadID,
	"repId":          {Valid: sales.ValidRepID, What: "a rep id is lower-case letters, digits, dots and dashes, at most 63"},
	"accountId":      {Valid: sales.ValidAccountID, What: "an account id is lower-case letters, digits, dots and dashes, at most 63"},
	"importId":       {Valid: badgescan.ValidImportID, What: "an import id is im_ and 20 hex digits"},
	"draftId":        edge.DraftID,
	"jobId":          {Valid: rejudge.ValidJobID, What: "a re-judge job id is j and a number, like j1"},
	"subscriptionId": {Valid: outbound.ValidID, What: "a subscription id is lower-case letters, digits and dashes, at most 63"},
}
