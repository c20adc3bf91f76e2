package outbound

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Body lays an event out in a subscription's format.
func Body(format string, ev *Event) ([]byte, error) {
	if format != FormatSlack {
		return json.Marshal(ev)
	}
	text := Summary(ev)
	type textObject struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type string       `json:"type"`
		Text *textObject  `json:"text,omitempty"`
		Elts []textObject `json:"elements,omitempty"`
	}
	msg := struct {
		Text   string  `json:"text"`
		Blocks []block `json:"blocks"`
	}{
		Text: text,
		Blocks: []block{
			{Type: "section", Text: &textObject{Type: "mrkdwn", Text: slackEscape(text)}},
			{Type: "context", Elts: []textObject{{Type: "mrkdwn", Text: slackEscape(ev.Type + " · " + ev.ID)}}},
		},
	}
	return json.Marshal(msg)
}

// Summary says an event in one line, for a chat message.
func Summary(ev *Event) string {
	d := ev.Data
	who := ""
	if l := d.Lead; l != nil {
		who = strings.TrimSpace(l.FirstName + " " + l.LastName)
		if who == "" {
			who = l.Email
		}
		if l.Company != "" {
			who += " (" + l.Company + ")"
		}
	}
	campaign := ""
	if d.Campaign != nil {
		campaign = d.Campaign.ID
	}
	switch ev.Type {
	case LeadSalesReady:
		return fmt.Sprintf("New sales-ready lead: %s, score %g, campaign %s.", who, d.Lead.Score, campaign)
	case LeadAssigned:
		return fmt.Sprintf("%s is assigned to %s.", who, d.Lead.Owner)
	case LeadSLAReminder:
		return fmt.Sprintf("Reminder: %s waits for an answer from %s.", who, d.Lead.Owner)
	case LeadSLABreached:
		return fmt.Sprintf("SLA breached: %s was not accepted in time. %s", who, d.Transition.Note)
	case LeadRecycled:
		return fmt.Sprintf("%s was recycled to nurture by %s (%s).", who, d.Transition.By, d.Transition.Reason)
	case LeadFeedback:
		return fmt.Sprintf("%s: %s moved it from %s to %s.", who, d.Transition.By, d.Transition.From, d.Transition.To)
	case DefinitionPublished:
		return fmt.Sprintf("Campaign %s's definition version %d is published.", campaign, d.Campaign.Version)
	case DefinitionReviewDue:
		return fmt.Sprintf("Campaign %s's definition version %d is due for review (by %s).", campaign, d.Campaign.Version, d.Definition.ReviewBy)
	}
	return ev.Type
}

// slackEscape escapes what Slack's mrkdwn reads as markup, so a lead's
// name cannot mention a channel or make a link.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
