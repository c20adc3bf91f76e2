package submissions

import (
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/leadgate"
	"github.com/leadgate/leadgate/internal/leadgate/leadgatetest"
)

// The decoders at the edge meet whatever the internet sends. For any input
// they must answer with a domain error a caller can read (never EINTERNAL,
// which would be a 500) and never panic.

func FuzzSubmissionBody(f *testing.F) {
	f.Add("application/json", []byte(`{"email":"a@b.co","consent":true,"n":1.5e300}`))
	f.Add("application/x-www-form-urlencoded", []byte("email=a%40b.co&first_name=%ZZ"))
	f.Add("multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@b.co\r\n--X--\r\n"))
	f.Add("application/json", []byte(`{"a":{"b":{"c":[[[[[[]]]]]]}}}`))
	f.Add("text/csv", []byte{0xff, 0xfe, 0x00})
	f.Add("multipart/form-data", []byte("--"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"content-type": contentType}, Body: string(body)}
		values, err := formValues(req, body)
		if code := leadgate.ErrorCode(err); code == leadgate.EINTERNAL {
			t.Fatalf("internal error for %q: %v", contentType, err)
		}
		if err != nil {
			leadgatetest.APIWords(t, err)
			return
		}
		// What the decoder let through must survive normalization.
		d := fuzzDefinition(t)
		for name, v := range values {
			if field, ok := capture.FieldFor(d, name); ok {
				capture.NormalizeField(d, field, v)
			}
		}
	})
}

func fuzzDefinition(t *testing.T) *campaign.Definition {
	d, err := authored.Parse([]byte(`id: f
name: F
channel: landing-page
funnel: top
owner: o@example.com
salesOwner: sales@example.com
reviewBy: 2027-03-01
fields:
  custom:
    - {name: size, type: choice, options: [a, b]}
    - {name: consent, type: boolean}
    - {name: seats, type: number}
engagement: {threshold: 10, points: {form-submission: 5}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Validate(time.Now()); err != nil {
		t.Fatal(err)
	}
	return d
}
