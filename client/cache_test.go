package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rsClock is a settable clock.
type rsClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rsClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *rsClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rsEcho answers 200 with a body naming the token and the request's number.
func rsEcho(hits *rsCounter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := hits.hit()
		who := "other"
		if strings.HasSuffix(r.Header.Get("Authorization"), "-b") {
			who = "b"
		} else if r.Header.Get("Authorization") == rsToken {
			who = "a"
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"who":%q,"n":%d}`, who, n)
	}
}

func rsCached(ev *rsEvents) ResilienceOptions {
	o := rsFast(ev)
	o.NoCache = false
	return o
}

func TestCacheSecondCallIsHit(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, rsEcho(&hits))
	var ev rsEvents
	rt := NewTransport(srv.Client().Transport, rsCached(&ev))
	u := srv.URL + "/api/v2/usage/mau?from=1&to=2"

	r1, b1, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
	require.NoError(t, err)
	r2, b2, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
	require.NoError(t, err)
	assert.Equal(t, 1, hits.n())
	assert.Equal(t, `{"who":"a","n":1}`, b1)
	assert.Equal(t, b1, b2)
	assert.Equal(t, "miss", r1.Header.Get(CacheHeader))
	assert.Equal(t, "hit", r2.Header.Get(CacheHeader))
	assert.Equal(t, "application/json", r2.Header.Get("Content-Type"))
	assert.Len(t, ev.of(EventCacheHit), 1)
	assert.Len(t, ev.of(EventCacheMiss), 1)

	// Each answer is its own: changing one changes no other.
	r2.Header.Set("Content-Type", "changed")
	r3, b3, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
	require.NoError(t, err)
	assert.Equal(t, "application/json", r3.Header.Get("Content-Type"))
	assert.Equal(t, b1, b3)

	// Another URL is another entry.
	_, _, err = rsGet(rsCtx(t, 5*time.Second), rt, u+"&projectKey=p", rsToken)
	require.NoError(t, err)
	assert.Equal(t, 2, hits.n())
	assert.NotContains(t, fmt.Sprintf("%+v", ev.all()), rsToken)
}

func TestCacheTokensNeverShare(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, rsEcho(&hits))
	rt := NewTransport(srv.Client().Transport, rsCached(nil))
	u := srv.URL + "/api/v2/usage/mau"

	_, a1, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
	require.NoError(t, err)
	rb, b1, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken+"-b")
	require.NoError(t, err)
	assert.Equal(t, 2, hits.n(), "another token must go upstream")
	assert.Equal(t, `{"who":"a","n":1}`, a1)
	assert.Equal(t, `{"who":"b","n":2}`, b1)
	assert.Equal(t, "miss", rb.Header.Get(CacheHeader))

	ra, a2, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
	require.NoError(t, err)
	assert.Equal(t, a1, a2)
	assert.Equal(t, "hit", ra.Header.Get(CacheHeader))
	assert.Equal(t, 2, hits.n())
}

func TestCacheCollapsesConcurrentIdenticalRequests(t *testing.T) {
	t.Parallel()
	const k = 10
	var hits rsCounter
	gate := make(chan struct{})
	echo := rsEcho(&hits)
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-time.After(5 * time.Second):
		}
		echo(w, r)
	})
	var ev rsEvents
	rt := NewTransport(srv.Client().Transport, rsCached(&ev))
	u := srv.URL + "/api/v2/usage/streams/client"

	var wg sync.WaitGroup
	bodies := make([]string, k)
	states := make([]string, k)
	for i := range k {
		wg.Go(func() {
			resp, b, err := rsGet(rsCtx(t, 10*time.Second), rt, u, rsToken)
			if err == nil {
				bodies[i], states[i] = b, resp.Header.Get(CacheHeader)
			}
		})
	}
	// Open the gate once every call has missed the cache (bounded wait).
	for deadline := time.Now().Add(5 * time.Second); len(ev.of(EventCacheMiss)) < k && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	require.Len(t, ev.of(EventCacheMiss), k)
	close(gate)
	wg.Wait()

	assert.Equal(t, 1, hits.n(), "identical concurrent requests must make one upstream call")
	miss := 0
	for i := range k {
		assert.Equal(t, `{"who":"a","n":1}`, bodies[i])
		assert.Contains(t, []string{"miss", "shared", "hit"}, states[i])
		if states[i] == "miss" {
			miss++
		}
	}
	assert.Equal(t, 1, miss)
}

// If the caller whose request leads a shared flight goes away, the others
// carry on with a flight of their own.
func TestCacheFollowerSurvivesLeaderCancel(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			<-r.Context().Done()
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	var ev rsEvents
	rt := NewTransport(srv.Client().Transport, rsCached(&ev))
	u := srv.URL + "/api/v2/usage/mau"

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	defer cancelLeader()
	leaderErr := make(chan error, 1)
	go func() {
		_, _, err := rsGet(leaderCtx, rt, u, rsToken)
		leaderErr <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); hits.n() < 1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	require.Equal(t, 1, hits.n())

	type result struct {
		resp *http.Response
		body string
		err  error
	}
	follower := make(chan result, 1)
	go func() {
		resp, body, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
		follower <- result{resp, body, err}
	}()
	for deadline := time.Now().Add(5 * time.Second); len(ev.of(EventCacheMiss)) < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	cancelLeader()
	assert.ErrorIs(t, <-leaderErr, context.Canceled)
	res := <-follower
	require.NoError(t, res.err)
	assert.Equal(t, http.StatusOK, res.resp.StatusCode)
	assert.Equal(t, `{"ok":true}`, res.body)
	assert.Equal(t, 2, hits.n())
}

func TestCacheOnly200(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusNotFound, http.StatusTooManyRequests, http.StatusNoContent} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			var hits rsCounter
			srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
				hits.hit()
				w.Header().Set("Retry-After", "60")
				w.WriteHeader(code)
			})
			rt := NewTransport(srv.Client().Transport, rsCached(nil))
			for range 2 {
				resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/api/v2/usage/mau", rsToken)
				require.NoError(t, err)
				assert.Equal(t, code, resp.StatusCode)
				assert.Equal(t, "miss", resp.Header.Get(CacheHeader))
			}
			assert.Equal(t, 2, hits.n())
		})
	}
}

func TestCacheTTLExpiry(t *testing.T) {
	t.Parallel()
	clock := &rsClock{t: time.Now()}
	var hits rsCounter
	srv := rsServer(t, rsEcho(&hits))
	o := rsCached(nil)
	o.Now = clock.now
	rt := NewTransport(srv.Client().Transport, o)
	get := func(u string) string {
		resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, u, rsToken)
		require.NoError(t, err)
		return resp.Header.Get(CacheHeader)
	}

	recent := fmt.Sprintf("%s/api/v2/usage/mau?to=%d", srv.URL, clock.now().UnixMilli())
	assert.Equal(t, "miss", get(recent))
	clock.add(29 * time.Second)
	assert.Equal(t, "hit", get(recent))
	clock.add(2 * time.Second)
	assert.Equal(t, "miss", get(recent), "30 s for data up to now")

	old := fmt.Sprintf("%s/api/v2/usage/observability/logs?from=1&to=%d", srv.URL, clock.now().Add(-72*time.Hour).Unix())
	assert.Equal(t, "miss", get(old))
	clock.add(59 * time.Minute)
	assert.Equal(t, "hit", get(old))
	clock.add(2 * time.Minute)
	assert.Equal(t, "miss", get(old), "1 h for old data")
	assert.Equal(t, 4, hits.n())
}

func TestCacheSizeBoundEvicts(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, rsEcho(&hits))
	o := rsCached(nil)
	o.CacheSize = 2
	rt := NewTransport(srv.Client().Transport, o)
	state := func(p string) string {
		resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+p, rsToken)
		require.NoError(t, err)
		return resp.Header.Get(CacheHeader)
	}
	assert.Equal(t, "miss", state("/a"))
	assert.Equal(t, "miss", state("/b"))
	assert.Equal(t, "hit", state("/a"))  // a is now the most recently used
	assert.Equal(t, "miss", state("/c")) // evicts b
	assert.Equal(t, "hit", state("/a"))
	assert.Equal(t, "hit", state("/c"))
	assert.Equal(t, "miss", state("/b"))
	assert.Equal(t, 4, hits.n())
}

func TestCacheByteBoundEvicts(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	big := strings.Repeat("x", 1000)
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.hit()
		if r.URL.Path == "/huge" {
			_, _ = io.WriteString(w, big+big+big+big)
			return
		}
		_, _ = io.WriteString(w, big)
	})
	o := rsCached(nil)
	o.CacheBytes = 3200 // two entries of ~1.4 kB fit, three do not
	rt := NewTransport(srv.Client().Transport, o)
	state := func(p string) string {
		resp, body, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+p, rsToken)
		require.NoError(t, err)
		require.Contains(t, body, big)
		return resp.Header.Get(CacheHeader)
	}
	assert.Equal(t, "miss", state("/a"))
	assert.Equal(t, "miss", state("/b"))
	assert.Equal(t, "hit", state("/a"))
	assert.Equal(t, "miss", state("/c")) // evicts b, the least recently used
	assert.Equal(t, "miss", state("/b"))
	assert.Equal(t, "miss", state("/huge"))
	assert.Equal(t, "miss", state("/huge"), "a body over the byte cap is never cached")
}

// The byte count stays the sum of the entries' sizes through adds,
// replacements, evictions and expiries.
func TestCacheByteAccounting(t *testing.T) {
	clock := &rsClock{t: time.Now()}
	o := ResilienceOptions{CacheSize: 3, CacheBytes: 5000, Now: clock.now}.withDefaults()
	c := newCache(nil, o)
	sum := func() int64 {
		var n int64
		for _, e := range c.mem.entries.Values() {
			n += e.size
		}
		return n
	}
	for i, n := range []int{100, 2000, 50, 2000, 10, 3000, 100} {
		c.mem.put(strconv.Itoa(i%4), &cacheEntry{body: make([]byte, n), header: http.Header{"A": {"b"}}, expires: clock.now().Add(time.Minute)})
		assert.Equal(t, sum(), c.mem.bytes, "after put %d", i)
		assert.LessOrEqual(t, c.mem.bytes, o.CacheBytes)
		assert.LessOrEqual(t, c.mem.entries.Len(), 3)
	}
	clock.add(2 * time.Minute)
	for _, k := range c.mem.entries.Keys() {
		assert.Nil(t, c.mem.lookup(k))
	}
	assert.Zero(t, c.mem.bytes)
}

func TestCacheMaxBody(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.hit()
		_, _ = io.WriteString(w, strings.Repeat("y", 100))
	})
	o := rsCached(nil)
	o.MaxBody = 40
	rt := NewTransport(srv.Client().Transport, o)
	for range 2 {
		_, body, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/a", rsToken)
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrTooLarge), "%v", err)
		assert.Len(t, body, 41, "the body reads up to MaxBody+1, then fails")
	}
	assert.Equal(t, 2, hits.n(), "a body over MaxBody is not cached")

	// Through the client with a smaller bound, the client's own check speaks.
	hc := &http.Client{Transport: rt}
	_, err := New(srv.URL, Key(rsToken), WithHTTPClient(hc), WithMaxBody(20)).Do(rsCtx(t, 5*time.Second), Lookup("getMauUsage"), Request{})
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestNoCache(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, rsEcho(&hits))
	rt := NewTransport(srv.Client().Transport, rsFast(nil)) // NoCache
	for range 2 {
		resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/api/v2/usage/mau", rsToken)
		require.NoError(t, err)
		assert.Empty(t, resp.Header.Get(CacheHeader))
	}
	assert.Equal(t, 2, hits.n())
}

func TestDefaultCacheTTL(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	s := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for _, tc := range []struct {
		url  string
		want time.Duration
	}{
		{"/api/v2/usage/mau", TTLRecent}, // ranged endpoint, default range ends now
		{"/api/v2/usage/streams/client/bysdkversion?sdk=go", TTLRecent},
		{"/api/v2/usage/sdk-versions/details", TTLDays}, // list, no range
		{"/api/v2/usage/streams/server/sdkversions", TTLDays},
		{"/prefix/api/v2/usage/sdk-versions/all?sdkName=go", TTLDays},
		{"/api/v2/usage/mau?from=" + ms(-30*24*time.Hour), TTLRecent}, // to absent: now
		{"/api/v2/usage/mau?to=" + ms(0), TTLRecent},
		{"/api/v2/usage/mau?to=" + ms(time.Hour), TTLRecent}, // future
		{"/api/v2/usage/mau?to=" + ms(-2*time.Hour), TTLRecent},
		{"/api/v2/usage/mau?to=" + ms(-2*time.Hour-time.Minute), TTLDays},
		{"/api/v2/usage/observability/logs?to=" + s(-90*time.Minute), TTLRecent},
		{"/api/v2/usage/observability/logs?to=" + s(-47*time.Hour), TTLDays},
		{"/api/v2/usage/observability/logs?to=" + s(-49*time.Hour), TTLOld},
		{"/api/v2/usage/mau?from=1&to=" + ms(-30*24*time.Hour), TTLOld},
		{"/api/v2/usage/mau?to=yesterday", TTLRecent},
		{"/somewhere/else", TTLDays},
	} {
		u, err := url.Parse("https://app.launchdarkly.com" + tc.url)
		require.NoError(t, err)
		assert.Equal(t, tc.want, DefaultCacheTTL(u, now), tc.url)
	}
}

func TestCacheTTLZeroMeansNoCache(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, rsEcho(&hits))
	o := rsCached(nil)
	o.CacheTTL = func(u *url.URL) time.Duration {
		if u.Query().Get("fresh") != "" {
			return 0
		}
		return time.Minute
	}
	rt := NewTransport(srv.Client().Transport, o)
	for range 2 {
		_, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/x?fresh=1", rsToken)
		require.NoError(t, err)
		_, _, err = rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/x", rsToken)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, hits.n())
}
