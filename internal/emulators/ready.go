package emulators

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const (
	pollInterval = 50 * time.Millisecond
	// readyTimeout is generous because a cold JVM on a loaded CI machine can
	// be slow; a healthy start takes a few seconds.
	readyTimeout = 60 * time.Second
	// probeTimeout keeps one hung request from eating the whole budget.
	probeTimeout = 2 * time.Second
)

// probeFunc performs one real API call. Readiness is defined by the API
// answering, not by the port accepting connections: both servers accept
// TCP well before they can serve requests.
type probeFunc func(ctx context.Context, endpoint string) error

// The probes build their clients from explicit options rather than
// config.LoadDefaultConfig so that a developer's AWS_PROFILE, SSO session or
// real credentials can neither break nor be sent to the local servers.

func probeDynamoDB(ctx context.Context, endpoint string) error {
	c := dynamodb.New(dynamodb.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(localCred, localCred, ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      aws.NopRetryer{},
	})
	_, err := c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	return err
}

func probeSQS(ctx context.Context, endpoint string) error {
	c := sqs.New(sqs.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(localCred, localCred, ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      aws.NopRetryer{},
	})
	_, err := c.ListQueues(ctx, &sqs.ListQueuesInput{})
	return err
}

// waitReady polls probe until it succeeds. c is the child serving endpoint,
// or nil for an endpoint someone else runs; a child that exits ends the wait
// at once instead of burning the full timeout.
func waitReady(ctx context.Context, name, endpoint string, probe probeFunc, c *child) error {
	deadline, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var exited <-chan struct{}
	if c != nil {
		exited = c.done
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var lastErr error
	for {
		pctx, pcancel := context.WithTimeout(deadline, probeTimeout)
		err := probe(pctx, endpoint)
		pcancel()
		// A probe cut short by the overall deadline says nothing useful;
		// keep the error from before it (usually "connection refused").
		if err != nil && deadline.Err() == nil {
			lastErr = err
		}
		if err == nil {
			// Another server may have grabbed the port and answered for
			// our dying child; only trust the answer if ours is alive.
			if c == nil || !c.exited() {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("%s on %s %w (%v); output:\n%s", name, endpoint, errExitedEarly, c.err, c.out.tail(tailLines))
		case <-deadline.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("waiting for %s on %s: %w", name, endpoint, ctx.Err())
			}
			msg := fmt.Sprintf("%s on %s not ready after %s; last error: %v", name, endpoint, readyTimeout, lastErr)
			if c != nil {
				msg += "; output:\n" + c.out.tail(tailLines)
			}
			return errors.New(msg)
		case <-tick.C:
		}
	}
}
