package intake

import (
	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/capture"
)

// Keys with a meaning of their own rather than a field of the person.
const (
	keyRedirect   = "redirect"
	keyRenderedAt = "_ts"
	keyVisitor    = "_visitor" // the visitor token a page kept from its last answer
	keyPage       = "pageurl"
	keyReferrer   = "referrer"
)

var pageKeys = map[string]bool{"pageurl": true, "page": true, "url": true, "landingpage": true}
var referrerKeys = map[string]bool{"referrer": true, "referer": true}

// utmKeys are the campaign parameters kept on the touch point.
var utmKeys = map[string]string{
	"utmsource": "utm_source", "utmmedium": "utm_medium", "utmcampaign": "utm_campaign",
	"utmterm": "utm_term", "utmcontent": "utm_content",
}

// hiddenFor returns the hidden field a posted name stands for.
func hiddenFor(d *campaign.Definition, name string) (string, bool) {
	k := capture.Key(name)
	for _, h := range d.Intake.HiddenFields {
		if capture.Key(h) == k {
			return h, true
		}
	}
	return "", false
}
