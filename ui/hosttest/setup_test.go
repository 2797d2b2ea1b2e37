//go:build linux

package hosttest

// This file sets the stage: node and npm, the Inspector installed once per
// lock file in a cache directory, its processes, chromium, and the reading
// of the app's frame inside the Inspector's page.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/chromiumtest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/stretchr/testify/require"
)

// lookPath finds a program, or skips (fails under CI, where .ci/run installs it).
func lookPath(t *testing.T, names []string, install string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found: .ci/run installs %s", names[0], install)
	}
	t.Skipf("host test skipped: %s not found; install %s", names[0], install)
	return ""
}

// installHost installs the pinned Inspector with npm ci into a cache
// directory named by the hash of package.json and package-lock.json
// ($LD_USAGE_HOSTTEST_CACHE, or the user's cache directory), once: later
// runs reuse it. It returns the directory holding node_modules.
func installHost(t *testing.T, npm string) string {
	t.Helper()
	pkg, err := os.ReadFile("package.json")
	require.NoError(t, err)
	lock, err := os.ReadFile("package-lock.json")
	require.NoError(t, err)
	sum := sha256.Sum256(append(append(pkg, 0), lock...))
	root := os.Getenv("LD_USAGE_HOSTTEST_CACHE")
	if root == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		root = filepath.Join(cache, "ld-usage-mcp", "hosttest")
	}
	dir := filepath.Join(root, hex.EncodeToString(sum[:8]))
	done := filepath.Join(dir, ".installed")
	if exists(done) {
		checkInstalled(t, pkg, dir)
		return dir
	}
	require.NoError(t, os.MkdirAll(root, 0o755))
	// Install beside it and rename: a run stopped half way leaves no half install.
	tmp, err := os.MkdirTemp(root, "install-")
	require.NoError(t, err)
	defer os.RemoveAll(tmp)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "package.json"), pkg, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "package-lock.json"), lock, 0o644))
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// No install scripts: the Inspector's packages need none to run.
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm ci of the Inspector:\n%s", out)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, ".installed"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644))
	if err := os.Rename(tmp, dir); err != nil && !exists(done) {
		require.NoError(t, err)
	}
	t.Logf("npm ci of the Inspector: %s, in %s", time.Since(start).Round(time.Second), dir)
	checkInstalled(t, pkg, dir)
	return dir
}

// checkInstalled: the cache holds the versions package.json pins.
func checkInstalled(t *testing.T, pkg []byte, dir string) {
	t.Helper()
	var want struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	require.NoError(t, json.Unmarshal(pkg, &want))
	require.NotEmpty(t, want.Dependencies)
	for name, version := range want.Dependencies {
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
		require.NoError(t, err, "%s in the cache %s", name, dir)
		var got struct {
			Version string `json:"version"`
		}
		require.NoError(t, json.Unmarshal(b, &got))
		require.Equal(t, version, got.Version, "%s in the cache %s: remove it to install again", name, dir)
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (loggers).
type syncBuffer = mcptest.LockedBuffer

// startInspector runs the Inspector's two programs as its launcher
// (mcp-inspector --transport http --server-url …) starts them: its proxy,
// which connects to the MCP server and serves the apps' sandbox, and its
// web client, on loopback ports, with a session token of the test's.
// It returns the client's URL as the launcher prints it. They are started
// here rather than by the launcher so that they end with the test even
// when the test binary is killed (Pdeathsig), not only at cleanup.
func startInspector(t *testing.T, node, dir, mcpURL string) (page string, logs *syncBuffer) {
	t.Helper()
	clientPort, proxyPort := freePort(t), freePort(t)
	// The proxy can start programs (its stdio transport) for whoever has
	// the token: a random one, and loopback only.
	token := rand.Text()
	page = fmt.Sprintf("http://127.0.0.1:%d/?MCP_PROXY_PORT=%d&MCP_PROXY_AUTH_TOKEN=%s", clientPort, proxyPort, token)
	env := append(os.Environ(),
		"HOST=127.0.0.1",
		fmt.Sprintf("CLIENT_PORT=%d", clientPort),
		fmt.Sprintf("SERVER_PORT=%d", proxyPort),
		"MCP_PROXY_AUTH_TOKEN="+token,
		"MCP_ENV_VARS={}",
		fmt.Sprintf("ALLOWED_ORIGINS=http://127.0.0.1:%d", clientPort),
		"MCP_AUTO_OPEN_ENABLED=false",
		"INSPECTOR_URL="+page,
	)
	root := filepath.Join(dir, "node_modules", "@modelcontextprotocol", "inspector")
	logs = &syncBuffer{}
	exited := make(chan struct{}, 2)
	for _, args := range [][]string{
		{filepath.Join(root, "server", "build", "index.js"), "--transport=streamable-http", "--server-url=" + mcpURL},
		{filepath.Join(root, "client", "bin", "client.js")},
	} {
		cmd := exec.Command(node, args...)
		cmd.Dir, cmd.Env = dir, env
		cmd.Stdout, cmd.Stderr = logs, logs
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		require.NoError(t, cmd.Start())
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done); exited <- struct{}{} }()
		t.Cleanup(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
			}
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, port := range []int{clientPort, proxyPort} {
		for {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				t.Fatalf("the Inspector exited:\n%s", logs.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("the Inspector did not listen on %d:\n%s", port, logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return page, logs
}

// browser starts chromium headless, and collects what the pages report as
// errors on their consoles.
func browser(t *testing.T, ctx context.Context, exe string) (context.Context, func() []string) {
	return chromiumtest.Start(t, ctx, exe, 1280, 1000, func(m chromedp.ConsoleMessage) (string, bool) {
		return fmt.Sprintf("%s (%s:%d)", m.String(), m.URL, m.Line), true
	})
}

// frame is a document to evaluate in: a target and an execution context of
// one of its frames (an isolated world: the frame's DOM, not its scripts).
type frame struct {
	ctx context.Context
	id  runtime.ExecutionContextID
}

// appFrame finds the frame that shows the app: the Inspector mounts it in
// an iframe (srcdoc) inside its sandbox proxy's iframe; chromium may run
// either in the page's process or in one of its own.
func appFrame(t *testing.T, bctx context.Context) frame {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		targets := []context.Context{bctx}
		infos, err := chromedp.Targets(bctx)
		require.NoError(t, err)
		for _, i := range infos {
			if i.Type == "iframe" {
				fctx, cancel := chromedp.NewContext(bctx, chromedp.WithTargetID(i.TargetID))
				t.Cleanup(cancel)
				targets = append(targets, fctx)
			}
		}
		for _, tctx := range targets {
			tree, err := chromedp.Call(tctx, page.GetFrameTree, cdp.Empty{})
			if err != nil || tree.FrameTree == nil {
				continue
			}
			var walk func(ft *page.FrameTree) (frame, bool)
			walk = func(ft *page.FrameTree) (frame, bool) {
				if ft.Frame.ParentID != "" {
					w, err := chromedp.Call(tctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: ft.Frame.ID, WorldName: "hosttest"})
					if err == nil {
						f := frame{tctx, w.ExecutionContextID}
						if ok, err := evalErr[bool](f, `!!document.querySelector("table.figures, .uplot, .chart, .card")`); err == nil && ok {
							return f, true
						}
					}
				}
				for _, c := range ft.ChildFrames {
					if f, ok := walk(c); ok {
						return f, true
					}
				}
				return frame{}, false
			}
			if f, ok := walk(tree.FrameTree); ok {
				return f
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("no frame shows the app")
	return frame{}
}

func evalErr[T any](f frame, expr string) (T, error) {
	return chromedp.Run(f.ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { p.ContextID = f.id }))
}

// eval evaluates expr in the frame and decodes its value.
func eval[T any](t *testing.T, f frame, expr string) T {
	t.Helper()
	v, err := evalErr[T](f, expr)
	require.NoError(t, err, expr)
	return v
}

// waitFor polls cond in the frame until it holds (at most 20 s).
func waitFor(t *testing.T, f frame, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := evalErr[bool](f, "!!("+cond+")")
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// artifacts is where the screenshots go: $LD_USAGE_ARTIFACTS/inspector,
// else ui/artifacts/inspector beside the project's own host test's (ignored by git).
func artifacts(t *testing.T) string {
	t.Helper()
	root := os.Getenv("LD_USAGE_ARTIFACTS")
	if root == "" {
		root = filepath.Join("..", "artifacts")
	}
	dir := filepath.Join(root, "inspector")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

func shot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
}
