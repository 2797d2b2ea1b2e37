package tools

// Hostile input at the tool layer: arbitrary argument JSON (FuzzToolArguments)
// and a handler that panics.

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

// hostileServer is a tool server over the in-process emulator (no socket),
// on a fixed clock, that records the outcome of every call.
func hostileServer(tb testing.TB, logger *slog.Logger) (*Server, func() []CallInfo) {
	tb.Helper()
	emu := emulator.New(emulator.Options{Now: func() time.Time { return fixedNow }})
	var mu sync.Mutex
	var calls []CallInfo
	s, err := New(Config{
		Client:      client.New("http://emulator.invalid", emulator.DemoKey, client.WithHTTPClient(&http.Client{Transport: emu.Transport()})),
		Now:         func() time.Time { return fixedNow },
		CallTimeout: 5 * time.Second,
		Logger:      logger,
		OnCall: func(ci CallInfo) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, ci)
		},
	})
	require.NoError(tb, err)
	return s, func() []CallInfo {
		mu.Lock()
		defer mu.Unlock()
		out := calls
		calls = nil
		return out
	}
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// fuzzTools are the tools FuzzToolArguments calls: path parameters, repeated
// parameters, enums, cross-field rules, both time units, and no arguments at all.
var fuzzTools = []string{
	"get_mau_usage", "get_stream_usage", "get_evaluations_usage", "get_data_export_events_usage",
	"get_experimentation_units_usage", "get_sdk_versions_details",
}

// FuzzToolArguments sends arbitrary JSON as the arguments of a few tools. A
// call never panics (Call would recover it, so the recovered outcome is what
// is checked), always returns a result that can be sent, and fails only as a
// tool error. Seeds: below and testdata/fuzz/FuzzToolArguments.
func FuzzToolArguments(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `"x"`, `42`, `true`,
		`{"source":"server"}`, `{"source":"edge"}`, `{"source":["server"]}`, `{"source":null}`,
		`{"groupby":"sdk","from":"-30d"}`, `{"groupby":["sdk","planet"]}`, `{"from":"-1d","to":"-7d"}`,
		`{"from":1793491200000,"to":"2026-11-20"}`, `{"from":-1e308}`, `{"from":1e308}`, `{"to":"now+400d"}`,
		`{"project":"web-app","environment":["production","staging"]}`, `{"environment":"production"}`,
		`{"projectKey":"web-app","environmentKey":"production","featureFlagKey":"a/../b"}`,
		`{"projectKey":"..","environmentKey":".","featureFlagKey":"%2F"}`,
		`{"environmentKey":"production"}`, `{"anonymous":"maybe"}`, `{"anonymous":false}`,
		`{"sdk":[[[[[["deep"]]]]]]}`, `{"sdk":{"a":{"b":1}}}`, `{"x":1}`, `{"":""}`,
		`{"tz":"Mars/Olympus"}`, `{"aggregationType":"month_to_date","groupby":"contextKind"}`,
		`{"source":"\ud800"}`, `{"source":"serv\u0000er"}`, `{"from":"2026-02-30"}`, `{"from":"now - 3 d"}`,
	} {
		f.Add([]byte(s))
	}
	s, outcomes := hostileServer(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		var args any
		if json.Unmarshal(data, &args) != nil {
			return // not JSON: the JSON-RPC layer answers a parse error before any tool sees it
		}
		for _, name := range fuzzTools {
			res := s.Call(context.Background(), s.Lookup(name), args)
			require.NotNil(t, res, name)
			calls := outcomes()
			require.Len(t, calls, 1, name)
			txt := resultText(res)
			if calls[0].Outcome == "error" {
				t.Fatalf("%s panicked on %s: %s", name, data, txt)
			}
			require.Len(t, res.Content, 1, name)
			_, err := json.Marshal(res)
			require.NoError(t, err, "%s: the result can be sent", name)
			if res.IsError {
				require.NotEmpty(t, txt, name)
				require.Nil(t, res.StructuredContent, name)
				require.Less(t, len(txt), 4096, "%s: the error stays short: %s", name, txt)
				require.Contains(t, []string{"invalid", "upstream_error"}, calls[0].Outcome, name)
				continue
			}
			require.Equal(t, "ok", calls[0].Outcome, name)
			require.NotNil(t, res.StructuredContent, name)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (loggers).
type syncBuffer = mcptest.LockedBuffer

// panicky is a tool whose endpoint makes reflection panic (its parameter
// struct is an int) the first time its parameters are looked at.
func panicky(name string) *Tool {
	return &Tool{Endpoint: &client.Endpoint{Tool: name, Params: 42}}
}

func TestPanicBecomesToolError(t *testing.T) {
	var logs syncBuffer
	s, outcomes := hostileServer(t, slog.New(slog.NewJSONHandler(&logs, nil)))

	res := s.Call(context.Background(), panicky("x_direct"), map[string]any{"a": "b"})
	require.NotNil(t, res)
	assert.True(t, res.IsError)
	assert.Equal(t, "internal error in x_direct; the server keeps serving, please report it", resultText(res))
	assert.Nil(t, res.StructuredContent)
	calls := outcomes()
	require.Len(t, calls, 1)
	assert.Equal(t, "error", calls[0].Outcome)
	assert.Contains(t, logs.String(), `"msg":"panic in tool handler"`)
	assert.Contains(t, logs.String(), `"tool":"x_direct"`)

	// Through MCP: the panicking tool registered beside the real ones.
	bad := panicky("x_mcp")
	s.tools = append(s.tools, bad)
	s.byName[bad.Endpoint.Tool] = bad
	c, err := mcpclient.NewInProcessClient(s.MCP())
	require.NoError(t, err)
	defer c.Close()
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	_, err = c.Initialize(ctx, init)
	require.NoError(t, err)
	call := func(name string, args map[string]any) *mcp.CallToolResult {
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		res, err := c.CallTool(ctx, req)
		require.NoError(t, err, "a panic is a tool error, not a protocol error")
		return res
	}
	res = call("x_mcp", map[string]any{"a": "b"})
	assert.True(t, res.IsError)
	assert.Contains(t, resultText(res), "internal error in x_mcp")
	// The server keeps serving.
	res = call("get_stream_usage", map[string]any{"source": "server"})
	require.False(t, res.IsError, resultText(res))
	assert.NotNil(t, res.StructuredContent)
}
