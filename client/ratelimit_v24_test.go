package client_test

// LaunchDarkly's API v24 rate-limit headers: the window sizes and the access
// token's own window, whose reset comes in X-Ratelimit-Auth-Token-Reset
// instead of X-Ratelimit-Reset; against the emulator, which sends them.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

func TestLimitsV24(t *testing.T) {
	now := time.Now()
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	at := func(d time.Duration) time.Time { return time.UnixMilli(now.Add(d).UnixMilli()).UTC() }
	cases := []struct {
		name      string
		h         map[string]string
		remaining int
		limit     int
		reset     time.Time
	}{
		{"the token's reset only", map[string]string{"X-Ratelimit-Auth-Token-Remaining": "0", "X-Ratelimit-Auth-Token-Limit": "30",
			"X-Ratelimit-Auth-Token-Reset": ms(4 * time.Second)}, 0, 30, at(4 * time.Second)},
		{"the token's window binds", map[string]string{"X-Ratelimit-Global-Remaining": "50", "X-Ratelimit-Route-Remaining": "20",
			"X-Ratelimit-Auth-Token-Remaining": "3", "X-Ratelimit-Reset": ms(time.Second), "X-Ratelimit-Auth-Token-Reset": ms(6 * time.Second),
			"X-Ratelimit-Global-Limit": "100", "X-Ratelimit-Route-Limit": "40", "X-Ratelimit-Auth-Token-Limit": "10"}, 3, 10, at(6 * time.Second)},
		{"the route's window binds", map[string]string{"X-Ratelimit-Route-Remaining": "1", "X-Ratelimit-Auth-Token-Remaining": "9",
			"X-Ratelimit-Reset": ms(2 * time.Second), "X-Ratelimit-Auth-Token-Reset": ms(7 * time.Second)}, 1, -1, at(2 * time.Second)},
		{"both used up: the later", map[string]string{"X-Ratelimit-Route-Remaining": "0", "X-Ratelimit-Auth-Token-Remaining": "0",
			"X-Ratelimit-Reset": ms(8 * time.Second), "X-Ratelimit-Auth-Token-Reset": ms(3 * time.Second)}, 0, -1, at(8 * time.Second)},
		{"a reset past the window is not believed", map[string]string{"X-Ratelimit-Auth-Token-Remaining": "0",
			"X-Ratelimit-Auth-Token-Reset": ms(client.MaxResetAhead + time.Second), "X-Ratelimit-Reset": ms(time.Hour)}, 0, -1, time.Time{}},
		{"counts out of bounds are not believed", map[string]string{"X-Ratelimit-Route-Remaining": "-3",
			"X-Ratelimit-Global-Limit": "99999999999"}, -1, -1, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			for k, v := range tc.h {
				h.Set(k, v)
			}
			srv := localServer(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range h {
					w.Header()[k] = v
				}
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"code":"rate_limited","message":"slow down"}`))
			})
			_, err := client.New(srv.URL, "api-v24-test").Do(t.Context(), client.Lookup("getMauUsage"), client.Request{})
			var ae *client.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.remaining, ae.Limits.Remaining())
			assert.Equal(t, tc.limit, ae.Limits.Limit())
			assert.Equal(t, tc.reset, ae.Limits.ResetAt())
			if !tc.reset.IsZero() {
				assert.InDelta(t, tc.reset.Sub(now).Seconds(), ae.Limits.Wait(now).Seconds(), 0.01)
			}
		})
	}
}

// A 429 whose only reset is X-Ratelimit-Auth-Token-Reset (the emulator's
// access-token window) is waited out until that reset, and the retry then
// succeeds. Two replicas that do not share their windows: one uses the
// token's window up, the other meets the 429.
func TestAuthTokenResetIsWaitedFor(t *testing.T) {
	const token = "api-v24-auth-token-window-0001"
	emu := emulator.New(emulator.Options{TokenRateLimit: 3, Window: time.Second})
	for attempt := range 5 {
		var mu sync.Mutex
		var evs []client.Event
		record := func(e client.Event) {
			mu.Lock()
			defer mu.Unlock()
			evs = append(evs, e)
		}
		// Replica a without pacing: it meets the 429 itself.
		a := client.New("http://emulator.invalid", token, client.WithHTTPClient(&http.Client{Transport: emu.Transport()}))
		b := client.New("http://emulator.invalid", token, client.WithHTTPClient(&http.Client{Transport: client.NewTransport(emu.Transport(),
			client.ResilienceOptions{NoCache: true, OnEvent: record, BaseBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})}))
		ep := client.Lookup("getMauUsage")
		// Replica a uses the token's window up (until a 429 says so).
		for range 10 {
			_, err := a.Do(t.Context(), ep, client.Request{})
			if err != nil {
				break
			}
		}
		ctx := rsContext(t, 5*time.Second)
		_, err := b.Do(ctx, ep, client.Request{})
		require.NoError(t, err, "the retry after the token's reset succeeds")
		mu.Lock()
		var first client.Event
		var retries []client.Event
		for _, e := range evs {
			switch {
			case e.Kind == client.EventUpstream && first.Kind == 0:
				first = e
			case e.Kind == client.EventRetry:
				retries = append(retries, e)
			}
		}
		mu.Unlock()
		if first.Status != http.StatusTooManyRequests {
			t.Logf("attempt %d: the window turned over between the replicas; again", attempt)
			continue
		}
		require.False(t, first.Reset.IsZero(), "the token's reset is read from X-Ratelimit-Auth-Token-Reset")
		assert.Equal(t, 0, first.Remaining)
		require.Len(t, retries, 1, "one wait, until the reset: no 429 again")
		assert.Equal(t, http.StatusTooManyRequests, retries[0].Status)
		until := time.Until(first.Reset) // the reset, from about when the wait began
		assert.LessOrEqual(t, retries[0].Wait, time.Second+100*time.Millisecond, "within the window")
		assert.Greater(t, retries[0].Wait+100*time.Millisecond, until, "not shorter than the reset asks")
		return
	}
	t.Fatal("never met the token's 429 in 5 tries")
}

// Each token has its own window: a token whose window is used up does not
// hold back another token's requests on the same host.
func TestPacingWindowIsPerToken(t *testing.T) {
	reset := time.Now().Add(3 * time.Second)
	srv := localServer(t, func(w http.ResponseWriter, r *http.Request) {
		rem := "10"
		if r.Header.Get("Authorization") == "api-token-used-up" {
			rem = "0"
		}
		w.Header().Set("X-Ratelimit-Route-Remaining", rem)
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(reset.UnixMilli(), 10))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"series":[],"metadata":[]}`))
	})
	var mu sync.Mutex
	var paced []client.Event
	rt := client.NewTransport(nil, client.ResilienceOptions{NoCache: true, OnEvent: func(e client.Event) {
		if e.Kind == client.EventPace {
			mu.Lock()
			paced = append(paced, e)
			mu.Unlock()
		}
	}})
	hc := &http.Client{Transport: rt}
	used := client.New(srv.URL, "api-token-used-up", client.WithHTTPClient(hc))
	other := client.New(srv.URL, "api-token-with-room", client.WithHTTPClient(hc))
	ep := client.Lookup("getMauUsage")
	_, err := used.Do(rsContext(t, 5*time.Second), ep, client.Request{})
	require.NoError(t, err)
	for range 3 {
		_, err = other.Do(rsContext(t, 5*time.Second), ep, client.Request{})
		require.NoError(t, err)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, paced, "the other token's requests were not held for the used-up token's reset")
}

func localServer(t testing.TB, h http.HandlerFunc) *httptest.Server { return newLocalServer(t, h) }

func rsContext(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
