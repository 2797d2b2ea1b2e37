package packaging

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const manifestFile = "mcpb/manifest.json"

// manifest is the Claude Desktop bundle's manifest.json (MCPB manifest 0.3),
// the fields it uses, in the file's order: the file is exactly what this
// struct marshals to, so UPDATE_MANIFEST=1 can rewrite its tool list.
type manifest struct {
	ManifestVersion string `json:"manifest_version"`
	Name            string `json:"name"`
	DisplayName     string `json:"display_name"`
	Version         string `json:"version"`
	Description     string `json:"description"`
	LongDescription string `json:"long_description"`
	Author          struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"author"`
	Repository struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"repository"`
	Homepage      string `json:"homepage"`
	Documentation string `json:"documentation"`
	Support       string `json:"support"`
	Server        struct {
		Type       string `json:"type"`
		EntryPoint string `json:"entry_point"`
		MCPConfig  struct {
			Command           string            `json:"command"`
			Args              []string          `json:"args"`
			Env               map[string]string `json:"env"`
			PlatformOverrides map[string]struct {
				Command string `json:"command"`
			} `json:"platform_overrides"`
		} `json:"mcp_config"`
	} `json:"server"`
	Tools         []manifestTool `json:"tools"`
	Keywords      []string       `json:"keywords"`
	License       string         `json:"license"`
	Compatibility struct {
		Platforms []string `json:"platforms"`
	} `json:"compatibility"`
	UserConfig map[string]userConfig `json:"user_config"`
}

type manifestTool struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type userConfig struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	Default     any    `json:"default"`
	Sensitive   bool   `json:"sensitive,omitempty"`
}

func encodeManifest(m *manifest) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func readManifest(t *testing.T) *manifest {
	t.Helper()
	b, err := os.ReadFile(manifestFile)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m manifest
	require.NoError(t, dec.Decode(&m), "%s: a field this test does not know; add it to the manifest type", manifestFile)
	require.Equal(t, string(b), string(encodeManifest(&m)), "%s is in canonical form (2-space indent, the struct's field order)", manifestFile)
	return &m
}

// TestManifestToolsMatchServer keeps the bundle's tool list (shown by Claude
// Desktop before it starts anything) equal to what the server lists, names,
// descriptions and order. UPDATE_MANIFEST=1 rewrites it from the server.
func TestManifestToolsMatchServer(t *testing.T) {
	m := readManifest(t)
	var want []manifestTool
	for _, st := range serverTools(t) {
		want = append(want, manifestTool{st.Name, st.Description})
	}
	if os.Getenv("UPDATE_MANIFEST") != "" {
		m.Tools = want
		require.NoError(t, os.WriteFile(manifestFile, encodeManifest(m), 0o644))
	}
	assert.Equal(t, want, m.Tools, "the bundle lists the server's tools; UPDATE_MANIFEST=1 go test ./packaging rewrites them")
}

func TestManifestConfig(t *testing.T) {
	m := readManifest(t)
	s := readServerJSON(t)
	assert.Equal(t, "0.3", m.ManifestVersion)
	assert.Equal(t, "binary", m.Server.Type)
	assert.Equal(t, s.Version, m.Version, "the bundle and server.json name the same release (scripts/pack-mcpb stamps both)")
	assert.Equal(t, s.Repository.URL, m.Repository.URL)

	key := m.UserConfig["api_key"]
	assert.True(t, key.Sensitive, "the API key is a sensitive user_config: stored in the OS keychain, never shown")
	assert.Equal(t, "string", key.Type)
	assert.Equal(t, "${user_config.api_key}", m.Server.MCPConfig.Env["LAUNCHDARKLY_API_KEY"])
	demo := m.UserConfig["demo"]
	assert.Equal(t, "boolean", demo.Type)
	assert.Equal(t, false, demo.Default, "demo mode is off unless the user turns it on")
	assert.Contains(t, m.Server.MCPConfig.Args, "--demo=${user_config.demo}")

	// Claude Desktop leaves ${user_config.x} as it is when x has no value, and
	// an unset key would then reach LaunchDarkly as that literal text: every
	// user_config the command line uses has a default or is required.
	refs := regexp.MustCompile(`\$\{user_config\.([a-z_]+)\}`)
	used := append(append([]string{}, m.Server.MCPConfig.Args...), m.Server.MCPConfig.Command)
	for _, v := range m.Server.MCPConfig.Env {
		used = append(used, v)
	}
	for _, u := range used {
		for _, r := range refs.FindAllStringSubmatch(u, -1) {
			uc, ok := m.UserConfig[r[1]]
			if assert.True(t, ok, "%s names an unknown user_config %q", u, r[1]) {
				assert.True(t, uc.Required || uc.Default != nil, "user_config %q has a default", r[1])
			}
		}
	}

	// One binary per platform, where scripts/pack-mcpb puts it.
	assert.Equal(t, "${__dirname}/"+m.Server.EntryPoint, m.Server.MCPConfig.Command)
	assert.Equal(t, "${__dirname}/server/darwin/ld-usage-mcp", m.Server.MCPConfig.Command)
	assert.Equal(t, "${__dirname}/server/win32/ld-usage-mcp.exe", m.Server.MCPConfig.PlatformOverrides["win32"].Command)
	assert.Equal(t, "${__dirname}/server/linux/ld-usage-mcp", m.Server.MCPConfig.PlatformOverrides["linux"].Command)
	assert.ElementsMatch(t, []string{"darwin", "win32", "linux"}, m.Compatibility.Platforms)
}

// expand substitutes ${user_config.x} as Claude Desktop does: the user's
// value, else the default; booleans as true/false.
func expand(m *manifest, s string, user map[string]any) string {
	return regexp.MustCompile(`\$\{user_config\.([a-z_]+)\}`).ReplaceAllStringFunc(s, func(ref string) string {
		k := ref[len("${user_config.") : len(ref)-1]
		v, ok := user[k]
		if !ok {
			v = m.UserConfig[k].Default
		}
		if v == nil {
			return ref
		}
		b, _ := json.Marshal(v)
		return strings.Trim(string(b), `"`)
	})
}

// TestManifestCommandLineRuns starts the binary the way the bundle's
// mcp_config does, with the user's settings substituted: demo on answers a
// call with demo data; the defaults (no key) start and list the tools.
func TestManifestCommandLineRuns(t *testing.T) {
	m := readManifest(t)
	run := func(user map[string]any, extra ...string) (string, string, int) {
		var args []string
		for _, a := range m.Server.MCPConfig.Args {
			args = append(args, expand(m, a, user))
		}
		env := map[string]string{}
		for k, v := range m.Server.MCPConfig.Env {
			env[k] = expand(m, v, user)
		}
		return runServer(t, env, append(args, extra...)...)
	}

	out, stderr, code := run(map[string]any{"demo": true}, "call", "get_mau_usage", "groupby=sdk", "from=-30d")
	require.Equal(t, 0, code, stderr)
	assert.True(t, isDemoAnswer(out), "demo on: a demo answer:\n%s", out)

	out, stderr, code = run(nil, "tools")
	require.Equal(t, 0, code, stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), len(m.Tools))

	out, _, code = run(nil, "call", "get_mau_usage", "groupby=sdk")
	assert.Equal(t, 1, code, "defaults (demo off, no key): a tool error")
	assert.Contains(t, out, "LAUNCHDARKLY_API_KEY", "…that says how to set the key")
	assert.NotContains(t, out, "user_config")
}
