package server

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

func TestHTTPMetrics(t *testing.T) {
	const key = "api-metrics"
	emu, emuURL := startEmulator(t, key)
	o := &Config{Transport: "http", APIKey: key}
	o.HTTP.Metrics = true
	srv := startHTTPServer(t, o, emuURL)
	ctx := httpTestCtx(t)
	s := mustConnectMCP(t, ctx, "sdk", "http", srv.url, nil)
	_, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("metrics"))
	require.NoError(t, err)
	require.False(t, isErr)
	_, isErr, err = s.Call(ctx, "get_evaluations_usage", map[string]any{"nope": 1})
	require.NoError(t, err)
	require.True(t, isErr)
	require.Equal(t, 1, emu.Count())

	resp := httpDo(t, http.MethodGet, srv.url+"/metrics", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(b)
	for _, want := range []string{
		`ld_usage_mcp_tool_calls_total{outcome="ok",tool="get_evaluations_usage"} 1`,
		`ld_usage_mcp_tool_calls_total{outcome="invalid",tool="get_evaluations_usage"} 1`,
		`ld_usage_mcp_tool_call_duration_seconds_count{outcome="ok",tool="get_evaluations_usage"} 1`,
		`ld_usage_mcp_http_requests_total{code="200",path="/mcp"}`,
		`ld_usage_mcp_upstream_requests_total{status="200"} 1`, // through resilient's OnEvent
		`ld_usage_mcp_build_info{version="` + testVersion + `"} 1`,
		`go_goroutines`,
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, key)

	// The page parses as the Prometheus text format, and each family of the
	// server has its type and help, as the README documents them.
	fams := parseExposition(t, body)
	for name, typ := range map[string]dto.MetricType{
		"ld_usage_mcp_tool_calls_total":                           dto.MetricType_COUNTER,
		"ld_usage_mcp_tool_call_duration_seconds":                 dto.MetricType_HISTOGRAM,
		"ld_usage_mcp_upstream_requests_total":                    dto.MetricType_COUNTER,
		"ld_usage_mcp_upstream_give_ups_total":                    dto.MetricType_COUNTER,
		"ld_usage_mcp_upstream_pacing_seconds_total":              dto.MetricType_COUNTER,
		"ld_usage_mcp_upstream_ratelimit_remaining":               dto.MetricType_GAUGE,
		"ld_usage_mcp_upstream_ratelimit_reset_timestamp_seconds": dto.MetricType_GAUGE,
		"ld_usage_mcp_cache_requests_total":                       dto.MetricType_COUNTER,
		"ld_usage_mcp_http_requests_total":                        dto.MetricType_COUNTER,
		"ld_usage_mcp_build_info":                                 dto.MetricType_GAUGE,
		"go_goroutines":                                           dto.MetricType_GAUGE,
		"process_resident_memory_bytes":                           dto.MetricType_GAUGE,
		"process_cpu_seconds_total":                               dto.MetricType_COUNTER,
	} {
		f := fams[name]
		if !assert.NotNil(t, f, name) {
			continue
		}
		assert.Equal(t, typ, f.GetType(), name)
		if strings.HasPrefix(name, "ld_usage_mcp_") {
			assert.NotEmpty(t, f.GetHelp(), name)
		}
	}
	dur := fams["ld_usage_mcp_tool_call_duration_seconds"]
	require.NotNil(t, dur)
	for _, m := range dur.GetMetric() {
		h := m.GetHistogram()
		var bounds []float64
		for _, b := range h.GetBucket() {
			bounds = append(bounds, b.GetUpperBound())
		}
		assert.Equal(t, []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, math.Inf(1)}, bounds, "the buckets of the Prometheus client's days")
		assert.Equal(t, uint64(1), h.GetSampleCount())
		assert.Greater(t, h.GetSampleSum(), 0.0)
	}
	assert.Equal(t, -1.0, fams["ld_usage_mcp_upstream_ratelimit_remaining"].GetMetric()[0].GetGauge().GetValue(),
		"-1 until LaunchDarkly tells (the emulator sends no limit headers by default)")

	// The upstream events come from the client's resilience layers
	// (client.ResilienceOptions.OnEvent); fed here directly, to a metrics set
	// of their own so that the count does not depend on the wiring.
	h := newMetrics(testVersion, false)
	h.onUpstream(client.Event{Kind: client.EventUpstream, Status: 429, Remaining: 0, Reset: time.Unix(1700000000, 0)})
	h.onUpstream(client.Event{Kind: client.EventUpstream, Status: 200, Remaining: 17})
	h.onUpstream(client.Event{Kind: client.EventUpstream, Status: 0, Remaining: -1})
	h.onUpstream(client.Event{Kind: client.EventRetry, Status: 429, Wait: time.Second})
	h.onUpstream(client.Event{Kind: client.EventGiveUp, Status: 429})
	h.onUpstream(client.Event{Kind: client.EventCacheHit})
	h.onUpstream(client.Event{Kind: client.EventCacheHit})
	h.onUpstream(client.Event{Kind: client.EventCacheMiss})
	h.onUpstream(client.Event{Kind: client.EventPace, Wait: 1500 * time.Millisecond})
	rec := httptest.NewRecorder()
	h.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body = rec.Body.String()
	for _, want := range []string{
		`ld_usage_mcp_upstream_requests_total{status="429"} 1`,
		`ld_usage_mcp_upstream_requests_total{status="200"} 1`,
		`ld_usage_mcp_upstream_requests_total{status="none"} 1`,
		`ld_usage_mcp_upstream_retries_total{status="429"} 1`,
		`ld_usage_mcp_upstream_give_ups_total 1`,
		`ld_usage_mcp_upstream_ratelimit_remaining 17`,
		`ld_usage_mcp_upstream_pacing_seconds_total 1.5`,
		`ld_usage_mcp_cache_requests_total{result="hit"} 2`,
		`ld_usage_mcp_cache_requests_total{result="miss"} 1`,
	} {
		assert.Contains(t, body, want)
	}
	fams = parseExposition(t, body)
	reset := fams["ld_usage_mcp_upstream_ratelimit_reset_timestamp_seconds"]
	require.NotNil(t, reset)
	assert.Equal(t, 1.7e9, reset.GetMetric()[0].GetGauge().GetValue())

	// Without --metrics there is no /metrics, and the hooks are no-ops.
	var off *metricsSet
	off.onCall(tools.CallInfo{Tool: "x", Outcome: "ok"})
	off.onUpstream(client.Event{Kind: client.EventUpstream, Status: 200})
	off.httpRequest("/mcp", 200)
	srv2 := startHTTPServer(t, &Config{Transport: "http"}, emuURL)
	resp = httpDo(t, http.MethodGet, srv2.url+"/metrics", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// parseExposition reads a /metrics page with Prometheus's own text parser, an
// independent check of the format.
func parseExposition(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	require.NoError(t, err, "the page is in the Prometheus text format")
	return fams
}
