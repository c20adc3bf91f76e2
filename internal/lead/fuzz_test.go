package lead_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// FuzzApplyHoldsTrustAndBudget applies a run of submissions from sources
// the input picks to one lead, with whatever sizes it picks, and checks
// after each: a public source never replaced a value an upload set, a lead
// sales owns kept its fields, and the record fits its byte budget or the
// change is refused with a conflict.
func FuzzApplyHoldsTrustAndBudget(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, "CTO", uint16(100), uint16(2000))
	f.Add([]byte{2, 0, 0, 0, 1, 1}, "Student", uint16(5000), uint16(60000))
	f.Add([]byte{1, 4, 0, 2, 4, 0}, "", uint16(0), uint16(0))
	f.Fuzz(func(t *testing.T, steps []byte, title string, fieldBytes, touchBytes uint16) {
		if len(steps) > 64 {
			steps = steps[:64]
		}
		sources := []lead.Source{lead.SourceForm, lead.SourceVisitor, lead.SourceBadgeScan}
		mine := lead.VisitorKey("mine")
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		var r *lead.Record
		for i, step := range steps {
			at = at.Add(time.Minute)
			src := sources[int(step)%len(sources)]
			visitor := ""
			if src == lead.SourceVisitor {
				src, visitor = lead.SourceForm, mine // a form post from the person's browser
			}
			s := &lead.Submission{Visitor: visitor, Fields: map[string]string{
				"email": "p@x.co", "title": title + strings.Repeat("t", int(step)), "notes": strings.Repeat("n", int(fieldBytes)%4000),
			}, Touch: lead.TouchPoint{ID: string(rune('a'+i%26)) + strings.Repeat("i", i), Type: lead.TouchFormSubmission, At: at, ReceivedAt: at, Source: src,
				PageURL: strings.Repeat("u", int(touchBytes)%8000), Notes: strings.Repeat("n", int(touchBytes)%3000)}}
			if step%5 == 4 && r != nil {
				r.Stage = lead.StageSAL
			}
			var before *lead.Record
			if r != nil {
				b := *r
				before = &b
			}
			next, dup := lead.Apply(r, s, at)
			if dup {
				continue
			}
			if before != nil {
				for field, p := range before.Provenance {
					if s.Touch.Source.Public() && next.Field(field) != before.Field(field) &&
						(p.Source == lead.SourceBadgeScan || before.Stage.SetBySales()) {
						t.Fatalf("step %d: a form changed %s from %q (%s) to %q", i, field, before.Field(field), p.Source, next.Field(field))
					}
				}
			}
			if err := next.Fit(); err != nil {
				if leadgate.ErrorCode(err) != leadgate.ECONFLICT {
					t.Fatalf("step %d: %v", i, err)
				}
				continue
			}
			b, _ := json.Marshal(next)
			if len(b) > lead.MaxRecordBytes {
				t.Fatalf("step %d: %d bytes", i, len(b))
			}
			r = next
		}
	})
}
