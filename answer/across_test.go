package answer

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// The figures of series that combine, and of ranges over several months,
// each checked against numbers worked out here by hand.

var (
	acOct1 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	acNov1 = acOct1.AddDate(0, 1, 0)
	acLate = time.Date(2026, 12, 6, 22, 19, 0, 0, time.UTC)
)

func acSummary(t *testing.T, tool, agg string, from, to, now time.Time, series ...client.Series) *Summary {
	t.Helper()
	return Summarize(SummaryInput{Endpoint: smEndpoint(t, tool), Aggregation: agg, From: from, To: to, Now: now, Granularity: "daily",
		Response: &client.Response{Kind: client.SeriesList, Series: series}})
}

// TestTotalAcrossContextKinds: contexts split by kind add up (a user and a
// device are two contexts): the total, named as the sum of the kinds.
func TestTotalAcrossContextKinds(t *testing.T) {
	t0 := acOct1.UnixMilli()
	s := acSummary(t, "get_total_contexts_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", map[string]any{"contextKind": "user"}, t0, smDay, 100, 150, 170),
		smSeries("1", map[string]any{"contextKind": "device"}, t0, smDay, 20, 30, 40),
		smSeries("2", map[string]any{"contextKind": "organization"}, t0, smDay, 1, 2, 3))
	require.NotNil(t, s.Headline)
	assert.Equal(t, 213.0, s.Headline.Value) // 170 + 40 + 3
	assert.Equal(t, "sum of series", s.Headline.Of)
	assert.Equal(t, "context kinds", s.Headline.Parts)
	assert.True(t, *s.AddsAcross)
	assert.Contains(t, s.Text(), "Answer: 213 contexts month to date at Oct 3, 2026")
	assert.Contains(t, s.Text(), "sum of 3 context kinds.")

	// Split by kind and project: the kinds of each project add up, projects
	// overlap: the largest project's total, no total over projects.
	s = acSummary(t, "get_total_contexts_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", map[string]any{"contextKind": "user", "projectId": "a"}, t0, smDay, 100, 150, 170),
		smSeries("1", map[string]any{"contextKind": "device", "projectId": "a"}, t0, smDay, 20, 30, 40),
		smSeries("2", map[string]any{"contextKind": "user", "projectId": "b"}, t0, smDay, 100, 150, 190))
	assert.Equal(t, 210.0, s.Headline.Value) // a: 170 + 40; b: 190
	assert.Equal(t, "largest group", s.Headline.Of)
	assert.Equal(t, "projectId=a", s.Headline.Label)
	assert.False(t, *s.AddsAcross)
	assert.Contains(t, s.Text(), "Answer: 210 contexts month to date at Oct 3, 2026 (October 2026 not complete in the range), for projectId=a (sum of 2 context kinds), the largest of 2 projects (they overlap: no total).")
}

// TestExperimentationKeysByExperiment: a key in two experiments counts
// twice: keys by experiment add up.
func TestExperimentationKeysByExperiment(t *testing.T) {
	t0 := acOct1.UnixMilli()
	s := acSummary(t, "get_experimentation_keys_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", map[string]any{"experimentId": "e1"}, t0, smDay, 10, 60),
		smSeries("1", map[string]any{"experimentId": "e2"}, t0, smDay, 5, 25))
	assert.Equal(t, 85.0, s.Headline.Value)
	assert.Contains(t, s.Text(), "sum of 2 experiments.")
	// By SDK they would overlap: unique counts of the MAU endpoints.
	s = acSummary(t, "get_total_mau_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", map[string]any{"sdkName": "a"}, t0, smDay, 10, 60),
		smSeries("1", map[string]any{"sdkName": "b"}, t0, smDay, 5, 25))
	assert.Equal(t, 60.0, s.Headline.Value)
	assert.Contains(t, s.Text(), "the largest of 2 SDKs (they overlap: no total)")
}

// TestRollingCountsAddAcrossSeries: trailing 30-day counts of events (not
// unique) of two projects add up to the account's.
func TestRollingCountsAddAcrossSeries(t *testing.T) {
	t0 := acOct1.UnixMilli()
	s := acSummary(t, "get_observability_logs_usage", "rolling_30d", acOct1, acOct1.AddDate(0, 0, 3), acLate,
		smSeries("0", map[string]any{"projectId": "a"}, t0, smDay, 1000, 1100, 1200),
		smSeries("1", map[string]any{"projectId": "b"}, t0, smDay, 300, 310, 320))
	assert.Equal(t, 1520.0, s.Headline.Value)
	assert.Equal(t, "sum of series", s.Headline.Of)
	assert.Contains(t, s.Text(), "sum of 2 projects")
}

// TestStreamPeakBySDKVersion: connections partition by SDK version; the
// account's peak is the largest per-bucket sum, at its time, neither the
// largest version's peak nor the sum of the peaks.
func TestStreamPeakBySDKVersion(t *testing.T) {
	t0 := acOct1.UnixMilli()
	s := acSummary(t, "get_stream_usage_by_sdk_version", "", acOct1, acOct1.AddDate(0, 0, 3), acLate,
		smSeries("0", map[string]any{"sdk": "Go", "version": "7.1.0"}, t0, smDay, 10, 50, 10),
		smSeries("1", map[string]any{"sdk": "Go", "version": "7.2.0"}, t0, smDay, 40, 10, 45))
	// per-day sums: 50, 60, 55; largest alone 50; sum of peaks 95
	require.NotNil(t, s.Headline)
	assert.Equal(t, 60.0, s.Headline.Value)
	assert.Equal(t, acOct1.AddDate(0, 0, 1).Format(time.RFC3339), s.Headline.Time)
	assert.Contains(t, s.Text(), "Answer: 60 streaming connections at the peak of their total, Oct 2, 2026 (the per-bucket sum of 2 SDK versions; the largest alone peaked at 50).")
	assert.NotContains(t, s.Text(), "95")
}

// TestSumsByMonth: a count over Sep–Oct says each month's part, in the text
// and in summary; partial months are marked.
func TestSumsByMonth(t *testing.T) {
	sep1 := acOct1.AddDate(0, -1, 0)
	vals := make([]float64, 61)
	sepSum, octSum := 0.0, 0.0
	for i := range vals {
		vals[i] = float64(1000 + i)
		if i < 30 {
			sepSum += vals[i]
		} else {
			octSum += vals[i]
		}
	}
	s := acSummary(t, "get_evaluations_usage", "", sep1, acNov1, acLate,
		smSeries("0", map[string]any{"variation": "0"}, sep1.UnixMilli(), smDay, vals...))
	require.Len(t, s.Headline.Months, 2)
	assert.Equal(t, sepSum, s.Headline.Months[0].Value)
	assert.Equal(t, octSum, s.Headline.Months[1].Value)
	assert.Equal(t, MonthComplete, s.Headline.Months[1].Status)
	assert.Equal(t, sepSum+octSum, s.Headline.Value)
	assert.Empty(t, s.Headline.Month, "a sum over the range is no month's figure")
	assert.Contains(t, s.Text(), "By month: Sep 2026 "+Exact(sepSum)+" · Oct 2026 "+Exact(octSum))
	m := smRoundTrip(t, s)
	months := m["headline"].(map[string]any)["months"].([]any)
	assert.Len(t, months, 2)
}

// TestServiceConnectionsOverMonths: minutes ÷ 43,800 is one month's billed
// connections: each calendar month converts on its own, and a total over
// months is in connection-months.
func TestServiceConnectionsOverMonths(t *testing.T) {
	// incremental: 30 days of 1,460 minutes in October (2 connections' worth
	// over the month would be 87,600), then 30 of 2,920 in November
	vals := make([]float64, 61)
	for i := range vals {
		vals[i] = 1460
		if i >= 31 {
			vals[i] = 2920
		}
	}
	oct, nov := 31*1460.0, 30*2920.0
	s := acSummary(t, "get_service_connection_usage", "incremental", acOct1, acNov1.AddDate(0, 1, 0), acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, vals...))
	require.NotNil(t, s.Headline.Billed)
	assert.InDelta(t, (oct+nov)/43800, *s.Headline.Billed, 1e-9)
	assert.Equal(t, "connection-months", s.Headline.BilledUnit)
	require.Len(t, s.Headline.Months, 2)
	assert.InDelta(t, oct/43800, *s.Headline.Months[0].Billed, 1e-9)
	assert.InDelta(t, nov/43800, *s.Headline.Months[1].Billed, 1e-9)
	text := s.Text()
	assert.Contains(t, text, "= 3.03 connection-months billed (each calendar month's minutes ÷ 43,800: Oct 2026 1.03 + Nov 2026 2 service connections)")
	assert.Contains(t, text, "By month: Oct 2026 45,260 = 1.03 service connections · Nov 2026 87,600 = 2 service connections")
	assert.NotContains(t, text, "3.03 service connections")

	// Month to date over the two months: the Answer is November's, the By
	// month line has each month and both together in connection-months.
	cum := make([]float64, 61)
	for i := range cum {
		prev := 0.0
		if i > 0 && i != 31 {
			prev = cum[i-1]
		}
		cum[i] = prev + vals[i]
	}
	s = acSummary(t, "get_service_connection_usage", "month_to_date", acOct1, acNov1.AddDate(0, 1, 0), acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, cum...))
	text = s.Text()
	assert.Contains(t, text, "Answer: 87,600 connection minutes in November 2026 (the whole month) = 2 service connections billed (43,800 minutes each).")
	assert.Contains(t, text, "By month: Oct 2026 45,260 = 1.03 service connections · Nov 2026 87,600 = 2 service connections; together 132,860 = 3.03 connection-months")

	// One month, incremental: still billed, in service connections.
	s = acSummary(t, "get_service_connection_usage", "incremental", acOct1, acNov1, acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, vals[:31]...))
	assert.Contains(t, s.Text(), "Answer: 45,260 connection minutes in total over the range = 1.03 service connections billed (43,800 minutes each).")

	// Under one connection: not rounded to nothing.
	s = acSummary(t, "get_service_connection_usage", "incremental", acOct1, acOct1.AddDate(0, 0, 1), acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, 2000))
	assert.Contains(t, s.Text(), "= 0.0457 service connections billed")
}

// TestSumOfSeriesKeepsIncompleteMonths: where one series' month is not
// whole, neither is the total's.
func TestSumOfSeriesKeepsIncompleteMonths(t *testing.T) {
	full := make([]float64, 31)
	for i := range full {
		full[i] = float64(i + 1) // cumulative
	}
	s := acSummary(t, "get_data_export_events_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", map[string]any{"eventKind": "custom"}, acOct1.UnixMilli(), smDay, full...),
		smSeries("1", map[string]any{"eventKind": "feature"}, acOct1.UnixMilli(), smDay, full[:20]...))
	assert.Equal(t, MonthComplete, smFind(t, s, "0").Months[0].Status)
	assert.Equal(t, MonthPartial, smFind(t, s, "1").Months[0].Status)
	assert.Equal(t, MonthPartial, s.Headline.Status)
}

// TestMonthStatusEachCause: a month is partial when the range ends before
// it does, or when the data ends before it does, each alone; and with
// monthly buckets.
func TestMonthStatusEachCause(t *testing.T) {
	full := make([]float64, 31)
	for i := range full {
		full[i] = float64(100 * (i + 1))
	}
	// The range ends on Oct 31 at noon, the data holds every day.
	s := acSummary(t, "get_total_mau_usage", "month_to_date", acOct1, acOct1.AddDate(0, 0, 30).Add(12*time.Hour), acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, full...))
	assert.Equal(t, MonthPartial, s.Headline.Status, "range ends early")
	// The range covers October, the data stops on Oct 25.
	s = acSummary(t, "get_total_mau_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, full[:25]...))
	assert.Equal(t, MonthPartial, s.Headline.Status, "data ends early")
	// Both whole: complete.
	s = acSummary(t, "get_total_mau_usage", "month_to_date", acOct1, acNov1, acLate,
		smSeries("0", nil, acOct1.UnixMilli(), smDay, full...))
	assert.Equal(t, MonthComplete, s.Headline.Status)
	// Monthly buckets: one point for October, the range stops on Oct 15.
	in := SummaryInput{Endpoint: smEndpoint(t, "get_total_mau_usage"), Aggregation: "month_to_date", From: acOct1, To: acOct1.AddDate(0, 0, 15), Now: acLate,
		Granularity: "monthly", Response: &client.Response{Series: []client.Series{smSeries("0", nil, acOct1.UnixMilli(), smDay, 500)}}}
	assert.Equal(t, MonthPartial, Summarize(in).Headline.Status, "monthly, range ends early")
	in.To = acNov1
	assert.Equal(t, MonthComplete, Summarize(in).Headline.Status, "monthly, whole month")
}

// TestProjectedSeries: a v24 service-connections body with LaunchDarkly's
// own projection: the text shows it as LaunchDarkly's estimate for the
// month, beside the measured figure.
func TestProjectedSeries(t *testing.T) {
	dec1 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var rows, proj []string
	for d := 0; d < 31; d++ {
		ms := strconv.FormatInt(dec1.AddDate(0, 0, d).UnixMilli(), 10)
		v := strconv.FormatFloat(float64(d+1)*21900.5, 'f', 2, 64)
		if d < 6 {
			rows = append(rows, `{"time":`+ms+`,"0":`+v+`}`)
		}
		proj = append(proj, `{"time":`+ms+`,"0":`+v+`}`)
	}
	body := `{"_links":{},"metadata":[{}],"series":[` + strings.Join(rows, ",") + `],"projectedSeries":[` + strings.Join(proj, ",") + `]}`
	resp, err := client.Decode([]byte(body))
	require.NoError(t, err)
	require.Len(t, resp.Projected, 1)
	assert.JSONEq(t, body, string(resp.Raw))
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_service_connection_usage"), Response: resp, Aggregation: "month_to_date",
		From: dec1, To: acLate, Now: acLate, Granularity: "daily"})
	require.NotNil(t, s.Projection)
	want := 31 * 21900.5
	assert.Equal(t, want, s.Projection.Value)
	assert.Equal(t, "2026-12", s.Projection.Month)
	assert.Equal(t, "LaunchDarkly", s.Projection.By)
	assert.InDelta(t, want/43800, *s.Projection.Billed, 1e-9)
	assert.Contains(t, s.Text(), "LaunchDarkly's own projection for the whole of December 2026: 678,915.50 connection minutes = 15.50 service connections (its estimate, from projectedSeries; not a measured figure).")
	assert.Contains(t, s.Text(), "Answer: 131,403 connection minutes so far in December 2026")
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"projection":{"value":678915.5`)
	assert.False(t, math.IsNaN(s.Projection.Value))
}
