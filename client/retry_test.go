package client

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestRetry429ThenOKHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"code":"rate_limited"}`)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	var ev rsEvents
	rt := NewTransport(srv.Client().Transport, rsFast(&ev))
	resp, body, err := rsGet(rsCtx(t, 5*time.Second), rt, srv.URL+"/api/v2/usage/mau?x=1", rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"ok":true}`, body)
	require.Equal(t, 2, hits.n())
	assert.GreaterOrEqual(t, hits.at(1).Sub(hits.at(0)), time.Second, "the retry came before Retry-After")

	retries := ev.of(EventRetry)
	require.Len(t, retries, 1)
	assert.Equal(t, time.Second, retries[0].Wait)
	assert.Equal(t, http.StatusTooManyRequests, retries[0].Status)
	assert.Equal(t, "/api/v2/usage/mau", retries[0].Path, "events carry the path without the query")
	assert.Len(t, ev.of(EventUpstream), 2)
}

func TestRetryStormReturnsLast429BeforeDeadline(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	const errBody = `{"code":"rate_limited","message":"You've exceeded the API rate limit. Try again later."}`
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := hits.hit()
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-Attempt", strconv.Itoa(n))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, errBody)
	})
	var ev rsEvents
	rt := NewTransport(srv.Client().Transport, rsFast(&ev))
	const deadline = 1500 * time.Millisecond
	start := time.Now()
	resp, body, err := rsGet(rsCtx(t, deadline), rt, srv.URL+"/x", rsToken)
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, errBody, body)
	assert.Less(t, elapsed, deadline, "the 429 must come back before the deadline")
	n := hits.n()
	assert.True(t, n == 1 || n == 2, "attempts: %d (one wait of 1 s fits in 1.5 s, two do not)", n)
	assert.Equal(t, strconv.Itoa(n), resp.Header.Get("X-Attempt"), "the answer returned is the last one")
	assert.Len(t, ev.of(EventGiveUp), 1)
}

func TestRetryGatewayErrorsThenOK(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			var hits rsCounter
			srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
				if hits.hit() == 1 {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(code)
					_, _ = io.WriteString(w, "<html>upstream trouble</html>")
					return
				}
				_, _ = io.WriteString(w, `{"ok":true}`)
			})
			var ev rsEvents
			resp, body, err := rsGet(rsCtx(t, 5*time.Second), NewTransport(srv.Client().Transport, rsFast(&ev)), srv.URL, rsToken)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, `{"ok":true}`, body)
			assert.Equal(t, 2, hits.n())
			require.Len(t, ev.of(EventRetry), 1)
			w := ev.of(EventRetry)[0].Wait
			assert.True(t, w > 0 && w <= 20*time.Millisecond, "backoff %v outside (0, MaxBackoff]", w)
		})
	}
}

func TestRetryHonoursRateLimitReset(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	var resetMs atomic.Int64
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			resetMs.Store(time.Now().Add(300 * time.Millisecond).UnixMilli())
			w.Header().Set("X-Ratelimit-Route-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(resetMs.Load(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	var ev rsEvents
	resp, _, err := rsGet(rsCtx(t, 5*time.Second), NewTransport(srv.Client().Transport, rsFast(&ev)), srv.URL, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, hits.n())
	reset := time.UnixMilli(resetMs.Load())
	assert.False(t, hits.at(1).Before(reset), "retried at %v, before the reset at %v", hits.at(1), reset)
	require.Len(t, ev.of(EventRetry), 1)
	assert.Greater(t, ev.of(EventRetry)[0].Wait, 200*time.Millisecond, "the wait follows the reset, not the 10 ms backoff")
}

func TestNoRetryOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, code := range []int{400, 401, 403, 404} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			var hits rsCounter
			srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
				hits.hit()
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(code)
				_, _ = io.WriteString(w, `{"code":"x","message":"no"}`)
			})
			resp, body, err := rsGet(rsCtx(t, 5*time.Second), NewTransport(srv.Client().Transport, rsFast(nil)), srv.URL, rsToken)
			require.NoError(t, err)
			assert.Equal(t, code, resp.StatusCode)
			assert.Equal(t, `{"code":"x","message":"no"}`, body)
			assert.Equal(t, 1, hits.n())
		})
	}
}

func TestRetryConnectionDropThenOK(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	var ev rsEvents
	resp, body, err := rsGet(rsCtx(t, 5*time.Second), NewTransport(srv.Client().Transport, rsFast(&ev)), srv.URL, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"ok":true}`, body)
	assert.Equal(t, 2, hits.n())
	ups := ev.of(EventUpstream)
	require.Len(t, ups, 2)
	assert.Error(t, ups[0].Err)
	assert.Zero(t, ups[0].Status)
}

func TestRetryConnectionRefusedGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	var ev rsEvents
	o := rsFast(&ev)
	o.MaxAttempts = 3
	_, _, err = rsGet(rsCtx(t, 5*time.Second), NewTransport(&http.Transport{}, o), "http://"+addr+"/", rsToken)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused")
	assert.Len(t, ev.of(EventUpstream), 3)
	assert.Len(t, ev.of(EventRetry), 2)
	assert.Len(t, ev.of(EventGiveUp), 1)
}

func TestRetryAttemptTimeout(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			select { // hang until the client gives up on this attempt
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	var ev rsEvents
	o := rsFast(&ev)
	o.AttemptTimeout = 200 * time.Millisecond
	resp, body, err := rsGet(rsCtx(t, 5*time.Second), NewTransport(srv.Client().Transport, o), srv.URL, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"ok":true}`, body)
	assert.Equal(t, 2, hits.n())
	retries := ev.of(EventRetry)
	require.Len(t, retries, 1)
	assert.Contains(t, retries[0].Err.Error(), "attempt timeout")
}

// When the last attempt dies at the caller's deadline, the answer before it
// (here a 503) is returned rather than a bare timeout.
func TestRetryReturnsKeptAnswerWhenDeadlineHitsAttempt(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.hit() == 1 {
			w.Header().Set("X-Ratelimit-Global-Remaining", "9")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"code":"service_unavailable","message":"first"}`)
			return
		}
		<-r.Context().Done()
	})
	resp, body, err := rsGet(rsCtx(t, 400*time.Millisecond), NewTransport(srv.Client().Transport, rsFast(nil)), srv.URL, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, `{"code":"service_unavailable","message":"first"}`, body)
	assert.Equal(t, "9", resp.Header.Get("X-Ratelimit-Global-Remaining"))
	assert.Equal(t, 2, hits.n())
}

func TestRetryStopsAfterMaxAttemptsWithLastAnswer(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Attempt", strconv.Itoa(hits.hit()))
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	var ev rsEvents
	o := rsFast(&ev)
	o.MaxAttempts = 4
	resp, _, err := rsGet(rsCtx(t, 5*time.Second), NewTransport(srv.Client().Transport, o), srv.URL, rsToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, 4, hits.n())
	assert.Equal(t, "4", resp.Header.Get("X-Attempt"))
	for _, e := range ev.of(EventRetry) {
		assert.True(t, e.Wait > 0 && e.Wait <= 20*time.Millisecond, "backoff %v outside (0, MaxBackoff]", e.Wait)
	}
}

func TestRetryOnlyIdempotentRequests(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.hit()
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	req, err := http.NewRequestWithContext(rsCtx(t, 5*time.Second), http.MethodPost, srv.URL, strings.NewReader("{}"))
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: NewTransport(srv.Client().Transport, rsFast(nil))}).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, 1, hits.n())
}

// Cancelling the call while it waits for Retry-After returns at once and
// leaves no goroutine behind (cache and flight included).
func TestRetryCancelDuringWaitLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	})}
	go func() { _ = hs.Serve(ln) }()
	base := &http.Transport{}
	defer func() {
		base.CloseIdleConnections()
		_ = hs.Close()
	}()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := ResilienceOptions{OnEvent: func(e Event) {
		if e.Kind == EventRetry {
			time.AfterFunc(100*time.Millisecond, cancel)
		}
	}}
	start := time.Now()
	_, _, err = rsGet(ctx, NewTransport(base, o), "http://"+ln.Addr().String()+"/", rsToken)
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, elapsed, 4*time.Second, "the call waited out Retry-After instead of its cancellation")
}

func TestServerWait(t *testing.T) {
	now := time.Now()
	assert.Equal(t, 3*time.Second, serverWait(Limits{RetryAfter: 3 * time.Second, Reset: now.Add(time.Minute)}, now), "Retry-After first")
	w := serverWait(Limits{Reset: now.Add(2 * time.Second)}, now)
	assert.True(t, w >= 2*time.Second && w < 2*time.Second+resetJitter, "%v", w)
	assert.Zero(t, serverWait(Limits{Reset: now.Add(-time.Second)}, now), "a past reset asks for nothing")
	assert.Zero(t, serverWait(Limits{}, now))
}
