package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// GoBench is one line of `go test -bench` output.
type GoBench struct {
	Package    string             `json:"package,omitempty"`
	Name       string             `json:"name"` // without the -GOMAXPROCS suffix
	Iterations int64              `json:"iterations"`
	Metrics    map[string]float64 `json:"metrics"` // unit → value: ns/op, B/op, allocs/op, MB/s, custom
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.+)$`)

// parseGoBench reads `go test -bench` output; lines that are not results are skipped.
func parseGoBench(r io.Reader) ([]GoBench, error) {
	var out []GoBench
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			continue
		}
		b := GoBench{Package: pkg, Name: m[1], Iterations: n, Metrics: map[string]float64{}}
		fs := strings.Fields(m[3])
		for i := 0; i+1 < len(fs); i += 2 {
			v, err := strconv.ParseFloat(fs[i], 64)
			if err != nil {
				break
			}
			b.Metrics[fs[i+1]] = v
		}
		if _, ok := b.Metrics["ns/op"]; !ok {
			continue
		}
		out = append(out, b)
	}
	return out, sc.Err()
}

// findBench returns the first benchmark whose name matches re.
func findBench(bs []GoBench, re *regexp.Regexp) *GoBench {
	for i := range bs {
		if re.MatchString(bs[i].Name) {
			return &bs[i]
		}
	}
	return nil
}
