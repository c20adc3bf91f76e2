package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/leadgate/leadgate/internal/logging"
	"github.com/leadgate/leadgate/internal/metrics"
)

// TestCountWritesEmbeddedMetricFormat checks the line against what
// CloudWatch needs to extract a metric: _aws with the namespace, the
// dimension names, the metric definition, and top-level members for the
// dimension values and the metric value.
func TestCountWritesEmbeddedMetricFormat(t *testing.T) {
	var b bytes.Buffer
	metrics.Count(context.Background(), logging.New(&b), metrics.SubmissionsReceived, 3, "campaign", "demo-request")
	var line struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Campaign string `json:"campaign"`
		Value    int    `json:"SubmissionsReceived"`
	}
	if err := json.Unmarshal(b.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	m := line.AWS.CloudWatchMetrics
	if line.AWS.Timestamp == 0 || len(m) != 1 || m[0].Namespace != "leadgate" || m[0].Dimensions[0][0] != "campaign" ||
		m[0].Metrics[0].Name != "SubmissionsReceived" || m[0].Metrics[0].Unit != "Count" || line.Campaign != "demo-request" || line.Value != 3 {
		t.Errorf("line = %s", b.String())
	}
}
