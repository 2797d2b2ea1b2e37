package schemas

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// TestInputSchemasUpToDate fails when a parameter struct changed but the
// generated schema under input/ was not regenerated. UPDATE_SCHEMAS=1 rewrites them.
func TestInputSchemasUpToDate(t *testing.T) {
	update := os.Getenv("UPDATE_SCHEMAS") != ""
	for _, ep := range client.Endpoints {
		want, err := Reflect(ep)
		require.NoError(t, err, ep.Tool)
		path := filepath.Join("input", ep.Tool+".json")
		if update {
			require.NoError(t, os.WriteFile(path, append(want, '\n'), 0o644))
			continue
		}
		got, err := Input(ep.Tool)
		require.NoError(t, err, "missing %s: run UPDATE_SCHEMAS=1 go test ./schemas", path)
		assert.Equal(t, string(want), string(bytes.TrimSpace(got)), "%s is stale: run UPDATE_SCHEMAS=1 go test ./schemas", path)
	}
}

func TestInputSchemasShape(t *testing.T) {
	for _, ep := range client.Endpoints {
		raw, err := Input(ep.Tool)
		require.NoError(t, err)
		var s struct {
			Type                 string                    `json:"type"`
			AdditionalProperties *bool                     `json:"additionalProperties"`
			Properties           map[string]map[string]any `json:"properties"`
			Required             []string                  `json:"required"`
		}
		require.NoError(t, json.Unmarshal(raw, &s), ep.Tool)
		assert.Equal(t, "object", s.Type, ep.Tool)
		require.NotNil(t, s.AdditionalProperties, ep.Tool)
		assert.False(t, *s.AdditionalProperties, ep.Tool)
		assert.NotNil(t, s.Properties, ep.Tool)
		var path []string
		for _, p := range ep.Spec() {
			prop, ok := s.Properties[p.Name]
			if !assert.True(t, ok, "%s: %s missing from schema", ep.Tool, p.Name) {
				continue
			}
			assert.NotEmpty(t, prop["description"], "%s.%s has no description", ep.Tool, p.Name)
			if p.Path {
				path = append(path, p.Name)
			}
			if p.Repeated {
				assert.Equal(t, "array", prop["type"], "%s.%s repeats", ep.Tool, p.Name)
			}
			if len(p.Enum) > 0 {
				enumHolder := prop
				if p.Repeated {
					enumHolder = prop["items"].(map[string]any)
				}
				assert.Len(t, enumHolder["enum"], len(p.Enum), "%s.%s enum", ep.Tool, p.Name)
			}
		}
		assert.Len(t, s.Properties, len(ep.Spec()), ep.Tool)
		assert.ElementsMatch(t, path, s.Required, "%s: exactly the path parameters are required", ep.Tool)
	}
}

func TestOutputSchemasDescribeSummaryAndRaw(t *testing.T) {
	for _, ep := range client.Endpoints {
		var v struct {
			Type       string                     `json:"type"`
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(Output(ep), &v), ep.Tool)
		assert.Equal(t, "object", v.Type)
		assert.ElementsMatch(t, []string{"summary", "raw"}, v.Required, ep.Tool)
		for _, name := range []string{"summary", "raw"} {
			var prop map[string]any
			require.NoError(t, json.Unmarshal(v.Properties[name], &prop), ep.Tool)
			assert.NotEmpty(t, prop["type"], "%s: %s has a type", ep.Tool, name)
		}
		if ep.Kind.IsSeries() {
			s := string(Output(ep))
			for _, field := range []string{`"label"`, `"points"`, `"sum"`, `"min"`, `"max"`, `"mean"`, `"last"`, `"time"`, `"figure"`, `"headline"`, `"metadata"`, `"description"`} {
				if ep.Kind == client.SeriesIntervals && field == `"metadata"` {
					continue
				}
				assert.Contains(t, s, field, "%s: the output schema describes %s", ep.Tool, field)
			}
		}
	}
}

func TestNoStrayInputSchemas(t *testing.T) {
	entries, err := inputs.ReadDir("input")
	require.NoError(t, err)
	assert.Len(t, entries, len(client.Endpoints), "one input schema per endpoint, no strays")
	for _, e := range entries {
		name := e.Name()[:len(e.Name())-len(".json")]
		assert.NotNil(t, client.Lookup(name), "stray schema %s", e.Name())
	}
}
