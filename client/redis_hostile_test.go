package client

// Redis written by someone else: each test plays an attacker with write
// access to the replicas' Redis (a real redis-server) and checks that what
// it wrote is not believed.

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

const (
	trueBody   = `{"series":[{"time":1793491200000,"0":1200}],"metadata":[{}]}`
	forgedBody = `{"series":[{"time":1793491200000,"0":999999999}],"metadata":[{}]}`
)

// hostileSetup is an upstream that answers trueBody (counting its hits),
// a store in a real redis-server and a direct client to that Redis.
type hostileSetup struct {
	up    string
	hits  *atomic.Int32
	store *RedisStore
	ev    *rsEvents
	url   string // a usage URL with a range a week old (TTL 5 min)
}

func newHostile(t *testing.T, upstream http.HandlerFunc) *hostileSetup {
	t.Helper()
	srv := redistest.Start(t, redisTestPassword)
	hs := &hostileSetup{hits: &atomic.Int32{}, ev: &rsEvents{}}
	if upstream == nil {
		upstream = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(trueBody))
		}
	}
	up := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hs.hits.Add(1)
		upstream(w, r)
	})
	hs.up = up.URL
	hs.store = newTestRedisStore(t, srv, hs.ev)
	to := time.Now().Add(-24 * time.Hour).UnixMilli()
	hs.url = up.URL + "/api/v2/usage/mau?from=1&to=" + strconv.FormatInt(to, 10)
	return hs
}

// replica is a fresh replica (an empty memory) over the store.
func (hs *hostileSetup) replica(o ResilienceOptions) http.RoundTripper {
	o.Shared = hs.store
	if o.OnEvent == nil {
		o.OnEvent = hs.ev.add
	}
	return NewTransport(http.DefaultTransport, o)
}

// answerKey is the Redis key a replica keeps the answer to hs.url under.
func (hs *hostileSetup) answerKey(t *testing.T) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, hs.url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", rsToken)
	req.Header.Set("LD-API-Version", "beta")
	return hs.store.answerTag(cacheKey(req)) + ":answer"
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

func redisZ(score int64, member string) redis.Z {
	return redis.Z{Score: float64(score), Member: member}
}

// An answer someone else wrote into Redis (one SET, with a head that says
// "200, expires in 2100") is not served: the replica asks LaunchDarkly, and
// the rejection is counted. Found where a replica keeps its answer, as an
// attacker would find it (KEYS).
func TestRedisForgedAnswerIsAMiss(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	_, body, err := rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err)
	require.Equal(t, trueBody, body)
	require.Equal(t, int32(1), hs.hits.Load())

	rdb := hs.store.rdb
	keys, err := rdb.Keys(ctx, redisPrefix+"*:answer").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1, "the replica kept its answer")
	forged := encodeEntry(&cacheEntry{status: "200 OK", statusCode: 200, body: []byte(forgedBody),
		header:  http.Header{"Content-Type": {"application/json"}},
		expires: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, rdb.Set(ctx, keys[0], forged, 0).Err())

	resp, body, err := rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, trueBody, body, "the forged answer is not served")
	assert.Equal(t, "miss", resp.Header.Get(CacheHeader))
	assert.Equal(t, int32(2), hs.hits.Load(), "LaunchDarkly was asked again")
	assert.NotEmpty(t, hs.ev.of(EventSharedRejected))
	for _, e := range hs.ev.of(EventSharedRejected) {
		assert.NotContains(t, e.Path, "999999999")
	}
}

// A value sealed with another secret (a replica of another deployment, or a
// guess) fails the check as well.
func TestRedisAnswerSealedWithAnotherSecretIsAMiss(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	other, err := newSealer([]byte("another-deployment-secret-0002"))
	require.NoError(t, err)
	key := hs.answerKey(t)
	e := &cacheEntry{status: "200 OK", statusCode: 200, body: []byte(forgedBody), expires: time.Now().Add(time.Minute)}
	require.NoError(t, hs.store.rdb.Set(ctx, key, other.seal(key, encodeEntry(e)), 0).Err())
	_, body, err := rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, trueBody, body)
	assert.Equal(t, int32(1), hs.hits.Load())
	assert.NotEmpty(t, hs.ev.of(EventSharedRejected))

	// Moved from another key (another token's answer) it fails too: the MAC covers the key.
	moved := hs.store.seal.seal(key+"-elsewhere", encodeEntry(e))
	require.NoError(t, hs.store.rdb.Set(ctx, key, moved, 0).Err())
	_, body, err = rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, trueBody, body)
}

// Even a value that passes the check (written by a replica of this
// deployment) is bounded: its expiry by the cache's own rule for its URL
// (here 5 minutes), so that a DEL or FLUSHALL is not outlived for ever.
func TestRedisAnswerExpiryCappedByTTLRules(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	key := hs.answerKey(t)
	e := &cacheEntry{status: "200 OK", statusCode: 200, body: []byte(forgedBody),
		expires: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	require.NoError(t, hs.store.rdb.Set(ctx, key, hs.store.seal.seal(key, encodeEntry(e)), 0).Err())

	rt := hs.replica(ResilienceOptions{Now: clock})
	_, body, err := rsGet(ctx, rt, hs.url, rsToken)
	require.NoError(t, err)
	require.Equal(t, forgedBody, body, "sealed with the secret: believed")
	require.NoError(t, hs.store.rdb.Del(ctx, key).Err())

	now.Add(int64(DefaultCacheTTL(mustURL(t, hs.url), clock()) + time.Second))
	_, body, err = rsGet(ctx, rt, hs.url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, trueBody, body, "past the URL's TTL, the replica's memory lets it go")
	assert.Equal(t, int32(1), hs.hits.Load())
}

// A redirect in Redis (sealed or not) is never served: a replica must not
// follow it with the caller's token. Headers beyond those used are dropped.
func TestRedisRedirectAndHeadersNotBelieved(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	key := hs.answerKey(t)
	redirect := &cacheEntry{status: "302 Found", statusCode: http.StatusFound,
		header:  http.Header{"Location": {"http://127.0.0.1:1/steal"}},
		expires: time.Now().Add(time.Minute)}
	for _, v := range [][]byte{encodeEntry(redirect), hs.store.seal.seal(key, encodeEntry(redirect))} {
		require.NoError(t, hs.store.rdb.Set(ctx, key, v, time.Minute).Err())
		resp, body, err := rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, trueBody, body)
		assert.Empty(t, resp.Header.Get("Location"))
	}
	assert.Equal(t, int32(2), hs.hits.Load())

	extra := &cacheEntry{status: "200 Totally Fine", statusCode: 200, body: []byte(trueBody),
		header:  http.Header{"Content-Type": {"application/json"}, "Location": {"http://127.0.0.1:1/"}, "Set-Cookie": {"a=b"}},
		expires: time.Now().Add(time.Minute)}
	require.NoError(t, hs.store.rdb.Set(ctx, key, hs.store.seal.seal(key, encodeEntry(extra)), time.Minute).Err())
	resp, _, err := rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err)
	assert.Equal(t, "hit", resp.Header.Get(CacheHeader))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Empty(t, resp.Header.Get("Location"))
	assert.Empty(t, resp.Header.Get("Set-Cookie"))
	assert.Equal(t, "200 OK", resp.Status)

	// A replica writes only 200s: a 302 from upstream is not kept.
	hs2 := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://127.0.0.1:1/")
		w.WriteHeader(http.StatusFound)
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs2.url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", rsToken)
	resp, err = hs2.replica(ResilienceOptions{}).RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	keys, err := hs2.store.rdb.Keys(ctx, redisPrefix+"*:answer").Result()
	require.NoError(t, err)
	assert.Empty(t, keys)
}

// A flight lock someone else wrote does not hold the replicas: they do not
// wait for a leader that does not exist.
func TestRedisForgedLockDoesNotHold(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	lock := strings.TrimSuffix(hs.answerKey(t), ":answer") + ":lock"
	require.NoError(t, hs.store.rdb.Set(ctx, lock, "someone-else", time.Minute).Err())
	_, body, err := rsGet(rsCtx(t, 2*time.Second), hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err, "the call does not wait a minute for the forged lock")
	assert.Equal(t, trueBody, body)
	assert.NotEmpty(t, hs.ev.of(EventSharedRejected))
}

// A leader whose lease another leader took over (its lock expired while it
// worked) must not release the other's lock when it finishes.
func TestRedisLockReleaseKeepsAnotherLeadersLease(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	mem := newMemAnswers(ResilienceOptions{}.withDefaults())
	a := &redisAnswers{s: hs.store, mem: mem}
	req, err := http.NewRequest(http.MethodGet, hs.url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", rsToken)
	k := cacheKey(req)
	k.ttl = time.Minute
	f := a.lead(ctx, k)
	require.True(t, f.leader)
	lock := hs.store.answerTag(k) + ":lock"
	// The lease expired; another replica leads now.
	other := hs.store.seal.lockValue(lock, "the-other-leader")
	require.NoError(t, hs.store.rdb.Set(ctx, lock, other, time.Minute).Err())
	f.finish(&cacheEntry{status: "200 OK", statusCode: 200, body: []byte(trueBody), expires: time.Now().Add(time.Minute)})
	cur, err := hs.store.rdb.Get(ctx, lock).Result()
	require.NoError(t, err, "the other leader's lock is still there")
	assert.Equal(t, other, cur)
}

// One HSET of a token's window (limited, nothing left, reset 20 s ahead, or
// 3 s ahead without the MAC of a replica that learnt it) holds no call; a
// reset a replica learnt still paces. Requests in flight someone added far
// ahead are dropped.
func TestRedisForgedWindowIsBounded(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	w := hs.store.windows(newMemWindows())
	tok := tokenHash(&http.Request{Header: http.Header{"Authorization": {rsToken}}})
	tag := hs.store.windowTag(tok)
	rdb := hs.store.rdb
	now := time.Now()
	require.NoError(t, rdb.HSet(ctx, tag+":window", "limited", 1, "rem", 0, "reset", now.Add(20*time.Second).UnixMilli()).Err())
	g, err := w.window(tok).take(ctx, false)
	require.NoError(t, err)
	assert.True(t, g.ok, "a reset 20 s ahead is further than a window: ignored (wait %s)", g.wait)
	if g.ok {
		g.release(nil)
	}

	// Within a window but not learnt by a replica (no valid MAC): dropped, counted.
	reset := now.Add(3 * time.Second).UnixMilli()
	require.NoError(t, rdb.HSet(ctx, tag+":window", "limited", 1, "rem", 0, "limit", 5, "reset", reset, "rsig", "forged").Err())
	rejected := len(hs.ev.of(EventSharedRejected))
	g, err = w.window(tok).take(ctx, false)
	require.NoError(t, err)
	assert.True(t, g.ok, "a reset without a valid MAC holds nothing (wait %s)", g.wait)
	assert.Len(t, hs.ev.of(EventSharedRejected), rejected+1)
	if g.ok {
		g.release(nil)
	}
	// The same, learnt by a replica (its MAC made with the secret): kept.
	require.NoError(t, rdb.HSet(ctx, tag+":window", "limited", 1, "rem", 0, "limit", 5, "reset", reset,
		"rsig", hs.store.seal.resetMAC(tag+":window", reset)).Err())
	g, err = w.window(tok).take(ctx, false)
	require.NoError(t, err)
	assert.False(t, g.ok, "a reset learnt from LaunchDarkly within a window is kept")
	assert.InDelta(t, 3, g.wait.Seconds(), 1)

	for _, junk := range [][]any{
		{"limited", 1, "rem", 0, "limit", 5, "reset", "inf"},
		{"limited", 1, "rem", "nan", "limit", "1e300", "reset", 0},
		{"limited", 1, "rem", 1e12, "limit", 7, "reset", 0},
	} {
		require.NoError(t, rdb.Del(ctx, tag+":window").Err())
		require.NoError(t, rdb.HSet(ctx, tag+":window", junk...).Err())
		g, err = w.window(tok).take(ctx, false)
		require.NoError(t, err, "%v", junk)
		assert.LessOrEqual(t, g.wait, MaxResetAhead+paceSlack, "%v", junk)
		assert.LessOrEqual(t, g.remaining, 7, "%v", junk)
		if g.ok {
			g.release(nil)
		}
	}

	// A request "in flight" for an hour, added by someone else, holds no slot.
	require.NoError(t, rdb.Del(ctx, tag+":window", tag+":inflight").Err())
	require.NoError(t, rdb.ZAdd(ctx, tag+":inflight", redisZ(now.Add(time.Hour).UnixMilli(), "ghost")).Err())
	g, err = w.window(tok).take(ctx, false)
	require.NoError(t, err)
	assert.True(t, g.ok, "the probe goes: the ghost is dropped")
	n, err := rdb.ZScore(ctx, tag+":inflight", "ghost").Result()
	assert.Error(t, err, "the ghost is gone (score %v)", n)
}

// Key names carry keyed hashes: neither a bare SHA-256 of the token (which a
// guessed token could be checked against) nor the same name under another
// secret.
func TestRedisKeysAreKeyedHashes(t *testing.T) {
	hs := newHostile(t, nil)
	ctx := rsCtx(t, 10*time.Second)
	_, _, err := rsGet(ctx, hs.replica(ResilienceOptions{}), hs.url, rsToken)
	require.NoError(t, err)
	keys, err := hs.store.rdb.Keys(ctx, "*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	tok := tokenHash(&http.Request{Header: http.Header{"Authorization": {rsToken}}})
	bare := hex.EncodeToString(tok[:16])
	for _, k := range keys {
		assert.NotContains(t, k, bare, k)
		assert.NotContains(t, k, hex.EncodeToString(tok[:8]), k)
	}
	other, err := newSealer([]byte("another-deployment-secret-0002"))
	require.NoError(t, err)
	assert.NotEqual(t, hs.store.seal.name("token", tok[:]), other.name("token", tok[:]))

	_, err = NewRedisStore(RedisOptions{URL: "redis://127.0.0.1:1"})
	assert.ErrorIs(t, err, ErrNoSecret, "no secret, no store")
}
