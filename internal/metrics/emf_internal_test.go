package metrics

import (
	"encoding/json"
	"testing"
)

// TestEMFMemberIsTheMapsEncoding: the typed "_aws" member encodes byte for
// byte as the maps it replaced did (keys in order), so dashboards and
// metric filters reading the raw line see no change.
func TestEMFMemberIsTheMapsEncoding(t *testing.T) {
	typed, err := json.Marshal(emf{Timestamp: 1764666000000, CloudWatchMetrics: []directive{{
		Namespace: Namespace, Dimensions: [][]string{{"campaign", "stage"}}, Metrics: []definition{{Name: Routed, Unit: "Count"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	maps, err := json.Marshal(map[string]any{
		"Timestamp": int64(1764666000000),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  Namespace,
			"Dimensions": [][]string{{"campaign", "stage"}},
			"Metrics":    []map[string]string{{"Name": Routed, "Unit": "Count"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(typed) != string(maps) {
		t.Errorf("typed %s\n maps %s", typed, maps)
	}
}
