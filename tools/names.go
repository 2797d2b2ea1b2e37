package tools

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// named returns meta with project and environment ids replaced by their keys
// where names knows them: projectId=<id> becomes project=<key>, and
// environmentId=<id> environment=<project key>/<environment key>. Ids it does
// not know stay as they are.
func named(meta map[string]any, names *client.Names) map[string]any {
	if names == nil || len(meta) == 0 {
		return meta
	}
	_, p := meta["projectId"]
	_, e := meta["environmentId"]
	if !p && !e {
		return meta
	}
	out := make(map[string]any, len(meta))
	for k, v := range meta {
		id, _ := v.(string)
		switch k {
		case "projectId":
			if key, ok := names.Project(id); ok {
				out["project"] = key
				continue
			}
		case "environmentId":
			if key, ok := names.Environment(id); ok {
				out["environment"] = key
				continue
			}
		}
		out[k] = v
	}
	return out
}

// nameTTL is how long the names read for a token are kept, and how long a
// refusal to read them is remembered.
const (
	nameTTL       = 10 * time.Minute
	nameCacheSize = 1024 // tokens remembered at most
)

// nameCache reads the project and environment names once per token (by its
// hash, never the token) and shares one read between concurrent calls.
type nameCache struct {
	mu     sync.Mutex
	m      map[string]nameEntry
	flight singleflight.Group
}

type nameEntry struct {
	names *client.Names
	err   error
	until time.Time
}

// lookup returns the names cl's token can read. A refusal (401, 403) is
// remembered like an answer; other failures are not, so a later call tries again.
func (nc *nameCache) lookup(ctx context.Context, cl *client.Client, now time.Time) (*client.Names, error) {
	id := cl.KeyID()
	nc.mu.Lock()
	if e, ok := nc.m[id]; ok && now.Before(e.until) {
		nc.mu.Unlock()
		return e.names, e.err
	}
	nc.mu.Unlock()
	v, err, _ := nc.flight.Do(id, func() (any, error) {
		names, err := cl.ProjectNames(ctx)
		var ae *client.APIError
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
	names, _ := v.(*client.Names)
	return names, err
}

// hasIDs reports whether any series is keyed by a project or environment id.
func hasIDs(resp *client.Response) bool {
	for _, sr := range resp.Series {
		if _, ok := sr.Meta["projectId"]; ok {
			return true
		}
		if _, ok := sr.Meta["environmentId"]; ok {
			return true
		}
	}
	return false
}

// namesNote says, once, why series show ids instead of keys.
func namesNote(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
		return "series show project and environment ids: this token's role cannot list projects (" + strconv.Itoa(ae.Status) + "), so their keys could not be looked up."
	}
	return "series show project and environment ids: their keys could not be looked up this time (the projects list did not answer)."
}
