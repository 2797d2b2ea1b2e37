package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

const mauPath = "/api/v2/usage/mau"

func TestRateLimit(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow), RateLimit: 3}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		windowEnd := strconv.FormatInt(testNow.Truncate(10*time.Second).Add(10*time.Second).UnixMilli(), 10)
		for i, want := range []struct {
			status        int
			global, route string
		}{{200, "2", "2"}, {200, "1", "1"}, {404, "0", "0"}, {429, "0", "0"}} {
			p := mauPath
			if i == 2 {
				p = "/api/v2/usage/unknown"
			}
			a := get(t, c, base, p)
			if a.status != want.status {
				t.Fatalf("request %d: status %d, want %d", i, a.status, want.status)
			}
			if g := a.header.Get("X-Ratelimit-Global-Remaining"); g != want.global {
				t.Errorf("request %d: global remaining %q, want %s", i, g, want.global)
			}
			if i < 2 {
				if r := a.header.Get("X-Ratelimit-Route-Remaining"); r != want.route {
					t.Errorf("request %d: route remaining %q, want %s", i, r, want.route)
				}
			}
			if r := a.header.Get("X-Ratelimit-Reset"); r != windowEnd {
				t.Errorf("request %d: reset %q, want %s", i, r, windowEnd)
			}
			if a.status == 429 {
				if code, msg := errBody(t, a.body); code != "rate_limited" || msg != "You've exceeded the API rate limit. Try again later." {
					t.Errorf("429 body %s", a.body)
				}
			}
		}
		// Unauthenticated requests do not count against the account.
		if a, _ := send(context.Background(), c, "GET", base+mauPath, nil); a.status != 401 {
			t.Errorf("no key: %d", a.status)
		}
	})
}

func TestRateLimitWindowsAndRoutes(t *testing.T) {
	var mu sync.Mutex
	now := testNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := New(Options{Now: clock, RateLimit: 2, Window: time.Minute})
	c := &http.Client{Transport: e.Transport()}
	a := get(t, c, "http://x", mauPath)
	b := get(t, c, "http://x", "/api/v2/usage/mau/bycategory")
	if a.header.Get("X-Ratelimit-Route-Remaining") != "1" || b.header.Get("X-Ratelimit-Route-Remaining") != "1" || b.header.Get("X-Ratelimit-Global-Remaining") != "0" {
		t.Errorf("route/global remaining: %v / %v", a.header, b.header)
	}
	if get(t, c, "http://x", mauPath).status != 429 {
		t.Fatal("third request in a window of 2 was not refused")
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if a := get(t, c, "http://x", mauPath); a.status != 200 || a.header.Get("X-Ratelimit-Global-Remaining") != "1" {
		t.Errorf("next window: %d, remaining %q", a.status, a.header.Get("X-Ratelimit-Global-Remaining"))
	}
	// Without a limit there are no rate-limit headers.
	free := New(Options{Now: clock})
	if h := get(t, &http.Client{Transport: free.Transport()}, "http://x", mauPath).header; h.Get("X-Ratelimit-Reset") != "" {
		t.Errorf("unlimited emulator sent rate-limit headers")
	}
}

func TestRateLimitConcurrent(t *testing.T) {
	const limit, n = 40, 100
	e := New(Options{Now: fixedClock(testNow), RateLimit: limit})
	srv := httptest.NewServer(e)
	defer srv.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	remaining := map[string]bool{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := send(context.Background(), srv.Client(), "GET", srv.URL+mauPath, okHeaders)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				counts[-1]++
				return
			}
			counts[a.status]++
			if a.status == 200 {
				remaining[a.header.Get("X-Ratelimit-Global-Remaining")] = true
			}
		}()
	}
	wg.Wait()
	if counts[200] != limit || counts[429] != n-limit {
		t.Fatalf("statuses %v, want %d × 200 and %d × 429", counts, limit, n-limit)
	}
	if len(remaining) != limit {
		t.Errorf("%d distinct remaining counts among %d accepted requests", len(remaining), limit)
	}
}

func TestFaultStatuses(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		for _, tc := range []struct {
			f      Fault
			status int
			code   string
			hdr    map[string]string
		}{
			{Fault{Kind: RateLimited, RetryAfter: 3 * time.Second}, 429, "rate_limited",
				map[string]string{"Retry-After": "3", "X-Ratelimit-Reset": strconv.FormatInt(testNow.Add(3*time.Second).UnixMilli(), 10)}},
			{Fault{Kind: RateLimited}, 429, "rate_limited",
				map[string]string{"Retry-After": "", "X-Ratelimit-Reset": strconv.FormatInt(testNow.Add(10*time.Second).UnixMilli(), 10)}},
			{Fault{Kind: Unavailable, RetryAfter: 1500 * time.Millisecond}, 503, "service_unavailable", map[string]string{"Retry-After": "2"}},
			{Fault{Kind: Unavailable}, 503, "service_unavailable", map[string]string{"Retry-After": ""}},
			{Fault{Kind: BadGateway}, 502, "", nil},
			{Fault{Kind: GatewayTimeout}, 504, "", nil},
		} {
			e.SetFault(tc.f)
			a := get(t, c, base, mauPath)
			if a.status != tc.status {
				t.Errorf("%v: status %d, want %d", tc.f.Kind, a.status, tc.status)
			}
			if tc.code != "" {
				if code, _ := errBody(t, a.body); code != tc.code {
					t.Errorf("%v: code %q", tc.f.Kind, code)
				}
			}
			for k, v := range tc.hdr {
				if got := a.header.Get(k); got != v {
					t.Errorf("%v: %s = %q, want %q", tc.f.Kind, k, got, v)
				}
			}
			if tc.status == 503 {
				if _, msg := errBody(t, a.body); msg != "Requested service unavailable" {
					t.Errorf("503 message %q", msg)
				}
			}
		}
		e.SetFault(Fault{})
		if a := get(t, c, base, mauPath); a.status != 200 {
			t.Errorf("after clearing the fault: %d", a.status)
		}
	})
}

func TestFaultTimesAndPath(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		e.SetFault(Fault{Kind: Unavailable, Times: 2, Path: "/api/v2/usage/mau"})
		want := []struct {
			path   string
			status int
		}{
			{"/api/v2/usage/streams/client", 200}, // outside the path: not counted
			{mauPath, 503},
			{"/api/v2/usage/mau/bycategory", 503}, // a prefix match
			{mauPath, 200},                        // used up
			{"/api/v2/usage/mau/bycategory", 200},
		}
		for i, w := range want {
			if a := get(t, c, base, w.path); a.status != w.status {
				t.Errorf("request %d %s: %d, want %d", i, w.path, a.status, w.status)
			}
		}
		if e.Count() != len(want) {
			t.Errorf("Count %d, want %d", e.Count(), len(want))
		}
		// Times 0 lasts until cleared.
		e.SetFault(Fault{Kind: BadGateway})
		for i := 0; i < 3; i++ {
			if a := get(t, c, base, mauPath); a.status != 502 {
				t.Errorf("persistent fault, request %d: %d", i, a.status)
			}
		}
		e.SetFault(Fault{Kind: None})
		if a := get(t, c, base, mauPath); a.status != 200 {
			t.Errorf("cleared: %d", a.status)
		}
	})
}

func TestFaultBodies(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		normal := get(t, c, base, mauPath)

		e.SetFault(Fault{Kind: Truncated, Times: 1})
		a := get(t, c, base, mauPath)
		if a.status != 200 || len(a.body) != len(normal.body)/2 || !strings.HasPrefix(string(normal.body), string(a.body)) {
			t.Errorf("truncated: %d, %d bytes of %d", a.status, len(a.body), len(normal.body))
		}
		if json.Valid(a.body) {
			t.Errorf("truncated body is valid JSON")
		}
		if a := get(t, c, base, mauPath); !json.Valid(a.body) {
			t.Errorf("after Times ran out the body is still cut")
		}

		e.SetFault(Fault{Kind: NonJSON, Times: 1})
		a = get(t, c, base, mauPath)
		if a.status != 502 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.HasPrefix(string(a.body), "<html>") {
			t.Errorf("non-JSON: %d %q %.40s", a.status, a.header.Get("Content-Type"), a.body)
		}
		e.SetFault(Fault{Kind: NonJSON, Status: 503, Times: 1})
		if a := get(t, c, base, mauPath); a.status != 503 || !strings.Contains(string(a.body), "503 Service Unavailable") {
			t.Errorf("non-JSON 503: %d %.80s", a.status, a.body)
		}

		const size = 1<<20 + 17
		e.SetFault(Fault{Kind: Oversized, Size: size, Times: 1})
		a = get(t, c, base, mauPath)
		if a.status != 200 || len(a.body) != size || !strings.HasPrefix(string(a.body), `{"_links":{},"metadata":[{}],"series":[{"time":`) {
			t.Errorf("oversized: %d, %d bytes, want %d", a.status, len(a.body), size)
		}
	})
}

func TestOversizedStopsWhenClientStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		e.SetFault(Fault{Kind: Oversized, Size: 1 << 40})
		req, _ := http.NewRequest("GET", base+mauPath, nil)
		for k, v := range okHeaders {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.CopyN(io.Discard, resp.Body, 4<<20)
		resp.Body.Close()
		if n != 4<<20 {
			t.Errorf("read %d bytes", n)
		}
		c.CloseIdleConnections()
	})
}

func TestFaultSlow(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		const delay = 60 * time.Millisecond
		e.SetFault(Fault{Kind: Slow, Delay: delay, Times: 1})
		start := time.Now()
		a := get(t, c, base, mauPath)
		if waited := time.Since(start); waited < delay {
			t.Errorf("answered after %v, before the delay of %v", waited, delay)
		}
		if a.status != 200 || !json.Valid(a.body) {
			t.Errorf("slow answer: %d", a.status)
		}
	})
}

// A slow answer ends when the client gives up, leaving no goroutine behind.
func TestFaultSlowCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		e.SetFault(Fault{Kind: Slow, Delay: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := send(ctx, c, "GET", base+mauPath, okHeaders)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want the deadline", err)
		}
		// An already cancelled context never reaches the emulator's answer.
		done, cancel2 := context.WithCancel(context.Background())
		cancel2()
		if _, err := send(done, c, "GET", base+mauPath, okHeaders); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled context: %v", err)
		}
		c.CloseIdleConnections()
	})
}

func TestFaultDrop(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		if tr, ok := c.Transport.(*http.Transport); ok {
			// A fresh connection for every request: Go's client silently retries
			// a GET whose reused connection was closed, which would hide the drop.
			tr = tr.Clone()
			tr.DisableKeepAlives = true
			c = &http.Client{Transport: tr}
		}
		e.SetFault(Fault{Kind: Drop, Times: 1})
		_, err := send(context.Background(), c, "GET", base+mauPath, okHeaders)
		if err == nil {
			t.Fatal("dropped request succeeded")
		}
		if base == "https://app.launchdarkly.com" && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("in-process drop: %v, want a connection reset", err)
		}
		if a := get(t, c, base, mauPath); a.status != 200 {
			t.Errorf("after the drop: %d", a.status)
		}
		if e.Count() != 2 {
			t.Errorf("Count %d, want 2", e.Count())
		}
	})
}

func TestFaultKindString(t *testing.T) {
	if Drop.String() != "Drop" || None.String() != "None" || FaultKind(99).String() != "FaultKind(99)" {
		t.Errorf("names: %v %v %v", Drop, None, FaultKind(99))
	}
}
