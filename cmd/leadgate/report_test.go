package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/funnel"
)

func TestReportPrintsTheFunnel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/campaigns/demo-request/funnel" || r.URL.Query().Get("from") != "2026-10-01" {
			http.Error(w, r.URL.String(), http.StatusBadRequest)
			return
		}
		counters := []funnel.Counter{
			{Key: funnel.Key{Campaign: "demo-request", Version: 1, Day: "2026-10-02"}, Counts: map[string]int{"entered.mql": 10, "people.mql": 9, "entered.sal": 8, "people.sal": 8, "entered.sql": 3, "people.sql": 3, "reason.reject.competitor": 2, "time.mqlToSal.103": 1}}, // 2 h
			{Key: funnel.Key{Campaign: "demo-request", Version: 2, Day: "2026-10-09"}, Counts: map[string]int{"entered.mql": 10, "people.mql": 10, "entered.sql": 2, "people.sql": 2}},
		}
		_ = json.NewEncoder(w).Encode(funnel.Build("demo-request", parseDay("2026-10-01"), parseDay("2026-10-31"), counters, &campaign.Leakage{Min: 0.15, Max: 0.5}))
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := runReport(context.Background(), []string{"--campaign", "demo-request", "--from", "2026-10-01", "--url", srv.URL}, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"mql               20", "(19 people)", "MQL→SQL leakage 75% (agreed 15–50%): too-high", "rejected: competitor 2", "median MQL → accepted    2.0 h", "v2   mql    10  sql     2  leakage 80%"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
}

func parseDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}
