package server

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"

	vm "github.com/VictoriaMetrics/metrics"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// metricsNS prefixes the names of the server's own metrics.
const metricsNS = "ld_usage_mcp_"

// metricsHelp is the HELP text of each of the server's metric families.
var metricsHelp = map[string]string{
	metricsNS + "tool_calls_total":                           "Tool calls finished, by tool and outcome (ok, invalid, no_key, upstream_error, error).",
	metricsNS + "tool_call_duration_seconds":                 "Duration of tool calls, retries and waits included, by tool and outcome.",
	metricsNS + "upstream_requests_total":                    `Requests sent to LaunchDarkly (each attempt), by HTTP status ("none" when no answer came).`,
	metricsNS + "upstream_retries_total":                     "Attempts to LaunchDarkly that are retried, by the status that caused the retry.",
	metricsNS + "upstream_give_ups_total":                    "Requests to LaunchDarkly given up on because the call's deadline or the attempts ran out.",
	metricsNS + "upstream_pacing_seconds_total":              "Time requests were held so as not to exceed LaunchDarkly's rate limit.",
	metricsNS + "upstream_ratelimit_remaining":               "Requests left in LaunchDarkly's rate-limit window, as last seen (-1 until seen).",
	metricsNS + "upstream_ratelimit_reset_timestamp_seconds": "When LaunchDarkly's rate-limit window resets (Unix time), as last seen.",
	metricsNS + "cache_requests_total":                       "Lookups in the answer cache, by result (hit, miss).",
	metricsNS + "http_requests_total":                        "HTTP requests answered, by path (/mcp, /sse, /message, /healthz, /metrics, other) and status code.",
	metricsNS + "build_info":                                 "Version of the server; always 1.",
	metricsNS + "redis_up":                                   "1 while Redis (--redis) answers, 0 while each replica serves from its own layers.",
	metricsNS + "redis_fallbacks_total":                      "Operations done by this replica's own layers because Redis was down or failed.",
	metricsNS + "redis_rejected_total":                       "Values read from Redis that failed their check (not written with this deployment's secret, or not what replicas keep) and were taken as misses, by kind (answer, lock, window).",
}

// durationBuckets are the upper bounds of tool_call_duration_seconds.
var durationBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// metricsSet holds the metrics served at /metrics (--metrics), in the
// Prometheus text format, with the Go runtime and process metrics. It has a
// set of its own: nothing is registered globally. No label carries a token, a
// query or a free-form path. A nil *metricsSet counts nothing.
type metricsSet struct {
	set *vm.Set

	giveUps      *vm.Counter
	paceSeconds  *vm.FloatCounter
	remaining    *vm.Gauge
	resetSeconds *vm.Gauge
	redisUp      *vm.Gauge   // nil without --redis
	fallbacks    *vm.Counter // nil without --redis
}

func newMetrics(version string, redis bool) *metricsSet {
	// TYPE lines for every family, the Go runtime's included; HELP texts are
	// filled in from metricsHelp as the page is written.
	vm.ExposeMetadata(true)
	s := vm.NewSet()
	m := &metricsSet{
		set:          s,
		giveUps:      s.NewCounter(metricsNS + "upstream_give_ups_total"),
		paceSeconds:  s.NewFloatCounter(metricsNS + "upstream_pacing_seconds_total"),
		remaining:    s.NewGauge(metricsNS+"upstream_ratelimit_remaining", nil),
		resetSeconds: s.NewGauge(metricsNS+"upstream_ratelimit_reset_timestamp_seconds", nil),
	}
	m.remaining.Set(-1)
	if redis {
		m.redisUp = s.NewGauge(metricsNS+"redis_up", nil)
		m.fallbacks = s.NewCounter(metricsNS + "redis_fallbacks_total")
		m.counter("redis_rejected_total", "kind", "answer")
	}
	s.NewGauge(metricsNS+`build_info{version="`+labelValue(version)+`"}`, func() float64 { return 1 })
	// Precreate the series that matter most, so that they read 0 rather than absent.
	m.counter("cache_requests_total", "result", "hit")
	m.counter("cache_requests_total", "result", "miss")
	return m
}

// counter returns the counter name{k1="v1",…} (label names in alphabetical
// order, as the Prometheus client writes them), creating it on first use.
func (m *metricsSet) counter(name string, labels ...string) *vm.Counter {
	return m.set.GetOrCreateCounter(series(name, labels...))
}

func series(name string, labels ...string) string {
	var b strings.Builder
	b.WriteString(metricsNS)
	b.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		if i == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteString(`="`)
		b.WriteString(labelValue(labels[i+1]))
		b.WriteByte('"')
	}
	if len(labels) > 1 {
		b.WriteByte('}')
	}
	return b.String()
}

// labelValue escapes a label value for the text format.
func labelValue(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}

// handler serves the metrics page.
func (m *metricsSet) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var page bytes.Buffer
		m.set.WritePrometheus(&page)
		vm.WriteProcessMetrics(&page)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		bw := bufio.NewWriter(w)
		for line := range bytes.Lines(page.Bytes()) {
			if fam, ok := bytes.CutPrefix(line, []byte("# HELP ")); ok {
				if help, ok := metricsHelp[string(bytes.TrimSpace(fam))]; ok {
					line = []byte("# HELP " + string(bytes.TrimSpace(fam)) + " " + help + "\n")
				}
			}
			_, _ = bw.Write(line)
		}
		_ = bw.Flush()
	})
}

func (m *metricsSet) httpRequest(path string, code int) {
	if m == nil {
		return
	}
	if path == "" {
		path = "other"
	}
	m.counter("http_requests_total", "code", strconv.Itoa(code), "path", path).Inc()
}

func statusLabel(status int) string {
	if status == 0 {
		return "none"
	}
	return strconv.Itoa(status)
}

// onCall is tools.Config.OnCall: it counts and times every finished call.
func (m *metricsSet) onCall(info tools.CallInfo) {
	if m == nil {
		return
	}
	m.counter("tool_calls_total", "outcome", info.Outcome, "tool", info.Tool).Inc()
	m.set.GetOrCreatePrometheusHistogramExt(series("tool_call_duration_seconds", "outcome", info.Outcome, "tool", info.Tool),
		durationBuckets).Update(info.Duration.Seconds())
}

// onUpstream is client.ResilienceOptions.OnEvent: it counts what the
// resilience layers did (attempts by status, retries, pacing, rate-limit
// headroom, cache hits and misses).
func (m *metricsSet) onUpstream(e client.Event) {
	if m == nil {
		return
	}
	switch e.Kind {
	case client.EventUpstream:
		m.counter("upstream_requests_total", "status", statusLabel(e.Status)).Inc()
		if e.Remaining >= 0 {
			m.remaining.Set(float64(e.Remaining))
		}
		if !e.Reset.IsZero() {
			m.resetSeconds.Set(float64(e.Reset.UnixMilli()) / 1000)
		}
	case client.EventRetry:
		m.counter("upstream_retries_total", "status", statusLabel(e.Status)).Inc()
	case client.EventGiveUp:
		m.giveUps.Inc()
	case client.EventPace:
		m.paceSeconds.Add(e.Wait.Seconds())
	case client.EventCacheHit:
		m.counter("cache_requests_total", "result", "hit").Inc()
	case client.EventCacheMiss:
		m.counter("cache_requests_total", "result", "miss").Inc()
	case client.EventSharedUp, client.EventSharedDown:
		if m.redisUp != nil {
			m.redisUp.Set(map[bool]float64{true: 1}[e.Kind == client.EventSharedUp])
		}
	case client.EventSharedFallback:
		if m.fallbacks != nil {
			m.fallbacks.Inc()
		}
	case client.EventSharedRejected:
		kind := e.Path
		if kind != "lock" && kind != "window" {
			kind = "answer"
		}
		m.counter("redis_rejected_total", "kind", kind).Inc()
	}
}
