package ui_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/chromiumtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests are the app as a person sees it: Debian's chromium, headless,
// loads the test host page (dist/host.html, built with ext-apps' AppBridge
// and the official TypeScript MCP client), which connects to the demo server
// over streamable HTTP on loopback, reads the app's ui:// resource, mounts it
// in sandboxed iframes under the spec's default CSP and hands over the
// results of real calls (views_test.go). The assertions read what is on the
// screen — the SVG's lines and texts, the table cells, the colours — and
// compare them with the results the server sent (points_test.go, one
// subtest per point of issue 19).

// chromium finds the browser, or skips (fails under CI, where .ci/run installs it).
func chromium(t *testing.T) string { return chromiumtest.Path(t) }

type result struct {
	IsError bool `json:"isError"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StructuredContent struct {
		Summary json.RawMessage `json:"summary"`
		Raw     json.RawMessage `json:"raw"`
	} `json:"structuredContent"`
}

// TestAppInBrowser: a chart of the answer, its lines the summary's series
// and its table the summary's figures, in the host's theme and at the
// size the app asks for; the theme follows the host's.
func TestAppInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	vs := views(time.Now().UTC())[:1]
	p := demoHost(t, ctx, vs, "dark")
	assert.True(t, strings.HasPrefix(p.host.ResourceURI, "ui://"), p.host.ResourceURI)
	assert.Equal(t, "text/html;profile=mcp-app", p.host.MimeType)
	assert.Contains(t, p.host.Extensions, "io.modelcontextprotocol/ui")
	s := p.summary(vs[0].name)
	require.Equal(t, "series", s.Kind)
	require.Greater(t, len(s.Series), 3, "get_clientside_mau_usage groupBy=sdkName answers several series")

	c := p.chart(vs[0].name)
	require.Len(t, c.Lines, len(s.Series), "one line per series")
	require.Len(t, c.Rows, len(s.Series), "one row per series")
	for i, x := range s.Series {
		assert.Equal(t, x.Key, c.Lines[i].Key)
		assert.Equal(t, x.Label, c.Rows[i].Series)
		assert.Equal(t, exactText(x.Figure), c.Rows[i].Cells["figure"], x.Label)
		assert.Greater(t, len(c.Lines[i].D), 20, "%s: drawn", x.Label)
	}
	assert.Equal(t, "dark", c.Theme)
	assert.Less(t, luminance(t, c.Bg), 0.2, "dark background: %s", c.Bg)
	appH := eval[float64](t, p.frames[vs[0].name], `document.documentElement.getBoundingClientRect().height`)
	iframeH, err := chromedp.Run(p.browser, chromedp.Evaluate[float64](`document.querySelector("iframe[name=app0]").clientHeight`))
	require.NoError(t, err)
	assert.Greater(t, appH, 300.0)
	assert.InDelta(t, appH, iframeH, 4, "the host sized the iframe to the app's content")

	p.theme("light")
	c = p.chart(vs[0].name)
	assert.Greater(t, luminance(t, c.Bg), 0.8, "light background: %s", c.Bg)
	assert.Len(t, c.Lines, len(s.Series), "drawn again in the light theme")
	noAppErrors(t, p.browser)
	assert.Empty(t, p.issues(), "no error on the host page")
	t.Logf("browser test: %s", time.Since(start).Round(time.Millisecond))
}

// hostState is what the host page tells of its work.
type hostState struct {
	ResourceURI string           `json:"resourceUri"`
	MimeType    string           `json:"mimeType"`
	Extensions  map[string]any   `json:"extensions"`
	Results     []result         `json:"results"`
	Logs        []map[string]any `json:"logs"`
}

// openHost loads the host page and waits until it has handed every result to its app.
func openHost(t *testing.T, bctx context.Context, page string) hostState {
	t.Helper()
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(page)))
	state, err := chromedp.Run(bctx, chromedp.Poll[string](`window.host && host.state !== "starting" && host.state`, chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err)
	if state != "ready" {
		errs, _ := chromedp.Run(bctx, chromedp.Evaluate[[]string](`host.errors`))
		t.Fatalf("the host page did not mount the app: %s %v", state, errs)
	}
	host, err := chromedp.Run(bctx, chromedp.Evaluate[hostState](`({resourceUri: host.resourceUri, mimeType: host.mimeType, extensions: host.extensions, results: host.results, logs: host.logs})`))
	require.NoError(t, err)
	return host
}

// noAppErrors: the apps logged no error to the host (they report their
// uncaught errors and CSP violations there).
func noAppErrors(t *testing.T, bctx context.Context) {
	t.Helper()
	logs, err := chromedp.Run(bctx, chromedp.Evaluate[[]map[string]any](`host.logs`))
	require.NoError(t, err)
	for _, l := range logs {
		assert.NotEqual(t, "error", l["level"], "the app logged %v", l)
	}
}

// browser starts chromium headless and collects the errors of the host
// page's console: all but the 405 that answers the MCP client's optional GET
// stream (the server is stateless).
func browser(t *testing.T, ctx context.Context, exe string) (context.Context, func() []string) {
	return chromiumtest.Start(t, ctx, exe, 1300, 2700, func(m chromedp.ConsoleMessage) (string, bool) {
		return m.String(), !(m.Source == "network" && strings.Contains(m.Text, "405"))
	})
}

// appFrames attaches to the apps' iframes, which chromium runs as targets of
// their own (sandboxed iframes are isolated in another process), by name.
func appFrames(t *testing.T, ctx context.Context, names ...string) map[string]context.Context {
	t.Helper()
	infos, err := chromedp.Targets(ctx)
	require.NoError(t, err)
	frames := map[string]context.Context{}
	for _, i := range infos {
		if i.Type != "iframe" {
			continue
		}
		fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(i.TargetID))
		t.Cleanup(cancel)
		name, err := chromedp.Run(fctx, chromedp.Evaluate[string](`window.name`))
		require.NoError(t, err)
		frames[name] = fctx
	}
	for _, n := range names {
		require.Contains(t, frames, n, "the app's iframes are targets: %v", infos)
	}
	return frames
}

// eval evaluates expr in the frame and decodes its value.
func eval[T any](t *testing.T, f context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(f, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// waitFor polls cond in the frame until it holds (at most 20 s). It polls
// on a timer, not on animation frames: chromium gives a frame scrolled out of
// view no animation frames, and a poll on them would never end.
func waitFor(t *testing.T, f context.Context, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(f, 25*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err, "waiting for %s", cond)
}

var numRE = regexp.MustCompile(`^-?[\d,]+(\.\d+)?$`)

// number reads a figure as shown: 23,711 or 1,234.50.
func number(t *testing.T, s string) float64 {
	t.Helper()
	require.Regexp(t, numRE, s)
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	require.NoError(t, err)
	return f
}

func channels(t *testing.T, css string) [3]float64 {
	t.Helper()
	m := regexp.MustCompile(`[\d.]+`).FindAllString(css, 3)
	require.Len(t, m, 3, css)
	var c [3]float64
	for i := range c {
		c[i], _ = strconv.ParseFloat(m[i], 64)
	}
	return c
}

// luminance of a CSS rgb() colour, 0 (black) to 1 (white).
func luminance(t *testing.T, css string) float64 {
	c := channels(t, css)
	return (0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]) / 255
}
