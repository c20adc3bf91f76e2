package webhook_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/leadgate/leadgate/internal/touchpoint"
	"github.com/leadgate/leadgate/internal/webhook"
)

// TestMappingsReadTheToolsDocumentedPayloads maps each tool's documented
// example payload (testdata/) to touch-point items.
func TestMappingsReadTheToolsDocumentedPayloads(t *testing.T) {
	mappings, err := webhook.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		source, file, campaign string
		skipped                int
		want                   []touchpoint.Item
	}{
		{"sendgrid", "sendgrid-events.json", "", 9, []touchpoint.Item{
			{ID: "sg_event_id", Type: "email-open", Email: "example@test.com", At: "2017-12-15T00:59:29Z", Source: "sendgrid",
				Detail: map[string]string{"category": "cat facts", "messageId": "sg_message_id"}},
			{ID: "sg_event_id", Type: "email-click", Email: "example@test.com", At: "2017-12-15T00:59:29Z", Source: "sendgrid",
				Detail: map[string]string{"category": "cat facts", "messageId": "sg_message_id", "url": "http://www.sendgrid.com/"}},
		}},
		{"zoom", "zoom-registration-created.json", "q3-webinar", 0, []touchpoint.Item{
			{ID: "4444AAAiAAAAAiAiAiiAii==:abcdefghij0-klmnopq23456", Type: "webinar-registered", Email: "jchill@example.com",
				Campaign: "q3-webinar", At: "2021-07-22T19:46:48Z", Source: "zoom",
				Fields: map[string]string{"firstName": "Jill", "lastName": "Chill", "company": "Cooking Org", "title": "Chef"},
				Detail: map[string]string{"webinar": "My Webinar", "webinarId": "864500000"}},
		}},
		{"zoom", "zoom-participant-joined.json", "q3-webinar", 0, []touchpoint.Item{
			{ID: "4444AAAiAAAAAiAiAiiAii==:iFxeBPYun6SAiWUzBcEkX", Type: "webinar-attended", Email: "jchill@example.com",
				Campaign: "q3-webinar", At: "2021-07-14T02:44:51Z", Source: "zoom",
				Detail: map[string]string{"webinar": "My Webinar", "webinarId": "1234567890"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			raw, skipped, err := mappings[tt.source].Items(tt.source, "msg_1", body, tt.campaign)
			if err != nil {
				t.Fatal(err)
			}
			var got []touchpoint.Item
			for _, r := range raw {
				var it touchpoint.Item
				if err := json.Unmarshal(r, &it); err != nil {
					t.Fatal(err)
				}
				got = append(got, it)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) || skipped != tt.skipped {
				t.Errorf("items (%d skipped):\n got %s\nwant %s", skipped, gotJSON, wantJSON)
			}
		})
	}
}
