package submissions_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/capture"
	"github.com/leadgate/leadgate/internal/dynamo/leadtable"
	"github.com/leadgate/leadgate/internal/httpapi/submissions"
	"github.com/leadgate/leadgate/internal/intake"
	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/logging"
)

// BenchmarkSubmission measures what one form post costs the intake
// function's own CPU, DynamoDB apart: a page's JSON post
// (events/intake-json.json) through the edge, the intake service, the
// engine and the encoding of the lead's item for its write, and the answer
// back, decoded and encoded as lambda.Start does, with the function's
// logger writing its lines to io.Discard. Each post is a new person's, as
// BenchmarkIntake's timed ones are; what that bench adds over its floor is
// this, the SDK's work on the PutItem, the gateway's hop and the
// scheduling between them.
//
//	go test -run '^$' -bench Submission -benchmem ./internal/httpapi/submissions/
func BenchmarkSubmission(b *testing.B) {
	raw, err := os.ReadFile("../../../events/intake-json.json")
	if err != nil {
		b.Fatal(err)
	}
	doc, err := os.ReadFile("../../../campaigns/cloud-cost-whitepaper.yaml")
	if err != nil {
		b.Fatal(err)
	}
	d, _, err := authored.Read(doc, "cloud-cost-whitepaper", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	log := logging.New(io.Discard)
	definitions := capture.NewDefinitions(publishedReader{&campaign.Published{Version: 1, Definition: d}}, time.Minute, time.Now)
	handle := submissions.New(intake.NewService(definitions, encodingStore{}, encodingStore{}, log), log, time.Now)
	// As lambda.Start runs it: the event's JSON decoded, the answer's
	// encoded.
	function := lambda.NewHandler(handle)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"})
	accepted := []byte(`"statusCode":202`)
	b.ReportAllocs()
	for b.Loop() {
		// Every post must be the new person's, accepted: a refused one
		// would time the cheap path.
		if out, err := function.Invoke(ctx, raw); err != nil || !bytes.Contains(out, accepted) {
			b.Fatalf("post: %v %s", err, out)
		}
	}
}

type publishedReader struct{ p *campaign.Published }

func (r publishedReader) Current(context.Context, string) (*campaign.Published, error) {
	return r.p, nil
}

// encodingStore finds no one stored and encodes the new lead's item as
// the write would, sending nothing.
type encodingStore struct{}

func (encodingStore) Upsert(_ context.Context, _ string, change func(*lead.Record) (*lead.Record, error)) (*lead.Record, bool, error) {
	next, err := change(nil)
	if err != nil || next == nil {
		return nil, false, err
	}
	next.Rev = 1
	if _, err := leadtable.Encode(next); err != nil {
		return nil, false, err
	}
	return next, true, nil
}

func (encodingStore) CountSpam(context.Context, string, time.Time) error { return nil }
