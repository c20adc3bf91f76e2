package oidc

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"
)

const (
	// maxKeys bounds the key set: providers publish two or three (Cognito
	// two), and every key is parsed and held.
	maxKeys = 20
	// minKeyBits and maxKeyBits bound an RSA modulus: a 1024-bit key is
	// within reach of a well-funded attacker, and above 8192 bits each
	// verification costs more than a login is worth.
	minKeyBits = 2048
	maxKeyBits = 8192
	// refreshEvery is how soon the key set may be read again for a token
	// signed by a key it lacks: often enough to follow a rotation, rarely
	// enough that a run of tokens naming a key the set will never have
	// does not become a run of requests to the provider.
	refreshEvery = time.Minute
)

// keySet is the provider's signing keys by key id, and the ids of keys it
// published that this client refuses, with why.
type keySet struct {
	keys    map[string]*rsa.PublicKey
	refused map[string]string
}

// keyCache holds the last key set read. A token whose kid it lacks makes
// one reader read the set again, at most once every refreshEvery.
type keyCache struct {
	lock  chan struct{} // one reader at a time, and a waiter can give up with its ctx
	set   atomic.Pointer[keySet]
	tried time.Time // when the set was last read, successfully or not; guarded by lock
}

// key returns the public key with id kid.
func (c *Client) key(ctx context.Context, d *discoveryDoc, kid string) (*rsa.PublicKey, error) {
	if k, ok, err := c.keys.set.Load().lookup(kid); ok {
		return k, err
	}
	select {
	case c.keys.lock <- struct{}{}:
		defer func() { <-c.keys.lock }()
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: key set: %w", ErrProvider, ctx.Err())
	}
	// Another caller may have read the set while this one waited.
	set := c.keys.set.Load()
	if k, ok, err := set.lookup(kid); ok {
		return k, err
	}
	now := c.now()
	if set != nil && now.Sub(c.keys.tried) < refreshEvery {
		return nil, fmt.Errorf("%w: the token is signed with key %q, which the provider's key set does not have", ErrProvider, clip(kid))
	}
	c.keys.tried = now
	set, err := c.fetchKeys(ctx, d.JWKSURI)
	if err != nil {
		return nil, fmt.Errorf("%w: key set: %w", ErrProvider, err)
	}
	c.keys.set.Store(set)
	if k, ok, err := set.lookup(kid); ok {
		return k, err
	}
	return nil, fmt.Errorf("%w: the token is signed with key %q, which the provider's key set does not have, read just now", ErrProvider, clip(kid))
}

// lookup returns the key for kid and true, an error and true if the set
// holds a key by that id this client refuses, or false if it has none.
func (s *keySet) lookup(kid string) (*rsa.PublicKey, bool, error) {
	if s == nil {
		return nil, false, nil
	}
	if k, ok := s.keys[kid]; ok {
		return k, true, nil
	}
	if why, ok := s.refused[kid]; ok {
		return nil, true, fmt.Errorf("%w: the token is signed with key %q, which this client refuses: %s", ErrProvider, clip(kid), why)
	}
	return nil, false, nil
}

// jwk is one JSON Web Key (RFC 7517), as much of it as an RSA signing key
// needs.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (c *Client) fetchKeys(ctx context.Context, u string) (*keySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := c.getJSON(ctx, u, &doc); err != nil {
		return nil, err
	}
	return parseKeySet(doc.Keys)
}

// parseKeySet keeps the RSA signing keys for RS256; keys of other types
// and uses are passed over (a provider may publish encryption or EC keys
// beside them) and a token signed by one of them is refused by name.
func parseKeySet(raw []json.RawMessage) (*keySet, error) {
	if len(raw) == 0 {
		return nil, errors.New("the key set has no keys")
	}
	if len(raw) > maxKeys {
		return nil, fmt.Errorf("the key set has %d keys, more than %d", len(raw), maxKeys)
	}
	s := &keySet{keys: map[string]*rsa.PublicKey{}, refused: map[string]string{}}
	for i, r := range raw {
		var k jwk
		if err := decodeObject(r, &k); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		if k.Kid == "" {
			// A token names its key by kid; a key without one cannot
			// be chosen.
			continue
		}
		if _, dup := s.keys[k.Kid]; dup {
			return nil, fmt.Errorf("the key set has two keys with id %q", clip(k.Kid))
		}
		pub, err := k.rsaKey()
		if err != nil {
			s.refused[k.Kid] = err.Error()
			continue
		}
		s.keys[k.Kid] = pub
	}
	return s, nil
}

func (k jwk) rsaKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("its type is %q, not RSA", clip(k.Kty))
	}
	if k.Use != "" && k.Use != "sig" {
		return nil, fmt.Errorf("its use is %q, not sig", clip(k.Use))
	}
	if k.Alg != "" && k.Alg != "RS256" {
		return nil, fmt.Errorf("its algorithm is %q, not RS256", clip(k.Alg))
	}
	// RFC 7518 6.3.1 forbids leading zero bytes, but some providers
	// write them, and they change no number.
	nb, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, errors.New("its modulus is not base64url")
	}
	eb, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil || len(eb) > 8 {
		return nil, errors.New("its exponent is not base64url of at most 8 bytes")
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < minKeyBits || bits > maxKeyBits {
		return nil, fmt.Errorf("its modulus has %d bits, not %d to %d", bits, minKeyBits, maxKeyBits)
	}
	e := new(big.Int).SetBytes(eb)
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, errors.New("its exponent is not an odd number from 3 to 2^31-1")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}
