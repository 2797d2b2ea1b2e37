package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStampBuild(t *testing.T) {
	vcs := func(rev, tm, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-compiler", Value: "gc"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: tm},
			{Key: "vcs.modified", Value: modified},
		}
	}
	const rev = "8a5bcd559b9fe8b1108e3bde9e9e6c1a128c5bc6"
	for _, tc := range []struct {
		name string
		set  buildStamp
		info *debug.BuildInfo
		want buildStamp
	}{
		{"no build info at all", buildStamp{}, nil,
			buildStamp{"devel", "unknown", "unknown"}},
		{"go test / go run: (devel), no VCS", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			buildStamp{"devel", "unknown", "unknown"}},
		{"go install module@v0.3.1", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}},
			buildStamp{"v0.3.1", "unknown", "unknown"}},
		{"go install module@<commit>: the pseudo-version names commit and time", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261126021400-bf8759f0abcd"}},
			buildStamp{"v0.0.0-20261126021400-bf8759f0abcd", "bf8759f0abcd", "2026-11-26T02:14:00Z"}},
		{"pseudo-version after a pre-release tag", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.2.0-rc.1.0.20261126021400-bf8759f0abcd"}},
			buildStamp{"v0.2.0-rc.1.0.20261126021400-bf8759f0abcd", "bf8759f0abcd", "2026-11-26T02:14:00Z"}},
		{"pseudo-version after a release tag", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.3.2-0.20261126021400-bf8759f0abcd+incompatible"}},
			buildStamp{"v0.3.2-0.20261126021400-bf8759f0abcd+incompatible", "bf8759f0abcd", "2026-11-26T02:14:00Z"}},
		{"a pre-release that only looks long is no pseudo-version", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v1.0.0-beta-abcdefabcdef"}},
			buildStamp{"v1.0.0-beta-abcdefabcdef", "unknown", "unknown"}},
		{"go build in a clean checkout: VCS settings", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130112145-8a5bcd559b9f"},
				Settings: vcs(rev, "2026-11-30T11:21:45Z", "false")},
			buildStamp{"v0.0.0-20261130112145-8a5bcd559b9f", rev, "2026-11-30T11:21:45Z"}},
		{"go build with uncommitted changes", buildStamp{},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130112145-8a5bcd559b9f+dirty"},
				Settings: vcs(rev, "2026-11-30T11:21:45Z", "true")},
			buildStamp{"v0.0.0-20261130112145-8a5bcd559b9f+dirty", rev + " (modified)", "2026-11-30T11:21:45Z"}},
		{"release build: -X wins over everything", buildStamp{"v1.2.3", "abc1234", "2026-12-01T10:00:00Z"},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130112145-8a5bcd559b9f"},
				Settings: vcs(rev, "2026-11-30T11:21:45Z", "true")},
			buildStamp{"v1.2.3", "abc1234", "2026-12-01T10:00:00Z"}},
		{"-X version only: commit and date from VCS", buildStamp{Version: "v1.2.3"},
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-11-30T11:21:45Z", "false")},
			buildStamp{"v1.2.3", rev, "2026-11-30T11:21:45Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, stampBuild(tc.set, tc.info))
		})
	}
}

// TestVersionFromLdflags builds the binary as a release build does and checks
// that --version prints what -X set: the variables must stay settable.
func TestVersionFromLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ld-usage-mcp")
	ldflags := "-X main.version=v7.8.9-test -X main.commit=0123456789abcdef -X main.date=2026-12-01T10:00:00Z"
	out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	var stdout bytes.Buffer
	cmd := exec.Command(bin, "--version")
	cmd.Stdout = &stdout
	require.NoError(t, cmd.Run())
	assert.Equal(t, "ld-usage-mcp v7.8.9-test\n"+
		"commit: 0123456789abcdef\n"+
		"date:   2026-12-01T10:00:00Z\n"+
		"go:     "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n", stdout.String())
}

// binaryVersion is the version the test binary (testBinary) reports.
func binaryVersion(t *testing.T) string {
	t.Helper()
	out, _, code := runCLI(t, cleanEnv(), "--version")
	require.Equal(t, 0, code)
	first, _, _ := strings.Cut(out, "\n")
	v, ok := strings.CutPrefix(first, "ld-usage-mcp ")
	require.True(t, ok, "first line %q", first)
	return v
}
