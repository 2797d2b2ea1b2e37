package packaging

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientServer is one server entry of an MCP client's configuration.
type clientServer struct {
	Command string            `json:"command"`
	Args    *[]string         `json:"args"`
	Env     map[string]string `json:"env"`
}

// stdioServers reads the stdio server entries of a client configuration
// (Claude Desktop's and Cursor's mcpServers, VS Code's servers).
func stdioServers(t *testing.T, doc []byte) map[string]clientServer {
	t.Helper()
	var cfg struct {
		MCPServers map[string]json.RawMessage `json:"mcpServers"`
		Servers    map[string]json.RawMessage `json:"servers"`
	}
	require.NoError(t, json.Unmarshal(doc, &cfg), "%s", doc)
	out := map[string]clientServer{}
	for _, m := range []map[string]json.RawMessage{cfg.MCPServers, cfg.Servers} {
		for name, raw := range m {
			var s clientServer
			require.NoError(t, json.Unmarshal(raw, &s))
			if s.Command != "" {
				out[name] = s
			}
		}
	}
	return out
}

// checkConfigRuns starts the binary as the client would with each entry's
// args (the path replaced by the built binary, no real token): it must accept
// them and list the tools, and an entry with --demo must answer a call.
func checkConfigRuns(t *testing.T, where string, servers map[string]clientServer) {
	t.Helper()
	for name, s := range servers {
		assert.Equal(t, "/path/to/ld-usage-mcp", s.Command, "%s %s: the placeholder path the text tells to replace", where, name)
		if !assert.NotNil(t, s.Args, "%s %s: args shown, so that adding --demo is obvious", where, name) {
			continue
		}
		args := *s.Args
		_, stderr, code := runServer(t, nil, append(slices.Clone(args), "tools")...)
		assert.Equal(t, 0, code, "%s %s: args %v: %s", where, name, args, stderr)
		if slices.Contains(args, "--demo") {
			out, stderr, code := runServer(t, nil, append(slices.Clone(args), "call", "get_mau_usage", "groupby=sdk")...)
			assert.Equal(t, 0, code, stderr)
			assert.True(t, isDemoAnswer(out), "%s %s: a demo answer:\n%s", where, name, out)
		}
	}
}

// TestREADMEClientConfigs: the client configurations in the README are JSON
// that parses as pasted, show args, and start the server; one shows --demo.
func TestREADMEClientConfigs(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1)
	require.NotEmpty(t, blocks)
	stdio, demo := 0, 0
	for _, blk := range blocks {
		require.True(t, json.Valid(blk[1]), "a README json block does not parse:\n%s", blk[1])
		servers := stdioServers(t, blk[1])
		for _, s := range servers {
			stdio++
			if s.Args != nil && slices.Contains(*s.Args, "--demo") {
				demo++
			}
		}
		checkConfigRuns(t, "README", servers)
	}
	assert.GreaterOrEqual(t, stdio, 3, "Claude Desktop, Cursor and VS Code")
	assert.GreaterOrEqual(t, demo, 1, "one example with --demo")
}

// TestSampleClientConfig: the claude_desktop_config.json the release
// archives carry.
func TestSampleClientConfig(t *testing.T) {
	b, err := os.ReadFile("claude_desktop_config.json")
	require.NoError(t, err)
	servers := stdioServers(t, b)
	require.Len(t, servers, 2)
	assert.Equal(t, []string{"--demo"}, *servers["ld-usage-demo"].Args)
	assert.Contains(t, servers["ld-usage"].Env, "LAUNCHDARKLY_API_KEY")
	checkConfigRuns(t, "claude_desktop_config.json", servers)
}
