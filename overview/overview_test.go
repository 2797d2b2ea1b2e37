package overview

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// TestPrevAtAfterShorterMonth: on the 29th–31st after a shorter month, the
// month before is read at its end, never at a day of the running month.
func TestPrevAtAfterShorterMonth(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC),
		time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC), // after April's 30 days
	} {
		p, err := ParsePeriod("", now)
		require.NoError(t, err)
		assert.False(t, p.PrevAt.After(p.Start), "%s: the month before read at %s, after its end %s", now, p.PrevAt, p.Start)
		assert.Equal(t, p.Start, p.PrevAt, now.String())
	}
	p, err := ParsePeriod("", time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 2, 15, 12, 0, 0, 0, time.UTC), p.PrevAt)
}

// TestEstimateNeedsAWholeLastMonth: last month's shape is used only when
// last month is complete; else a straight line.
func TestEstimateNeedsAWholeLastMonth(t *testing.T) {
	p, err := ParsePeriod("", time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	c := checkEntitlement(1000, 300, true, p, 200, 500, false)
	require.NotNil(t, c.estimate)
	assert.Contains(t, c.estimateNote, "straight line")
	// so far × 30 days ÷ 17.5 days gone
	assert.InDelta(t, 300*30/17.5, *c.estimate, 1e-9)
	c = checkEntitlement(1000, 300, true, p, 200, 500, true)
	assert.InDelta(t, 750, *c.estimate, 1e-9)
	assert.Contains(t, c.estimateNote, "last month's shape")
}

// TestProjectionIsLaunchDarklysEstimate: where the service-connections
// answer brings LaunchDarkly's own projection (v24 projectedSeries), the
// month's estimate is it, said to be LaunchDarkly's.
func TestProjectionIsLaunchDarklysEstimate(t *testing.T) {
	now := time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC)
	p, err := ParsePeriod("", now)
	require.NoError(t, err)
	dec1 := p.Start
	var rows, proj []string
	for d := 0; d < 31; d++ {
		ms := strconv.FormatInt(dec1.AddDate(0, 0, d).UnixMilli(), 10)
		v := strconv.Itoa((d + 1) * 43800) // one connection a day, cumulative
		if d < 6 {
			rows = append(rows, `{"time":`+ms+`,"0":`+v+`}`)
		}
		proj = append(proj, `{"time":`+ms+`,"0":`+v+`}`)
	}
	body := `{"_links":{},"metadata":[{}],"series":[` + strings.Join(rows, ",") + `],"projectedSeries":[` + strings.Join(proj, ",") + `]}`
	resp, err := client.Decode([]byte(body))
	require.NoError(t, err)
	ep := client.Lookup("get_service_connection_usage")
	sum := answer.Summarize(answer.SummaryInput{Endpoint: ep, Response: resp, Aggregation: "month_to_date", From: p.PrevStart, To: now, Now: now, Granularity: "daily"})
	var m Measure
	for _, x := range Measures {
		if x.Name == "service-connections" {
			m = x
		}
	}
	mf := measureFigure(m, ep, Result{Summary: sum, Response: resp}, p)
	require.NotNil(t, mf.Projected)
	assert.InDelta(t, 31, *mf.Projected, 1e-9) // 31 × 43,800 minutes
	mf.judge(40, p)
	require.NotNil(t, mf.Estimate)
	assert.InDelta(t, 31, *mf.Estimate, 1e-9)
	assert.Contains(t, mf.EstimateNote, "LaunchDarkly's own projection")
	assert.False(t, mf.Over)
	mf.judge(30, p)
	assert.True(t, mf.Over, "LaunchDarkly projects 31 against 30")
}
