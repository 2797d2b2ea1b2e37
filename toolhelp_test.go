package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/schemas"
)

// TestToolHelp: `tools NAME` and `call NAME --help` print every argument of
// the tool's input schema with its type, allowed values, default and
// description, and mark the required ones.
func TestToolHelp(t *testing.T) {
	env := cleanEnv()
	for _, args := range [][]string{
		{"tools", "get_evaluations_usage"},
		{"call", "get_evaluations_usage", "--help"},
		{"tools", "get_total_mau_usage"},
		{"--demo", "call", "get_total_mau_usage", "-h", "groupBy=sdkName"},
		{"tools", "get_service_connection_usage"},
	} {
		out, stderr, code := runCLI(t, env, args...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		tool := args[len(args)-1]
		for _, a := range args {
			if strings.HasPrefix(a, "get_") {
				tool = a
			}
		}
		raw, err := schemas.Input(tool)
		require.NoError(t, err)
		var sch struct {
			Properties map[string]struct {
				Type        any    `json:"type"`
				Description string `json:"description"`
				Enum        []string
				Items       *struct{ Enum []string }
			}
			Required []string
		}
		require.NoError(t, json.Unmarshal(raw, &sch))
		require.NotEmpty(t, sch.Properties)
		for name, p := range sch.Properties {
			line := regexp.MustCompile(`(?m)^  ` + name + ` +(.*)$`).FindStringSubmatch(out)
			if !assert.NotNil(t, line, "%v: no line for %s:\n%s", args, name, out) {
				continue
			}
			assert.Contains(t, line[1], p.Description, "%v: %s", args, name)
			if strings.Contains(string(raw), `"required":[`) && slicesContains(sch.Required, name) {
				assert.Contains(t, line[1], "required", "%v: %s", args, name)
			}
			enum := p.Enum
			if p.Items != nil {
				enum = p.Items.Enum
				assert.Contains(t, line[1], "list of", "%v: %s is a list", args, name)
			}
			if len(enum) > 0 {
				assert.Contains(t, out, "  "+name+": "+strings.Join(enum, " | "), "%v: %s's values", args, name)
			}
		}
		if ep := client.Lookup(tool); ep.TakesAggregation() {
			assert.Regexp(t, `(?m)^  aggregationType .*default`, out, "%v: the default aggregation", args)
		}
	}
	out, _, _ := runCLI(t, env, "tools", "get_service_connection_usage")
	assert.Regexp(t, `(?m)^  granularity .*\(default daily\)`, out)
	assert.Regexp(t, `(?m)^  aggregationType .*\(default month_to_date\)`, out)

	_, stderr, code := runCLI(t, env, "tools", "get_no_such_usage")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "unknown tool")

	// --help's first example leads with a current tool, not a deprecated one.
	_, stderr, code = runCLI(t, env, "--help")
	require.Equal(t, 0, code)
	_, examples, ok := strings.Cut(stderr, "Examples:\n")
	require.True(t, ok, stderr)
	first, _, _ := strings.Cut(examples, "\n")
	tool := regexp.MustCompile(`call (\S+)`).FindStringSubmatch(first)
	require.NotNil(t, tool, first)
	ep := client.Lookup(tool[1])
	require.NotNil(t, ep, first)
	assert.Empty(t, ep.Prefer, "the first example uses %s, which is deprecated for %s", ep.Tool, ep.Prefer)
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
