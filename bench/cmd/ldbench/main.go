// Command ldbench measures ld-usage-mcp from the outside, as an MCP client
// sees it: cold start over stdio (beside LaunchDarkly's own MCP server),
// resident memory, the size of tools/list, per-call overhead against the bare
// HTTP GET, throughput over streamable HTTP, and the size of a typical result.
// Everything runs on 127.0.0.1 against the emulator, in bounded loops. It
// prints a compact table and writes the figures as JSON. bench/run builds
// the binaries and calls it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// benchKey is the access token the emulator accepts in the bench. It is not a
// real LaunchDarkly token.
const benchKey = "api-bench000-0000-0000-0000-000000000000"

type config struct {
	bin       string
	ldNode    string
	ldScript  string
	ldVersion string
	ldSkip    string
	runs      int
	calls     int
	overheadN int
	sessions  int
	dur       time.Duration
	maxHTTP   int
	timeout   time.Duration
	goBench   string
	summaryRe string
	out       string
	skipHTTP  bool
	only      string
	perfOut   string
	bare      string
	dumpTools string
}

// Results is what results.json holds.
type Results struct {
	Machine   Machine                `json:"machine"`
	LoadStart string                 `json:"loadavg_start"`
	LoadEnd   string                 `json:"loadavg_end"`
	Binary    string                 `json:"binary"`
	ColdStart ColdStart              `json:"cold_start"`
	Memory    Memory                 `json:"memory"`
	ToolsList ToolsList              `json:"tools_list"`
	Overhead  *Overhead              `json:"per_call_overhead,omitempty"`
	HTTP      map[string]*LoadResult `json:"http_throughput,omitempty"`
	HTTPSkip  string                 `json:"http_skip,omitempty"`
	Result    *ResultSize            `json:"typical_result,omitempty"`
	GoBench   []GoBench              `json:"go_benchmarks,omitempty"`
	Targets   []Target               `json:"targets"`
}

type ColdStart struct {
	Runs        int        `json:"runs"`
	OursMs      []float64  `json:"ours_ms"`
	OursMedian  float64    `json:"ours_median_ms"`
	LD          string     `json:"launchdarkly_server,omitempty"`
	LDMs        []float64  `json:"launchdarkly_ms,omitempty"`
	LDMedian    float64    `json:"launchdarkly_median_ms,omitempty"`
	LDSkip      string     `json:"launchdarkly_skip,omitempty"`
	LDListBytes int        `json:"launchdarkly_tools_list_bytes,omitempty"`
	LDTools     int        `json:"launchdarkly_tools,omitempty"`
	Ratio       float64    `json:"launchdarkly_over_ours,omitempty"`
	OtherCPUPct float64    `json:"other_cpu_pct"` // other processes, while the cold starts ran
	Bare        *BareStart `json:"bare_mcp_go,omitempty"`
	OursCPUMs   []float64  `json:"ours_cpu_ms,omitempty"` // CPU time of the server (all threads) to the tools/list answer
	OursCPUMed  float64    `json:"ours_cpu_median_ms,omitempty"`
}

type Memory struct {
	RSSStart      int64   `json:"rss_start_bytes"` // median over the cold-start runs
	RSSBefore     int64   `json:"rss_before_calls_bytes"`
	RSSAfter      int64   `json:"rss_after_calls_bytes"`
	PeakAfter     int64   `json:"peak_rss_after_calls_bytes"`
	Calls         int     `json:"calls"`
	CallErrors    int     `json:"call_errors"`
	FirstError    string  `json:"first_error,omitempty"`
	CachedMedian  float64 `json:"cached_call_median_ms"`
	CachedP99     float64 `json:"cached_call_p99_ms"`
	DistinctCalls int     `json:"distinct_calls"`
}

type ToolsList struct {
	AllTools   int `json:"all_tools"`
	AllBytes   int `json:"all_bytes"`
	SeedTools  int `json:"seed_tools"`
	SeedBytes  int `json:"seed_bytes"`
	AllTokens  int `json:"all_tokens_approx"`
	SeedTokens int `json:"seed_tokens_approx"`
}

type Overhead struct {
	N            int     `json:"n"`
	Tool         string  `json:"tool"`
	CallMedian   float64 `json:"call_median_ms"`
	CallP99      float64 `json:"call_p99_ms"`
	GetMedian    float64 `json:"direct_get_median_ms"`
	GetP99       float64 `json:"direct_get_p99_ms"`
	MedianMs     float64 `json:"overhead_median_ms"`
	P99Ms        float64 `json:"overhead_p99_ms"`
	BodyBytes    int     `json:"upstream_body_bytes"`
	ResponseSize int     `json:"tools_call_response_bytes"`
}

type ResultSize struct {
	Call          string `json:"call"`
	TextBytes     int    `json:"text_bytes"`
	RawBodyBytes  int    `json:"raw_body_bytes"`
	ResponseBytes int    `json:"tools_call_response_bytes"`
	Series        int    `json:"series,omitempty"`
}

type Target struct {
	Name   string `json:"name"`
	Target string `json:"target"`
	Value  string `json:"value"`
	Status string `json:"status"` // met, missed, skipped
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "bench/out/ld-usage-mcp", "the ld-usage-mcp binary")
	flag.StringVar(&c.ldNode, "ld-node", "", "node, to run LaunchDarkly's MCP server (empty: skip it)")
	flag.StringVar(&c.ldScript, "ld-script", "", "LaunchDarkly's MCP server script (bin/mcp-server.js)")
	flag.StringVar(&c.ldVersion, "ld-version", "", "version of LaunchDarkly's MCP server, for the report")
	flag.StringVar(&c.ldSkip, "ld-skip", "", "reason LaunchDarkly's server is not measured")
	flag.IntVar(&c.runs, "runs", 9, "cold-start runs per server (at least 7)")
	flag.IntVar(&c.calls, "calls", 10000, "tools/call over stdio before the second memory reading")
	flag.IntVar(&c.overheadN, "overhead-n", 2000, "timed tools/call and direct GETs for the overhead")
	flag.IntVar(&c.sessions, "sessions", 8, "concurrent MCP sessions for the HTTP throughput")
	flag.DurationVar(&c.dur, "duration", 10*time.Second, "length of each HTTP throughput run")
	flag.IntVar(&c.maxHTTP, "max-http-calls", 2_000_000, "upper bound on calls of one HTTP run")
	flag.DurationVar(&c.timeout, "timeout", 30*time.Second, "bound on any single request")
	flag.StringVar(&c.goBench, "gobench", "", "output of go test -bench to include (optional)")
	flag.StringVar(&c.summaryRe, "summary-bench", `(?i)^BenchmarkSummar\w*/?.*(1M|1e6|million|1000000)`, "regexp naming the summarise-1,000,000-points benchmark")
	flag.StringVar(&c.out, "out", "bench/out/results.json", "where to write the JSON figures")
	flag.BoolVar(&c.skipHTTP, "skip-http", false, "skip the HTTP throughput runs")
	flag.StringVar(&c.perfOut, "perf-record", "", "record a perf CPU profile (call graphs) of the server during the cache-off HTTP run into this file")
	flag.StringVar(&c.bare, "bare", "", "the bare mcp-go server with the same tools (bench/cmd/baremcp), measured beside ours (empty: skip)")
	flag.StringVar(&c.dumpTools, "dump-tools", "", "write the tools/list result of -bin to this file and exit (bench/run builds baremcp with it)")
	flag.StringVar(&c.only, "only", "", "comma-separated phases to run (cold,memory,overhead,http); default all")
	flag.Parse()
	if c.runs < 7 {
		fmt.Fprintln(os.Stderr, "ldbench: -runs must be at least 7")
		os.Exit(2)
	}
	if c.dumpTools != "" {
		if err := dumpToolsOnly(&c); err != nil {
			fmt.Fprintln(os.Stderr, "ldbench:", err)
			os.Exit(1)
		}
		return
	}
	res, err := run(&c)
	if res != nil {
		printTable(os.Stdout, res)
		if werr := writeJSON(c.out, res); werr != nil {
			fmt.Fprintln(os.Stderr, "ldbench:", werr)
			os.Exit(1)
		}
		fmt.Printf("\nfigures written to %s\n", c.out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ldbench:", err)
		os.Exit(1)
	}
}

// phase reports whether a phase is to run. The cold start and tools/list
// always run: the other phases need no more than the binary, but the report
// is built around them.
func (c *config) phase(name string) bool {
	if c.only == "" {
		return true
	}
	for _, p := range strings.Split(c.only, ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// emu is the emulator served on 127.0.0.1.
type emu struct {
	*emulator.Emulator
	url   string
	srv   *http.Server
	conns *atomic.Int64 // connections accepted
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func startEmulator() (*emu, error) {
	e := emulator.New(emulator.Options{Keys: []string{benchKey}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	n := &atomic.Int64{}
	go func() { _ = srv.Serve(countingListener{ln, n}) }()
	return &emu{Emulator: e, url: "http://" + ln.Addr().String(), srv: srv, conns: n}, nil
}

// lastRequest is the last request the emulator received.
func (e *emu) lastRequest() (emulator.Recorded, bool) {
	rs := e.Requests()
	if len(rs) == 0 {
		return emulator.Recorded{}, false
	}
	return rs[len(rs)-1], true
}

// seedTools are the endpoints of the seed (Newer == false), in table order.
func seedTools() []string {
	var out []string
	for _, ep := range client.Endpoints {
		if !ep.Newer {
			out = append(out, ep.Tool)
		}
	}
	return out
}

// benchCall is one tools/call.
type benchCall struct {
	tool string
	args map[string]any
}

func (b benchCall) String() string {
	var parts []string
	for k, v := range b.args {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.TrimSpace(b.tool + " " + strings.Join(parts, " "))
}

// dayRange is the 30 days before today, as dates: the URL, and so the
// cache key, stays the same all day.
func dayRange() (from, to string) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	return today.AddDate(0, 0, -30).Format("2006-01-02"), today.Format("2006-01-02")
}

// mauBySDK is the typical call: MAU grouped by SDK over 30 days.
func mauBySDK() benchCall {
	from, to := dayRange()
	return benchCall{"get_mau_usage", map[string]any{"groupby": "sdk", "from": from, "to": to}}
}

// seedCalls is a valid call of each of the twelve seed tools, and a few
// variants, over a fixed range.
func seedCalls() []benchCall {
	from, to := dayRange()
	r := func(m map[string]any) map[string]any {
		m["from"], m["to"] = from, to
		return m
	}
	return []benchCall{
		mauBySDK(),
		{"get_mau_usage", r(map[string]any{"groupby": "project", "aggregationType": "daily_incremental"})},
		{"get_mau_usage", r(map[string]any{"sdktype": "client", "groupby": "environment"})},
		{"get_mau_sdks_by_type", r(map[string]any{"sdktype": "server"})},
		{"get_mau_usage_by_category", r(map[string]any{})},
		{"get_stream_usage", r(map[string]any{"source": "server"})},
		{"get_stream_usage_by_sdk_version", r(map[string]any{"source": "client"})},
		{"get_stream_usage_sdkversion", map[string]any{"source": "server"}},
		{"get_events_usage", r(map[string]any{"type": "received"})},
		{"get_evaluations_usage", r(map[string]any{"projectKey": "default", "environmentKey": "production", "featureFlagKey": "new-checkout"})},
		{"get_experimentation_keys_usage", r(map[string]any{})},
		{"get_experimentation_units_usage", r(map[string]any{})},
		{"get_data_export_events_usage", r(map[string]any{})},
		{"get_service_connection_usage", r(map[string]any{"groupBy": "sdkName"})},
	}
}

func ourArgs(e *emu, extra ...string) []string {
	return append([]string{"--server-url", e.url}, extra...)
}

func ourEnv() []string { return childEnv("LAUNCHDARKLY_API_KEY=" + benchKey) }

func run(c *config) (*Results, error) {
	res := &Results{Machine: describeMachine(), Binary: c.bin, HTTP: map[string]*LoadResult{}, LoadStart: loadAvg()}
	defer func() { res.LoadEnd = loadAvg() }()
	if _, err := os.Stat(c.bin); err != nil {
		return nil, err
	}
	e, err := startEmulator()
	if err != nil {
		return nil, err
	}
	defer e.srv.Close()

	fmt.Fprintln(os.Stderr, "ldbench: cold start…")
	allLine, err := measureColdStart(c, e, res)
	if err != nil {
		return res, fmt.Errorf("cold start: %w", err)
	}
	fmt.Fprintln(os.Stderr, "ldbench: tools/list…")
	if err := measureToolsList(c, e, res, allLine); err != nil {
		return res, fmt.Errorf("tools/list: %w", err)
	}
	if c.phase("memory") {
		fmt.Fprintln(os.Stderr, "ldbench: memory over", c.calls, "calls…")
		if err := measureMemory(c, e, res); err != nil {
			return res, fmt.Errorf("memory: %w", err)
		}
	}
	if c.phase("overhead") {
		fmt.Fprintln(os.Stderr, "ldbench: per-call overhead…")
		if err := measureOverhead(c, e, res); err != nil {
			return res, fmt.Errorf("overhead: %w", err)
		}
	}
	if c.skipHTTP || !c.phase("http") {
		res.HTTPSkip = "skipped by -skip-http or -only"
	} else {
		for _, cache := range []string{"off", "on"} {
			fmt.Fprintf(os.Stderr, "ldbench: HTTP throughput, cache %s, %s…\n", cache, c.dur)
			lr, err := measureHTTP(c, e, cache == "off")
			if err != nil {
				res.HTTPSkip = fmt.Sprintf("cache %s: %v", cache, err)
				fmt.Fprintln(os.Stderr, "ldbench: HTTP throughput:", err)
				break
			}
			res.HTTP["cache_"+cache] = lr
		}
	}
	if c.goBench != "" {
		f, err := os.Open(c.goBench)
		if err != nil {
			return res, err
		}
		res.GoBench, err = parseGoBench(f)
		f.Close()
		if err != nil {
			return res, err
		}
	}
	res.Targets = judge(c, res)
	return res, nil
}
