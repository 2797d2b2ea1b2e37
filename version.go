package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// The build's identity. Release builds set all three with
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>"
//
// (GoReleaser does, see .goreleaser.yaml); other builds fill what is left
// empty from the build information the go command embeds: the module version
// for `go install module@version`, the VCS revision and time for a build in a
// checkout. They must stay uninitialised (or constant) for -X to set them.
var (
	version string
	commit  string
	date    string
)

func init() {
	info, _ := debug.ReadBuildInfo()
	b := stampBuild(buildStamp{Version: version, Commit: commit, Date: date}, info)
	version, commit, date = b.Version, b.Commit, b.Date
}

// buildStamp is what --version prints.
type buildStamp struct {
	Version string // module version, e.g. v0.1.0; "devel" when nothing says
	Commit  string // VCS revision; "unknown" when nothing says
	Date    string // RFC 3339: the build time (-X) or else the commit's; "unknown" when nothing says
}

// stampBuild completes what the linker set (set) with the build information
// (info, nil when the binary has none): a field set with -X always wins.
func stampBuild(set buildStamp, info *debug.BuildInfo) buildStamp {
	b := set
	if info != nil {
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		var modified bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && set.Commit == "" && b.Commit != "" {
			b.Commit += " (modified)"
		}
		// A module installed at a pseudo-version (go install module@<commit>)
		// carries no VCS settings, but its version names the commit and its time.
		if rev, t, ok := pseudoVersion(info.Main.Version); ok && set.Version == "" {
			if b.Commit == "" {
				b.Commit = rev
			}
			if b.Date == "" {
				b.Date = t.Format(time.RFC3339)
			}
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// pseudoVersion reads the commit prefix and time out of a Go pseudo-version
// (vX.Y.Z-yyyymmddhhmmss-abcdef123456, vX.Y.Z-pre.0.yyyymmddhhmmss-…,
// vX.Y.(Z+1)-0.yyyymmddhhmmss-…, any with +incompatible or +dirty).
func pseudoVersion(v string) (rev string, t time.Time, ok bool) {
	v, _, _ = strings.Cut(v, "+")
	i := strings.LastIndexByte(v, '-')
	if i < 0 || len(v)-i-1 != 12 || !strings.HasPrefix(v, "v") {
		return "", time.Time{}, false
	}
	rev = v[i+1:]
	for _, c := range rev {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", time.Time{}, false
		}
	}
	head := v[:i]
	if len(head) < 15 || head[len(head)-15] != '-' && head[len(head)-15] != '.' {
		return "", time.Time{}, false
	}
	t, err := time.Parse("20060102150405", head[len(head)-14:])
	if err != nil {
		return "", time.Time{}, false
	}
	return rev, t, true
}

// printVersion writes what --version prints: the first line is
// "ld-usage-mcp VERSION", for scripts.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "ld-usage-mcp %s\ncommit: %s\ndate:   %s\ngo:     %s %s/%s\n",
		version, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
