package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// httpSession is one MCP client session over streamable HTTP.
type httpSession struct {
	c      *http.Client
	url    string
	sid    string // Mcp-Session-Id, when the server gave one
	nextID int
}

// post sends one JSON-RPC message and returns the HTTP status and, for a
// request, the JSON-RPC response (read from a JSON body or an SSE stream).
func (s *httpSession) post(ctx context.Context, body []byte, wantID string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", protocolVersion)
	if s.sid != "" {
		req.Header.Set("Mcp-Session-Id", s.sid)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if id := resp.Header.Get("Mcp-Session-Id"); id != "" && s.sid == "" {
		s.sid = id
	}
	if wantID == "" || resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, nil, nil
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		msg, err := readSSEResponse(resp.Body, wantID)
		return resp.StatusCode, msg, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, b, err
}

// readSSEResponse reads SSE events until the JSON-RPC response with wantID.
func readSSEResponse(r io.Reader, wantID string) ([]byte, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("data:")):
			data = append(data, bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" "))...)
		case len(line) == 0 && len(data) > 0:
			if responseID(data) == wantID {
				return data, nil
			}
			data = data[:0]
		}
	}
	if len(data) > 0 && responseID(data) == wantID {
		return data, nil
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("event stream ended without the response")
}

func (s *httpSession) request(ctx context.Context, method string, params json.RawMessage) ([]byte, error) {
	s.nextID++
	id := fmt.Sprint(s.nextID)
	status, msg, err := s.post(ctx, encodeRequest(s.nextID, method, params), id)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", method, status)
	}
	return msg, nil
}

// open initializes a session.
func (s *httpSession) open(ctx context.Context) error {
	msg, err := s.request(ctx, "initialize", initializeParams)
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if _, err := parseResult(msg); err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	status, _, err := s.post(ctx, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`), "")
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("notifications/initialized: HTTP %d", status)
	}
	return nil
}

// LoadResult is one throughput run.
type LoadResult struct {
	Sessions     int            `json:"sessions"`
	Seconds      float64        `json:"seconds"`
	Calls        int            `json:"calls"`
	Errors       int            `json:"errors"`
	ErrorKinds   map[string]int `json:"error_kinds,omitempty"`
	FirstError   string         `json:"first_error,omitempty"`
	CallsPerSec  float64        `json:"calls_per_sec"`
	MedianMs     float64        `json:"latency_median_ms"`
	P99Ms        float64        `json:"latency_p99_ms"`
	ServerCPUPct float64        `json:"server_cpu_pct"` // 100 = one core
	BenchCPUPct  float64        `json:"bench_cpu_pct"`  // load generator and emulator
	OtherCPUPct  float64        `json:"other_cpu_pct"`  // every other process on the machine
	ServerRSS    int64          `json:"server_rss_bytes"`
	// CPU per successful call, in ms: less disturbed by other processes than calls/s.
	ServerCPUPerCall float64 `json:"server_cpu_ms_per_call"`
	BenchCPUPerCall  float64 `json:"bench_cpu_ms_per_call"`
	UpstreamRequests int     `json:"upstream_requests"`
	UpstreamConns    int64   `json:"upstream_connections_opened"`
}

// loadHTTP runs sessions concurrent MCP sessions against url for dur (and at
// most maxCalls calls in all), each calling the tool with params in a loop.
func loadHTTP(url string, sessions int, dur time.Duration, maxCalls int, params json.RawMessage, serverPID int) (*LoadResult, error) {
	tr := &http.Transport{MaxIdleConns: sessions * 2, MaxIdleConnsPerHost: sessions * 2, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur+30*time.Second)
	defer cancel()

	ss := make([]*httpSession, sessions)
	for i := range ss {
		ss[i] = &httpSession{c: hc, url: url}
		if err := ss[i].open(ctx); err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
	}
	// One warm-up call per session, outside the clock.
	for i, s := range ss {
		msg, err := s.request(ctx, "tools/call", params)
		if err == nil {
			_, err = parseToolResult(msg)
		}
		if err != nil {
			return nil, fmt.Errorf("session %d warm-up call: %w", i, err)
		}
	}

	res := &LoadResult{Sessions: sessions, ErrorKinds: map[string]int{}}
	var mu sync.Mutex
	var lat []time.Duration
	perWorker := maxCalls / sessions
	cpu0, _ := procCPU(serverPID)
	self0 := selfCPU()
	sys0 := systemBusy()
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			kinds := map[string]int{}
			first := ""
			calls := 0
			for n := 0; n < perWorker && time.Now().Before(deadline); n++ {
				t0 := time.Now()
				msg, err := s.request(ctx, "tools/call", params)
				d := time.Since(t0)
				calls++
				kind := ""
				switch {
				case err != nil:
					kind = "transport/http"
				case !quickOK(msg):
					if _, err = parseToolResult(msg); err != nil {
						kind = "jsonrpc/tool"
					}
				}
				if kind != "" {
					kinds[kind]++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				local = append(local, d)
			}
			mu.Lock()
			defer mu.Unlock()
			res.Calls += calls
			lat = append(lat, local...)
			for k, v := range kinds {
				res.ErrorKinds[k] += v
				res.Errors += v
			}
			if res.FirstError == "" {
				res.FirstError = first
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, _ := procCPU(serverPID)
	self1 := selfCPU()
	sys1 := systemBusy()
	res.Seconds = elapsed.Seconds()
	res.CallsPerSec = float64(res.Calls-res.Errors) / elapsed.Seconds()
	res.MedianMs = ms(median(lat))
	res.P99Ms = ms(quantile(lat, 0.99))
	res.ServerCPUPct = 100 * (cpu1 - cpu0).Seconds() / elapsed.Seconds()
	res.BenchCPUPct = 100 * (self1 - self0).Seconds() / elapsed.Seconds()
	res.OtherCPUPct = max(0, 100*((sys1-sys0)-(cpu1-cpu0)-(self1-self0)).Seconds()/elapsed.Seconds())
	if ok := res.Calls - res.Errors; ok > 0 {
		res.ServerCPUPerCall = round3(1000 * (cpu1 - cpu0).Seconds() / float64(ok))
		res.BenchCPUPerCall = round3(1000 * (self1 - self0).Seconds() / float64(ok))
	}
	res.ServerRSS, _ = readRSS(serverPID)
	if len(res.ErrorKinds) == 0 {
		res.ErrorKinds = nil
	}
	return res, nil
}

// quickOK reports, without parsing the whole message, that a tools/call
// response is a result that is not a tool error: it starts as mcp-go starts a
// result and does not carry "isError":true. Anything else is parsed in full,
// so that the load generator spends its CPU on load, not on checking.
func quickOK(msg []byte) bool {
	rest, ok := bytes.CutPrefix(msg, responsePrefix)
	if !ok {
		return false
	}
	i := bytes.IndexByte(rest, ',')
	return i > 0 && bytes.HasPrefix(rest[i:], []byte(`,"result":`)) && !bytes.Contains(rest, []byte(`"isError":true`))
}

// waitHealthy polls url until it answers 200, for at most limit.
func waitHealthy(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: time.Second}
	for {
		resp, err := c.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("HTTP %d", resp.StatusCode)
			}
			return fmt.Errorf("%s not healthy after %s: %w", url, limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
