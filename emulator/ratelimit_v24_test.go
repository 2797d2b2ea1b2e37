package emulator

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// API v24's rate-limit headers: the window sizes, and for access tokens a
// window of each token's own whose reset is in X-Ratelimit-Auth-Token-Reset
// instead of X-Ratelimit-Reset.
func TestRateLimitHeadersV24(t *testing.T) {
	window := time.Minute
	e := New(Options{Now: fixedClock(testNow), RateLimit: 5, TokenRateLimit: 2, Window: window})
	c := &http.Client{Transport: e.Transport()}
	reset := strconv.FormatInt(testNow.Truncate(window).Add(window).UnixMilli(), 10)
	other := map[string]string{"Authorization": "api-another-token-0001", "LD-API-Version": "beta"}
	for i, want := range []struct {
		status                   int
		global, route, tokenLeft string
	}{{200, "4", "4", "1"}, {200, "3", "3", "0"}, {429, "2", "2", "0"}} {
		a := get(t, c, "http://emulator.invalid", mauPath)
		if a.status != want.status {
			t.Fatalf("request %d: status %d, want %d", i, a.status, want.status)
		}
		for h, v := range map[string]string{
			"X-Ratelimit-Global-Limit": "5", "X-Ratelimit-Route-Limit": "5",
			"X-Ratelimit-Global-Remaining": want.global, "X-Ratelimit-Route-Remaining": want.route,
			"X-Ratelimit-Auth-Token-Limit": "2", "X-Ratelimit-Auth-Token-Remaining": want.tokenLeft,
			"X-Ratelimit-Auth-Token-Reset": reset, "X-Ratelimit-Reset": "",
		} {
			if got := a.header.Get(h); got != v {
				t.Errorf("request %d: %s = %q, want %q", i, h, got, v)
			}
		}
	}
	// Another token has a window of its own; the account's is shared.
	a, err := send(context.Background(), c, http.MethodGet, "http://emulator.invalid"+mauPath, other)
	if err != nil {
		t.Fatal(err)
	}
	if a.status != 200 || a.header.Get("X-Ratelimit-Auth-Token-Remaining") != "1" || a.header.Get("X-Ratelimit-Global-Remaining") != "1" {
		t.Errorf("another token: %d, token left %q, global left %q", a.status, a.header.Get("X-Ratelimit-Auth-Token-Remaining"), a.header.Get("X-Ratelimit-Global-Remaining"))
	}
	// Without TokenRateLimit: the account's headers, with X-Ratelimit-Reset.
	e = New(Options{Now: fixedClock(testNow), RateLimit: 5, Window: window})
	a = get(t, &http.Client{Transport: e.Transport()}, "http://emulator.invalid", mauPath)
	if a.header.Get("X-Ratelimit-Reset") != reset || a.header.Get("X-Ratelimit-Auth-Token-Reset") != "" || a.header.Get("X-Ratelimit-Global-Limit") != "5" {
		t.Errorf("account window only: %v", a.header)
	}
}
