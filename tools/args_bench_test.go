package tools

import (
	"encoding/json"
	"testing"
	"time"
)

// benchNow is a fixed "now" so that relative times and range checks do not
// depend on the day the benchmark runs.
var benchNow = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

// benchArgs decodes arguments as the MCP server hands them over: a JSON object
// decoded by encoding/json.
func benchArgs(tb testing.TB, s string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func benchTool(tb testing.TB, name string) *Tool {
	tb.Helper()
	s, err := New(Config{})
	if err != nil {
		tb.Fatal(err)
	}
	t := s.Lookup(name)
	if t == nil {
		tb.Fatalf("no tool %s", name)
	}
	return t
}

// BenchmarkParseArgs measures the argument path of a tools/call: size checks,
// normalisation, JSON Schema validation (compiled once, before the loop),
// cross-field rules and time parsing. Valid cases must pass and invalid ones
// must fail, or the benchmark stops.
func BenchmarkParseArgs(b *testing.B) {
	cases := []struct {
		name, tool, args string
		valid            bool
	}{
		{"mau_groupby_sdk", "get_mau_usage", `{"groupby":"sdk","from":"-30d"}`, true},
		{"mau_many", "get_mau_usage", `{"project":["default"],"environment":["production","staging"],"sdktype":"server","sdk":["go-server-sdk","node-server-sdk"],"anonymous":"false","groupby":["sdk","environment"],"aggregationType":"daily_incremental","contextKind":["user","org"],"from":"2026-10-01","to":"2026-11-01T00:00:00Z"}`, true},
		{"evaluations_path", "get_evaluations_usage", `{"projectKey":"default","environmentKey":"production","featureFlagKey":"new-checkout","from":1790000000000,"tz":"Europe/Berlin"}`, true},
		{"service_connections", "get_service_connection_usage", `{"projectKey":["default"],"environmentKey":["production"],"connectionType":["relay"],"groupBy":["sdkName"],"granularity":"daily","from":"now-7d"}`, true},
		{"no_args", "get_mau_usage_by_category", `{}`, true},
		{"invalid_enum", "get_stream_usage", `{"source":"browser"}`, false},
		{"invalid_unknown", "get_mau_usage", `{"groupby":"sdk","projectKey":"default"}`, false},
		{"invalid_from_after_to", "get_mau_usage", `{"from":"2026-11-02","to":"2026-11-01"}`, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			t := benchTool(b, tc.tool)
			raw := benchArgs(b, tc.args)
			if _, err := t.parseArgs(raw, benchNow); (err == nil) != tc.valid {
				b.Fatalf("parseArgs(%s) error %v, want valid=%v", tc.args, err, tc.valid)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_, _ = t.parseArgs(raw, benchNow)
			}
		})
	}
}

// BenchmarkParseArgsFirstCall measures the first call of a tool in a fresh
// server: it includes compiling the tool's input schema.
func BenchmarkParseArgsFirstCall(b *testing.B) {
	raw := benchArgs(b, `{"groupby":"sdk","from":"-30d"}`)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		t := benchTool(b, "get_mau_usage")
		b.StartTimer()
		if _, err := t.parseArgs(raw, benchNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTime measures each accepted form of from/to.
func BenchmarkParseTime(b *testing.B) {
	cases := []struct {
		name string
		v    any
		want time.Time
	}{
		{"rfc3339", "2026-11-01T00:00:00Z", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"rfc3339_offset", "2026-11-01T02:00:00+02:00", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"date", "2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"now", "now", benchNow},
		{"relative", "-7d", benchNow.Add(-7 * 24 * time.Hour)},
		{"now_relative", "now-24h", benchNow.Add(-24 * time.Hour)},
		{"unix_seconds_number", float64(1793491200), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"unix_millis_string", "1793491200000", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			got, err := ParseTime(tc.v, benchNow)
			if err != nil || !got.Equal(tc.want) {
				b.Fatalf("ParseTime(%v) = %v, %v; want %v", tc.v, got, err, tc.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_, _ = ParseTime(tc.v, benchNow)
			}
		})
	}
	b.Run("invalid", func(b *testing.B) {
		if _, err := ParseTime("yesterday", benchNow); err == nil {
			b.Fatal("ParseTime(yesterday) succeeded")
		}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = ParseTime("yesterday", benchNow)
		}
	})
}
