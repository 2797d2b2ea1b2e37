package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// accounts serves LaunchDarkly's projects API (paged as asked, in a fixed
// order) to several tokens, each with its own projects: token → number of
// projects, named "<token's account>-p<i>" with one environment each. A
// token in refuse gets 403. It counts the requests of each token.
type accounts struct {
	mu       sync.Mutex
	projects map[string]int    // token → projects
	account  map[string]string // token → account name
	refuse   map[string]bool
	calls    map[string]int
}

func (a *accounts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get("Authorization")
	a.mu.Lock()
	a.calls[tok]++
	n, known := a.projects[tok]
	name, refused := a.account[tok], a.refuse[tok]
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case refused:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"code":"forbidden","message":"Access to the requested resource was denied"}`)
		return
	case !known:
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":"unauthorized","message":"Invalid access token"}`)
		return
	case r.URL.Path != "/api/v2/projects":
		http.NotFound(w, r)
		return
	}
	off, lim := 0, 20
	fmt.Sscan(r.URL.Query().Get("offset"), &off)
	fmt.Sscan(r.URL.Query().Get("limit"), &lim)
	type env struct {
		ID  string `json:"_id"`
		Key string `json:"key"`
	}
	type envs struct {
		Items      []env `json:"items"`
		TotalCount int   `json:"totalCount"`
	}
	type project struct {
		ID   string `json:"_id"`
		Key  string `json:"key"`
		Envs envs   `json:"environments"`
	}
	items := []project{}
	for i := off; i < min(off+lim, n); i++ {
		key := fmt.Sprintf("%s-p%d", name, i)
		items = append(items, project{ID: "id-" + key, Key: key, Envs: envs{[]env{{"env-" + key, "production"}}, 1}})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "totalCount": n})
}

func (a *accounts) count(tok string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[tok]
}

func newAccounts() *accounts {
	return &accounts{projects: map[string]int{}, account: map[string]string{}, refuse: map[string]bool{}, calls: map[string]int{}}
}

// TestProjectNamesReadsEveryPage: an account with more projects than one
// page holds (LaunchDarkly pages the list) is read to its last project.
func TestProjectNamesReadsEveryPage(t *testing.T) {
	a := newAccounts()
	a.projects["api-big"], a.account["api-big"] = 250, "big"
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	names, err := client.New(srv.URL, "api-big").ProjectNames(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 500, names.Len(), "250 projects with one environment each")
	for _, i := range []int{0, 99, 100, 199, 200, 249} {
		key := fmt.Sprintf("big-p%d", i)
		got, ok := names.Project("id-" + key)
		assert.True(t, ok && got == key, "project %d: %q %v", i, got, ok)
		env, ok := names.Environment("env-" + key)
		assert.True(t, ok && env == key+"/production", "environment of project %d: %q %v", i, env, ok)
	}
	assert.Equal(t, 3, a.count("api-big"), "three pages of 100, no more")
}

// TestNameCachePerToken: two tokens against one server each get their own
// account's names, never the other's, and each is read once.
func TestNameCachePerToken(t *testing.T) {
	a := newAccounts()
	a.projects["api-a"], a.account["api-a"] = 2, "alpha"
	a.projects["api-b"], a.account["api-b"] = 3, "beta"
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	var nc client.NameCache
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for range 2 {
		na, err := nc.Lookup(ctx, client.New(srv.URL, "api-a"), now)
		require.NoError(t, err)
		nb, err := nc.Lookup(ctx, client.New(srv.URL, "api-b"), now)
		require.NoError(t, err)
		k, ok := na.Project("id-alpha-p1")
		assert.True(t, ok && k == "alpha-p1", "token A reads its own projects")
		_, ok = na.Project("id-beta-p0")
		assert.False(t, ok, "token A never gets token B's names")
		k, ok = nb.Project("id-beta-p2")
		assert.True(t, ok && k == "beta-p2", "token B reads its own projects, not token A's")
		_, ok = nb.Project("id-alpha-p0")
		assert.False(t, ok, "token B never gets token A's names")
	}
	assert.Equal(t, 1, a.count("api-a"), "token A's names are read once")
	assert.Equal(t, 1, a.count("api-b"), "token B's names are read once")
}

// TestNameCacheRemembersRefusal: a token the projects API refuses (403: its
// role may not read projects) is not asked again until the refusal expires;
// another token still is.
func TestNameCacheRemembersRefusal(t *testing.T) {
	a := newAccounts()
	a.projects["api-narrow"], a.account["api-narrow"], a.refuse["api-narrow"] = 1, "narrow", true
	a.projects["api-wide"], a.account["api-wide"] = 1, "wide"
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	var nc client.NameCache
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for i := range 3 {
		_, err := nc.Lookup(ctx, client.New(srv.URL, "api-narrow"), now.Add(time.Duration(i)*time.Minute))
		var ae *client.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusForbidden, ae.Status)
	}
	assert.Equal(t, 1, a.count("api-narrow"), "the refusal is remembered: one request for three lookups")
	names, err := nc.Lookup(ctx, client.New(srv.URL, "api-wide"), now)
	require.NoError(t, err)
	assert.Equal(t, 2, names.Len())
	_, err = nc.Lookup(ctx, client.New(srv.URL, "api-narrow"), now.Add(time.Hour))
	require.Error(t, err)
	assert.Equal(t, 2, a.count("api-narrow"), "an expired refusal is asked again")
}
