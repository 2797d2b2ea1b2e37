// Package chromiumtest starts Debian's chromium for the tests that look at
// what a person sees (the MCP App, its independent host, the sign-in pages).
package chromiumtest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path finds the browser, or skips the test (fails it under CI, where
// .ci/run installs Debian's package chromium).
func Path(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: .ci/run installs Debian's package chromium")
	}
	t.Skip("browser test skipped: chromium not found; install Debian's package chromium (apt-get install -y chromium)")
	return ""
}

// Start starts the browser at exe headless, with the flags that work here
// and a window of width×height, for the test's lifetime. It collects the
// console errors and exceptions of its pages for which keep returns a text
// (keep may be nil: every one, as its String); the function returned lists
// them so far.
func Start(t testing.TB, ctx context.Context, exe string, width, height int, keep func(chromedp.ConsoleMessage) (string, bool)) (context.Context, func() []string) {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
	)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	var mu sync.Mutex
	var problems []string
	console := chromedp.Console(bctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			text, ok := m.String(), true
			if keep != nil {
				text, ok = keep(m)
			}
			if ok {
				mu.Lock()
				problems = append(problems, text)
				mu.Unlock()
			}
		}
	}()
	return bctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}
