package server

// Slow or greedy clients, and who may name a LaunchDarkly token: each test
// plays the client an attacker would be, against a real listener.

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// A body sent a byte now and then does not hold a connection past the body
// timeout: the server answers 408 and closes.
func TestSlowBodyIsCutOff(t *testing.T) {
	_, emuURL := startEmulator(t)
	s := startHTTPServer(t, &Config{Transport: "http", HTTP: HTTPConfig{BodyTimeout: 300 * time.Millisecond}}, emuURL)
	conn, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /mcp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{", s.addr)
	require.NoError(t, err)
	// A byte every 100 ms, for at most 10 s (bounded): the server must have
	// answered long before.
	answered := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(conn).ReadString('\n')
		answered <- line
	}()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line := <-answered:
			assert.Contains(t, line, "408", "the slow body is refused")
			return
		case <-deadline:
			t.Fatal("the connection was held 10 s by a body sent a byte at a time")
		case <-time.After(100 * time.Millisecond):
			_, _ = conn.Write([]byte(" "))
		}
	}
}

// sseOpen opens GET /sse on a raw connection (whose reading the test
// controls) and returns the connection and the session's message URL.
func sseOpen(t testing.TB, addr string) (net.Conn, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	// A small receive buffer, so that a reader that does not read is found
	// out after a few answers rather than after megabytes.
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = fmt.Fprintf(conn, "GET /sse HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", addr)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	require.NoError(t, err)
	if !strings.Contains(status, "200") {
		return conn, status
	}
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok && strings.Contains(rest, "sessionId=") {
			require.NoError(t, conn.SetReadDeadline(time.Time{}))
			return conn, "http://" + addr + rest
		}
	}
}

// goroutinesSettle waits (bounded) until the goroutines are at most limit.
func goroutinesSettle(t *testing.T, limit int) int {
	t.Helper()
	var n int
	for range 100 {
		if n = runtime.NumGoroutine(); n <= limit {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
	return n
}

const toolsListBody = `{"jsonrpc":"2.0","id":%d,"method":"tools/list"}`

// A stream that is never read and a flood of calls on its session hold
// neither goroutines nor memory without bound: calls past the session's cap
// are refused with 429, and the stream whose reader does not read is
// dropped after the write timeout, freeing what it held.
func TestSSEFloodIsBounded(t *testing.T) {
	_, emuURL := startEmulator(t)
	s := startHTTPServer(t, &Config{Transport: "sse", HTTP: HTTPConfig{MaxSessionCalls: 4, StreamWriteTimeout: 300 * time.Millisecond}}, emuURL)
	hc := &http.Client{Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	base := runtime.NumGoroutine()
	_, msgURL := sseOpen(t, s.addr)

	const posts = 1500
	codes := map[int]int{}
	start := time.Now()
	for i := range posts {
		if time.Since(start) > 60*time.Second {
			break // bounded in time as well as in count
		}
		resp, err := hc.Post(msgURL, "application/json", strings.NewReader(fmt.Sprintf(toolsListBody, i+1)))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		codes[resp.StatusCode]++
	}
	t.Logf("%d POSTs in %s: %v; goroutines %d before the stream", posts, time.Since(start).Round(time.Millisecond), codes, base)
	assert.NotZero(t, codes[http.StatusTooManyRequests], "calls past the session's cap are refused")
	// The stream is dropped (its reader did not read): the session goes.
	require.Eventually(t, func() bool {
		resp, err := hc.Post(msgURL, "application/json", strings.NewReader(fmt.Sprintf(toolsListBody, 0)))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusBadRequest
	}, 10*time.Second, 50*time.Millisecond, "the session's stream was dropped after the write timeout")
	n := goroutinesSettle(t, base+10)
	assert.LessOrEqual(t, n, base+10, "goroutines come back once the stream is dropped")
}

// Sessions past the cap are refused with 503; one freed makes room.
func TestSSESessionCap(t *testing.T) {
	_, emuURL := startEmulator(t)
	s := startHTTPServer(t, &Config{Transport: "sse", HTTP: HTTPConfig{MaxSessions: 3}}, emuURL)
	var conns []net.Conn
	for range 3 {
		c, u := sseOpen(t, s.addr)
		require.Contains(t, u, "sessionId=")
		conns = append(conns, c)
	}
	_, status := sseOpen(t, s.addr)
	assert.Contains(t, status, "503", "the fourth session is refused")
	_ = conns[0].Close()
	require.Eventually(t, func() bool {
		c, u := sseOpen(t, s.addr)
		_ = c.Close()
		return strings.Contains(u, "sessionId=")
	}, 5*time.Second, 50*time.Millisecond, "a session closed makes room")
}

// Many idle streams and many calls at once stay within the caps: the
// goroutines of MaxSessions streams, not of every connection attempted.
func TestSSEIdleStreamsBounded(t *testing.T) {
	_, emuURL := startEmulator(t)
	s := startHTTPServer(t, &Config{Transport: "sse", HTTP: HTTPConfig{MaxSessions: 20}}, emuURL)
	base := runtime.NumGoroutine()
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for range 200 {
		wg.Go(func() {
			c, u := sseOpen(t, s.addr)
			if !strings.Contains(u, "sessionId=") {
				_ = c.Close()
				mu.Lock()
				refused++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 180, refused)
	// Each stream: its handler, the SSE server's two, the connection's reader.
	n := goroutinesSettle(t, base+20*5+10)
	assert.LessOrEqual(t, n-base, 20*5+10)
}

// A server listening on a host name answers to it (and to nothing else
// but loopback names).
func TestListenOnHostName(t *testing.T) {
	p, err := newAccessPolicy(HTTPConfig{}, "mcp.internal:8080")
	require.NoError(t, err)
	for _, h := range []string{"mcp.internal:8080", "MCP.Internal", "mcp.internal.:8080", "127.0.0.1:8080", "localhost"} {
		assert.True(t, p.hostAllowed(h), h)
	}
	for _, h := range []string{"evil.example:8080", "mcp.internal.evil.example", ""} {
		assert.False(t, p.hostAllowed(h), h)
	}
	p, err = newAccessPolicy(HTTPConfig{}, "0.0.0.0:8080")
	require.NoError(t, err)
	assert.False(t, p.hostAllowed("0.0.0.0:8080"), "an unspecified address is not a name")
}

// Only a LaunchDarkly access token in Authorization is taken as the
// caller's token: a proxy's Basic or OAuth credential is not sent on.
func TestAuthorizationForwardedOnlyWhenAnAccessToken(t *testing.T) {
	p, err := newAccessPolicy(HTTPConfig{}, "127.0.0.1:0")
	require.NoError(t, err)
	for v, want := range map[string]string{
		"api-6f1c2a3b-0000-4000-8000-000000000000":        "api-6f1c2a3b-0000-4000-8000-000000000000",
		"Bearer api-6f1c2a3b-0000-4000-8000-000000000000": "api-6f1c2a3b-0000-4000-8000-000000000000",
		"bearer  api-usage-only ":                         "api-usage-only",
		"Basic dXNlcjpwYXNzd29yZA==":                      "",
		"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig": "",
		"Bearer ya29.a0AfH6SM-oauth-access-token":         "",
		"sdk-6f1c2a3b-0000-4000-8000-000000000000":        "",
		"api-":                            "",
		"api-has space":                   "",
		"api-" + strings.Repeat("a", 201): "",
		"":                                "",
	} {
		r, _ := http.NewRequest(http.MethodPost, "/mcp", nil)
		r.Header.Set("Authorization", v)
		assert.Equal(t, want, p.callerKey(r).Reveal(), "%q", v)
	}
	r, _ := http.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set(headerAPIKey, "api-from-the-header")
	r.Header.Set("Authorization", "Basic dXNlcjpwYXNzd29yZA==")
	assert.Equal(t, "api-from-the-header", p.callerKey(r).Reveal())
}

// A value from Redis that failed its check is counted by kind, and logged
// once, without its content.
func TestRedisRejectedCountedAndLoggedOnce(t *testing.T) {
	logs := &lockedBuffer{}
	srv, err := New(Config{Redis: "redis://127.0.0.1:1/0", Secret: "a-deployment-secret-of-32-chars!", HTTP: HTTPConfig{Metrics: true},
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	require.NoError(t, err)
	defer srv.Close()
	for _, kind := range []string{"answer", "answer", "lock"} {
		srv.onShared(client.Event{Kind: client.EventSharedRejected, Path: kind, Remaining: -1})
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "failed its check"), logs.String())
	rec := httptest.NewRecorder()
	srv.metrics.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Contains(t, rec.Body.String(), `ld_usage_mcp_redis_rejected_total{kind="answer"} 2`)
	assert.Contains(t, rec.Body.String(), `ld_usage_mcp_redis_rejected_total{kind="lock"} 1`)

	_, err = New(Config{Redis: "redis://127.0.0.1:1/0"})
	assert.ErrorIs(t, err, client.ErrNoSecret)
}
