package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/usagecheck"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/zonetest"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

var now = time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)

const testKey = "api-0123abcd-test-key-do-not-leak"

type env struct {
	emu *emulator.Emulator
	srv *httptest.Server
	ts  *tools.Server
	mcp *mcpclient.Client
}

func newEnv(t *testing.T, mod ...func(*tools.Config)) *env {
	t.Helper()
	emu := emulator.New(emulator.Options{Now: func() time.Time { return now }, Keys: []string{testKey}})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := tools.Config{
		Client:      client.New(srv.URL, testKey, client.WithUserAgent("ld-usage-mcp/test")),
		Now:         func() time.Time { return now },
		CallTimeout: 5 * time.Second,
	}
	for _, m := range mod {
		m(&cfg)
	}
	ts, err := tools.New(cfg)
	require.NoError(t, err)
	return &env{emu: emu, srv: srv, ts: ts, mcp: connect(t, ts)}
}

func connect(t *testing.T, ts *tools.Server) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewInProcessClient(ts.MCP())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	res, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	require.Contains(t, res.Instructions, "month_to_date", "instructions explain shared semantics")
	return c
}

func (e *env) call(t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := e.mcp.CallTool(context.Background(), req)
	require.NoError(t, err, "a tool call never ends in a protocol error")
	return res
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// structuredOf re-encodes structuredContent as JSON and decodes it generically,
// as a client on the wire would see it.
func structuredOf(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestListToolsHintsAndSchemas(t *testing.T) {
	e := newEnv(t)
	res, err := e.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	require.Len(t, res.Tools, len(client.Endpoints)+1, "one tool per endpoint and the overview")
	for _, tool := range res.Tools {
		ep := client.Lookup(tool.Name)
		if tool.Name == tools.OverviewTool {
			ep = &client.Endpoint{Params: client.NoParams{}} // a composite: no path parameter, its own arguments (overview_test.go)
		}
		require.NotNil(t, ep, tool.Name)
		a := tool.Annotations
		assert.NotEmpty(t, tool.Title, "%s title", tool.Name)
		assert.Equal(t, tool.Title, a.Title, "%s: the annotations carry the title too", tool.Name)
		if assert.NotNil(t, a.ReadOnlyHint, tool.Name) {
			assert.True(t, *a.ReadOnlyHint)
		}
		if assert.NotNil(t, a.DestructiveHint, tool.Name) {
			assert.False(t, *a.DestructiveHint)
		}
		if assert.NotNil(t, a.IdempotentHint, tool.Name) {
			assert.True(t, *a.IdempotentHint)
		}
		if assert.NotNil(t, a.OpenWorldHint, tool.Name) {
			assert.True(t, *a.OpenWorldHint)
		}
		assert.NotEmpty(t, tool.Description)
		assert.LessOrEqual(t, strings.Count(tool.Description, ". "), 2, "%s: one or two sentences", tool.Name)

		b, err := json.Marshal(tool)
		require.NoError(t, err)
		var wire struct {
			InputSchema struct {
				Type                 string                    `json:"type"`
				AdditionalProperties *bool                     `json:"additionalProperties"`
				Properties           map[string]map[string]any `json:"properties"`
				Required             []string                  `json:"required"`
			} `json:"inputSchema"`
			OutputSchema struct {
				Type     string   `json:"type"`
				Required []string `json:"required"`
			} `json:"outputSchema"`
		}
		require.NoError(t, json.Unmarshal(b, &wire))
		assert.Equal(t, "object", wire.InputSchema.Type)
		require.NotNil(t, wire.InputSchema.AdditionalProperties)
		assert.False(t, *wire.InputSchema.AdditionalProperties)
		assert.Equal(t, "object", wire.OutputSchema.Type)
		assert.ElementsMatch(t, []string{"summary", "raw"}, wire.OutputSchema.Required)
		assert.Equal(t, len(ep.PathParams()), len(wire.InputSchema.Required), tool.Name)
		for _, p := range ep.Spec() {
			prop := wire.InputSchema.Properties[p.Name]
			require.NotNil(t, prop, "%s.%s", tool.Name, p.Name)
			assert.NotEmpty(t, prop["description"], "%s.%s", tool.Name, p.Name)
		}
	}
}

// TestContractEnums checks the enums CONTRACT.md names.
func TestContractEnums(t *testing.T) {
	e := newEnv(t)
	res, err := e.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	enumOf := func(tool, prop string) []any {
		for _, tl := range res.Tools {
			if tl.Name != tool {
				continue
			}
			b, _ := json.Marshal(tl)
			var w struct {
				InputSchema struct {
					Properties map[string]struct {
						Enum  []any `json:"enum"`
						Items struct {
							Enum []any `json:"enum"`
						} `json:"items"`
					} `json:"properties"`
				} `json:"inputSchema"`
			}
			require.NoError(t, json.Unmarshal(b, &w))
			p := w.InputSchema.Properties[prop]
			if p.Enum != nil {
				return p.Enum
			}
			return p.Items.Enum
		}
		t.Fatalf("no tool %s", tool)
		return nil
	}
	assert.Equal(t, []any{"client", "server"}, enumOf("get_stream_usage", "source"))
	assert.Equal(t, []any{"received", "published"}, enumOf("get_events_usage", "type"))
	assert.Equal(t, []any{"client", "server"}, enumOf("get_mau_sdks_by_type", "sdktype"))
	assert.Equal(t, []any{"client", "server"}, enumOf("get_mau_usage", "sdktype"))
	assert.Equal(t, []any{"project", "environment", "sdktype", "sdk", "anonymous", "contextKind", "sdkAppId"}, enumOf("get_mau_usage", "groupby"))
	assert.Equal(t, []any{"rolling_30d", "month_to_date", "daily_incremental"}, enumOf("get_mau_usage", "aggregationType"))
}

// TestToolSnapshots keeps every tool's definition under __toolsnaps__ so that a
// change to a schema or description shows in review. UPDATE_TOOLSNAPS=true rewrites them.
func TestToolSnapshots(t *testing.T) {
	e := newEnv(t)
	update := os.Getenv("UPDATE_TOOLSNAPS") == "true"
	for _, tool := range e.ts.Tools() {
		got, err := json.MarshalIndent(tool.Definition(), "", "  ")
		require.NoError(t, err)
		path := filepath.Join("__toolsnaps__", tool.Endpoint.Tool+".snap")
		if update {
			require.NoError(t, os.MkdirAll("__toolsnaps__", 0o755))
			require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "no snapshot: run UPDATE_TOOLSNAPS=true go test ./tools")
		assert.JSONEq(t, string(want), string(got), "%s changed: review, then UPDATE_TOOLSNAPS=true go test ./tools", tool.Endpoint.Tool)
	}
	entries, err := os.ReadDir("__toolsnaps__")
	require.NoError(t, err)
	assert.Len(t, entries, len(client.Endpoints)+1, "one snapshot per tool (the overview's: overview_test.go), no strays")
}

// TestToolsListBudget fails when what a model is shown grows past its budget:
// every byte of tools/list is paid by every user on every request. What a
// model reads to choose and call a tool (name, description, inputSchema) is
// held to 9,000 bytes for the seed's twelve and 22,000 for all 28; the whole
// tools/list, output schemas included, to 48,000.
func TestToolsListBudget(t *testing.T) {
	// list returns the tools/list response as the server writes it, and its byte count.
	list := func(sel tools.Selection) ([]map[string]json.RawMessage, int) {
		ts, err := tools.New(tools.Config{Selection: sel})
		require.NoError(t, err)
		srv := ts.MCP()
		ctx := context.Background()
		srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
		resp := srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
		b, err := json.Marshal(resp)
		require.NoError(t, err)
		var parsed struct {
			Result struct {
				Tools []map[string]json.RawMessage `json:"tools"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal(b, &parsed))
		return parsed.Result.Tools, len(b)
	}
	// shown is what a model reads of the tools: name, description and inputSchema, compact.
	shown := func(list []map[string]json.RawMessage) int {
		n := 0
		for _, tl := range list {
			b, err := json.Marshal(map[string]json.RawMessage{"name": tl["name"], "description": tl["description"], "inputSchema": tl["inputSchema"]})
			require.NoError(t, err)
			n += len(b)
		}
		return n
	}
	var seed, endpoints []string
	for _, ep := range client.Endpoints {
		endpoints = append(endpoints, ep.Tool)
		if !ep.Newer {
			seed = append(seed, ep.Tool)
		}
	}
	require.Len(t, seed, 12)
	require.Len(t, endpoints, 28)
	seedList, _ := list(tools.Selection{Tools: seed})
	endpointList, _ := list(tools.Selection{Tools: endpoints})
	_, allBytes := list(tools.Selection{})
	t.Logf("shown to a model: %d bytes for the 12 seed tools, %d for the 28; tools/list %d bytes", shown(seedList), shown(endpointList), allBytes)
	assert.LessOrEqual(t, shown(seedList), 9000, "name, description and inputSchema of the twelve seed tools")
	assert.LessOrEqual(t, shown(endpointList), 22000, "name, description and inputSchema of the 28 endpoint tools")
	// 47,424 bytes with the overview; the MCP App's link (_meta.ui.resourceUri,
	// 51 bytes on each of the 29 tools) brings it to 48,903.
	assert.LessOrEqual(t, allBytes, 48000, "the whole tools/list")
}

// validArgs gives each tool a valid call.
func validArgs(ep *client.Endpoint) map[string]any {
	args := map[string]any{}
	for _, p := range ep.PathParams() {
		switch p {
		case "source":
			args[p] = "server"
		case "type":
			args[p] = "received"
		case "projectKey":
			args[p] = "web-app"
		case "environmentKey":
			args[p] = "production"
		case "featureFlagKey":
			args[p] = "new-checkout"
		}
	}
	return args
}

// TestEveryToolAgainstEmulator calls each tool and checks its summary against
// figures computed here from the raw body, and the raw body against what the
// emulator answers for the same request.
func TestEveryToolAgainstEmulator(t *testing.T) {
	e := newEnv(t)
	for _, ep := range client.Endpoints {
		t.Run(ep.Tool, func(t *testing.T) {
			e.emu.ResetRequests()
			res := e.call(t, ep.Tool, validArgs(ep))
			require.False(t, res.IsError, text(res))
			txt := text(res)
			assert.NotEmpty(t, txt)
			assert.LessOrEqual(t, len(txt), 2500, "text stays small")
			sc := structuredOf(t, res)
			require.Contains(t, sc, "raw")
			require.Contains(t, sc, "summary")

			// raw is LaunchDarkly's body, unchanged: fetch the same URL again and compare.
			reqs := e.emu.Requests()
			require.Len(t, reqs, 1, "one upstream request")
			r := reqs[0]
			assert.Equal(t, testKey, r.Header.Get("Authorization"))
			assert.Equal(t, "beta", r.Header.Get("LD-API-Version"))
			again, err := http.NewRequest(http.MethodGet, e.srv.URL+r.Path+"?"+r.RawQuery, nil)
			require.NoError(t, err)
			again.Header = r.Header.Clone()
			resp, err := http.DefaultClient.Do(again)
			require.NoError(t, err)
			var want any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&want))
			resp.Body.Close()
			assert.Equal(t, want, sc["raw"], "raw is the body, unchanged")

			usagecheck.Check(t, want, sc["summary"].(map[string]any))
		})
	}
}

func TestMAUGroupedBySDK(t *testing.T) {
	e := newEnv(t)
	res := e.call(t, "get_mau_usage", map[string]any{"groupby": "sdk", "from": "-30d"})
	require.False(t, res.IsError, text(res))
	sc := structuredOf(t, res)
	want := usagecheck.SeriesOf(sc["raw"])
	require.Greater(t, len(want), 1, "one series per SDK")
	for _, s := range want {
		assert.True(t, strings.HasPrefix(s.Label, "sdk="), s.Label)
	}
	usagecheck.Check(t, sc["raw"], sc["summary"].(map[string]any))
	summary := sc["summary"].(map[string]any)
	assert.Equal(t, false, summary["summable"], "MAU is a unique count")
	assert.Equal(t, "daily", summary["granularity"])
	txt := text(res)
	assert.Contains(t, txt, "sdk=")
	assert.Regexp(t, `[▁▂▃▄▅▆▇█]`, txt, "sparklines show the shape")
}

// TestWireRequest checks what reaches LaunchDarkly for a call: units, repeated
// keys, escaping, nothing for absent arguments.
func TestWireRequest(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		tool  string
		args  map[string]any
		path  string
		query string
	}{
		{"get_mau_usage", map[string]any{"from": "2026-11-01", "to": "2026-11-02T00:00:00Z", "project": []any{"web-app"}, "environment": []any{"production", "staging"}, "groupby": []any{"sdk", "sdktype"}},
			"/api/v2/usage/mau", "environment=production&environment=staging&from=1793491200000&groupby=sdk&groupby=sdktype&project=web-app&to=1793577600000"},
		// A date-only to includes its day: the last second (or millisecond) of it is sent.
		{"get_experimentation_units_usage", map[string]any{"from": "2026-11-01", "to": "2026-11-02"},
			"/api/v2/usage/experimentation-units", "from=1793491200&to=1793663999"},
		{"get_data_export_events_usage", map[string]any{"from": "2026-11-01", "to": "2026-11-02", "projectKey": "web-app", "environmentKey": "production"},
			"/api/v2/usage/data-export-events", "environmentKey=production&from=1793491200000&projectKey=web-app&to=1793663999999"},
		// Dates are read in tz where the tool takes it: Nov 1 starts at 04:00 UTC in New York
		// (still EDT at midnight) and ends at 05:00 UTC (EST after the change that night).
		{"get_stream_usage", map[string]any{"source": "server", "from": "2026-11-01", "to": "2026-11-01", "tz": "America/New_York"},
			"/api/v2/usage/streams/server", "from=1793505600000&to=1793595599999&tz=America%2FNew_York"},
		{"get_serverside_contexts_usage", map[string]any{"from": float64(1793491200), "to": "1793577600000"},
			"/api/v2/usage/serverside-contexts", "from=1793491200&to=1793577600"},
		{"get_evaluations_usage", map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "a flag/with ü"},
			"/api/v2/usage/evaluations/web-app/production/a flag/with ü" /* decoded: the client tests check the escaping */, ""},
		{"get_stream_usage_sdkversion", map[string]any{"source": "client"},
			"/api/v2/usage/streams/client/sdkversions", ""},
	}
	for _, c := range cases {
		e.emu.ResetRequests()
		res := e.call(t, c.tool, c.args)
		require.False(t, res.IsError, "%s: %s", c.tool, text(res))
		reqs := e.emu.Requests()
		require.Len(t, reqs, 1)
		u := reqs[0]
		assert.Equal(t, c.path, u.Path, c.tool)
		q, _ := sortedQuery(u.RawQuery)
		assert.Equal(t, c.query, q, c.tool)
		assert.Equal(t, "application/json", u.Header.Get("Accept"))
		assert.Equal(t, "ld-usage-mcp/test", u.Header.Get("User-Agent"))
	}
}

func sortedQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	parts := strings.Split(raw, "&")
	sort.Strings(parts)
	return strings.Join(parts, "&"), nil
}

func TestValidationErrorsSendNothing(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("x", 1<<20)
	deep := any("x")
	for i := 0; i < 2000; i++ {
		deep = []any{deep}
	}
	cases := []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"get_stream_usage", map[string]any{"source": "server", "colour": "blue"}, []string{"unknown argument", "colour", "source"}},
		{"get_stream_usage", map[string]any{}, []string{"missing required argument", "source"}},
		{"get_stream_usage", map[string]any{"source": "edge"}, []string{"`source`", "client, server", `"edge"`}},
		{"get_events_usage", map[string]any{"type": "sent"}, []string{"`type`", "received, published"}},
		{"get_mau_usage", map[string]any{"groupby": []any{"sdk", "planet"}}, []string{"`groupby`", "project, environment, sdktype, sdk, anonymous, contextKind, sdkAppId"}},
		{"get_mau_usage", map[string]any{"aggregationType": "weekly"}, []string{"`aggregationType`", "rolling_30d, month_to_date, daily_incremental"}},
		{"get_mau_usage", map[string]any{"project": map[string]any{"a": 1}}, []string{"`project`", "array of strings"}},
		{"get_mau_usage", map[string]any{"environment": "production"}, []string{"`environment`", "exactly one `project`"}},
		{"get_mau_usage", map[string]any{"environment": "production", "project": []any{"a", "b"}}, []string{"`environment`", "exactly one `project`"}},
		{"get_data_export_events_usage", map[string]any{"environmentKey": "production"}, []string{"`environmentKey`", "exactly one `projectKey`", "got 0"}},
		{"get_mau_usage", map[string]any{"from": "-1d", "to": "-7d"}, []string{"`from`", "after `to`"}},
		{"get_mau_usage", map[string]any{"from": "last tuesday"}, []string{"`from`", "RFC 3339"}},
		{"get_mau_usage", map[string]any{"from": "1999-12-31"}, []string{"`from`", "before 2000-01-01"}},
		{"get_mau_usage", map[string]any{"to": "+400d"}, []string{"`to`", "366 days"}},
		{"get_mau_usage", map[string]any{"from": true}, []string{"`from`"}},
		{"get_experimentation_keys_usage", map[string]any{"from": "-366d"}, []string{"365 days"}},
		{"get_experimentation_units_usage", map[string]any{"from": "2026-10-01", "to": "2026-11-01"}, []string{"31 days"}},
		{"get_data_export_events_usage", map[string]any{"granularity": "banana"}, []string{"`granularity`", "daily, hourly, monthly"}},
		{"get_total_mau_usage", map[string]any{"aggregationType": "rolling_30d", "granularity": "monthly"}, []string{"`granularity`", "rolling_30d", "use daily"}},
		{"get_clientside_mau_usage", map[string]any{"granularity": "hourly"}, []string{"`granularity`", "daily, monthly"}},
		{"get_data_export_events_usage", map[string]any{"aggregationType": "incremental", "granularity": "monthly"}, []string{"monthly", "incremental"}},
		{"get_total_mau_usage", map[string]any{"environmentKey": "production", "projectKey": []any{"web-app", "payments"}}, []string{"`environmentKey`", "exactly one `projectKey`", "got 2"}},
		{"get_stream_usage", map[string]any{"source": "server", "tz": "Mars/Olympus"}, []string{"`tz`", "Mars/Olympus", "IANA"}},
		{"get_stream_usage", map[string]any{"source": "server", "tz": "Local"}, []string{"`tz`"}},
		{"get_stream_usage", map[string]any{"source": long}, []string{"`source`", "bytes long"}},
		{"get_mau_usage", map[string]any{"sdk": deep}, []string{"`sdk`", "nested"}},
		{"get_sdk_versions_details", map[string]any{"x": 1}, []string{"unknown argument", "no arguments"}},
	}
	for _, c := range cases {
		e.emu.ResetRequests()
		res := e.call(t, c.tool, c.args)
		txt := text(res)
		assert.True(t, res.IsError, "%s %v should be refused", c.tool, c.args)
		for _, w := range c.want {
			assert.Contains(t, txt, w, "%s: %s", c.tool, txt)
		}
		assert.Less(t, len(txt), 600, "error stays short: %s", txt)
		assert.Zero(t, e.emu.Count(), "%s: nothing is sent for an invalid call", c.tool)
	}
}

func TestTolerantArguments(t *testing.T) {
	e := newEnv(t)
	// A single string where an array is allowed; numbers and booleans as strings.
	res := e.call(t, "get_mau_usage", map[string]any{"groupby": "sdk", "sdktype": "server", "anonymous": false, "from": "1793491200000"})
	require.False(t, res.IsError, text(res))
	q := e.emu.Requests()[0].Query
	assert.Equal(t, []string{"sdk"}, q["groupby"])
	assert.Equal(t, []string{"false"}, q["anonymous"])
	assert.Equal(t, []string{"1793491200000"}, q["from"])
}

func TestNoKey(t *testing.T) {
	e := newEnv(t, func(c *tools.Config) { c.Client = client.New("http://127.0.0.1:1", "") })
	res := e.call(t, "get_mau_usage", nil)
	assert.True(t, res.IsError)
	assert.Contains(t, text(res), "LAUNCHDARKLY_API_KEY")
	assert.Contains(t, text(res), "--demo")
}

func TestDemoResultsSaySo(t *testing.T) {
	e := newEnv(t, func(c *tools.Config) { c.Demo = true })
	for _, name := range []string{"get_mau_usage", "get_mau_sdks_by_type", "get_sdk_versions_details"} {
		res := e.call(t, name, nil)
		require.False(t, res.IsError, text(res))
		assert.Contains(t, strings.ToLower(text(res)), "demo", name)
		assert.Equal(t, true, structuredOf(t, res)["summary"].(map[string]any)["demo"], name)
	}
	bad := e.call(t, "get_stream_usage", map[string]any{"source": "edge"})
	assert.True(t, bad.IsError)
	assert.Contains(t, strings.ToLower(text(bad)), "demo", "errors in demo mode say so too")
	e2 := newEnv(t)
	assert.NotContains(t, strings.ToLower(text(e2.call(t, "get_mau_usage", nil))), "demo data")
}

// TestUpstreamErrors checks that each failure LaunchDarkly can answer becomes a
// tool error that names the status, LaunchDarkly's message and what to do.
func TestUpstreamErrors(t *testing.T) {
	cases := []struct {
		status int
		body   string
		header map[string]string
		want   []string
	}{
		{400, `{"code":"invalid_request","message":"Invalid request body"}`, nil, []string{"400", "Invalid request body", "Check the arguments"}},
		{401, `{"code":"unauthorized","message":"Invalid access token"}`, nil, []string{"401", "Invalid access token", "access token"}},
		{403, `{"code":"forbidden","message":"Forbidden. Access to the requested resource was denied."}`, nil, []string{"403", "role"}},
		{403, `{"message":"This API is in beta. To use it, your request must include the header ` + "`LD-API-Version: beta`" + `."}`, nil, []string{"403", "beta"}},
		{404, `{"code":"not_found","message":"Invalid resource identifier"}`, nil, []string{"404", "projectKey=web-app", "featureFlagKey=new-checkout"}},
		{429, `{"code":"rate_limited","message":"You've exceeded the API rate limit. Try again later."}`, map[string]string{"Retry-After": "120"}, []string{"429", "retry in 120 seconds"}},
		{503, `{"code":"service_unavailable","message":"Requested service unavailable"}`, map[string]string{"Retry-After": "90"}, []string{"503", "unavailable", "retry in 90 seconds"}},
		{502, `<html><body><h1>502 Bad Gateway</h1></body></html>`, map[string]string{"Content-Type": "text/html", "Retry-After": "60"}, []string{"502", "Bad Gateway"}},
	}
	for _, c := range cases {
		hits := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits++
			for k, v := range c.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		ts, err := tools.New(tools.Config{Client: client.New(srv.URL, testKey), Now: func() time.Time { return now }, CallTimeout: 2 * time.Second})
		require.NoError(t, err)
		e := &env{mcp: connect(t, ts)}
		res := e.call(t, "get_evaluations_usage", validArgs(client.Lookup("get_evaluations_usage")))
		srv.Close()
		assert.True(t, res.IsError, "%d", c.status)
		for _, w := range c.want {
			assert.Contains(t, text(res), w, "%d: %s", c.status, text(res))
		}
		assert.NotContains(t, text(res), testKey)
		assert.Nil(t, res.StructuredContent)
	}
}

func TestSelection(t *testing.T) {
	e := newEnv(t, func(c *tools.Config) { c.Selection = tools.Selection{Toolsets: []string{"mau"}} })
	res, err := e.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	assert.ElementsMatch(t, []string{"get_mau_usage", "get_mau_usage_by_category", "get_total_mau_usage", "get_clientside_mau_usage"}, names)

	req := mcp.CallToolRequest{}
	req.Params.Name = "get_stream_usage"
	req.Params.Arguments = map[string]any{"source": "server"}
	_, err = e.mcp.CallTool(context.Background(), req)
	require.Error(t, err, "a tool outside the selection cannot be called")
	assert.Contains(t, err.Error(), "not enabled")
	assert.Contains(t, err.Error(), "streams")
	assert.Zero(t, e.emu.Count())

	_, err = tools.New(tools.Config{Selection: tools.Selection{Toolsets: []string{"nope"}}})
	assert.ErrorContains(t, err, "unknown toolset")
	_, err = tools.New(tools.Config{Selection: tools.Selection{Tools: []string{"get_nothing"}}})
	assert.ErrorContains(t, err, "unknown tool")
	only, err := tools.New(tools.Config{Selection: tools.Selection{Tools: []string{"get_stream_usage"}, Exclude: nil}})
	require.NoError(t, err)
	assert.Len(t, only.Tools(), 1)
	excl, err := tools.New(tools.Config{Selection: tools.Selection{Toolsets: []string{"streams"}, Exclude: []string{"get_stream_usage"}}})
	require.NoError(t, err)
	assert.Len(t, excl.Tools(), 2)
}

// TestRangeLimitToTheDay: a range of exactly the endpoint's maximum is sent;
// one day more is refused before anything is sent (both for the 365 days of
// today's endpoints and the 31 of the removed experimentation-units).
func TestRangeLimitToTheDay(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		tool     string
		from, to string
		ok       bool
	}{
		{"get_data_export_events_usage", "2025-11-01", "2026-10-31", true},  // 365 whole days
		{"get_data_export_events_usage", "2025-10-31", "2026-10-31", false}, // 366
		{"get_data_export_events_usage", "2025-11-01T00:00:00Z", "2026-11-01T00:00:00Z", true},
		{"get_data_export_events_usage", "2025-11-01T00:00:00Z", "2026-11-01T00:00:01Z", false},
		{"get_total_mau_usage", "2025-11-30", "2026-11-29", true},
		{"get_total_mau_usage", "2025-11-29", "2026-11-29", false},
		{"get_experimentation_units_usage", "2026-10-01", "2026-10-31", true}, // 31 days
		{"get_experimentation_units_usage", "2026-09-30", "2026-10-31", false},
	}
	for _, c := range cases {
		e.emu.ResetRequests()
		res := e.call(t, c.tool, map[string]any{"from": c.from, "to": c.to})
		if c.ok {
			assert.False(t, res.IsError, "%s %s..%s: %s", c.tool, c.from, c.to, text(res))
			assert.Equal(t, 1, e.emu.Count(), "%s %s..%s is sent", c.tool, c.from, c.to)
		} else {
			assert.True(t, res.IsError, "%s %s..%s should be refused", c.tool, c.from, c.to)
			assert.Contains(t, text(res), "at most")
			assert.Zero(t, e.emu.Count(), "%s %s..%s: nothing is sent", c.tool, c.from, c.to)
		}
	}
}

// TestTimesUnderOtherZones runs the time tests again in processes whose local
// zone is far from UTC (the figures' own run in package answer).
func TestTimesUnderOtherZones(t *testing.T) {
	zonetest.Run(t, "^(TestParseTime.*|TestWireRequest|TestRangeLimitToTheDay)$",
		"TestParseTimeForms", "TestWireRequest", "TestRangeLimitToTheDay")
}

// TestResultsMatchTheirOutputSchema: a client that validates structuredContent
// against the tool's outputSchema (the MCP specification says clients should)
// accepts every answer: each tool's, with and without grouping.
func TestResultsMatchTheirOutputSchema(t *testing.T) {
	e := newEnv(t)
	for _, tool := range e.ts.Tools() {
		ep := tool.Endpoint
		def := tool.Definition()
		sch := compileSchema(t, ep.Tool, def.RawOutputSchema)
		calls := []map[string]any{validArgs(ep)}
		if p, ok := ep.Param("groupBy"); ok && len(p.Enum) > 0 {
			grouped := validArgs(ep)
			grouped["groupBy"] = p.Enum[:min(2, len(p.Enum))]
			calls = append(calls, grouped)
		}
		for _, args := range calls {
			res := e.call(t, ep.Tool, args)
			require.False(t, res.IsError, "%s %v: %s", ep.Tool, args, text(res))
			b, err := json.Marshal(res.StructuredContent)
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			require.NoError(t, err)
			assert.NoError(t, sch.Validate(inst), "%s %v: structuredContent does not match the outputSchema", ep.Tool, args)
		}
	}
	// The fixtures too: LaunchDarkly's bodies in today's shapes fit the raw schema.
	for _, ep := range client.Endpoints {
		body, err := os.ReadFile(filepath.Join("..", "testdata", "responses", ep.Tool+".json"))
		require.NoError(t, err)
		var raw any
		require.NoError(t, json.Unmarshal(body, &raw))
		var out struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(e.ts.Lookup(ep.Tool).Definition().RawOutputSchema, &out))
		sch := compileSchema(t, ep.Tool+"-raw", out.Properties["raw"])
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(inst), "%s fixture against the raw schema", ep.Tool)
	}
}

func compileSchema(t *testing.T, name string, raw json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err, name)
	c := jsonschema.NewCompiler()
	url := "mem:///" + name + ".json"
	require.NoError(t, c.AddResource(url, doc))
	sch, err := c.Compile(url)
	require.NoError(t, err, name)
	return sch
}
