package dynamo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// TestFindByNameErrorNamesNoOne: a lookup that fails (DynamoDB throttling,
// or down) is logged with its error, and the logs hold no person's name;
// the error must not repeat the name looked up.
func TestFindByNameErrorNamesNoOne(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Rate of requests exceeds the allowed throughput."}`))
	}))
	defer srv.Close()
	db := dynamodb.New(dynamodb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	for _, name := range []string{"Lovelace", "Ada Lovelace", "ada  LOVELACE byron"} {
		t.Run(name, func(t *testing.T) {
			_, err := NewLeadStore(db, "leads").FindByName(context.Background(), name, 20)
			if err == nil {
				t.Fatal("no error from a failing DynamoDB")
			}
			if msg := strings.ToLower(err.Error()); strings.Contains(msg, "lovelace") || strings.Contains(msg, "ada") {
				t.Errorf("the error names the person looked up: %v", err)
			}
		})
	}
}
