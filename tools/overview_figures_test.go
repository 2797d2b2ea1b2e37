package tools_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// fixedUpstream serves month_to_date bodies whose figures are easy to
// compute by hand: for each path, the cumulative value on day d of a month
// is perDay[month] × d, a daily point from the first of October to today.
type fixedUpstream struct {
	now    time.Time
	perDay map[string][2]float64 // path suffix → per day in October, in November (0: no point)
	others [2]float64            // per day of the paths not in perDay
	status map[string]int        // path suffix → an error status to answer
}

func (f fixedUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	suffix := strings.TrimPrefix(r.URL.Path, "/api/v2/usage/")
	if st, ok := f.status[suffix]; ok {
		w.WriteHeader(st)
		fmt.Fprint(w, `{"code":"x","message":"injected fault"}`)
		return
	}
	if r.URL.Query().Get("aggregationType") != "month_to_date" || r.URL.Query().Get("granularity") != "daily" {
		http.Error(w, `{"code":"invalid_request","message":"want month_to_date daily"}`, http.StatusBadRequest)
		return
	}
	rate, ok := f.perDay[suffix]
	if !ok && f.others != [2]float64{} {
		rate, ok = f.others, true
	}
	var rows []string
	for d := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); ok && !d.After(f.now); d = d.AddDate(0, 0, 1) {
		per := rate[0]
		if d.Month() == time.November {
			per = rate[1]
		}
		if per > 0 {
			rows = append(rows, fmt.Sprintf(`{"time":%d,"0":%g}`, d.UnixMilli(), per*float64(d.Day())))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"_links":{},"metadata":[{}],"series":[%s]}`, strings.Join(rows, ","))
}

// TestOverviewEntitlements checks shares, the month's estimate and what is
// heading past its entitlement against figures computed by hand.
func TestOverviewEntitlements(t *testing.T) {
	clock := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) // 25.5 days of November gone
	up := fixedUpstream{now: clock, perDay: map[string][2]float64{
		"clientside-mau":      {1000, 1200},
		"total-mau":           {2000, 2000},
		"service-connections": {60000, 70000}, // connection minutes
		"ai-runs":             {0, 500},       // none in October
		"data-export-events":  {100, 100},
	}}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	ents, err := overview.ParseEntitlements("client-mau=40000, mau=60_000,service-connections=40,ai-runs=20000")
	require.NoError(t, err)
	ts, err := tools.New(tools.Config{
		Client:       client.New(srv.URL, testKey),
		Now:          func() time.Time { return clock },
		Entitlements: ents,
	})
	require.NoError(t, err)
	res := ts.Overview(context.Background(), nil)
	out := decodeOverview(t, res)
	txt := text(res)
	t.Log("\n" + txt)

	// Client-side MAU: 1,200 × 26 so far; October at the 26th, 12:00 is
	// halfway between 25,000 and 26,000; the month ends at so far × October's
	// 31,000 ÷ 25,500 = 37,929.41.
	c := out.measure(t, "client-mau")
	assert.Equal(t, 31200.0, c.Value)
	assert.Equal(t, 25500.0, c.Previous)
	assert.InDelta(t, 22.352941, *c.ChangePct, 1e-6)
	assert.InDelta(t, 0.78, *c.Share, 1e-12)
	assert.Equal(t, 37929.0, *c.Estimate)
	assert.False(t, c.Over)
	assert.Contains(t, c.EstimateNote, "October's whole figure")

	// Primary-context MAU: 52,000 so far is 86.7% of 60,000, but at October's
	// shape it ends at 52,000 × 62,000 ÷ 51,000 = 63,215.69: heading past.
	m := out.measure(t, "mau")
	assert.InDelta(t, 52000.0/60000, *m.Share, 1e-12)
	assert.Equal(t, 63216.0, *m.Estimate)
	assert.True(t, m.Over)

	// Service connections: 1,820,000 minutes = 41.55 connections, already
	// past 40; October's shape gives 1,820,000 × 1,860,000 ÷ 1,530,000 minutes
	// = 50.51 connections. Entitlement, share and estimate are in connections.
	sc := out.measure(t, "service-connections")
	assert.Equal(t, 1820000.0, sc.Value)
	assert.InDelta(t, 1820000.0/43800, *sc.Billed, 1e-9)
	assert.Equal(t, 40.0, *sc.Entitlement)
	assert.InDelta(t, 1820000.0/43800/40, *sc.Share, 1e-12)
	assert.InDelta(t, 1820000.0*1860000/1530000/43800, *sc.Estimate, 1e-9)
	assert.True(t, sc.Over)

	// AI runs: none in October, so the estimate is a straight line:
	// 13,000 × 30 days ÷ 25.5 days = 15,294.12.
	ai := out.measure(t, "ai-runs")
	assert.Equal(t, 13000.0, ai.Value)
	assert.Zero(t, ai.Previous)
	assert.Nil(t, ai.ChangePct)
	assert.InDelta(t, 0.65, *ai.Share, 1e-12)
	assert.Equal(t, 15294.0, *ai.Estimate)
	assert.Contains(t, ai.EstimateNote, "straight line")
	assert.Contains(t, ai.EstimateNote, "30 days ÷ 25.50 days")
	assert.False(t, ai.Over)

	// No entitlement, no share.
	assert.Nil(t, out.measure(t, "data-export-events").Share)
	// No observability usage: not shown, and said so.
	for _, m := range out.Summary.Measures {
		assert.False(t, strings.HasPrefix(m.Name, "observability-"), m.Name)
	}
	assert.Contains(t, txt, "no observability usage in either month")

	// Movers: AI runs is new, then client-side MAU +22% and service
	// connections +19% (1,820,000 against 1,530,000 minutes); the rest moved less than 10%.
	assert.Equal(t, []string{"ai-runs", "client-mau", "service-connections"}, out.Summary.Movers)
	assert.Contains(t, txt, "Movers: AI Config runs (none last month), Client-side MAU +22%, Service connections +19%.")
	assert.Contains(t, txt, "Past or heading past the entitlement: Primary-context MAU, Service connections.")
	assert.Contains(t, txt, "Client-side MAU: 31,200; Oct 25,500 (+22%); 78% of 40,000, est. 37,929\n")
	assert.Contains(t, txt, "Primary-context MAU: 52,000; Oct 51,000 (+2.0%); 87% of 60,000, est. 63,216 OVER\n")
	assert.Contains(t, txt, "Service connections: 41.55 (1,820,000 connection minutes); Oct 34.93 (+19%); 104% of 40, est. 50.51 OVER\n")
	assert.Contains(t, lineWith(txt, "Answer: "), "; 78% of its entitlement.")

	// With only the primary-context MAU given an entitlement, it is the headline.
	ts2, err := tools.New(tools.Config{Client: client.New(srv.URL, testKey), Now: func() time.Time { return clock }, Entitlements: overview.Entitlements{"mau": 60000}})
	require.NoError(t, err)
	out2 := decodeOverview(t, ts2.Overview(context.Background(), nil))
	assert.Equal(t, "mau", out2.Summary.Headline.Measure)
	assert.Equal(t, 52000.0, out2.Summary.Headline.Value)

	// In the first day of the month nothing is estimated.
	early := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	up.now = early
	srv2 := httptest.NewServer(up)
	t.Cleanup(srv2.Close)
	ts3, err := tools.New(tools.Config{Client: client.New(srv2.URL, testKey), Now: func() time.Time { return early }, Entitlements: ents})
	require.NoError(t, err)
	c3 := decodeOverview(t, ts3.Overview(context.Background(), nil)).measure(t, "client-mau")
	assert.Nil(t, c3.Estimate)
	assert.Contains(t, c3.EstimateNote, "too early")
	assert.Equal(t, 1200.0, c3.Value)
	assert.Equal(t, 250.0, c3.Previous, "a quarter of October 1st's 1,000")
}

func TestParseEntitlements(t *testing.T) {
	got, err := overview.ParseEntitlements(" client-mau=100000 , service-connections=40,experimentation-keys=2_000_000,observability-logs=1.5e9,")
	require.NoError(t, err)
	assert.Equal(t, overview.Entitlements{"client-mau": 100000, "service-connections": 40, "experimentation-keys": 2000000, "observability-logs": 1.5e9}, got)
	got, err = overview.ParseEntitlements("")
	require.NoError(t, err)
	assert.Nil(t, got)
	assert.Len(t, overview.EntitlementNames(), len(billedTools), "a name for every measure")
	for name := range billedTools {
		_, err := overview.ParseEntitlements(name + "=1")
		assert.NoError(t, err, name)
	}
	for in, want := range map[string]string{
		"client-mau":                 "not name=value",
		"=5":                         "not name=value",
		"seats=10":                   "unknown entitlement \"seats\"; names: client-mau, mau, service-connections",
		"client-mau=0":               "positive number",
		"client-mau=-3":              "positive number",
		"client-mau=lots":            "positive number",
		"client-mau=NaN":             "positive number",
		"client-mau=Inf":             "positive number",
		"client-mau=1,client-mau=2":  "given twice",
		"service-connections=40 min": "positive number",
	} {
		_, err := overview.ParseEntitlements(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), want, in)
		}
	}
}

// TestOverviewAgainstTheModel checks the overview against the emulator's
// model of the account (emulator.Account), aggregated here: this month's
// figure of each measure is what happened from the first of the month to
// now; last month's at the same point lies between what had happened by the
// start and by the end of the same day of last month (it is read between
// the two daily points).
func TestOverviewAgainstTheModel(t *testing.T) {
	e := newEnv(t)
	out := decodeOverview(t, e.call(t, tools.OverviewTool, nil))
	book := emulator.Account(0)
	atoms := func(op string, keep map[string]string) []emulator.Atom {
		all, err := book.Atoms(op, nil)
		require.NoError(t, err)
		var as []emulator.Atom
		for _, a := range all {
			ok := true
			for k, v := range keep {
				ok = ok && a.Dim(k) == v
			}
			if ok {
				as = append(as, a)
			}
		}
		require.NotEmpty(t, as, op)
		return as
	}
	distinct := func(as []emulator.Atom, from, to time.Time) (n float64) {
		for _, a := range as {
			n += float64(a.Unique(from, to))
		}
		return n
	}
	total := func(as []emulator.Atom, from, to time.Time) (n float64) {
		for _, a := range as {
			n += float64(a.Count(from, to))
		}
		return n
	}
	minutes := func(as []emulator.Atom, from, to time.Time) float64 { return total(as, from, to) / 100 }
	figures := map[string]struct {
		as []emulator.Atom
		f  func([]emulator.Atom, time.Time, time.Time) float64
	}{
		"client-mau":             {atoms("getMAUClientsideUsage", map[string]string{"contextKind": "user", "sdktype": "client"}), distinct},
		"mau":                    {atoms("getMAUTotalUsage", map[string]string{"contextKind": "user"}), distinct},
		"service-connections":    {atoms("getServiceConnectionsUsage", nil), minutes},
		"experimentation-keys":   {atoms("getExperimentationKeysUsage", nil), distinct},
		"data-export-events":     {atoms("getDataExportEventsUsage", nil), total},
		"ai-runs":                {atoms("getAIRunsUsage", nil), total},
		"observability-errors":   {atoms("getObservabilityErrorsUsage", nil), total},
		"observability-logs":     {atoms("getObservabilityLogsUsage", nil), total},
		"observability-sessions": {atoms("getObservabilitySessionsUsage", nil), total},
		"observability-traces":   {atoms("getObservabilityTracesUsage", nil), total},
		"observability-metrics":  {atoms("getObservabilityMetricsUsage", nil), total},
	}
	nov1, oct1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	oct26, oct27 := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)
	require.Len(t, out.Summary.Measures, len(figures), "the demo account has every measure")
	for _, m := range out.Summary.Measures {
		fig, ok := figures[m.Name]
		require.True(t, ok, m.Name)
		assert.InDelta(t, fig.f(fig.as, nov1, now), m.Value, 0.006, "%s so far in November", m.Name)
		lo, hi := fig.f(fig.as, oct1, oct26), fig.f(fig.as, oct1, oct27)
		assert.GreaterOrEqual(t, m.Previous, lo-0.5, "%s in October at the same point: not below the 25th's figure", m.Name)
		assert.LessOrEqual(t, m.Previous, hi+0.5, "%s in October at the same point: not above the 26th's", m.Name)
		assert.Less(t, lo, hi, "%s grows within the day, so the test can tell", m.Name)
	}
}
