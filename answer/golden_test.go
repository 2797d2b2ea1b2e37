package answer

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

var updateGolden = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") != "", "rewrite testdata/golden from the current texts")

// TestGoldenTexts renders the answer to every endpoint's recorded response
// (testdata/responses) and compares it with its golden text
// (answer/testdata/golden/<tool>.txt), so that any change to a figure or its
// words shows in review. The range asked is the data's own, whole UTC days,
// and the call is made a day after it. UPDATE_GOLDEN=1 go test ./answer
// rewrites them.
func TestGoldenTexts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "responses", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		tool := strings.TrimSuffix(filepath.Base(f), ".json")
		ep := client.Lookup(tool)
		if ep == nil {
			continue
		}
		t.Run(tool, func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			resp, err := client.Decode(body)
			require.NoError(t, err)
			in := SummaryInput{Endpoint: ep, Response: resp, Asked: tool}
			if lo, hi, ok := dataRange(resp); ok {
				in.From = lo.Truncate(24 * time.Hour)
				in.To = hi.Truncate(24 * time.Hour).Add(24 * time.Hour)
				in.Now = in.To.Add(24 * time.Hour)
			}
			if m := ep.Aggs; len(m) > 0 {
				in.Aggregation, in.AggDefault = m[0].Name, true
			}
			got := Summarize(in).Text()
			path := filepath.Join("testdata", "golden", tool+".txt")
			if *updateGolden {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "no golden text: run UPDATE_GOLDEN=1 go test ./answer")
			assert.Equal(t, string(want), got, "%s: the text changed; review, then UPDATE_GOLDEN=1 go test ./answer", tool)
		})
	}
}

// dataRange is the first and last time of a series response.
func dataRange(resp *client.Response) (lo, hi time.Time, ok bool) {
	for _, s := range resp.Series {
		for _, ms := range s.Times {
			t := time.UnixMilli(ms).UTC()
			if !ok || t.Before(lo) {
				lo = t
			}
			if !ok || t.After(hi) {
				hi = t
			}
			ok = true
		}
	}
	return lo, hi, ok
}
