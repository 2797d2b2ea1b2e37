package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// BareStart is the cold start and memory of the reference server (command
// baremcp: bare mcp-go on stdio with the same tool definitions), measured in
// the same loop as ours, runs alternating, so that a busy or slow machine
// moves both.
type BareStart struct {
	Binary      string    `json:"binary"`
	Tools       int       `json:"tools"`
	ListBytes   int       `json:"tools_list_bytes"`
	Ms          []float64 `json:"ms"`
	Median      float64   `json:"median_ms"`
	CPUMs       []float64 `json:"cpu_ms,omitempty"`
	CPUMedian   float64   `json:"cpu_median_ms,omitempty"`
	OursCPUOver float64   `json:"ours_cpu_over_bare,omitempty"`
	RSSStart    int64     `json:"rss_start_bytes"` // median over the cold starts
	OursOver    float64   `json:"ours_over_bare"`  // ours' median cold start / the bare server's
	OursMinus   float64   `json:"ours_minus_bare_ms"`
	RSSOursOver float64   `json:"rss_ours_over_bare"`
	BinaryBytes int64     `json:"binary_bytes"`
	OursBytes   int64     `json:"ours_binary_bytes"`

	durs []time.Duration
	cpus []time.Duration
	rss  []int64
}

// bareRun is one cold start of the reference server, after one of ours.
func bareRun(c *config, b *BareStart) error {
	smp, err := coldStartSample(c.bare, nil, childEnv(), c.timeout)
	if err != nil {
		return fmt.Errorf("bare mcp-go server %s: %w", c.bare, err)
	}
	b.durs, b.rss, b.cpus = append(b.durs, smp.wall), append(b.rss, smp.rss), append(b.cpus, smp.cpu)
	b.Tools, b.ListBytes = countTools(smp.line), len(smp.line)
	return nil
}

// finishBare turns the runs into figures beside ours.
func finishBare(c *config, res *Results) {
	b := res.ColdStart.Bare
	if b == nil || len(b.durs) == 0 {
		return
	}
	b.Binary = c.bare
	for _, d := range b.durs {
		b.Ms = append(b.Ms, round3(ms(d)))
	}
	b.Median = round3(ms(median(b.durs)))
	for _, d := range b.cpus {
		b.CPUMs = append(b.CPUMs, round3(ms(d)))
	}
	b.CPUMedian = round3(ms(median(b.cpus)))
	if b.CPUMedian > 0 {
		b.OursCPUOver = round3(res.ColdStart.OursCPUMed / b.CPUMedian)
	}
	b.RSSStart = medianInt(b.rss)
	if b.Median > 0 {
		b.OursOver = round3(res.ColdStart.OursMedian / b.Median)
	}
	b.OursMinus = round3(res.ColdStart.OursMedian - b.Median)
	if b.RSSStart > 0 {
		b.RSSOursOver = round3(float64(res.Memory.RSSStart) / float64(b.RSSStart))
	}
	if st, err := os.Stat(c.bare); err == nil {
		b.BinaryBytes = st.Size()
	}
	if st, err := os.Stat(c.bin); err == nil {
		b.OursBytes = st.Size()
	}
}

// printBare adds the reference server's line under our cold start.
func printBare(w io.Writer, r *Results) {
	b := r.ColdStart.Bare
	if b == nil || b.Median == 0 {
		return
	}
	fmt.Fprintf(w, "  bare mcp-go server, same %d tool definitions\t%.2f ms, CPU %.2f ms, RSS %s  (ours %+.2f ms, %.2f×; CPU %.2f×; RSS %.2f×; binary %.1f vs %.1f MB)  [%s]\n",
		b.Tools, b.Median, b.CPUMedian, mib(b.RSSStart), b.OursMinus, b.OursOver, b.OursCPUOver, b.RSSOursOver,
		float64(b.OursBytes)/1e6, float64(b.BinaryBytes)/1e6, joinMs(b.Ms))
}

// dumpTools writes the result of our server's tools/list (all tools) to
// path: the definitions bench/run builds the bare server with.
func dumpTools(c *config, e *emu, path string) error {
	_, line, _, err := coldStart(c.bin, ourArgs(e), ourEnv(), c.timeout)
	if err != nil {
		return err
	}
	result, err := parseResult(line)
	if err != nil {
		return err
	}
	var check struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(result, &check); err != nil || len(check.Tools) == 0 {
		return fmt.Errorf("tools/list answered no tools: %s", line)
	}
	return os.WriteFile(path, result, 0o644)
}

func dumpToolsOnly(c *config) error {
	e, err := startEmulator()
	if err != nil {
		return err
	}
	defer e.srv.Close()
	return dumpTools(c, e, c.dumpTools)
}
