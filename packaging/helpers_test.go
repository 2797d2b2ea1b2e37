package packaging

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mcptest.Cleanup()
	os.Exit(code)
}

// server builds ld-usage-mcp once per test run and returns its path.
func server(t *testing.T) string { return mcptest.Binary(t) }

// runServer runs the binary with args and extra environment variables (the
// test's own LAUNCHDARKLY_* and LD_USAGE_MCP_* variables removed) and returns
// its stdout, stderr and exit code.
func runServer(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, server(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LAUNCHDARKLY_") && !strings.HasPrefix(kv, "LD_USAGE_MCP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
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

// serverTool is one line of `ld-usage-mcp tools`.
type serverTool struct{ Name, Description string }

// serverTools lists the tools as the built binary does.
func serverTools(t *testing.T) []serverTool {
	t.Helper()
	out, stderr, code := runServer(t, nil, "tools")
	require.Equal(t, 0, code, stderr)
	var tools []serverTool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, desc, _ := strings.Cut(line, " ")
		tools = append(tools, serverTool{name, strings.TrimSpace(desc)})
	}
	require.NotEmpty(t, tools)
	return tools
}

// isDemoAnswer reports whether a call's text is a demo answer with series.
func isDemoAnswer(out string) bool {
	return strings.Contains(out, "\nDEMO DATA") && strings.Contains(out, "\nsdk=")
}
