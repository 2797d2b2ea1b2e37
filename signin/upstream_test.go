package signin

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLaunchDarklyTokenRefreshedOnceBeforeExpiry(t *testing.T) {
	e := newEnv(t, nil)
	g := e.signIn()
	st, _, _ := e.call(g.access)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, 0, e.ld.Refreshes())

	e.clock.advance(time.Hour - upstreamEarly + time.Second) // LaunchDarkly's token expires within upstreamEarly
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i], _, _ = e.call(g.access) })
	}
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, http.StatusOK, c)
	}
	assert.Equal(t, 1, e.ld.Refreshes(), "refreshed once for all concurrent calls")
	st, _, _ = e.call(g.access)
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, 1, e.ld.Refreshes())
	// The calls now carry the new LaunchDarkly token.
	auths := e.ld.UsageAuthorizations()
	assert.NotEqual(t, auths[0], auths[len(auths)-1])
	assert.True(t, e.ld.IsAccess(strings.TrimPrefix(auths[len(auths)-1], "Bearer ")))
}

func TestLaunchDarklyEndedSession(t *testing.T) {
	e := newEnv(t, nil)
	g := e.signIn()
	e.ld.Revoke()
	e.clock.advance(time.Hour - time.Minute)
	st, _, h := e.call(g.access)
	assert.Equal(t, http.StatusUnauthorized, st)
	assert.Contains(t, h.Get("WWW-Authenticate"), "sign in again")
	// The grant went with it: its refresh token no longer gives tokens.
	status, body := e.token(e.refreshForm(g, g.refresh))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

// TestNoTokenInLogsOrStore runs every grant and looks for every token of
// either side in the logs and in the store's keys and values.
func TestNoTokenInLogsOrStore(t *testing.T) {
	st := NewMemoryStore()
	e := newEnv(t, func(c *Config) { c.Store = st })
	g := e.signIn()
	status, body := e.token(e.refreshForm(g, g.refresh))
	require.Equal(t, http.StatusOK, status)
	ours := []string{g.access, g.refresh, body["access_token"].(string), body["refresh_token"].(string)}
	e.call(g.access)
	e.clock.advance(time.Hour - time.Minute)
	code, _, _ := e.call(body["access_token"].(string)) // LaunchDarkly's token refreshed
	require.Equal(t, http.StatusOK, code)
	_, _ = e.token(e.refreshForm(g, g.refresh)) // replay: a logged refusal
	secrets := append(ours, e.ld.Issued()...)
	secrets = append(secrets, e.ld.ClientSecret, "test deployment secret")
	require.GreaterOrEqual(t, len(e.ld.Issued()), 4)
	logs := e.logs.String()
	require.Contains(t, logs, "signed in with LaunchDarkly")
	require.Contains(t, logs, "member-reader-1")
	st.mu.Lock()
	defer st.mu.Unlock()
	require.NotEmpty(t, st.m)
	for _, s := range secrets {
		assert.NotContains(t, logs, s)
		for k, v := range st.m {
			assert.NotContains(t, k, s)
			assert.NotContains(t, string(v.val), s)
		}
	}
	for _, v := range st.m { // values are sealed: not even the member's email shows
		assert.NotContains(t, string(v.val), "reader@example.com")
	}
}

func TestSealedRecordsAreCheckedBeforeBelieved(t *testing.T) {
	k1, err := newKeys([]byte("one"))
	require.NoError(t, err)
	k2, err := newKeys([]byte("two"))
	require.NoError(t, err)
	st := NewMemoryStore()
	r1 := &records{st: st, k: k1, prefix: "p:"}
	r2 := &records{st: st, k: k2, prefix: "p:"}
	ctx := context.Background()
	require.NoError(t, r1.put(ctx, "family", "f", &family{ClientID: "c"}, time.Minute))
	var f family
	require.NoError(t, r1.get(ctx, "family", "f", &f))
	assert.Equal(t, "c", f.ClientID)
	assert.ErrorIs(t, r2.get(ctx, "family", "f", &f), ErrNotFound, "another secret's record is a miss")
	// A record moved under another key does not open.
	b, _ := st.Get(ctx, "p:family:f")
	require.NoError(t, st.Put(ctx, "p:family:g", b, time.Minute))
	assert.ErrorIs(t, r1.get(ctx, "family", "g", &f), ErrNotFound)
	// A flipped bit does not open.
	b[len(b)-1] ^= 1
	require.NoError(t, st.Put(ctx, "p:family:f", b, time.Minute))
	assert.ErrorIs(t, r1.get(ctx, "family", "f", &f), ErrNotFound)
}

func TestSignInWithoutCallerIdentity(t *testing.T) {
	// Who signed in is for the logs: a LaunchDarkly that does not say still signs the person in.
	e := newEnv(t, nil)
	e.ld.WithoutIdentity()
	g := e.signIn()
	st, _, _ := e.call(g.access)
	assert.Equal(t, http.StatusOK, st)
	assert.Contains(t, e.logs.String(), "who could not be learned")
}
