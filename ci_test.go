package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCIRunsEveryBenchmark: .ci/run runs the benchmarks once each, so that
// a benchmark's own checks (BenchmarkParseArgs refusing from after to, say)
// fail CI when they fail, and its list of packages finds every package
// that has a benchmark.
func TestCIRunsEveryBenchmark(t *testing.T) {
	ci, err := os.ReadFile(".ci/run")
	require.NoError(t, err)
	find := regexp.MustCompile(`(?m)^bench_pkgs=\$\((.*)\)$`).FindSubmatch(ci)
	require.NotNil(t, find, ".ci/run finds the packages with benchmarks (bench_pkgs=$(…))")
	assert.Regexp(t, `(?m)^go test -run '\^\$' -bench \. -benchtime=1x \$bench_pkgs$`, string(ci))

	out, err := exec.Command("bash", "-c", string(find[1])).Output()
	require.NoError(t, err)
	got := strings.Fields(string(out))

	var want []string
	benchmark := regexp.MustCompile(`(?m)^func Benchmark`)
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "bench/out" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if dir := "./" + filepath.Dir(path); benchmark.Match(b) && !slices.Contains(want, dir) {
			want = append(want, strings.TrimSuffix(dir, "/."))
		}
		return nil
	})
	require.NoError(t, err)
	slices.Sort(want)
	want = slices.Compact(want)
	require.NotEmpty(t, want)
	assert.Equal(t, want, got)
}
