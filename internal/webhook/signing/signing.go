// Package signing is the Standard Webhooks signature: how a source signs
// the webhooks it sends us (package webhook verifies them) and how we sign
// the events we deliver (package outbound). It is a package of its own so
// that signing a delivery does not link the inbound webhook mappings.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a request's timestamp may lie from now, either way,
// as the Standard Webhooks spec advises: an old request is a replay.
const Tolerance = 5 * time.Minute

// ErrUnverified says a request is not from the source it claims.
var ErrUnverified = errors.New("the webhook is not signed by its source")

// Verify checks a request the Standard Webhooks way: the signature header
// lists one or more "v1,<base64 HMAC-SHA256>" over "id.timestamp.body",
// keyed by one of the source's secrets ("whsec_" and base64; several while
// a secret is rotated), and the timestamp is within Tolerance of now.
func Verify(secrets []string, id, timestamp, signature string, body []byte, now time.Time) error {
	if id == "" || timestamp == "" || signature == "" || len(secrets) == 0 {
		return ErrUnverified
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrUnverified
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return ErrUnverified
	}
	for _, secret := range secrets {
		key, err := SecretKey(secret)
		if err != nil {
			continue
		}
		want := Sign(key, id, timestamp, body)
		for _, sig := range strings.Fields(signature) {
			version, value, ok := strings.Cut(sig, ",")
			if ok && version == "v1" && hmac.Equal([]byte(value), []byte(want)) {
				return nil
			}
		}
	}
	return ErrUnverified
}

// Sign returns the base64 HMAC-SHA256 of "id.timestamp.body" under key.
func Sign(key []byte, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SecretKey reads a secret as the spec writes it: "whsec_" then base64.
func SecretKey(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(secret), "whsec_")
	if !ok {
		return nil, errors.New("a webhook secret starts with whsec_")
	}
	return base64.StdEncoding.DecodeString(b64)
}
