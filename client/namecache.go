package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// nameTTL is how long the names read for a token are kept, and how long a
// refusal to read them is remembered.
const (
	nameTTL       = 10 * time.Minute
	nameCacheSize = 1024 // tokens remembered at most
)

// NameCache reads the project and environment names once per token (by its
// hash, never the token) and shares one read between concurrent calls.
type NameCache struct {
	mu     sync.Mutex
	m      map[string]nameEntry
	flight singleflight.Group
}

type nameEntry struct {
	names *Names
	err   error
	until time.Time
}

// Lookup returns the names cl's token can read. A refusal (401, 403) is
// remembered like an answer; other failures are not, so a later call tries again.
func (nc *NameCache) Lookup(ctx context.Context, cl *Client, now time.Time) (*Names, error) {
	id := cl.KeyID()
	nc.mu.Lock()
	if e, ok := nc.m[id]; ok && now.Before(e.until) {
		nc.mu.Unlock()
		return e.names, e.err
	}
	nc.mu.Unlock()
	v, err, _ := nc.flight.Do(id, func() (any, error) {
		names, err := cl.ProjectNames(ctx)
		var ae *APIError
		if err == nil || errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
			nc.mu.Lock()
			if nc.m == nil || len(nc.m) >= nameCacheSize {
				nc.m = map[string]nameEntry{}
			}
			nc.m[id] = nameEntry{names: names, err: err, until: now.Add(nameTTL)}
			nc.mu.Unlock()
		}
		return names, err
	})
	names, _ := v.(*Names)
	return names, err
}
