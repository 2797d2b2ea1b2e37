package answer

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// TestLastBucketInProgress: a per-bucket series whose last bucket reaches past
// the requested end is flagged as partial; a range that ends on a bucket
// boundary, and cumulative or unique series, are not.
func TestLastBucketInProgress(t *testing.T) {
	day := 24 * time.Hour
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	daily := func(n int) *client.Response {
		s := client.Series{Key: "0", Meta: map[string]any{}}
		for i := 0; i < n; i++ {
			s.Times = append(s.Times, start.Add(time.Duration(i)*day).UnixMilli())
			s.Values = append(s.Values, 1000)
		}
		return &client.Response{Kind: client.SeriesList, Series: []client.Series{s}}
	}
	events := client.Lookup("get_events_usage")
	mau := client.Lookup("get_mau_usage")
	midday := start.Add(6*day + 12*time.Hour) // the 7th bucket has begun, half done
	cases := []struct {
		name    string
		ep      *client.Endpoint
		agg     string
		to      time.Time
		partial bool
	}{
		{"counts, range ends mid-bucket", events, "", midday, true},
		{"counts, range ends on a boundary", events, "", start.Add(7 * day), false},
		{"unique counts", mau, "", midday, false},
		{"month to date", mau, "month_to_date", midday, false},
		{"incremental unique", mau, "daily_incremental", midday, true},
	}
	for _, c := range cases {
		s := Summarize(SummaryInput{Endpoint: c.ep, Response: daily(7), Aggregation: c.agg, From: start, To: c.to})
		if c.partial {
			assert.Equal(t, start.Add(6*day).Format(time.RFC3339), s.InProgress, c.name)
			assert.Contains(t, s.Text(), "still in progress", c.name)
		} else {
			assert.Empty(t, s.InProgress, c.name)
			assert.False(t, strings.Contains(s.Text(), "in progress"), c.name)
		}
	}
}
