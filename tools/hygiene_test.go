package tools_test

// Secret hygiene: every tool and every failure path is run with a distinctive
// token while everything the server produces is captured (results, their
// structuredContent, logs at DEBUG, the resilience transport's events, error
// strings); the token, or its distinctive middle, must appear in none of it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

const secretToken = "api-SECRET-7f3a9c-do-not-leak"

// secretParts are the token and its distinctive pieces: none may be seen.
var secretParts = []string{secretToken, "SECRET-7f3a9c", "7f3a9c"}

func leakIn(s string) string {
	for _, p := range secretParts {
		if strings.Contains(s, p) {
			return p
		}
	}
	return ""
}

// capture collects everything the server produced, each item named by the scenario.
type capture struct {
	mu    sync.Mutex
	logs  bytes.Buffer // slog JSON lines at DEBUG and above
	items []capturedItem
}

type capturedItem struct{ where, what string }

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.Write(p)
}

func (c *capture) add(where, what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = append(c.items, capturedItem{where, what})
}

func (c *capture) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(c, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// onEvent records a resilience event as the binary does (a DEBUG log line)
// and as text with every field, its error included.
func (c *capture) onEvent(where string, logger *slog.Logger) func(client.Event) {
	return func(e client.Event) {
		logger.Debug("upstream", "event", e.Kind.String(), "path", e.Path, "status", e.Status, "wait_ms", e.Wait.Milliseconds(), "remaining", e.Remaining, "err", e.Err)
		c.add(where+" event", fmt.Sprintf("%+v", e))
		if e.Err != nil {
			c.add(where+" event error", e.Err.Error())
		}
	}
}

// result records a tool result: its text and the whole result as JSON (structuredContent included).
func (c *capture) result(t *testing.T, where string, res *mcp.CallToolResult, err error) {
	t.Helper()
	if err != nil {
		c.add(where+" error", err.Error())
		return
	}
	require.NotNil(t, res, where)
	c.add(where+" text", text(res))
	b, merr := json.Marshal(res)
	require.NoError(t, merr)
	c.add(where+" json", string(b))
}

func (c *capture) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range c.items {
		if p := leakIn(it.what); p != "" {
			t.Errorf("%s shows %q: %.300s", it.where, p, it.what)
		}
	}
	for i, line := range strings.Split(c.logs.String(), "\n") {
		if p := leakIn(line); p != "" {
			t.Errorf("log line %d shows %q: %.300s", i+1, p, line)
		}
	}
}

func TestSecretHygiene(t *testing.T) {
	require.Equal(t, secretToken, leakIn("x"+secretToken+"y"), "the check finds the token")
	require.Equal(t, "7f3a9c", leakIn("key=…7f3a9c"), "and its distinctive middle")

	got := &capture{}
	logger := got.logger()
	env := func(where string, o faultOpts) *faultEnv {
		o.key, o.logger, o.onEvent = secretToken, logger, got.onEvent(where, logger)
		return newFaultEnv(t, o)
	}
	callMCP := func(fe *faultEnv, where, tool string, args map[string]any) *mcp.CallToolResult {
		req := mcp.CallToolRequest{}
		req.Params.Name = tool
		req.Params.Arguments = args
		res, err := fe.mcp.CallTool(context.Background(), req)
		got.result(t, where, res, err)
		return res
	}

	// Every tool, a valid call, with the token accepted.
	fe := env("valid", faultOpts{})
	for _, ep := range client.Endpoints {
		res := callMCP(fe, "valid "+ep.Tool, ep.Tool, validArgs(ep))
		require.NotNil(t, res)
		require.False(t, res.IsError, "%s: %s", ep.Tool, text(res))
	}
	reqs := fe.emu.Requests()
	require.Len(t, reqs, len(client.Endpoints))
	assert.Equal(t, secretToken, reqs[0].Header.Get("Authorization"), "the token was sent, to LaunchDarkly only")

	// Every fault.
	faults := []struct {
		name string
		f    emulator.Fault
		o    faultOpts
	}{
		{"429 storm", emulator.Fault{Kind: emulator.RateLimited, RetryAfter: 30 * time.Second}, faultOpts{}},
		{"429 once", emulator.Fault{Kind: emulator.RateLimited, Times: 1}, faultOpts{}},
		{"503", emulator.Fault{Kind: emulator.Unavailable, RetryAfter: time.Minute}, faultOpts{}},
		{"502", emulator.Fault{Kind: emulator.BadGateway}, faultOpts{}},
		{"504", emulator.Fault{Kind: emulator.GatewayTimeout}, faultOpts{}},
		{"drop", emulator.Fault{Kind: emulator.Drop}, faultOpts{}},
		{"drop once", emulator.Fault{Kind: emulator.Drop, Times: 1}, faultOpts{noKeepAlive: true}},
		{"truncated", emulator.Fault{Kind: emulator.Truncated}, faultOpts{}},
		{"html 502", emulator.Fault{Kind: emulator.NonJSON}, faultOpts{}},
		{"html 500", emulator.Fault{Kind: emulator.NonJSON, Status: 500}, faultOpts{}},
		{"oversized", emulator.Fault{Kind: emulator.Oversized, Size: 1 << 20}, faultOpts{maxBody: 64 << 10}},
		{"slow", emulator.Fault{Kind: emulator.Slow, Delay: 10 * time.Second}, faultOpts{}},
	}
	for _, f := range faults {
		f.o.callTimeout = 800 * time.Millisecond
		fe := env(f.name, f.o)
		fe.emu.SetFault(f.f)
		callMCP(fe, f.name, "get_evaluations_usage", validArgs(client.Lookup("get_evaluations_usage")))
	}

	// A call cancelled while LaunchDarkly is slow.
	fe = env("cancel", faultOpts{})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Slow, Delay: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for i := 0; i < 200 && fe.emu.Count() == 0; i++ {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_mau_usage"
	res, err := fe.mcp.CallTool(ctx, req)
	got.result(t, "cancel", res, err)
	cancel()

	// LaunchDarkly refuses the token: 401.
	fe = env("401", faultOpts{emuKeys: []string{"api-another-key"}})
	res = callMCP(fe, "401", "get_mau_usage", nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "401")

	// A hostile server that echoes the Authorization header everywhere.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Authorization")
		w.Header().Set("X-Echo", tok)
		switch status := r.URL.Query().Get("project"); status {
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body><h1>502 Bad Gateway</h1><p>token %s</p></body></html>", tok)
		case "plain":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "upstream said: Authorization: %s", tok)
		case "429":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, `{"code":"rate_limited","message":"slow down, %s"}`, tok)
		default:
			var code int
			fmt.Sscan(status, &code)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"code":"echo","message":"you sent %s","id":%q}`, tok, tok)
		}
	}))
	defer echo.Close()
	echoServer := func(where, base string, key client.Key) *tools.Server {
		ts, err := tools.New(tools.Config{
			Client: client.New(base, key, client.WithHTTPClient(&http.Client{Transport: client.NewTransport(nil, client.ResilienceOptions{
				MaxAttempts: 2, BaseBackoff: 10 * time.Millisecond, OnEvent: got.onEvent(where, logger),
			})})),
			CallTimeout: 800 * time.Millisecond,
			Logger:      logger,
		})
		require.NoError(t, err)
		return ts
	}
	ts := echoServer("echo", echo.URL, secretToken)
	mau := ts.Lookup("get_mau_usage")
	for _, status := range []string{"400", "401", "403", "404", "409", "500", "429", "html", "plain"} {
		res := ts.Call(context.Background(), mau, map[string]any{"project": status})
		got.result(t, "echo "+status, res, nil)
		require.True(t, res.IsError, status)
	}

	// Nothing listens: a transport error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	ts = echoServer("refused", closed, secretToken)
	res = ts.Call(context.Background(), mau, nil)
	got.result(t, "refused", res, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "Could not reach LaunchDarkly")

	// Invalid calls, with the token set.
	ts = echoServer("invalid", echo.URL, secretToken)
	for i, args := range []any{
		map[string]any{"source": "edge"}, map[string]any{"colour": "blue"}, map[string]any{"from": "-1d", "to": "-7d"},
		map[string]any{"from": "soon"}, []any{"x"}, "x",
	} {
		got.result(t, fmt.Sprintf("invalid %d", i), ts.Call(context.Background(), ts.Lookup("get_stream_usage"), args), nil)
	}

	// No key at all; then the token given per request (as the HTTP transports
	// do), accepted and refused.
	emu := emulator.New(emulator.Options{Keys: []string{secretToken}})
	esrv := httptest.NewServer(emu)
	defer esrv.Close()
	ts = echoServer("per-request", esrv.URL, "")
	res = ts.Call(context.Background(), mau, nil)
	got.result(t, "no key", res, nil)
	assert.Equal(t, tools.NoKeyMessage, text(res))
	res = ts.Call(tools.ContextWithKey(context.Background(), secretToken), mau, nil)
	got.result(t, "per-request key", res, nil)
	require.False(t, res.IsError, text(res))
	res = ts.Call(tools.ContextWithKey(context.Background(), secretToken+"-revoked"), mau, nil)
	got.result(t, "per-request key refused", res, nil)
	require.True(t, res.IsError)
	ts = echoServer("per-request echo", echo.URL, "")
	res = ts.Call(tools.ContextWithKey(context.Background(), secretToken), mau, map[string]any{"project": "401"})
	got.result(t, "per-request key echoed", res, nil)
	require.True(t, res.IsError)

	// The capture saw what it should: results, warnings, DEBUG events.
	got.mu.Lock()
	logs := got.logs.String()
	n := len(got.items)
	got.mu.Unlock()
	assert.Greater(t, n, 2*len(client.Endpoints)+len(faults))
	assert.Contains(t, logs, `"level":"DEBUG"`)
	assert.Contains(t, logs, `"event":"retry"`)
	assert.Contains(t, logs, `"level":"WARN"`)
	got.check(t)
}
