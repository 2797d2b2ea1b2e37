package client

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rsLimiter is a fake LaunchDarkly that allows n requests per fixed window,
// with LaunchDarkly's rate-limit headers, and answers 429 beyond.
type rsLimiter struct {
	n      int
	window time.Duration
	start  time.Time

	mu      sync.Mutex
	idx     int64
	count   int
	ok      int
	limited int
}

func newRSLimiter(n int, window time.Duration) *rsLimiter {
	return &rsLimiter{n: n, window: window, start: time.Now()}
}

func (l *rsLimiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	idx := int64(time.Since(l.start) / l.window)
	if idx != l.idx {
		l.idx, l.count = idx, 0
	}
	l.count++
	rem := l.n - l.count
	reset := l.start.Add(time.Duration(idx+1) * l.window)
	if rem < 0 {
		l.limited++
	} else {
		l.ok++
	}
	l.mu.Unlock()
	w.Header().Set("X-Ratelimit-Global-Remaining", "1000")
	w.Header().Set("X-Ratelimit-Route-Remaining", strconv.Itoa(max(rem, 0)))
	w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(reset.UnixMilli(), 10))
	if rem < 0 {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"code":"rate_limited"}`)
		return
	}
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (l *rsLimiter) counts() (ok, limited int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ok, l.limited
}

// The limiter of the tests does limit: without pacing, a quick run of 4×N
// requests meets 429s.
func TestPaceLimiterLimitsWithoutPacing(t *testing.T) {
	t.Parallel()
	const n = 3
	lim := newRSLimiter(n, 400*time.Millisecond)
	srv := rsServer(t, lim.ServeHTTP)
	for i := range 4 * n {
		resp, _, err := rsGet(rsCtx(t, 5*time.Second), srv.Client().Transport, fmt.Sprintf("%s/r%d", srv.URL, i), rsToken)
		require.NoError(t, err)
		_ = resp
	}
	_, limited := lim.counts()
	assert.Positive(t, limited)
}

// A burst of 5×N concurrent calls against N per window all end 200: pacing
// holds them until the windows reset, and retries mop up the rest.
func TestPaceBurstNo429ReachesCaller(t *testing.T) {
	t.Parallel()
	const n = 3
	lim := newRSLimiter(n, 400*time.Millisecond)
	srv := rsServer(t, lim.ServeHTTP)
	var ev rsEvents
	rt := NewTransport(srv.Client().Transport, ResilienceOptions{NoCache: true, OnEvent: ev.add})
	ctx := rsCtx(t, 10*time.Second)

	var wg sync.WaitGroup
	statuses := make([]int, 5*n)
	errs := make([]error, 5*n)
	for i := range 5 * n {
		wg.Go(func() {
			resp, _, err := rsGet(ctx, rt, fmt.Sprintf("%s/api/v2/usage/mau?i=%d", srv.URL, i), rsToken)
			errs[i] = err
			if resp != nil {
				statuses[i] = resp.StatusCode
			}
		})
	}
	wg.Wait()
	for i := range statuses {
		require.NoError(t, errs[i])
		assert.Equal(t, http.StatusOK, statuses[i], "call %d", i)
	}
	ok, limited := lim.counts()
	t.Logf("upstream: %d ok, %d answered 429; %d pace waits, %d retries", ok, limited, len(ev.of(EventPace)), len(ev.of(EventRetry)))
	assert.Equal(t, 5*n, ok)
	assert.LessOrEqual(t, limited, n, "pacing should spare LaunchDarkly most 429s (without it a burst meets %d)", 4*n)
	assert.NotEmpty(t, ev.of(EventPace))
}

// An answer without rate-limit headers opens the token's bucket: later
// requests go concurrently.
func TestPaceOpensWhenNoLimitHeaders(t *testing.T) {
	t.Parallel()
	const k = 5
	var arrived atomic.Int32
	all := make(chan struct{})
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			return
		}
		if arrived.Add(1) == k {
			close(all)
		}
		select {
		case <-all:
		case <-time.After(3 * time.Second):
			w.WriteHeader(http.StatusInternalServerError) // the requests were serialized
		}
	})
	o := ResilienceOptions{}.withDefaults()
	rt := newPacer(srv.Client().Transport, o)
	resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/first", rsToken)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	var wg sync.WaitGroup
	codes := make([]int, k)
	for i := range k {
		wg.Go(func() {
			if resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/x", rsToken); err == nil {
				codes[i] = resp.StatusCode
			}
		})
	}
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, http.StatusOK, c)
	}
}

// A 429 with only Retry-After (an IP limit) holds the token's next request.
func TestPaceHoldsNextRequestAfterRetryAfter(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			w.Header().Set("Retry-After", "0.3")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	var ev rsEvents
	o := ResilienceOptions{OnEvent: ev.add}.withDefaults()
	rt := newPacer(srv.Client().Transport, o)
	resp, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL, rsToken)
	require.NoError(t, err)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the pacer alone does not retry")

	resp, _, err = rsGet(rsCtx(t, 5*time.Second), rt, srv.URL, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, hits.n())
	assert.GreaterOrEqual(t, hits.at(1).Sub(hits.at(0)), 300*time.Millisecond)
	paces := ev.of(EventPace)
	require.Len(t, paces, 1)
	assert.Greater(t, paces[0].Wait, 200*time.Millisecond)
}

// Pacing never holds a request past its deadline: when the window resets too
// late, the request goes at once and LaunchDarkly answers.
func TestPaceNeverWaitsPastDeadline(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	var ev rsEvents
	rt := newPacer(srv.Client().Transport, ResilienceOptions{OnEvent: ev.add}.withDefaults())
	_, _, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL, rsToken)
	require.NoError(t, err)

	resp, _, err := rsGet(rsCtx(t, 500*time.Millisecond), rt, srv.URL, rsToken)
	require.NoError(t, err, "the request must go, not time out waiting")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 2, hits.n())

	// Another token is not held back by this one's limit.
	resp, _, err = rsGet(rsCtx(t, 5*time.Second), rt, srv.URL, rsToken+"-other")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, ev.of(EventPace))
}

func rsAnswer(code int, h map[string]string) *http.Response {
	resp := &http.Response{StatusCode: code, Header: http.Header{}}
	for k, v := range h {
		resp.Header.Set(k, v)
	}
	return resp
}

// The bucket's states, driven directly.
func TestPaceBucketStates(t *testing.T) {
	ctx := rsCtx(t, 5*time.Second)
	b := &bucket{changed: make(chan struct{})}
	headers := func(rem int, reset time.Time) map[string]string {
		return map[string]string{
			"X-Ratelimit-Route-Remaining": strconv.Itoa(rem),
			"X-Ratelimit-Reset":           strconv.FormatInt(reset.UnixMilli(), 10),
		}
	}

	// Unknown token: one probe at a time; the next waits for its answer.
	_, _, err := b.acquire(ctx)
	require.NoError(t, err)
	second := make(chan time.Duration, 1)
	go func() {
		waited, _, _ := b.acquire(ctx)
		second <- waited
	}()
	select {
	case <-second:
		t.Fatal("a second request went before the probe's answer")
	case <-time.After(100 * time.Millisecond):
	}

	// The answer says 2 left until a reset in the future: the second goes.
	reset := time.Now().Add(RateWindow)
	b.release(rsAnswer(200, headers(2, reset)))
	assert.Positive(t, <-second)
	b.mu.Lock()
	assert.True(t, b.limited)
	assert.Equal(t, 1, b.remaining)
	assert.Equal(t, 3, b.limit)
	b.mu.Unlock()
	waited, _, err := b.acquire(ctx)
	require.NoError(t, err)
	assert.Zero(t, waited)
	assert.Equal(t, 0, b.remaining)
	assert.Equal(t, 2, b.inflight)

	// None left: the next request would wait for the reset, seconds away, so
	// with a short deadline it goes at once and lets LaunchDarkly answer.
	waited, _, err = b.acquire(rsCtx(t, time.Second))
	require.NoError(t, err)
	assert.Zero(t, waited)
	assert.Equal(t, 3, b.inflight)

	// An answer from the same window: 1 left by LaunchDarkly's count, but 2
	// are still in flight.
	b.release(rsAnswer(200, headers(1, reset)))
	assert.Equal(t, -1, b.remaining)

	// An answer without headers while the window runs changes nothing.
	b.release(rsAnswer(200, nil))
	assert.True(t, b.limited)
	b.release(nil) // a failed attempt
	assert.Zero(t, b.inflight)

	// Once the window is over, the bucket refills to the largest window seen.
	b.reset = time.Now().Add(-time.Second)
	_, _, err = b.acquire(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, b.remaining)
	assert.True(t, b.reset.IsZero())
	// An answer without headers then opens the bucket.
	b.release(rsAnswer(200, nil))
	assert.True(t, b.open)
	assert.False(t, b.limited)
	for range 5 {
		waited, _, err := b.acquire(ctx)
		require.NoError(t, err)
		assert.Zero(t, waited)
	}

	// A 429 with Retry-After only (an IP limit) closes it until then.
	b.release(rsAnswer(429, map[string]string{"Retry-After": "60"}))
	assert.True(t, b.limited)
	assert.False(t, b.open)
	assert.Equal(t, -4, b.remaining, "0 left, 4 in flight")
	assert.WithinDuration(t, time.Now().Add(time.Minute), b.reset, 5*time.Second)
}
