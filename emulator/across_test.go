package emulator

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeriesPartitionAsTheMeaningTableSays: where client.Endpoint.Across says
// series split by a dimension add up, the emulator draws them so: per
// bucket, the series of the split add up to the answer without it (at
// minutely buckets for streaming connections, whose buckets are peaks).
func TestSeriesPartitionAsTheMeaningTableSays(t *testing.T) {
	e := New(Options{Now: fixedClock(testNow)})
	base, c := modes[1].start(t, e)
	from90m := ms(testNow.Add(-90 * time.Minute))
	cases := []struct {
		op, agg        string
		split          []string
		whole, grouped string
	}{
		{"getExperimentationKeysUsage", "month_to_date", []string{"experimentId"},
			"/api/v2/usage/experimentation-keys", "/api/v2/usage/experimentation-keys?groupBy=experimentId"},
		{"getExperimentationKeysUsage", "month_to_date", []string{"projectId"},
			"/api/v2/usage/experimentation-keys", "/api/v2/usage/experimentation-keys?groupBy=projectId"},
		{"getDataExportEventsUsage", "month_to_date", []string{"eventKind"},
			"/api/v2/usage/data-export-events", "/api/v2/usage/data-export-events?groupBy=eventKind"},
		{"getStreamUsageBySdkVersion", "", []string{"sdk", "version"},
			"/api/v2/usage/streams/server?from=" + from90m, "/api/v2/usage/streams/server/bysdkversion?from=" + from90m},
	}
	for _, tc := range cases {
		ep := endpoint(t, tc.op)
		adds, _ := ep.Across(tc.agg, tc.split)
		require.True(t, adds, "%s by %v: the meaning table says they add up", tc.op, tc.split)
		whole := getOK(t, c, base, tc.whole)
		grouped := getOK(t, c, base, tc.grouped)
		require.Len(t, whole.Series, 1, tc.whole)
		require.Greater(t, len(grouped.Series), 1, tc.grouped)
		total := map[int64]float64{}
		for _, s := range grouped.Series {
			for i, tm := range s.Times {
				total[tm] += s.Values[i]
			}
		}
		w := whole.Series[0]
		require.NotEmpty(t, w.Times)
		for i, tm := range w.Times {
			assert.InDelta(t, w.Values[i], total[tm], 1e-6*math.Max(1, w.Values[i]), "%s at %d", tc.grouped, tm)
		}
	}
}
