package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	cases := []struct {
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ms(3, 1, 2), 0.5, 2 * time.Millisecond},
		{ms(4, 1, 3, 2), 0.5, 2500 * time.Microsecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.9, 9 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
		{ms(5), 0.99, 5 * time.Millisecond},
	}
	for _, tc := range cases {
		if got := quantile(tc.in, tc.q); got != tc.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", tc.in, tc.q, got, tc.want)
		}
	}
	in := ms(3, 1, 2)
	quantile(in, 0.5)
	if in[0] != 3*time.Millisecond {
		t.Error("quantile sorted its input")
	}
	if got := medianInt([]int64{5, 1, 4, 2}); got != 3 {
		t.Errorf("medianInt = %d, want 3", got)
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/ld-usage-mcp/ld-usage-mcp/client
BenchmarkDecodeSeriesList30x50-2   	    3938	    342372 ns/op	  53.47 MB/s	      1500 points	  110145 B/op	    1201 allocs/op
BenchmarkParseTime/now-2           	34352364	        43.33 ns/op	       0 B/op	       0 allocs/op
--- FAIL: BenchmarkBroken
pkg: github.com/ld-usage-mcp/ld-usage-mcp/tools
BenchmarkSummarize1M               	     248	   4860000 ns/op
PASS
`
	bs, err := parseGoBench(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 3 {
		t.Fatalf("parsed %d benchmarks, want 3: %+v", len(bs), bs)
	}
	if b := bs[0]; b.Name != "BenchmarkDecodeSeriesList30x50" || b.Iterations != 3938 || b.Metrics["ns/op"] != 342372 ||
		b.Metrics["points"] != 1500 || b.Metrics["allocs/op"] != 1201 || !strings.HasSuffix(b.Package, "/client") {
		t.Errorf("first benchmark parsed as %+v", b)
	}
	if bs[1].Name != "BenchmarkParseTime/now" || bs[1].Metrics["ns/op"] != 43.33 {
		t.Errorf("second benchmark parsed as %+v", bs[1])
	}
	re := regexp.MustCompile(`(?i)^BenchmarkSummar\w*/?.*(1M|1e6|million|1000000)`)
	if b := findBench(bs, re); b == nil || b.Metrics["ns/op"] != 4.86e6 || !strings.HasSuffix(b.Package, "/tools") {
		t.Errorf("summary benchmark not found: %+v", b)
	}
}

func TestResponseID(t *testing.T) {
	cases := map[string]string{
		`{"jsonrpc":"2.0","id":12,"result":{"tools":[]}}`:                    "12",
		`{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"x"}}`:     "3",
		`{"result":{"protocolVersion":"2025-06-18"},"jsonrpc":"2.0","id":1}`: "1",
		`{"jsonrpc":"2.0","method":"notifications/message","params":{}}`:     "",
		`{"jsonrpc":"2.0","id":7,"method":"ping"}`:                           "",
		`not json`: "",
	}
	for line, want := range cases {
		if got := responseID([]byte(line)); got != want {
			t.Errorf("responseID(%s) = %q, want %q", line, got, want)
		}
	}
}

func TestQuickOK(t *testing.T) {
	ok := `{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"MAU"}]}}`
	if !quickOK([]byte(ok)) {
		t.Error("a plain result is not ok")
	}
	for _, bad := range []string{
		`{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"no key"}],"isError":true}}`,
		`{"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"boom"}}`,
		`{"id":4,"result":{}}`,
	} {
		if quickOK([]byte(bad)) {
			t.Errorf("quickOK(%s) = true", bad)
		}
	}
	if _, err := parseToolResult([]byte(`{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"no key"}],"isError":true}}`)); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Errorf("parseToolResult of a tool error: %v", err)
	}
}

func TestEncodeRequest(t *testing.T) {
	got := string(encodeRequest(5, "tools/call", callParams("get_mau_usage", map[string]any{"groupby": "sdk"})))
	want := `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_mau_usage","arguments":{"groupby":"sdk"}}}` + "\n"
	if got != want {
		t.Errorf("encodeRequest = %s, want %s", got, want)
	}
}

func TestProcReaders(t *testing.T) {
	rss, err := readRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("readRSS(self) = %d, %v", rss, err)
	}
	deadline := time.Now().Add(time.Second)
	for x := 0; time.Now().Before(deadline) && selfCPU() < 20*time.Millisecond; x++ {
		_ = x * x
	}
	cpu, err := procCPU(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Errorf("procCPU(self) = %v, %v", cpu, err)
	}
}

func TestSeedTools(t *testing.T) {
	seeds := seedTools()
	if len(seeds) != 12 {
		t.Fatalf("%d seed tools, want 12: %v", len(seeds), seeds)
	}
	calls := map[string]bool{}
	for _, c := range seedCalls() {
		calls[c.tool] = true
	}
	for _, s := range seeds {
		if !calls[s] {
			t.Errorf("no bench call of seed tool %s", s)
		}
	}
}

func TestCommas(t *testing.T) {
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -24000: "-24,000"} {
		if got := commas(in); got != want {
			t.Errorf("commas(%d) = %s, want %s", in, got, want)
		}
	}
}
