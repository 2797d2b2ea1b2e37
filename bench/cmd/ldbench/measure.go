package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// This file holds the measurements: cold start, tools/list, memory, per-call
// overhead against a raw GET, HTTP throughput.

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
	seeds := seedTools()
	_, line, _, err := coldStart(c.bin, ourArgs(e, "--tools", strings.Join(seeds, ",")), ourEnv(), c.timeout)
	if err != nil {
		return err
	}
	return toolsListFigures(&res.ToolsList, allLine, line, seeds)
}

// toolsListFigures reads the sizes of two tools/list answers: of the whole
// server (every endpoint's tool and the composite tools) and of --tools
// with the seed tools. The sizes are kept even when a list is not what it
// should be.
func toolsListFigures(tl *ToolsList, allLine, seedLine []byte, seeds []string) error {
	tl.AllBytes, tl.AllTools = len(allLine), countTools(allLine)
	tl.SeedBytes, tl.SeedTools = len(seedLine), countTools(seedLine)
	tl.AllTokens, tl.SeedTokens = tl.AllBytes/4, tl.SeedBytes/4
	if tl.SeedTools != len(seeds) {
		return fmt.Errorf("--tools with the %d seed tools listed %d tools", len(seeds), tl.SeedTools)
	}
	want := map[string]bool{tools.OverviewTool: true}
	for _, ep := range client.Endpoints {
		want[ep.Tool] = true
	}
	listed := toolNames(allLine)
	for _, n := range listed {
		if !want[n] {
			return fmt.Errorf("tools/list listed %s, which is neither an endpoint's tool (client.Endpoints) nor the overview", n)
		}
		delete(want, n)
	}
	for n := range want {
		return fmt.Errorf("tools/list listed %d tools, without %s", len(listed), n)
	}
	return nil
}

// toolNames are the names of the tools a tools/list answer lists.
func toolNames(line []byte) []string {
	res, err := parseResult(line)
	if err != nil {
		return nil
	}
	var r struct {
		Tools []struct{ Name string } `json:"tools"`
	}
	_ = json.Unmarshal(res, &r)
	out := make([]string, len(r.Tools))
	for i, t := range r.Tools {
		out[i] = t.Name
	}
	return out
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
