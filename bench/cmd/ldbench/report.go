package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
)

// This file judges the figures against the targets and prints them as a table.

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
