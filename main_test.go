package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/usagecheck"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mcptest.Cleanup()
	os.Exit(code)
}

// testBinary builds the server once per test run and returns its path.
func testBinary(t *testing.T) string { return mcptest.Binary(t) }

// cleanEnv is the test process's environment without the server's variables.
func cleanEnv(extra ...string) []string {
	env := append([]string{}, extra...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LAUNCHDARKLY_") && !strings.HasPrefix(kv, "LD_USAGE_MCP_") {
			env = append(env, kv)
		}
	}
	return env
}

// validArgs gives each tool a valid call.
func validArgs(ep *client.Endpoint) map[string]any {
	args := map[string]any{}
	for _, p := range ep.PathParams() {
		args[p] = map[string]string{"source": "server", "type": "received", "projectKey": "web-app",
			"environmentKey": "production", "featureFlagKey": "new-checkout"}[p]
	}
	return args
}

// TestBinaryOverStdioWithOfficialSDK drives the built binary with the official
// MCP Go SDK over stdio, against the emulator as LaunchDarkly: every tool is
// listed with its hints and schema, and a valid call of each answers with a
// summary whose figures match the raw body.
func TestBinaryOverStdioWithOfficialSDK(t *testing.T) {
	bin := testBinary(t)
	const key = "api-stdio-sdk-test"
	emu := emulator.New(emulator.Options{Keys: []string{key}})
	srv := httptest.NewServer(emu)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.Command(bin, "--server-url", srv.URL)
	cmd.Env = cleanEnv("LAUNCHDARKLY_API_KEY=" + key)
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "stdio-test", Version: "1"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err)
	defer cs.Close()

	init := cs.InitializeResult()
	require.NotNil(t, init)
	assert.Equal(t, "ld-usage-mcp", init.ServerInfo.Name)
	assert.Contains(t, init.Instructions, "unique count")

	list, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list.Tools, len(client.Endpoints)+1, "one tool per endpoint and the overview")
	for _, tool := range list.Tools {
		a := tool.Annotations
		require.NotNil(t, a, tool.Name)
		assert.True(t, a.ReadOnlyHint, tool.Name)
		require.NotNil(t, a.DestructiveHint, tool.Name)
		assert.False(t, *a.DestructiveHint, tool.Name)
		assert.True(t, a.IdempotentHint, tool.Name)
		require.NotNil(t, a.OpenWorldHint, tool.Name)
		assert.True(t, *a.OpenWorldHint, tool.Name)
		assert.NotEmpty(t, tool.Title, tool.Name)
		assert.NotEmpty(t, a.Title, tool.Name)
		schema, err := json.Marshal(tool.InputSchema)
		require.NoError(t, err)
		assert.Contains(t, string(schema), `"additionalProperties":false`, tool.Name)
		assert.NotNil(t, tool.OutputSchema, tool.Name)
	}

	for _, ep := range client.Endpoints {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: ep.Tool, Arguments: validArgs(ep)})
		require.NoError(t, err, ep.Tool)
		require.False(t, res.IsError, "%s: %v", ep.Tool, res.Content)
		require.NotEmpty(t, res.Content, ep.Tool)
		txt, ok := res.Content[0].(*sdk.TextContent)
		require.True(t, ok, ep.Tool)
		assert.NotEmpty(t, txt.Text)
		b, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		var sc struct {
			Summary map[string]any `json:"summary"`
			Raw     any            `json:"raw"`
		}
		require.NoError(t, json.Unmarshal(b, &sc), ep.Tool)
		require.NotNil(t, sc.Raw, ep.Tool)
		usagecheck.Check(t, sc.Raw, sc.Summary)
	}
}

// runCLI runs the built binary with args and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

func TestCommandLine(t *testing.T) {
	env := cleanEnv()

	out, _, code := runCLI(t, env, "tools")
	assert.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Len(t, lines, len(client.Endpoints)+1, "one line per tool")
	for i, ep := range client.Endpoints {
		assert.True(t, strings.HasPrefix(lines[i], ep.Tool+" "), lines[i])
	}
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "get_usage_overview "), "the overview comes last")

	out, _, code = runCLI(t, env, "--toolsets", "mau", "tools")
	assert.Equal(t, 0, code)
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 4)

	// The README's first command: a real answer from the demo data.
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	first := regexp.MustCompile(`(?m)^go run \. (--demo call .*)$`).FindSubmatch(readme)
	require.NotNil(t, first, "README has a go run . --demo call command")
	out, stderr, code := runCLI(t, env, strings.Fields(string(first[1]))...)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "DEMO DATA")
	assert.Contains(t, out, "sdkName=")
	assert.Contains(t, out, "Answer: ")
	assert.Empty(t, stderr, "a one-shot command prints no log chatter")

	// A repeated name makes an array; --json prints the whole result.
	out, stderr, code = runCLI(t, env, "--demo", "call", "get_mau_usage", "groupby=sdk", "groupby=sdktype", "--json")
	assert.Equal(t, 0, code, stderr)
	var res struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent struct {
			Summary struct {
				Series []struct {
					Label string `json:"label"`
				} `json:"series"`
			} `json:"summary"`
			Raw map[string]any `json:"raw"`
		} `json:"structuredContent"`
		IsError *bool `json:"isError"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.NotNil(t, res.IsError)
	assert.False(t, *res.IsError)
	require.NotEmpty(t, res.Content)
	assert.Equal(t, "text", res.Content[0].Type)
	require.NotEmpty(t, res.StructuredContent.Summary.Series)
	assert.Contains(t, res.StructuredContent.Summary.Series[0].Label, "sdk=")
	assert.Contains(t, res.StructuredContent.Summary.Series[0].Label, "sdktype=")
	assert.NotNil(t, res.StructuredContent.Raw["series"])

	// A tool error exits 1; bad usage exits 2.
	out, _, code = runCLI(t, env, "--demo", "call", "get_stream_usage", "source=edge")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "client, server")
	out, _, code = runCLI(t, env, "call", "get_mau_usage")
	assert.Equal(t, 1, code, "no key is a tool error")
	assert.Contains(t, out, "LAUNCHDARKLY_API_KEY")
	for _, args := range [][]string{
		{"call"},
		{"call", "get_nothing"},
		{"--demo", "call", "get_mau_usage", "groupby"},
		{"--no-such-flag"},
		{"--transport", "carrier-pigeon"},
		{"--toolsets", "mau", "call", "get_stream_usage", "source=server"},
		{"--toolsets", "nope", "tools"},
		{"frobnicate"},
	} {
		_, stderr, code := runCLI(t, env, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stderr, "%v says why", args)
	}
	_, stderr, _ = runCLI(t, env, "--toolsets", "mau", "call", "get_stream_usage", "source=server")
	assert.Contains(t, stderr, `toolset "streams"`)

	out, _, code = runCLI(t, env, "--version")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "ld-usage-mcp ")
	_, stderr, code = runCLI(t, env, "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "--demo call get_total_mau_usage")
}

// TestKeyFlagAndEnvironment: --api-key wins over the environment, and an empty
// flag does not hide it.
func TestKeyFlagAndEnvironment(t *testing.T) {
	const good, other = "api-good-key", "api-other-key"
	emu := emulator.New(emulator.Options{Keys: []string{good}})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	call := []string{"call", "get_stream_usage", "source=server"}

	_, _, code := runCLI(t, cleanEnv("LAUNCHDARKLY_API_KEY="+good, "LAUNCHDARKLY_SERVER_URL="+srv.URL), call...)
	assert.Equal(t, 0, code, "key and URL from the environment")
	_, _, code = runCLI(t, cleanEnv("LAUNCHDARKLY_API_KEY="+good), append([]string{"--api-key", "", "--server-url", srv.URL}, call...)...)
	assert.Equal(t, 0, code, "an empty --api-key does not hide the environment")
	out, _, code := runCLI(t, cleanEnv("LAUNCHDARKLY_API_KEY="+good), append([]string{"--api-key", other, "--server-url", srv.URL}, call...)...)
	assert.Equal(t, 1, code, "the flag wins: the other key is refused")
	assert.Contains(t, out, "401")
	assert.NotContains(t, out, other)
	ua := "ld-usage-mcp/" + binaryVersion(t)
	for _, r := range emu.Requests() {
		assert.Contains(t, []string{good, other}, r.Header.Get("Authorization"))
		assert.Equal(t, ua, r.Header.Get("User-Agent"))
	}
}

// TestCallTimeoutFlag: --call-timeout reaches the tools: a LaunchDarkly that
// never answers gets a tool error after that budget, not after the default 30 s.
func TestCallTimeoutFlag(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	start := time.Now()
	out, _, code := runCLI(t, cleanEnv("LAUNCHDARKLY_API_KEY=api-timeout-test"), "--server-url", slow.URL, "--call-timeout", "700ms",
		"call", "get_stream_usage", "source=server")
	elapsed := time.Since(start)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "within 700ms", "the error names the budget it was given")
	assert.Less(t, elapsed, 10*time.Second, "the call gave up after its own budget, not the 30 s default")
}

// TestOverviewCommandLine is issue 13's done-when from the outside: the demo
// answers get_usage_overview in one call with every measure and last month
// beside it; with --entitlements (or its environment variable) each
// measure's share and the month's estimate; a bad entitlement is bad usage.
func TestOverviewCommandLine(t *testing.T) {
	env := cleanEnv()
	out, stderr, code := runCLI(t, env, "--demo", "call", "get_usage_overview")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "DEMO DATA")
	assert.Equal(t, 1, strings.Count(out, "\nAnswer: "), out)
	for _, title := range []string{"Client-side MAU", "Primary-context MAU", "Service connections", "Experimentation keys", "Data export events", "AI Config runs"} {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, title+": ") {
				line = l
			}
		}
		require.NotEmpty(t, line, "a line for %s in\n%s", title, out)
		prev := time.Now().UTC().AddDate(0, 0, -time.Now().UTC().Day()).Format("Jan") // last month, short
		assert.Contains(t, line, "; "+prev+" ", "last month beside %s", title)
	}
	assert.NotContains(t, out, "% of ", "no entitlement, no share")

	const ents = "client-mau=100000,service-connections=40,experimentation-keys=2000000"
	check := func(out string) {
		t.Helper()
		assert.Regexp(t, `\nClient-side MAU: .*% of 100,000`, out)
		assert.Regexp(t, `\nService connections: .*% of 40\b`, out)
		assert.Regexp(t, `\nExperimentation keys: .*% of 2,000,000`, out)
		if time.Now().UTC().Day() > 1 {
			assert.Regexp(t, `\nClient-side MAU: .*, est\. [0-9,]+`, out, "the running month's estimate")
			assert.Contains(t, out, "Estimates of the month's end")
		}
	}
	out, stderr, code = runCLI(t, env, "--demo", "--entitlements", ents, "call", "get_usage_overview")
	require.Equal(t, 0, code, stderr)
	check(out)
	out, stderr, code = runCLI(t, cleanEnv("LD_USAGE_MCP_ENTITLEMENTS="+ents), "--demo", "call", "get_usage_overview", "--json")
	require.Equal(t, 0, code, stderr)
	var res struct {
		Content           []struct{ Text string }
		StructuredContent struct {
			Summary struct {
				Kind     string
				Measures []struct {
					Name        string
					Entitlement *float64
					Share       *float64
				}
			}
			Raw map[string]any
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	check(res.Content[0].Text)
	assert.Equal(t, "overview", res.StructuredContent.Summary.Kind)
	assert.Contains(t, res.StructuredContent.Raw, "get_clientside_mau_usage")
	shares := 0
	for _, m := range res.StructuredContent.Summary.Measures {
		if m.Share != nil {
			shares++
		}
	}
	assert.Equal(t, 3, shares)

	for _, bad := range []string{"client-mau=lots", "seats=10", "client-mau"} {
		_, stderr, code := runCLI(t, env, "--demo", "--entitlements", bad, "tools")
		assert.Equal(t, 2, code, bad)
		assert.Contains(t, stderr, "--entitlements", bad)
		_, stderr, code = runCLI(t, cleanEnv("LD_USAGE_MCP_ENTITLEMENTS="+bad), "--demo", "tools")
		assert.Equal(t, 2, code, "%s from the environment", bad)
		assert.Contains(t, stderr, "--entitlements")
	}
	_, stderr, _ = runCLI(t, env, "--entitlements", "seats=1", "tools")
	assert.Contains(t, stderr, "client-mau, mau, service-connections", "the names are listed")

	// The toolset selects the overview alone; it is listed and refused when not selected.
	out, _, code = runCLI(t, env, "--toolsets", "overview", "tools")
	assert.Equal(t, 0, code)
	assert.Equal(t, "get_usage_overview", strings.Fields(out)[0])
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 1)
	out, _, code = runCLI(t, env, "--demo", "--tools", "get_usage_overview", "call", "get_usage_overview", "month="+time.Now().UTC().AddDate(0, -1, 0).Format("2006-01"))
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "the whole month")
	_, stderr, code = runCLI(t, env, "--toolsets", "mau", "call", "get_usage_overview")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `toolset "overview"`)
}
