// Command replicas measures replicas of ld-usage-mcp with and without a
// shared Redis (--redis), on this machine, against the built-in emulator as
// LaunchDarkly (on 127.0.0.1, with a latency like LaunchDarkly's and,
// optionally, a rate limit), in bounded runs:
//
//   - mixed: C clients for D seconds, each call a question drawn from a pool
//     of Q (the questions a team's assistants repeat), spread round robin
//     over the replicas: calls/s, upstream requests per call, p50/p99;
//   - burst: N distinct questions at once for one token against a rate
//     limit: upstream 429s, wall time, p99, failed calls.
//
// Each is run for one replica alone (the reference), three replicas each on
// its own, and three replicas sharing a Redis (Debian's redis-server,
// started here on a free loopback port). Results: a table on stdout, JSON
// with -out.
//
//	go build -o /tmp/ld-usage-mcp . && go run ./bench/cmd/replicas -bin /tmp/ld-usage-mcp
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

const token = "api-replicas-bench-0000"

type config struct {
	bin, redisServer string
	duration         time.Duration
	clients          int
	questions        int
	burst            int
	burstLimit       int
	upstreamDelay    time.Duration
	out              string
	scenarios        string
}

// Result is one measured run.
type Result struct {
	Scenario         string  `json:"scenario"`
	Setup            string  `json:"setup"`
	Calls            int     `json:"calls"`
	Failed           int     `json:"failed"`
	Seconds          float64 `json:"seconds"`
	CallsPerSecond   float64 `json:"calls_per_second"`
	Upstream         int     `json:"upstream_requests"`
	UpstreamPerCall  float64 `json:"upstream_requests_per_call"`
	Upstream429      int64   `json:"upstream_429"`
	P50Millis        float64 `json:"p50_ms"`
	P99Millis        float64 `json:"p99_ms"`
	ReplicaCPUMillis float64 `json:"replica_cpu_ms_per_call"`
	RedisOutages     int64   `json:"redis_outages_logged"`
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "", "the built ld-usage-mcp binary")
	flag.StringVar(&c.redisServer, "redis-server", "redis-server", "redis-server to start")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "length of each mixed run")
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients of the mixed runs")
	flag.IntVar(&c.questions, "questions", 200, "distinct questions of the mixed runs")
	flag.IntVar(&c.burst, "burst", 300, "distinct calls of a burst")
	flag.IntVar(&c.burstLimit, "burst-limit", 50, "the emulator's rate limit during bursts, per second")
	flag.DurationVar(&c.upstreamDelay, "upstream-delay", 100*time.Millisecond, "the emulator's latency (LaunchDarkly's is of this order)")
	flag.StringVar(&c.out, "out", "", "write the results as JSON here")
	flag.StringVar(&c.scenarios, "scenarios", "mixed,burst", "runs to make: mixed, burst")
	flag.Parse()
	if c.bin == "" {
		fmt.Fprintln(os.Stderr, "replicas: -bin is required")
		os.Exit(2)
	}
	res, err := run(&c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
	fmt.Printf("%-6s %-22s %6s %6s %8s %9s %9s %6s %8s %8s %9s %8s\n", "run", "setup", "calls", "failed", "calls/s", "upstream", "up/call", "429s", "p50 ms", "p99 ms", "cpu ms/c", "outages")
	for _, r := range res {
		fmt.Printf("%-6s %-22s %6d %6d %8.1f %9d %9.3f %6d %8.1f %8.1f %9.2f %8d\n", r.Scenario, r.Setup, r.Calls, r.Failed, r.CallsPerSecond,
			r.Upstream, r.UpstreamPerCall, r.Upstream429, r.P50Millis, r.P99Millis, r.ReplicaCPUMillis, r.RedisOutages)
	}
	if c.out != "" {
		b, _ := json.MarshalIndent(map[string]any{
			"machine": machine(), "go": runtime.Version(), "duration": c.duration.String(), "clients": c.clients,
			"questions": c.questions, "burst": c.burst, "burst_limit_per_s": c.burstLimit,
			"upstream_delay": c.upstreamDelay.String(), "results": res,
		}, "", "  ")
		if err := os.WriteFile(c.out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "replicas:", err)
			os.Exit(1)
		}
	}
}

func run(c *config) ([]Result, error) {
	setups := []struct {
		name     string
		replicas int
		redis    bool
	}{{"1 replica (reference)", 1, false}, {"3 replicas", 3, false}, {"3 replicas + Redis", 3, true}}
	var out []Result
	for _, scenario := range strings.Split(c.scenarios, ",") {
		if scenario != "mixed" && scenario != "burst" {
			return nil, fmt.Errorf("unknown scenario %q", scenario)
		}
		for _, s := range setups {
			r, err := measure(c, scenario, s.replicas, s.redis)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", scenario, s.name, err)
			}
			r.Setup = s.name
			out = append(out, *r)
			time.Sleep(time.Second) // let the machine settle
		}
	}
	return out, nil
}

// upstream is the emulator behind a latency, counting requests and 429s.
type upstream struct {
	emu     *emulator.Emulator
	srv     *httptest.Server
	limited atomic.Int64
}

func startUpstream(limit int, delay time.Duration) *upstream {
	u := &upstream{emu: emulator.New(emulator.Options{RateLimit: limit, Window: time.Second})}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		rec := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		u.emu.ServeHTTP(rec, r)
		if rec.code == http.StatusTooManyRequests {
			u.limited.Add(1)
		}
	}))
	return u
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func measure(c *config, scenario string, n int, withRedis bool) (*Result, error) {
	limit := 0
	if scenario == "burst" {
		limit = c.burstLimit
	}
	up := startUpstream(limit, c.upstreamDelay)
	defer up.srv.Close()
	args := []string{"--transport", "http", "--addr", "127.0.0.1:0", "--server-url", up.srv.URL}
	if withRedis {
		addr, stop, err := startRedis(c.redisServer)
		if err != nil {
			return nil, err
		}
		defer stop()
		args = append(args, "--redis", "redis://"+addr+"/0")
	}
	var reps []*replica
	defer func() {
		for _, r := range reps {
			r.stop()
		}
	}()
	for range n {
		r, err := startReplica(c.bin, args)
		if err != nil {
			return nil, err
		}
		reps = append(reps, r)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	cpu0 := cpuOf(reps)
	var lat []time.Duration
	var calls, failed int
	start := time.Now()
	var mu sync.Mutex
	record := func(d time.Duration, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if ok {
			lat = append(lat, d)
		} else {
			failed++
		}
	}
	var rr atomic.Int64
	call := func(flag string) {
		r := reps[int(rr.Add(1))%len(reps)]
		t := time.Now()
		ok := r.call(hc, flag)
		record(time.Since(t), ok)
	}
	var wg sync.WaitGroup
	switch scenario {
	case "mixed":
		deadline := start.Add(c.duration)
		for i := range c.clients {
			wg.Go(func() {
				rnd := rand.New(rand.NewPCG(uint64(i), 42))
				for time.Now().Before(deadline) {
					call("q" + strconv.Itoa(rnd.IntN(c.questions)))
				}
			})
		}
	case "burst":
		for i := range c.burst {
			wg.Go(func() { call("burst" + strconv.Itoa(i)) })
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuOf(reps) - cpu0
	slices.Sort(lat)
	r := &Result{
		Scenario: scenario, Calls: calls, Failed: failed, Seconds: round(elapsed.Seconds(), 2),
		CallsPerSecond: round(float64(calls)/elapsed.Seconds(), 1), Upstream: up.emu.Count(), Upstream429: up.limited.Load(),
		P50Millis: round(ms(quantile(lat, 0.5)), 1), P99Millis: round(ms(quantile(lat, 0.99)), 1),
	}
	for _, rep := range reps {
		r.RedisOutages += rep.outages.Load()
	}
	if calls > 0 {
		r.UpstreamPerCall = round(float64(r.Upstream)/float64(calls), 3)
		r.ReplicaCPUMillis = round(cpu.Seconds()*1000/float64(calls), 3)
	}
	return r, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(f float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(f*p+0.5)) / p
}

// quantile of sorted values (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// replica is one server process.
type replica struct {
	cmd     *exec.Cmd
	url     string
	outages atomic.Int64 // "redis unreachable" lines logged
}

var servingRE = regexp.MustCompile(`msg="serving MCP over HTTP".* addr=(\S+)`)

func startReplica(bin string, args []string) (*replica, error) {
	cmd := exec.Command(bin, append(args, "--log-level", "info")...)
	// The deployment's secret, the same on every replica (needed with --redis).
	cmd.Env = append(os.Environ(), "LAUNCHDARKLY_API_KEY="+token, "LD_USAGE_MCP_SECRET=replicas-bench-deployment-secret-0001")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	r := &replica{cmd: cmd}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
			if strings.Contains(sc.Text(), "redis unreachable") {
				r.outages.Add(1)
			}
		}
	}()
	select {
	case a := <-addr:
		r.url = "http://" + a + "/mcp"
		return r, nil
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, errors.New("a replica did not start")
	}
}

func (r *replica) stop() {
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
}

// call makes one tools/call (the server is stateless: no session) and
// reports whether it answered without a tool error.
func (r *replica) call(hc *http.Client, flag string) bool {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_evaluations_usage","arguments":{"projectKey":"default","environmentKey":"production","featureFlagKey":%q}}}`, flag)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return false
	}
	return bytes.Contains(b, []byte(`"result"`)) && !bytes.Contains(b, []byte(`"isError":true`)) &&
		bytes.Contains(b, []byte("featureFlagKey="+flag))
}

// cpuOf sums the CPU time (user+system) the replicas used, from /proc.
func cpuOf(reps []*replica) time.Duration {
	var total time.Duration
	for _, r := range reps {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(r.cmd.Process.Pid) + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += time.Duration(u+s) * time.Second / 100 // USER_HZ
		}
	}
	return total
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and returns its address and a stop function.
func startRedis(bin string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	dir, err := os.MkdirTemp("", "replicas-redis")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("%w (install Debian's redis-server)", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return addr, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("redis-server did not start")
}

// machine describes the CPU and memory.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs, %s/%s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
}
