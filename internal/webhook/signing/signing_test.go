package signing_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/leadgate/leadgate/internal/webhook/signing"
)

// The example of the Standard Webhooks specification
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = "1614265330"
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestVerify(t *testing.T) {
	at := time.Unix(1614265330, 0)
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte("another secret entirely"))
	tests := []struct {
		name      string
		secrets   []string
		id, ts    string
		signature string
		body      string
		now       time.Time
		ok        bool
	}{
		{"the spec's example", []string{specSecret}, specID, specTimestamp, specSignature, specBody, at, true},
		{"among several signatures", []string{specSecret}, specID, specTimestamp, "v1,bm90IGl0 " + specSignature, specBody, at, true},
		{"a rotated secret", []string{other, specSecret}, specID, specTimestamp, specSignature, specBody, at, true},
		{"the wrong secret", []string{other}, specID, specTimestamp, specSignature, specBody, at, false},
		{"a changed body", []string{specSecret}, specID, specTimestamp, specSignature, `{"test": 1}`, at, false},
		{"another id", []string{specSecret}, "msg_other", specTimestamp, specSignature, specBody, at, false},
		{"stale", []string{specSecret}, specID, specTimestamp, specSignature, specBody, at.Add(signing.Tolerance + time.Second), false},
		{"from the future", []string{specSecret}, specID, specTimestamp, specSignature, specBody, at.Add(-signing.Tolerance - time.Second), false},
		{"no signature", []string{specSecret}, specID, specTimestamp, "", specBody, at, false},
		{"another version", []string{specSecret}, specID, specTimestamp, "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", specBody, at, false},
		{"a timestamp that is not a number", []string{specSecret}, specID, "soon", specSignature, specBody, at, false},
		{"no secret", nil, specID, specTimestamp, specSignature, specBody, at, false},
		{"a secret without its prefix", []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, specID, specTimestamp, specSignature, specBody, at, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := signing.Verify(tt.secrets, tt.id, tt.ts, tt.signature, []byte(tt.body), tt.now)
			if (err == nil) != tt.ok {
				t.Errorf("Verify = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
