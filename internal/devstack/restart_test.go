package devstack_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/leadgate/leadgate/internal/devstack"
	"github.com/leadgate/leadgate/internal/emulators"
	"github.com/leadgate/leadgate/internal/lead"
)

// TestRestartKeepsLeads: leadgate local keeps its tables in a folder
// (make run's default), so a lead posted before a restart is there after
// it, and a definition edited through the API keeps its edit (the
// campaigns folder is published only where a campaign is not stored yet).
func TestRestartKeepsLeads(t *testing.T) {
	dir := t.TempDir()
	run := func(check func(sys *devstack.System)) {
		t.Helper()
		// A stack of its own (the package's runs in memory), on the
		// moto the package already runs.
		for _, k := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS"} {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
		stack, err := emulators.Start(context.Background(), emulators.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer stack.Stop()
		if err := stack.Setenv(); err != nil {
			t.Fatal(err)
		}
		c, err := devstack.AWSConfig(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sys, err := devstack.Start(context.Background(), c, devstack.Options{Template: "../../template.yaml", Campaigns: "../../campaigns", Addr: "127.0.0.1:0", Token: "t", Prefix: "restart-"})
		if err != nil {
			t.Fatal(err)
		}
		defer sys.Close()
		check(sys)
	}
	run(func(sys *devstack.System) {
		if r := (client{t, sys.URL, ""}).do("POST", submissions, "application/json", jsonForm(ana())); r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		doc, err := os.ReadFile("../../campaigns/demo-request.yaml")
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(doc), "threshold: 50", "threshold: 45", 1)
		if r := (client{t, sys.URL, sys.Token}).do("PUT", "/v1/campaigns/demo-request", "application/yaml", []byte(edited)); r.status != 201 {
			t.Fatalf("edit: %d %s", r.status, r.body)
		}
	})
	run(func(sys *devstack.System) {
		v := client{t, sys.URL, sys.Token}.lead(lead.IDFor("ana.silva@acme-health.com"))
		if v.FirstName != "Ana" || len(v.Touches) != 1 {
			t.Errorf("after the restart: %+v", v.Lead)
		}
		if r := (client{t, sys.URL, sys.Token}).do("GET", "/v1/campaigns/cloud-cost-whitepaper/versions", "", nil); r.status != 200 || !bytesContains(r.body, `"version": 1`) || bytesContains(r.body, `"version": 2`) {
			t.Errorf("versions after the restart: %s", r.body)
		}
		if r := (client{t, sys.URL, sys.Token}).do("GET", "/v1/campaigns/demo-request", "", nil); r.status != 200 || !bytesContains(r.body, `"version": 2`) || !bytesContains(r.body, `"threshold": 45`) {
			t.Errorf("the edit did not survive the restart: %.300s", r.body)
		}
	})
}

func bytesContains(b []byte, s string) bool { return strings.Contains(string(b), s) }
