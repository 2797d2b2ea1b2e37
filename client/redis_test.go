package client

// The Redis home of the resilience layers, against a real redis-server (see
// internal/redistest): replicas are transports in this process that share
// one Redis, each with its own memory, as separate processes would.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

const redisTestPassword = "redis-test-PASSWORD-0001"

// redisTestSecret is the deployment secret of the test replicas.
var redisTestSecret = []byte("redis-test-deployment-SECRET-0001")

// newTestRedisStore is a store in srv, closed at the end of the test.
func newTestRedisStore(t *testing.T, srv *redistest.Server, ev *rsEvents) *RedisStore {
	t.Helper()
	// A generous timeout: a test machine under load must not see a slow
	// Redis where there is none (TestRedisOutages sets its own).
	o := RedisOptions{URL: srv.URL(), Timeout: 2 * time.Second, Secret: redisTestSecret}
	if ev != nil {
		o.OnEvent = ev.add
	}
	s, err := NewRedisStore(o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// replicas are n transports over base sharing s.
func replicas(n int, base http.RoundTripper, s *RedisStore, ev *rsEvents) []http.RoundTripper {
	rts := make([]http.RoundTripper, n)
	for i := range rts {
		o := ResilienceOptions{}
		if s != nil {
			o.Shared = s
		}
		if ev != nil {
			o.OnEvent = ev.add
		}
		rts[i] = NewTransport(base, o)
	}
	return rts
}

func TestParseRedisURL(t *testing.T) {
	o, err := ParseRedisURL("rediss://user:pw-in-url@cache.example:6380/2", "pw-from-env")
	require.NoError(t, err)
	assert.Equal(t, "cache.example:6380", o.Addr)
	assert.Equal(t, "pw-in-url", o.Password, "the URL's password wins")
	assert.Equal(t, 2, o.DB)
	assert.NotNil(t, o.TLSConfig)
	o, err = ParseRedisURL("redis://cache.example", "pw-from-env")
	require.NoError(t, err)
	assert.Equal(t, "pw-from-env", o.Password)
	assert.Equal(t, "cache.example:6379", o.Addr)
	for _, bad := range []string{"http://:s3cret@h:1", "redis://:s3cret@h:1/x", "redis://:s3 cret@h x:1", "s3cret", "redis://:s3cret@h:1/0?nope=1"} {
		_, err := ParseRedisURL(bad, "")
		if assert.Error(t, err, bad) {
			assert.NotContains(t, err.Error(), "s3cret", "errors never repeat the URL")
		}
	}
}

// Identical concurrent calls spread over replicas make one upstream request;
// later calls on any replica are answered from Redis.
func TestRedisCollapsesAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	var hits atomic.Int32
	up := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(50 * time.Millisecond) // long enough for every call to join
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"n":`+strconv.Itoa(int(hits.Load()))+`}`)
	})
	s := newTestRedisStore(t, srv, nil)
	rts := replicas(3, up.Client().Transport, s, nil)
	ctx := rsCtx(t, 10*time.Second)
	url := up.URL + "/api/v2/usage/mau?from=1&to=2"

	var wg sync.WaitGroup
	bodies := make([]string, 60)
	states := make([]string, 60)
	for i := range 60 {
		wg.Go(func() {
			resp, body, err := rsGet(ctx, rts[i%3], url, rsToken)
			if assert.NoError(t, err) {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				bodies[i], states[i] = body, resp.Header.Get(CacheHeader)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), hits.Load(), "one upstream request for 60 identical calls on 3 replicas")
	for i := range bodies {
		assert.Equal(t, `{"n":1}`, bodies[i], "call %d", i)
	}
	assert.Contains(t, states, "miss")
	assert.Contains(t, states, "shared")

	// A fourth replica, started later, is answered from Redis.
	late := replicas(1, up.Client().Transport, s, nil)[0]
	resp, body, err := rsGet(ctx, late, url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, "hit", resp.Header.Get(CacheHeader))
	assert.Equal(t, `{"n":1}`, body)
	assert.Equal(t, int32(1), hits.Load())

	// Another token never sees it.
	_, body, err = rsGet(ctx, late, url, rsToken+"-other")
	require.NoError(t, err)
	assert.Equal(t, `{"n":2}`, body)
}

// Answers that are errors are shared within their flight only; answers past
// the byte cap are not kept in Redis.
func TestRedisErrorsAndLargeAnswersAreNotKept(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	var hits atomic.Int32
	up := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if strings.HasSuffix(r.URL.Path, "/big") {
			_, _ = io.WriteString(w, strings.Repeat("x", 2<<10))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"code":"not_found"}`)
	})
	s, err := NewRedisStore(RedisOptions{URL: srv.URL(), MaxEntryBytes: 1 << 10, Timeout: 2 * time.Second, Secret: redisTestSecret})
	require.NoError(t, err)
	defer s.Close()
	rts := replicas(2, up.Client().Transport, s, nil)
	ctx := rsCtx(t, 10*time.Second)
	for i := range 2 {
		resp, _, err := rsGet(ctx, rts[i], up.URL+"/api/v2/usage/mau/nope", rsToken)
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	assert.Equal(t, int32(2), hits.Load(), "a 404 is not kept: the second call goes upstream")
	for i := range 2 {
		_, body, err := rsGet(ctx, rts[i], up.URL+"/api/v2/usage/big", rsToken)
		require.NoError(t, err)
		assert.Len(t, body, 2<<10)
	}
	assert.Equal(t, int32(4), hits.Load(), "an answer over the byte cap is not kept in Redis")
	resp, _, err := rsGet(ctx, rts[0], up.URL+"/api/v2/usage/big", rsToken)
	require.NoError(t, err)
	assert.Equal(t, "hit", resp.Header.Get(CacheHeader), "but still in the replica's memory")
}

// A flight whose leader is gone (its lock held by no one alive) holds a
// follower only until the lock expires; then the follower goes itself.
func TestRedisFollowerGoesWhenLeaderIsGone(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	var hits atomic.Int32
	up := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `{}`)
	})
	s := newTestRedisStore(t, srv, nil)
	rt := replicas(1, up.Client().Transport, s, nil)[0]
	url := up.URL + "/api/v2/usage/mau?from=1&to=2"
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", rsToken)
	req.Header.Set("LD-API-Version", "beta")
	c := srv.Client()
	defer c.Close()
	// A dead replica's flight: its lock, never renewed, never released.
	lock := s.answerTag(cacheKey(req)) + ":lock"
	dead := s.seal.lockValue(lock, "dead-leader")
	require.NoError(t, c.Set(context.Background(), lock, dead, 600*time.Millisecond).Err())

	start := time.Now()
	resp, _, err := rsGet(rsCtx(t, 10*time.Second), rt, url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int32(1), hits.Load())
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "it waited for the lock")

	// Held past the caller's deadline: the call ends at its deadline, not later.
	require.NoError(t, c.Set(context.Background(), lock, dead, time.Minute).Err())
	require.NoError(t, c.Del(context.Background(), s.answerTag(cacheKey(req))+":answer").Err())
	rt = replicas(1, up.Client().Transport, s, nil)[0] // an empty memory
	require.False(t, s.down.Load(), "Redis is up: the follower waits for the lock")
	start = time.Now()
	_, _, err = rsGet(rsCtx(t, 300*time.Millisecond), rt, url, rsToken)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

// The window script follows the same rules as the in-memory bucket: the same
// sequence of takes and answers gives the same grants on both.
func TestRedisWindowMatchesBucket(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	s := newTestRedisStore(t, srv, nil)
	mem := newMemWindows()
	shared := s.windows(newMemWindows())
	tok := [32]byte{1, 2, 3}
	homes := map[string]window{"memory": mem.window(tok), "redis": shared.window(tok)}
	reset := time.Now().Add(RateWindow)
	answer := func(code int, rem int, reset time.Time) *http.Response {
		h := map[string]string{}
		if rem >= 0 {
			h["X-Ratelimit-Route-Remaining"] = strconv.Itoa(rem)
		}
		if !reset.IsZero() {
			h["X-Ratelimit-Reset"] = strconv.FormatInt(reset.UnixMilli(), 10)
		}
		return rsAnswer(code, h)
	}
	type step struct {
		force   bool
		release int // index of the grant to release, -1: none
		resp    *http.Response
		wantOK  bool
		wantRem int
		wait    bool // a wait until the reset
	}
	steps := []step{
		{release: -1, wantOK: true},                                                       // 0: the probe
		{release: -1, wantOK: false},                                                      // 1: a second waits for its answer
		{release: 0, resp: answer(200, 2, reset), wantOK: true, wantRem: 2},               // 2: 2 left, none in flight
		{release: -1, wantOK: true, wantRem: 1},                                           // 3
		{release: -1, wantOK: false, wantRem: 0, wait: true},                              // 4: none left: wait for the reset
		{release: -1, force: true, wantOK: true, wantRem: 0},                              // 5: forced (a deadline): goes
		{release: 2, resp: answer(200, 1, reset), wantOK: false, wantRem: -1, wait: true}, // 6: 1 left, 2 in flight
		{release: 5, resp: answer(429, 0, reset), wantOK: false, wantRem: -1, wait: true}, // 7
	}
	for name, w := range homes {
		t.Run(name, func(t *testing.T) {
			ctx := rsCtx(t, 5*time.Second)
			var grants []grant
			for i, st := range steps {
				if st.release >= 0 {
					grants[st.release].release(st.resp)
				}
				g, err := w.take(ctx, st.force)
				require.NoError(t, err, "step %d", i)
				grants = append(grants, g)
				assert.Equal(t, st.wantOK, g.ok, "step %d", i)
				assert.Equal(t, st.wantRem, g.remaining, "step %d", i)
				assert.Equal(t, st.wait, g.wait > 0, "step %d", i)
				if st.wait {
					assert.InDelta(t, time.Until(reset).Seconds(), g.wait.Seconds(), 5)
				}
			}
			grants[3].release(nil)
		})
	}
	// No-header answers open both.
	for name, w := range map[string]window{"memory": mem.window([32]byte{9}), "redis": shared.window([32]byte{9})} {
		ctx := rsCtx(t, 5*time.Second)
		g, err := w.take(ctx, false)
		require.NoError(t, err)
		g.release(rsAnswer(200, nil))
		for i := range 3 {
			g, err := w.take(ctx, false)
			require.NoError(t, err)
			assert.True(t, g.ok, "%s %d", name, i)
		}
	}
}

// A burst over replicas that share the window meets few 429s: pacing counts
// every replica's requests against one window. The same burst over replicas
// that do not share it, measured in the same run, meets many.
func TestRedisPacingSharedByReplicas(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	const n, calls = 5, 30
	burst := func(shared *RedisStore) (limited int) {
		lim := newRSLimiter(n, 500*time.Millisecond)
		up := rsServer(t, lim.ServeHTTP)
		var ev rsEvents
		rts := replicas(3, up.Client().Transport, shared, &ev)
		ctx := rsCtx(t, 20*time.Second)
		var wg sync.WaitGroup
		statuses := make([]int, calls)
		for i := range calls {
			wg.Go(func() {
				resp, _, err := rsGet(ctx, rts[i%3], fmt.Sprintf("%s/api/v2/usage/mau?i=%d", up.URL, i), rsToken)
				if assert.NoError(t, err) {
					statuses[i] = resp.StatusCode
				}
			})
		}
		wg.Wait()
		for i, st := range statuses {
			assert.Equal(t, http.StatusOK, st, "call %d", i)
		}
		ok, limited := lim.counts()
		t.Logf("shared=%v upstream: %d ok, %d answered 429; %d pace waits", shared != nil, ok, limited, len(ev.of(EventPace)))
		assert.Equal(t, calls, ok)
		return limited
	}
	alone := burst(nil)
	together := burst(newTestRedisStore(t, srv, nil))
	assert.LessOrEqual(t, together, 3, "the replicas share one window (a 429 per replica's first probe at most)")
	assert.Less(t, together, alone, "sharing the window spares LaunchDarkly 429s")
}

// Redis failing never fails a call: killed, paused (slow) or restarted
// empty, the replicas answer from their own layers, report it once per
// outage, and share again once Redis is back.
func TestRedisOutages(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	var hits atomic.Int32
	up := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `{}`)
	})
	var ev rsEvents
	s, err := NewRedisStore(RedisOptions{URL: srv.URL(), Timeout: 100 * time.Millisecond, OnEvent: ev.add, Secret: redisTestSecret})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Ping(context.Background()))
	rts := replicas(2, up.Client().Transport, s, nil)
	ctx := rsCtx(t, 30*time.Second)
	get := func(rt http.RoundTripper, path string) {
		t.Helper()
		resp, _, err := rsGet(ctx, rt, up.URL+"/api/v2/usage/mau"+path+"?from=1&to=2", rsToken)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	waitUp := func() {
		t.Helper()
		require.Eventually(t, func() bool {
			return !s.down.Load()
		}, 10*time.Second, 50*time.Millisecond, "Redis is used again")
	}

	get(rts[0], "/a")
	get(rts[1], "/a")
	assert.Equal(t, int32(1), hits.Load(), "shared")

	for _, outage := range []string{"killed", "paused"} {
		if outage == "killed" {
			srv.Kill()
		} else {
			srv.Stop()
		}
		before := hits.Load()
		for i := range 20 {
			get(rts[i%2], "/"+outage+strconv.Itoa(i/2))
		}
		assert.Equal(t, before+20, hits.Load(), "%s: each replica answers from its own layers", outage)
		assert.True(t, s.down.Load())
		if outage == "killed" {
			srv.Restart(t)
		} else {
			srv.Continue()
		}
		waitUp()
		before = hits.Load()
		get(rts[0], "/after-"+outage)
		get(rts[1], "/after-"+outage)
		assert.Equal(t, before+1, hits.Load(), "%s: sharing resumes", outage)
	}
	assert.Len(t, ev.of(EventSharedDown), 2, "one report per outage")
	assert.Len(t, ev.of(EventSharedUp), 3, "up at start and after each outage")
	assert.NotEmpty(t, ev.of(EventSharedFallback))

	// Flushed: nothing is lost but the answers kept.
	c := srv.Client()
	defer c.Close()
	require.NoError(t, c.FlushAll(context.Background()).Err())
	rt := replicas(1, up.Client().Transport, s, nil)[0]
	before := hits.Load()
	get(rt, "/a")
	assert.Equal(t, before+1, hits.Load())
	assert.False(t, s.down.Load())
}

// Keys carry hashes only: neither the token, nor the Redis password, nor a
// URL is in any key or value's head.
func TestRedisKeysHoldNoSecret(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	up := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Route-Remaining", "10")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	s := newTestRedisStore(t, srv, nil)
	rt := replicas(1, up.Client().Transport, s, nil)[0]
	for i := range 3 {
		_, _, err := rsGet(rsCtx(t, 5*time.Second), rt, fmt.Sprintf("%s/api/v2/usage/mau?project=secret-project-%d", up.URL, i), rsToken)
		require.NoError(t, err)
	}
	c := srv.Client()
	defer c.Close()
	keys, err := c.Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		assert.True(t, strings.HasPrefix(k, redisPrefix), k)
		for _, secret := range []string{rsToken, redisTestPassword, "secret-project", "api-", "/v2/"} {
			assert.NotContains(t, k, secret)
		}
		if typ, _ := c.Type(context.Background(), k).Result(); typ == "string" {
			v, err := c.Get(context.Background(), k).Result()
			require.NoError(t, err)
			assert.NotContains(t, v, rsToken)
			assert.NotContains(t, v, redisTestPassword)
		}
	}
}
