package main

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// metricsSet holds the Prometheus metrics served at /metrics (--metrics). It
// has its own registry: nothing is registered globally. No label carries a
// token, a query or a free-form path.
type metricsSet struct {
	reg *prometheus.Registry

	toolCalls    *prometheus.CounterVec   // tool, outcome
	toolSeconds  *prometheus.HistogramVec // tool, outcome
	upstream     *prometheus.CounterVec   // status
	retries      *prometheus.CounterVec   // status
	giveUps      prometheus.Counter
	paceSeconds  prometheus.Counter
	remaining    prometheus.Gauge
	resetSeconds prometheus.Gauge
	cache        *prometheus.CounterVec // result
	httpRequests *prometheus.CounterVec // path, code

	promHandler http.Handler
}

func newMetrics() *metricsSet {
	const ns = "ld_usage_mcp"
	m := &metricsSet{reg: prometheus.NewRegistry()}
	m.toolCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "tool_calls_total",
		Help: "Tool calls finished, by tool and outcome (ok, invalid, no_key, upstream_error, error).",
	}, []string{"tool", "outcome"})
	m.toolSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: ns, Name: "tool_call_duration_seconds",
		Help:    "Duration of tool calls, retries and waits included, by tool and outcome.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"tool", "outcome"})
	m.upstream = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "upstream_requests_total",
		Help: "Requests sent to LaunchDarkly (each attempt), by HTTP status (\"none\" when no answer came).",
	}, []string{"status"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "upstream_retries_total",
		Help: "Attempts to LaunchDarkly that are retried, by the status that caused the retry.",
	}, []string{"status"})
	m.giveUps = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: ns, Name: "upstream_give_ups_total",
		Help: "Requests to LaunchDarkly given up on because the call's deadline or the attempts ran out.",
	})
	m.paceSeconds = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: ns, Name: "upstream_pacing_seconds_total",
		Help: "Time requests were held so as not to exceed LaunchDarkly's rate limit.",
	})
	m.remaining = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Name: "upstream_ratelimit_remaining",
		Help: "Requests left in LaunchDarkly's rate-limit window, as last seen (-1 until seen).",
	})
	m.remaining.Set(-1)
	m.resetSeconds = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Name: "upstream_ratelimit_reset_timestamp_seconds",
		Help: "When LaunchDarkly's rate-limit window resets (Unix time), as last seen.",
	})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "cache_requests_total",
		Help: "Lookups in the answer cache, by result (hit, miss).",
	}, []string{"result"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "http_requests_total",
		Help: "HTTP requests answered, by path (/mcp, /sse, /message, /healthz, /metrics, other) and status code.",
	}, []string{"path", "code"})
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Name: "build_info", Help: "Version of the server; always 1.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)

	m.reg.MustRegister(m.toolCalls, m.toolSeconds, m.upstream, m.retries, m.giveUps, m.paceSeconds,
		m.remaining, m.resetSeconds, m.cache, m.httpRequests, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Precreate the series that matter most, so that they read 0 rather than absent.
	m.cache.WithLabelValues("hit")
	m.cache.WithLabelValues("miss")
	m.promHandler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metricsSet) handler() http.Handler { return m.promHandler }

func (m *metricsSet) httpRequest(path string, code int) {
	if path == "" {
		path = "other"
	}
	m.httpRequests.WithLabelValues(path, strconv.Itoa(code)).Inc()
}

func statusLabel(status int) string {
	if status == 0 {
		return "none"
	}
	return strconv.Itoa(status)
}

// onCall is tools.Config.OnCall: it counts and times every finished call.
func (h *httpOptions) onCall(info tools.CallInfo) {
	m := h.m
	if m == nil {
		return
	}
	m.toolCalls.WithLabelValues(info.Tool, info.Outcome).Inc()
	m.toolSeconds.WithLabelValues(info.Tool, info.Outcome).Observe(info.Duration.Seconds())
}

// onUpstream is client.ResilienceOptions.OnEvent: it counts what the
// resilience layers did (attempts by status, retries, pacing, rate-limit
// headroom, cache hits and misses).
func (h *httpOptions) onUpstream(e client.Event) {
	m := h.m
	if m == nil {
		return
	}
	switch e.Kind {
	case client.EventUpstream:
		m.upstream.WithLabelValues(statusLabel(e.Status)).Inc()
		if e.Remaining >= 0 {
			m.remaining.Set(float64(e.Remaining))
		}
		if !e.Reset.IsZero() {
			m.resetSeconds.Set(float64(e.Reset.UnixMilli()) / 1000)
		}
	case client.EventRetry:
		m.retries.WithLabelValues(statusLabel(e.Status)).Inc()
	case client.EventGiveUp:
		m.giveUps.Inc()
	case client.EventPace:
		m.paceSeconds.Add(e.Wait.Seconds())
	case client.EventCacheHit:
		m.cache.WithLabelValues("hit").Inc()
	case client.EventCacheMiss:
		m.cache.WithLabelValues("miss").Inc()
	}
}
