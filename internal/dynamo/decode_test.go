package dynamo

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/leadgate/leadgate/internal/lead"
)

// BenchmarkDecodeLead measures what reading a lead from a page of the
// campaign index costs leadgate, besides DynamoDB: the item's attributes
// and the record's JSON, for a lead with five touch points and a verdict of
// ten criteria. A preview pays it once per lead.
func BenchmarkDecodeLead(b *testing.B) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	r := &lead.Record{
		Lead: lead.Lead{ID: lead.IDFor("morgan.lee@northwind.example"), Email: "morgan.lee@northwind.example", FirstName: "Morgan", LastName: "Lee",
			Company: "Northwind Logistics", Title: "Head of Platform", Country: "IE",
			Fields: map[string]string{"employees": "1001-5000", "industry": "Software", "cloudSpend": "Idle resources", "consent": "yes"}},
		Stage: lead.StageMQL, Rev: 6, CreatedAt: at, UpdatedAt: at,
		Provenance: map[string]lead.Provenance{},
	}
	for i := range 5 {
		r.Touches = append(r.Touches, lead.TouchPoint{ID: fmt.Sprint("t", i), Type: lead.TouchContentDownload, At: at.Add(time.Duration(i) * time.Hour),
			Campaign: "cloud-cost-whitepaper", Version: 2, Source: lead.SourceForm, UTM: map[string]string{"source": "linkedin", "campaign": "q4"}})
	}
	for _, f := range []string{"email", "firstName", "lastName", "company", "title", "country", "employees", "industry"} {
		r.Provenance[f] = lead.Provenance{Source: lead.SourceForm, Touch: "t0", At: at}
	}
	for i := range 10 {
		r.Verdict.Criteria = append(r.Verdict.Criteria, lead.Criterion{Rule: fmt.Sprint("fit.rule", i), Group: lead.GroupFit, Outcome: lead.Pass, Saw: "Software", Want: "one of Software, Retail"})
	}
	r.History = []lead.Transition{{At: at, To: lead.StageNurture, By: lead.ByEngine}, {At: at, From: lead.StageNurture, To: lead.StageMQL, By: lead.ByEngine}}
	s := &LeadStore{table: "leads"}
	put, err := s.put(r, 5)
	if err != nil {
		b.Fatal(err)
	}
	item := put.Item
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeLead(item); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(item["record"].(*types.AttributeValueMemberS).Value)), "record-bytes")
}
