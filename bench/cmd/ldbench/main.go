// Command ldbench measures ld-usage-mcp from the outside, as an MCP client
// sees it: cold start over stdio (beside LaunchDarkly's own MCP server),
// resident memory, the size of tools/list, per-call overhead against the bare
// HTTP GET, throughput over streamable HTTP, and the size of a typical result.
// Everything runs on 127.0.0.1 against the emulator, in bounded loops. It
// prints a compact table and writes the figures as JSON. bench/run builds
// the binaries and calls it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
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

func measureColdStart(c *config, e *emu, res *Results) ([]byte, error) {
	cs := &res.ColdStart
	cs.Runs = c.runs
	var ours, theirs, oursCPU []time.Duration
	var rss []int64
	var allLine []byte
	ld := c.ldNode != "" && c.ldScript != ""
	if ld {
		cs.LD = "@launchdarkly/mcp-server " + c.ldVersion
	} else {
		cs.LDSkip = c.ldSkip
		if cs.LDSkip == "" {
			cs.LDSkip = "not configured (-ld-node/-ld-script)"
		}
	}
	busy0, self0, kids0, t0 := systemBusy(), selfCPU(), childrenCPU(), time.Now()
	defer func() {
		other := (systemBusy() - busy0) - (selfCPU() - self0) - (childrenCPU() - kids0)
		cs.OtherCPUPct = round3(max(0, 100*other.Seconds()/time.Since(t0).Seconds()))
	}()
	for i := 0; i < c.runs; i++ {
		smp, err := coldStartSample(c.bin, ourArgs(e), ourEnv(), c.timeout)
		if err != nil {
			return nil, err
		}
		ours, rss, allLine = append(ours, smp.wall), append(rss, smp.rss), smp.line
		oursCPU = append(oursCPU, smp.cpu)
		if c.bare != "" {
			if cs.Bare == nil {
				cs.Bare = &BareStart{}
			}
			if err := bareRun(c, cs.Bare); err != nil {
				return nil, err
			}
		}
		if ld {
			d, line, _, err := coldStart(c.ldNode, []string{c.ldScript, "start", "--api-key", benchKey, "--server-url", e.url}, childEnv(), c.timeout)
			if err != nil {
				cs.LDSkip = fmt.Sprintf("LaunchDarkly's server did not answer: %v", err)
				ld, theirs = false, nil
				continue
			}
			theirs = append(theirs, d)
			cs.LDListBytes, cs.LDTools = len(line), countTools(line)
		}
	}
	for _, d := range ours {
		cs.OursMs = append(cs.OursMs, round3(ms(d)))
	}
	cs.OursMedian = round3(ms(median(ours)))
	for _, d := range oursCPU {
		cs.OursCPUMs = append(cs.OursCPUMs, round3(ms(d)))
	}
	cs.OursCPUMed = round3(ms(median(oursCPU)))
	res.Memory.RSSStart = medianInt(rss)
	finishBare(c, res)
	if len(theirs) > 0 {
		for _, d := range theirs {
			cs.LDMs = append(cs.LDMs, round3(ms(d)))
		}
		cs.LDMedian = round3(ms(median(theirs)))
		cs.Ratio = round3(float64(median(theirs)) / float64(median(ours)))
	} else {
		cs.LDListBytes, cs.LDTools = 0, 0
	}
	return allLine, nil
}

func round3(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 3, 64), 64)
	return v
}

func countTools(line []byte) int {
	res, err := parseResult(line)
	if err != nil {
		return 0
	}
	var r struct {
		Tools []json.RawMessage `json:"tools"`
	}
	_ = json.Unmarshal(res, &r)
	return len(r.Tools)
}

func measureToolsList(c *config, e *emu, res *Results, allLine []byte) error {
	tl := &res.ToolsList
	tl.AllBytes, tl.AllTools = len(allLine), countTools(allLine)
	seeds := seedTools()
	_, line, _, err := coldStart(c.bin, ourArgs(e, "--tools", strings.Join(seeds, ",")), ourEnv(), c.timeout)
	if err != nil {
		return err
	}
	tl.SeedBytes, tl.SeedTools = len(line), countTools(line)
	if tl.SeedTools != len(seeds) {
		return fmt.Errorf("--tools with the %d seed tools listed %d tools", len(seeds), tl.SeedTools)
	}
	if tl.AllTools != len(client.Endpoints) {
		return fmt.Errorf("tools/list listed %d tools, client.Endpoints has %d", tl.AllTools, len(client.Endpoints))
	}
	tl.AllTokens, tl.SeedTokens = tl.AllBytes/4, tl.SeedBytes/4
	return nil
}

// measureMemory reads VmRSS after the handshake and after c.calls tool calls
// cycling through valid calls of the seed tools (cache on, as by default).
func measureMemory(c *config, e *emu, res *Results) error {
	p, err := spawn(c.bin, ourArgs(e), ourEnv(), io.Discard, c.timeout)
	if err != nil {
		return err
	}
	defer p.close()
	if _, err := p.handshake(); err != nil {
		return err
	}
	m := &res.Memory
	if m.RSSBefore, err = readRSS(p.PID()); err != nil {
		return err
	}
	calls := seedCalls()
	params := make([]json.RawMessage, len(calls))
	for i, bc := range calls {
		params[i] = callParams(bc.tool, bc.args)
	}
	m.DistinctCalls = len(calls)
	lat := make([]time.Duration, 0, c.calls)
	for i := 0; i < c.calls; i++ {
		t0 := time.Now()
		line, err := p.request("tools/call", params[i%len(params)])
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("call %d (%s): %w", i, calls[i%len(calls)], err)
		}
		m.Calls++
		if _, err := parseToolResult(line); err != nil {
			m.CallErrors++
			if m.FirstError == "" {
				m.FirstError = calls[i%len(calls)].String() + ": " + err.Error()
			}
		}
		if i >= len(calls) { // the first round fills the cache
			lat = append(lat, d)
		}
	}
	m.CachedMedian = round3(ms(median(lat)))
	m.CachedP99 = round3(ms(quantile(lat, 0.99)))
	if m.RSSAfter, err = readRSS(p.PID()); err != nil {
		return err
	}
	m.PeakAfter, _ = procStatusField(p.PID(), "VmHWM")
	return nil
}

// measureOverhead times tools/call over stdio (cache off) against the same
// GET sent straight to the emulator, interleaved, in one run.
func measureOverhead(c *config, e *emu, res *Results) error {
	p, err := spawn(c.bin, ourArgs(e, "--no-cache"), ourEnv(), io.Discard, c.timeout)
	if err != nil {
		return err
	}
	defer p.close()
	if _, err := p.handshake(); err != nil {
		return err
	}
	bc := mauBySDK()
	params := callParams(bc.tool, bc.args)
	e.ResetRequests()
	line, err := p.request("tools/call", params)
	if err != nil {
		return err
	}
	if _, err := parseToolResult(line); err != nil {
		return fmt.Errorf("%s: %w", bc, err)
	}
	rec, ok := e.lastRequest()
	if !ok || e.Count() != 1 {
		return fmt.Errorf("one tools/call with --no-cache sent %d requests to the emulator, want 1", e.Count())
	}
	get, err := directGetter(e, rec)
	if err != nil {
		return err
	}
	body, err := get()
	if err != nil {
		return err
	}
	o := &Overhead{N: c.overheadN, Tool: bc.String(), BodyBytes: len(body), ResponseSize: len(line)}
	var calls, gets []time.Duration
	const warm = 100
	for i := 0; i < warm+c.overheadN; i++ {
		t0 := time.Now()
		if _, err := get(); err != nil {
			return err
		}
		dg := time.Since(t0)
		t0 = time.Now()
		line, err := p.request("tools/call", params)
		dc := time.Since(t0)
		if err != nil {
			return err
		}
		if _, err := parseToolResult(line); err != nil {
			return fmt.Errorf("%s: %w", bc, err)
		}
		if i >= warm {
			gets, calls = append(gets, dg), append(calls, dc)
		}
	}
	o.CallMedian, o.CallP99 = round3(ms(median(calls))), round3(ms(quantile(calls, 0.99)))
	o.GetMedian, o.GetP99 = round3(ms(median(gets))), round3(ms(quantile(gets, 0.99)))
	o.MedianMs = round3(ms(median(calls) - median(gets)))
	o.P99Ms = round3(ms(quantile(calls, 0.99) - median(gets)))
	res.Overhead = o

	// The typical result: MAU by SDK over the past 30 days, as a model asks for it.
	typical := benchCall{"get_mau_usage", map[string]any{"groupby": "sdk", "from": "-30d"}}
	e.ResetRequests()
	line, err = p.request("tools/call", callParams(typical.tool, typical.args))
	if err != nil {
		return err
	}
	tr, err := parseToolResult(line)
	if err != nil {
		return fmt.Errorf("%s: %w", typical, err)
	}
	rec, ok = e.lastRequest()
	if !ok {
		return errors.New("the typical call sent no request")
	}
	if get, err = directGetter(e, rec); err != nil {
		return err
	}
	if body, err = get(); err != nil {
		return err
	}
	rs := &ResultSize{Call: typical.String(), RawBodyBytes: len(body), ResponseBytes: len(line)}
	for _, ct := range tr.Content {
		if ct.Type == "text" {
			rs.TextBytes += len(ct.Text)
		}
	}
	if d, err := client.Decode(body); err == nil {
		rs.Series = len(d.Series)
	}
	res.Result = rs
	return nil
}

// directGetter returns a function that sends the recorded request straight to
// the emulator, with the same headers, and returns the body (checked: 200).
func directGetter(e *emu, rec emulator.Recorded) (func() ([]byte, error), error) {
	u := e.url + rec.Path
	if rec.RawQuery != "" {
		u += "?" + rec.RawQuery
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}, Timeout: 30 * time.Second}
	hdr := http.Header{}
	for _, k := range []string{"Authorization", "LD-API-Version", "Accept", "User-Agent", "Accept-Encoding"} {
		if v := rec.Header.Get(k); v != "" {
			hdr.Set(k, v)
		}
	}
	return func() ([]byte, error) {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header = hdr.Clone()
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("direct GET %s: HTTP %d", rec.Path, resp.StatusCode)
		}
		return b, nil
	}, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// measureHTTP starts the server with --transport http and loads it.
func measureHTTP(c *config, e *emu, noCache bool) (*LoadResult, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := ourArgs(e, "--transport", "http", "--addr", addr)
	if noCache {
		args = append(args, "--no-cache")
	}
	var stderr bytes.Buffer
	p, err := spawn(c.bin, args, ourEnv(), &limitedBuffer{b: &stderr, max: 64 << 10}, c.timeout)
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.waitErr:
		case <-time.After(5 * time.Second):
			p.kill()
			<-p.waitErr
		}
	}()
	if err := waitHealthy("http://"+addr+"/healthz", 10*time.Second); err != nil {
		return nil, fmt.Errorf("%w; stderr: %.300s", err, stderr.String())
	}
	if noCache && c.perfOut != "" {
		// perf samples the server for the length of the run (the warm-up
		// included); it stops by itself.
		perf := exec.Command("perf", "record", "-F", "499", "-g", "-p", strconv.Itoa(p.PID()), "-o", c.perfOut,
			"--", "sleep", strconv.Itoa(int(c.dur.Seconds())+1))
		perf.Stdout, perf.Stderr = os.Stderr, os.Stderr
		if err := perf.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "ldbench: perf:", err)
		} else {
			defer func() { _ = perf.Wait() }()
			time.Sleep(200 * time.Millisecond)
		}
	}
	bc := mauBySDK()
	conns0, reqs0 := e.conns.Load(), e.Count()
	lr, err := loadHTTP("http://"+addr+"/mcp", c.sessions, c.dur, c.maxHTTP, callParams(bc.tool, bc.args), p.PID())
	if lr != nil {
		lr.UpstreamConns, lr.UpstreamRequests = e.conns.Load()-conns0, e.Count()-reqs0
	}
	return lr, err
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// judge compares the figures with the targets of issue 6.
func judge(c *config, r *Results) []Target {
	var ts []Target
	add := func(name, target, value string, met bool, skip string) {
		st := "missed"
		if met {
			st = "met"
		}
		if skip != "" {
			st, value = "skipped", skip
		}
		ts = append(ts, Target{name, target, value, st})
	}
	cs := r.ColdStart
	add("cold start, median", "≤ 10 ms", fmt.Sprintf("%.2f ms", cs.OursMedian), cs.OursMedian <= 10, "")
	skip := ""
	if cs.LDMedian == 0 {
		skip = cs.LDSkip
	}
	add("cold start vs LaunchDarkly's server", "≥ 50× faster", fmt.Sprintf("%.0f× (%.0f ms vs %.2f ms)", cs.Ratio, cs.LDMedian, cs.OursMedian), cs.Ratio >= 50, skip)
	add("RSS at start", "≤ 15 MiB", mib(r.Memory.RSSStart), r.Memory.RSSStart <= 15<<20, "")
	add("tools/list, 12 seed tools", "≤ 12,000 B", fmt.Sprintf("%s B", commas(r.ToolsList.SeedBytes)), r.ToolsList.SeedBytes <= 12000, "")
	add("tools/list, all tools", "≤ 24,000 B", fmt.Sprintf("%s B", commas(r.ToolsList.AllBytes)), r.ToolsList.AllBytes <= 24000, "")
	if o := r.Overhead; o != nil {
		add("per-call overhead, median", "≤ 1 ms", fmt.Sprintf("%.3f ms", o.MedianMs), o.MedianMs <= 1, "")
	}
	if c.goBench != "" {
		re, err := regexp.Compile(c.summaryRe)
		var b *GoBench
		if err == nil {
			b = findBench(r.GoBench, re)
		}
		if b != nil {
			v := b.Metrics["ns/op"] / 1e6
			add("summarise 1,000,000 points", "≤ 100 ms", fmt.Sprintf("%.1f ms (%s)", v, b.Name), v <= 100, "")
		} else {
			add("summarise 1,000,000 points", "≤ 100 ms", "", false, "no benchmark matches "+c.summaryRe)
		}
	} else {
		add("summarise 1,000,000 points", "≤ 100 ms", "", false, "go benchmarks not run")
	}
	for _, k := range []string{"cache_off", "cache_on"} {
		name := "HTTP throughput, " + strings.ReplaceAll(k, "_", " ")
		lr := r.HTTP[k]
		if lr == nil {
			add(name, "≥ 2,000 calls/s, 0 errors", "", false, orDefault(r.HTTPSkip, "not run"))
			continue
		}
		add(name, "≥ 2,000 calls/s, 0 errors", fmt.Sprintf("%s calls/s, %d errors", commas(int(lr.CallsPerSec)), lr.Errors), lr.CallsPerSec >= 2000 && lr.Errors == 0, "")
	}
	return ts
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func printTable(w io.Writer, r *Results) {
	m := r.Machine
	fmt.Fprintf(w, "ld-usage-mcp bench, %s: %d × %s, %s, %s, GOMAXPROCS %d; load average %s at start, %s at end\n\n",
		m.Date, m.NumCPU, m.CPUModel, m.MemTotal, m.GoVersion, m.GOMAXPROCS, r.LoadStart, r.LoadEnd)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue")
	cs := r.ColdStart
	fmt.Fprintf(tw, "cold start, stdio spawn→tools/list (median of %d)\t%.2f ms  [%s]\n", cs.Runs, cs.OursMedian, joinMs(cs.OursMs))
	if cs.OursCPUMed > 0 {
		fmt.Fprintf(tw, "  CPU time of the server to that answer, all threads\t%.2f ms\n", cs.OursCPUMed)
	}
	if cs.LDMedian > 0 {
		fmt.Fprintf(tw, "  LaunchDarkly's server (%s, node)\t%.1f ms  (%.0f× ours; %d tools, tools/list %s B)\n", cs.LD, cs.LDMedian, cs.Ratio, cs.LDTools, commas(cs.LDListBytes))
	} else {
		fmt.Fprintf(tw, "  LaunchDarkly's server\tskipped: %s\n", cs.LDSkip)
	}
	printBare(tw, r)
	if cs.OtherCPUPct > 15 {
		fmt.Fprintf(tw, "  WARNING\tother processes used %.0f%% of a core during the cold starts: the figures are high; rerun on a quiet machine\n", cs.OtherCPUPct)
	}
	mem := r.Memory
	fmt.Fprintf(tw, "RSS at start (median of cold starts)\t%s\n", mib(mem.RSSStart))
	if mem.Calls > 0 {
		fmt.Fprintf(tw, "RSS after %s tools/call (stdio, cache on)\t%s  (before %s, peak %s; %d errors)\n", commas(mem.Calls), mib(mem.RSSAfter), mib(mem.RSSBefore), mib(mem.PeakAfter), mem.CallErrors)
		fmt.Fprintf(tw, "  tools/call over stdio, cached answers\tmedian %.3f ms, p99 %.3f ms (%d distinct calls)\n", mem.CachedMedian, mem.CachedP99, mem.DistinctCalls)
	}
	tl := r.ToolsList
	fmt.Fprintf(tw, "tools/list, %d seed tools\t%s B ≈ %s tokens\n", tl.SeedTools, commas(tl.SeedBytes), commas(tl.SeedTokens))
	fmt.Fprintf(tw, "tools/list, all %d tools\t%s B ≈ %s tokens\n", tl.AllTools, commas(tl.AllBytes), commas(tl.AllTokens))
	if o := r.Overhead; o != nil {
		fmt.Fprintf(tw, "per-call overhead, stdio, --no-cache (n=%d)\tmedian %.3f ms, p99 %.3f ms\n", o.N, o.MedianMs, o.P99Ms)
		fmt.Fprintf(tw, "  tools/call | direct GET (%s B body)\tmedian %.3f | %.3f ms, p99 %.3f | %.3f ms\n", commas(o.BodyBytes), o.CallMedian, o.GetMedian, o.CallP99, o.GetP99)
	}
	for _, k := range []string{"cache_off", "cache_on"} {
		if lr := r.HTTP[k]; lr != nil {
			fmt.Fprintf(tw, "HTTP throughput, %d sessions, %s\t%s calls/s, %d errors  (%.0f s; latency median %.2f ms, p99 %.2f ms; CPU server %.0f%%, bench+emulator %.0f%%, other processes %.0f%%)\n",
				lr.Sessions, strings.ReplaceAll(k, "_", " "), commas(int(lr.CallsPerSec)), lr.Errors, lr.Seconds, lr.MedianMs, lr.P99Ms, lr.ServerCPUPct, lr.BenchCPUPct, lr.OtherCPUPct)
			fmt.Fprintf(tw, "  CPU per call: server | bench+emulator\t%.3f | %.3f ms  (CPU-bound ceiling on %d cores ≈ %s calls/s; %s upstream requests over %s new connections)\n",
				lr.ServerCPUPerCall, lr.BenchCPUPerCall, r.Machine.NumCPU, commas(int(float64(r.Machine.NumCPU)*1000/max(lr.ServerCPUPerCall+lr.BenchCPUPerCall, 1e-9))),
				commas(lr.UpstreamRequests), commas(int(lr.UpstreamConns)))
			if lr.OtherCPUPct > 15 {
				fmt.Fprintf(tw, "  WARNING\tother processes used %.0f%% of a core during this run: the figure is low; rerun on a quiet machine\n", lr.OtherCPUPct)
			}
			if lr.FirstError != "" {
				fmt.Fprintf(tw, "  first error\t%.160s\n", lr.FirstError)
			}
		}
	}
	if r.HTTPSkip != "" {
		fmt.Fprintf(tw, "HTTP throughput\tskipped: %s\n", r.HTTPSkip)
	}
	if rs := r.Result; rs != nil {
		fmt.Fprintf(tw, "typical result: %s\ttext %s B vs raw body %s B (%.0f%%); whole tools/call response %s B; %d series\n",
			rs.Call, commas(rs.TextBytes), commas(rs.RawBodyBytes), 100*float64(rs.TextBytes)/float64(max(rs.RawBodyBytes, 1)), commas(rs.ResponseBytes), rs.Series)
	}
	for _, b := range r.GoBench {
		extra := ""
		if v, ok := b.Metrics["points"]; ok {
			extra = fmt.Sprintf(", %s points", commas(int(v)))
		}
		fmt.Fprintf(tw, "go: %s\t%s/op, %s B/op, %s allocs/op%s\n", b.Name, dur(b.Metrics["ns/op"]), commas(int(b.Metrics["B/op"])), commas(int(b.Metrics["allocs/op"])), extra)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\twanted\tmeasured\tstatus")
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Target, t.Value, strings.ToUpper(t.Status))
	}
	tw.Flush()
}

func joinMs(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(parts, " ")
}

func dur(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
