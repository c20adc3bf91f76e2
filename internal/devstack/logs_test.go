package devstack_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/lead"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsCarryNoPersonalData runs a lead through intake, routing,
// assignment and feedback and reads every log line the functions wrote:
// the lead id and campaign are there, the person's email, name and phone
// are not.
func TestLogsCarryNoPersonalData(t *testing.T) {
	var logs syncBuffer
	sys, err := devstack.Start(t.Context(), cfg, devstack.Options{
		Template: "../../template.yaml", Campaigns: "../../campaigns", Addr: "127.0.0.1:0", Token: "test-token",
		Prefix: fmt.Sprintf("logs%d-", prefixes.Add(1)), Log: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	c := client{t, sys.URL, sys.Token}
	putRep(t, c, "emea-9", "EMEA", 5)
	form := jsonForm(map[string]any{"email": "zelda.quintana@fleetworks.de", "firstName": "Zelda", "lastName": "Quintana", "phone": "+49 30 5550199",
		"company": "Fleetworks", "title": "CTO", "country": "DE", "employees": "201-1000", "_ts": renderedAt()})
	if r := (client{t, sys.URL, ""}).do("POST", "/v1/campaigns/demo-request/submissions", "application/json", form); r.status != 202 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	id := lead.IDFor("zelda.quintana@fleetworks.de")
	eventually(t, "assignment", func() bool { return c.lead(id).Owner != "" })
	c.do("POST", "/v1/leads/"+id+"/feedback", "application/json", []byte(`{"action":"reject","reason":"competitor"}`))
	eventually(t, "the assignment logged", func() bool { return strings.Contains(logs.String(), `"msg":"lead assigned"`) })
	out := logs.String()
	for _, pii := range []string{"zelda", "Zelda", "Quintana", "5550199", "fleetworks.de"} {
		if strings.Contains(out, pii) {
			t.Errorf("the logs contain %q", pii)
		}
	}
	if !strings.Contains(out, id) || !strings.Contains(out, `"campaign":"demo-request"`) {
		t.Errorf("the logs do not name the lead and campaign")
	}
}
