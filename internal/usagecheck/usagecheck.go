// Package usagecheck recomputes, independently of the server's code, the
// figures a tool's summary must report, so that tests at every level (tools,
// the built binary) check summaries against the raw body in one way.
package usagecheck

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Series is a time series read from a raw SeriesListRep or SeriesIntervalsRep body.
type Series struct {
	Label  string
	Times  []int64
	Values []float64
}

// SeriesOf reads the series of a raw body decoded with encoding/json into any.
// The label follows CONTRACT.md: metadata as sorted key=value pairs, else the series key.
func SeriesOf(raw any) []Series {
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil
	}
	rows, _ := obj["series"].([]any)
	meta, _ := obj["metadata"].([]any)
	byKey := map[string]*Series{}
	var keys []string
	for _, r := range rows {
		row := r.(map[string]any)
		tm := int64(row["time"].(float64))
		for k, v := range row {
			if k == "time" || v == nil {
				continue
			}
			s := byKey[k]
			if s == nil {
				s = &Series{Label: k}
				if i, err := strconv.Atoi(k); err == nil && i < len(meta) {
					if m, ok := meta[i].(map[string]any); ok && len(m) > 0 {
						var parts []string
						for mk, mv := range m {
							parts = append(parts, fmt.Sprintf("%s=%v", mk, mv))
						}
						sort.Strings(parts)
						s.Label = strings.Join(parts, " ")
					}
				}
				byKey[k] = s
				keys = append(keys, k)
			}
			s.Times = append(s.Times, tm)
			s.Values = append(s.Values, v.(float64))
		}
	}
	out := make([]Series, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	return out
}

// Check asserts that summary (structuredContent.summary, decoded generically)
// reports for each series of raw its points, sum, min, max, mean, last and the
// time of the max, or for list bodies their count.
func Check(t testing.TB, raw any, summary map[string]any) {
	t.Helper()
	switch body := raw.(type) {
	case []any: // SdkVersionDetailsRep[]
		assert.EqualValues(t, len(body), summary["count"], "count of SDK version details")
		return
	case map[string]any:
		if sdks, ok := body["sdks"].([]any); ok {
			assert.EqualValues(t, len(sdks), summary["count"], "count of SDKs")
			assert.Equal(t, sdks, summary["sdks"], "the SDK list itself")
			return
		}
		if vs, ok := body["sdkVersions"].([]any); ok {
			assert.EqualValues(t, len(vs), summary["count"], "count of SDK versions")
			return
		}
	}
	want := SeriesOf(raw)
	got, _ := summary["series"].([]any)
	require.Len(t, got, len(want), "one summary entry per series")
	byLabel := map[string]map[string]any{}
	for _, g := range got {
		m := g.(map[string]any)
		byLabel[m["label"].(string)] = m
	}
	for _, s := range want {
		g := byLabel[s.Label]
		require.NotNil(t, g, "series %q summarised", s.Label)
		sum, mx, mn := 0.0, math.Inf(-1), math.Inf(1)
		var maxAt int64
		for i, v := range s.Values {
			sum += v
			if v > mx {
				mx, maxAt = v, s.Times[i]
			}
			mn = math.Min(mn, v)
		}
		tol := 1e-6 * math.Max(1, math.Abs(sum))
		assert.EqualValues(t, len(s.Values), g["points"], s.Label)
		assert.InDelta(t, sum, g["sum"], tol, s.Label)
		assert.InDelta(t, mx, g["max"], 1e-9, s.Label)
		assert.InDelta(t, mn, g["min"], 1e-9, s.Label)
		assert.InDelta(t, sum/float64(len(s.Values)), g["mean"], tol, s.Label)
		assert.InDelta(t, s.Values[len(s.Values)-1], g["last"], 1e-9, s.Label)
		assert.Equal(t, time.UnixMilli(maxAt).UTC().Format(time.RFC3339), g["time"], s.Label)
	}
}
