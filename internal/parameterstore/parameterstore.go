// Package parameterstore reads secrets kept in AWS Systems Manager
// Parameter Store: one SecureString parameter per webhook source, holding
// its signing secrets separated by spaces (two while one is rotated).
package parameterstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Secrets reads <prefix><source> and keeps what it read for a while: a
// rotation reaches every warm container within the expiry. Callers ask
// only for sources they know, so the cache is as small as that list.
type Secrets struct {
	client *ssm.Client
	prefix string
	expiry time.Duration

	mu     sync.Mutex
	cached map[string]entry
}

type entry struct {
	secrets []string
	at      time.Time
}

// NewSecrets returns secrets read from parameters named prefix+source.
func NewSecrets(client *ssm.Client, prefix string, expiry time.Duration) *Secrets {
	return &Secrets{client: client, prefix: prefix, expiry: expiry, cached: map[string]entry{}}
}

// Secrets returns a source's secrets; none when no parameter is set (no
// request of that source can then be verified).
func (s *Secrets) Secrets(ctx context.Context, source string) ([]string, error) {
	s.mu.Lock()
	e, ok := s.cached[source]
	s.mu.Unlock()
	if ok && time.Since(e.at) < s.expiry {
		return e.secrets, nil
	}
	out, err := s.client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(s.prefix + source), WithDecryption: aws.Bool(true)})
	var missing *types.ParameterNotFound
	switch {
	case errors.As(err, &missing):
		e = entry{at: time.Now()}
	case err != nil:
		return nil, fmt.Errorf("read the secrets of %s: %w", source, err)
	default:
		e = entry{secrets: strings.Fields(aws.ToString(out.Parameter.Value)), at: time.Now()}
	}
	s.mu.Lock()
	s.cached[source] = e
	s.mu.Unlock()
	return e.secrets, nil
}
