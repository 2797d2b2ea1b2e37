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
	later := midday.Add(3 * day)              // the call is made after the last bucket is over
	cases := []struct {
		name    string
		ep      *client.Endpoint
		agg     string
		to, now time.Time
		partial bool
	}{
		{"counts, range ends mid-bucket, now", events, "", midday, midday, true},
		{"counts, range ends mid-bucket, in the past: over, not in progress", events, "", midday, later, false},
		{"counts, range ends on a boundary", events, "", start.Add(7 * day), start.Add(7 * day), false},
		{"unique counts", mau, "", midday, midday, false},
		{"month to date", mau, "month_to_date", midday, midday, false},
		{"incremental unique", mau, "daily_incremental", midday, midday, true},
	}
	for _, c := range cases {
		s := Summarize(SummaryInput{Endpoint: c.ep, Response: daily(7), Aggregation: c.agg, From: start, To: c.to, Now: c.now})
		if c.partial {
			assert.Equal(t, start.Add(6*day).Format(time.RFC3339), s.InProgress, c.name)
			assert.Contains(t, s.Text(), "still in progress", c.name)
		} else {
			assert.Empty(t, s.InProgress, c.name)
			assert.False(t, strings.Contains(s.Text(), "is still in progress"), c.name)
		}
	}
}

// TestCountedBuckets: where whole buckets stick out of the range asked, the
// answer says which buckets its figure is made of (a relative from=-7d on
// daily buckets counts 8 of them, from midnight); where they do not, it says
// nothing more.
func TestCountedBuckets(t *testing.T) {
	day := 24 * time.Hour
	now := time.Date(2026, 12, 6, 22, 19, 0, 0, time.UTC)
	from := now.Add(-7 * day)                              // Nov 29 22:19
	first := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC) // LaunchDarkly's first daily bucket
	s := client.Series{Key: "0"}
	for i := 0; i < 8; i++ {
		s.Times = append(s.Times, first.Add(time.Duration(i)*day).UnixMilli())
		s.Values = append(s.Values, 10)
	}
	resp := &client.Response{Kind: client.SeriesList, Series: []client.Series{s}}
	sum := Summarize(SummaryInput{Endpoint: client.Lookup("get_events_usage"), Response: resp, From: from, To: now, Now: now, Granularity: "daily"})
	if assert.NotNil(t, sum.Counted) {
		assert.Equal(t, 8, sum.Counted.Buckets)
		assert.Equal(t, first.Format(time.RFC3339), sum.Counted.From)
		assert.Equal(t, now.Format(time.RFC3339), sum.Counted.To)
	}
	assert.Contains(t, sum.Text(), "Counted: Nov 29 00:00 – Dec 6 22:19 UTC, 8 daily buckets (whole days; the first starts before the range asked, Nov 29 22:19).")
	assert.Contains(t, sum.Text(), "The last bucket (Dec 6) is still in progress")

	aligned := Summarize(SummaryInput{Endpoint: client.Lookup("get_events_usage"), Response: resp, From: first, To: now, Now: now, Granularity: "daily"})
	assert.Nil(t, aligned.Counted)
	assert.NotContains(t, aligned.Text(), "Counted:")
}
