package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkSSEFlood measures what a greedy SSE client holds on the server:
// one stream never read and 1,500 tools/list calls POSTed on its session
// ("flood"), and 1,000 GET /sse left idle ("idle"), each with the caps of
// this server (the defaults: 16 calls in flight a session, 256 sessions,
// 30 s write timeout) and, as the reference in the same run, with the caps
// lifted (as the server was before them). It reports the goroutines and the
// heap and RSS grown, measured right after the flood, before any stream is
// dropped.
//
//	go test -run='^$' -bench=BenchmarkSSEFlood -benchtime=1x ./server
func BenchmarkSSEFlood(b *testing.B) {
	lifted := HTTPConfig{MaxSessions: 1 << 30, MaxSessionCalls: 1 << 30, StreamWriteTimeout: time.Hour, MaxConnections: 1 << 20}
	for _, c := range []struct {
		name string
		http HTTPConfig
	}{{"capped", HTTPConfig{}}, {"reference-uncapped", lifted}} {
		b.Run("flood/"+c.name, func(b *testing.B) {
			for b.Loop() {
				measureFlood(b, c.http, func(addr string) {
					_, msgURL := sseOpen(b, addr)
					hc := &http.Client{Timeout: 10 * time.Second}
					defer hc.CloseIdleConnections()
					for i := range 1500 {
						resp, err := hc.Post(msgURL, "application/json", strings.NewReader(fmt.Sprintf(toolsListBody, i+1)))
						if err != nil {
							b.Fatal(err)
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
					}
				})
			}
		})
		b.Run("idle/"+c.name, func(b *testing.B) {
			for b.Loop() {
				measureFlood(b, c.http, func(addr string) {
					for range 1000 {
						_, _ = sseOpen(b, addr)
					}
				})
			}
		})
	}
}

// measureFlood runs flood against a fresh SSE server with cfg and reports
// what it left held.
func measureFlood(b *testing.B, cfg HTTPConfig, flood func(addr string)) {
	b.Helper()
	_, emuURL := startEmulator(b)
	s := startHTTPServer(b, &Config{Transport: "sse", HTTP: cfg}, emuURL)
	debug.FreeOSMemory() // what earlier runs left goes back, for a fair RSS baseline
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g0, rss0 := runtime.NumGoroutine(), rssBytes()
	flood(s.addr)
	time.Sleep(200 * time.Millisecond) // the last calls reach their stream
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(runtime.NumGoroutine()-g0), "goroutines")
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-MB")
	b.ReportMetric(float64(rssBytes()-rss0)/(1<<20), "rss-MB")
}

// rssBytes is this process's resident set size (Linux), 0 elsewhere.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
