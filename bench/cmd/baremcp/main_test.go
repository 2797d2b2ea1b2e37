package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// definitions stands for ld-usage-mcp's tools/list result.
const definitions = `{"tools":[
 {"name":"get_a","title":"A","description":"The first.","inputSchema":{"type":"object","properties":{"from":{"type":"string","description":"start"}},"additionalProperties":false},
  "outputSchema":{"type":"object","properties":{"summary":{"type":"object"},"raw":{}}},
  "annotations":{"title":"A","readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true}},
 {"name":"get_b","title":"B","description":"The second.","inputSchema":{"type":"object","required":["k"],"properties":{"k":{"type":"string","enum":["x","y"]}}},
  "annotations":{"title":"B","readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true}}
]}`

func build(t *testing.T, defs string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "baremcp")
	args := []string{"build", "-o", bin}
	if defs != "" {
		wd, err := os.Getwd()
		require.NoError(t, err)
		defsFile, overlay := filepath.Join(dir, "tools.json"), filepath.Join(dir, "overlay.json")
		require.NoError(t, os.WriteFile(defsFile, []byte(defs), 0o644))
		o, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(wd, "tools.json"): defsFile}})
		require.NoError(t, os.WriteFile(overlay, o, 0o644))
		args = append(args, "-overlay", overlay)
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// TestServesTheSameDefinitions: built as bench/run builds it, the bare server
// lists exactly the definitions it was given.
func TestServesTheSameDefinitions(t *testing.T) {
	cmd := exec.Command(build(t, definitions))
	cmd.Stdin = strings.NewReader(strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_b","arguments":{"k":"x"}}}`,
	}, "\n") + "\n")
	out, err := cmd.Output()
	require.NoError(t, err)
	answers := map[float64]json.RawMessage{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID     float64         `json:"id"`
			Result json.RawMessage `json:"result"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		answers[r.ID] = r.Result
	}
	var want, got struct {
		Tools []map[string]any `json:"tools"`
	}
	require.NoError(t, json.Unmarshal([]byte(definitions), &want))
	require.NoError(t, json.Unmarshal(answers[2], &got), "tools/list: %s", out)
	assert.Equal(t, want.Tools, got.Tools)
	assert.Contains(t, string(answers[3]), `"text":"bare"`)
}

func TestRefusesToStartWithoutDefinitions(t *testing.T) {
	err := exec.Command(build(t, "")).Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode())
}
