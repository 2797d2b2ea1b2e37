package tools_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// promptCase is one prompts/get and what its text must say: the arguments
// filled in, the tools to call with their arguments.
type promptCase struct {
	name string
	args map[string]string
	want []string
}

var promptCases = []promptCase{
	{"usage_review", map[string]string{"month": "2026-10", "projectKey": "web-app"}, []string{
		"Review LaunchDarkly usage of October 2026 for project web-app",
		"Call get_usage_overview with month=2026-10 projectKey=web-app.",
		"beside the whole of September 2026,",
		"with from=2026-10-01 to=2026-10-31 projectKey=web-app and groupBy=projectId",
		"summary.gaps",
	}},
	{"usage_review", nil, []string{
		"Review LaunchDarkly usage of November 2026 (the running month, so far) for the whole account",
		"beside October 2026 at the same point,",
		"Call get_usage_overview with no arguments.",
		"with from=2026-11-01 and groupBy=projectId",
	}},
	{"sdk_upgrade_plan", map[string]string{"projectKey": "mobile-app", "from": "-14d"}, []string{
		"Plan the SDK upgrades of project mobile-app",
		"Call get_sdk_all_versions",
		"(summary.eolNear) in project mobile-app",
		"every one is a place to upgrade",
		"leaving out no place",
		"call get_stream_usage_by_sdk_version with source=server from=-14d, then with source=client",
		"Call get_service_connection_usage with from=-14d groupBy=[sdkName, sdkVersion] projectKey=mobile-app",
	}},
	{"sdk_upgrade_plan", nil, []string{"of every project", "source=server from=-7d"}},
	{"usage_spike", map[string]string{"measure": "service-connections", "from": "-60d", "projectKey": "payments"}, []string{
		"Find when and where Service connections (get_service_connection_usage) jumped in project payments, from -60d to now.",
		"Call get_service_connection_usage with from=-60d aggregationType=incremental granularity=daily projectKey=payments (each point: count in the bucket).",
		"groupBy=projectId, then groupBy=environmentId, then groupBy=connectionType, then groupBy=relayVersion",
		"granularity=hourly",
	}},
	{"usage_spike", map[string]string{"measure": "client-mau"}, []string{
		"Client-side MAU (get_clientside_mau_usage)",
		"with from=-30d aggregationType=incremental granularity=daily (each point: first seen this month, in the bucket (new)).",
		"Every month starts anew",
		"groupBy=projectId, then groupBy=environmentId, then groupBy=sdkName",
	}},
	{"usage_spike", map[string]string{"measure": "get_stream_usage"}, []string{
		"Streams (get_stream_usage)",
		"with source=client or server from=-30d (each point: connections in the bucket (a level: read the peak)).",
		"cannot split its answer by group",
		"within the last two days the answer is hourly",
	}},
}

// promptErrors are prompts/get calls that must fail, and what the error says.
var promptErrors = []promptCase{
	{"usage_spike", nil, []string{"missing required argument measure"}},
	{"usage_spike", map[string]string{"measure": "  "}, []string{"missing required argument measure"}},
	{"usage_spike", map[string]string{"measure": "seats"}, []string{"unknown measure \"seats\"", "client-mau, mau, service-connections"}},
	{"usage_spike", map[string]string{"measure": "get_sdk_versions_details"}, []string{"unknown measure"}},
	{"usage_spike", map[string]string{"measure": "mau", "from": "yesterday-ish"}, []string{"argument from"}},
	{"usage_review", map[string]string{"month": "2026-13"}, []string{"`month`", "YYYY-MM"}},
	{"usage_review", map[string]string{"month": "2027-01"}, []string{"after the running month"}},
	{"usage_review", map[string]string{"projectkey": "x"}, []string{"unknown argument \"projectkey\"", "month, projectKey"}},
}

func TestPromptsWithMCPGo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list, err := e.mcp.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	byName := map[string]mcp.Prompt{}
	for _, p := range list.Prompts {
		byName[p.Name] = p
		assert.NotEmpty(t, p.Title, p.Name)
		assert.NotEmpty(t, p.Description, p.Name)
	}
	require.Len(t, byName, 3)
	required := map[string][]string{}
	for _, p := range list.Prompts {
		for _, a := range p.Arguments {
			assert.NotEmpty(t, a.Description, "%s.%s", p.Name, a.Name)
			if a.Required {
				required[p.Name] = append(required[p.Name], a.Name)
			}
		}
	}
	assert.Equal(t, map[string][]string{"usage_spike": {"measure"}}, required)
	assert.Len(t, byName["usage_review"].Arguments, 2)

	for _, c := range promptCases {
		req := mcp.GetPromptRequest{}
		req.Params.Name, req.Params.Arguments = c.name, c.args
		res, err := e.mcp.GetPrompt(ctx, req)
		require.NoError(t, err, "%s %v", c.name, c.args)
		require.Len(t, res.Messages, 1)
		assert.Equal(t, mcp.RoleUser, res.Messages[0].Role)
		tc, ok := res.Messages[0].Content.(mcp.TextContent)
		require.True(t, ok)
		for _, w := range c.want {
			assert.Contains(t, tc.Text, w, "%s %v", c.name, c.args)
		}
		assert.Less(t, len(tc.Text), 2000, "a short recipe")
	}
	for _, c := range promptErrors {
		req := mcp.GetPromptRequest{}
		req.Params.Name, req.Params.Arguments = c.name, c.args
		_, err := e.mcp.GetPrompt(ctx, req)
		require.Error(t, err, "%s %v", c.name, c.args)
		assert.ErrorIs(t, err, mcp.ErrInvalidParams, "%s %v: JSON-RPC -32602 (invalid params), not an internal error", c.name, c.args)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w, "%s %v", c.name, c.args)
		}
	}
	assert.Zero(t, e.emu.Count(), "a prompt calls nothing")
}

// TestPromptsWithOfficialSDK: the official MCP Go SDK, over streamable HTTP
// on loopback, sees the prompts capability, lists the three prompts and gets
// each with its arguments filled in; a missing required argument is an error.
func TestPromptsWithOfficialSDK(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(server.NewStreamableHTTPServer(e.ts.MCP()))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "prompts-test", Version: "1"}, nil).Connect(ctx, &sdk.StreamableClientTransport{Endpoint: srv.URL}, nil)
	require.NoError(t, err)
	defer cs.Close()
	require.NotNil(t, cs.InitializeResult().Capabilities.Prompts, "the prompts capability is declared")

	list, err := cs.ListPrompts(ctx, nil)
	require.NoError(t, err)
	var names []string
	for _, p := range list.Prompts {
		names = append(names, p.Name)
	}
	assert.ElementsMatch(t, []string{"usage_review", "sdk_upgrade_plan", "usage_spike"}, names)
	for _, c := range promptCases {
		res, err := cs.GetPrompt(ctx, &sdk.GetPromptParams{Name: c.name, Arguments: c.args})
		require.NoError(t, err, "%s %v", c.name, c.args)
		require.Len(t, res.Messages, 1)
		tc, ok := res.Messages[0].Content.(*sdk.TextContent)
		require.True(t, ok)
		for _, w := range c.want {
			assert.Contains(t, tc.Text, w, "%s %v", c.name, c.args)
		}
	}
	for _, c := range promptErrors {
		_, err = cs.GetPrompt(ctx, &sdk.GetPromptParams{Name: c.name, Arguments: c.args})
		require.Error(t, err, "%s %v", c.name, c.args)
		var werr *jsonrpc.Error
		require.True(t, errors.As(err, &werr), "%s %v: a JSON-RPC error: %v", c.name, c.args, err)
		assert.Equal(t, int64(-32602), werr.Code, "%s %v: invalid params: %v", c.name, c.args, err)
		for _, w := range c.want {
			assert.Contains(t, werr.Message, w, "%s %v", c.name, c.args)
		}
	}
}

// TestPromptsFollowTheSelection: a prompt is offered when the tools it
// starts from are, and usage_spike refuses a measure whose tool is not.
func TestPromptsFollowTheSelection(t *testing.T) {
	e := newEnv(t, func(c *tools.Config) { c.Selection = tools.Selection{Toolsets: []string{"mau"}} })
	ctx := context.Background()
	list, err := e.mcp.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Prompts, 1)
	assert.Equal(t, "usage_spike", list.Prompts[0].Name)
	req := mcp.GetPromptRequest{}
	req.Params.Name, req.Params.Arguments = "usage_spike", map[string]string{"measure": "service-connections"}
	_, err = e.mcp.GetPrompt(ctx, req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "get_service_connection_usage is not enabled")
	req.Params.Arguments = map[string]string{"measure": "mau"}
	res, err := e.mcp.GetPrompt(ctx, req)
	require.NoError(t, err)
	assert.True(t, strings.Contains(res.Messages[0].Content.(mcp.TextContent).Text, "get_total_mau_usage"))

	ov := newEnv(t, func(c *tools.Config) { c.Selection = tools.Selection{Toolsets: []string{"overview"}} })
	list, err = ov.mcp.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Prompts, 1)
	assert.Equal(t, "usage_review", list.Prompts[0].Name)
}

// TestSDKUpgradePlanCoversEveryPlace: the tool sdk_upgrade_plan starts from
// lists every place (project environment) where a version past end of life
// runs, as the account's model has them, not only the places where it is
// the newest version in use.
func TestSDKUpgradePlanCoversEveryPlace(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := mcp.GetPromptRequest{}
	req.Params.Name = "sdk_upgrade_plan"
	res, err := e.mcp.GetPrompt(ctx, req)
	require.NoError(t, err)
	step := regexp.MustCompile(`1\. Call (\S+) \(no arguments\)`).FindStringSubmatch(res.Messages[0].Content.(mcp.TextContent).Text)
	require.NotNil(t, step, "step 1 names the tool to call")

	want := map[string]bool{}
	atoms, err := emulator.Account(0).Atoms("getSdkAllVersions", nil)
	require.NoError(t, err)
	for _, a := range atoms {
		if a.Dim("eolStatus") == "EolPast" {
			want[a.Dim("projectKey")+"/"+a.Dim("environmentKey")+" "+a.Dim("sdkName")+" "+a.Dim("sdkVersion")] = true
		}
	}
	require.NotEmpty(t, want)

	out := e.call(t, step[1], map[string]any{})
	require.False(t, out.IsError, text(out))
	raw, _ := structuredOf(t, out)["raw"].([]any)
	got := map[string]bool{}
	for _, r := range raw {
		d, _ := r.(map[string]any)
		if d["eolStatus"] == "EolPast" {
			got[fmt.Sprint(d["projectKey"], "/", d["environmentKey"], " ", d["name"], " ", d["version"])] = true
		}
	}
	assert.Equal(t, want, got, "%s lists every place of every version past end of life", step[1])
}
