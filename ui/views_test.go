package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/demoserver"
	"github.com/stretchr/testify/require"
)

// The views of the app, each a real call to the demo server (with
// entitlements) through the test host page: every kind of answer the app
// draws, and the ways one can go wrong.

type view struct {
	name string
	call string // tool name
	args map[string]any
}

// views are the calls the browser tests make; times are relative to now, as
// the demo's data is.
func views(now time.Time) []view {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	return []view{
		{"mau-by-sdk", "get_clientside_mau_usage", map[string]any{"groupBy": "sdkName"}},
		{"mau-two-months", "get_clientside_mau_usage", map[string]any{"from": day(first.AddDate(0, -1, 0))}},
		{"service-connections", "get_service_connection_usage", map[string]any{}},
		{"streams-peak", "get_stream_usage", map[string]any{"source": "server", "from": "-7d"}},
		{"mau-monthly", "get_total_mau_usage", map[string]any{"granularity": "monthly", "from": day(first.AddDate(0, -6, 0))}},
		{"single-bucket", "get_total_mau_usage", map[string]any{"granularity": "monthly", "from": day(first)}},
		{"many-series", "get_service_connection_usage", map[string]any{"groupBy": "environmentId"}},
		{"sdk-versions", "get_sdk_all_versions", map[string]any{}},
		{"overview", "get_usage_overview", map[string]any{}},
		{"failed", "get_events_usage", map[string]any{}},
		{"empty", "get_ai_runs_usage", map[string]any{"from": "2020-01-01", "to": "2020-01-31"}},
		{"sdk-versions-in-use", "get_sdk_versions_details", map[string]any{}},
		{"streams-by-version", "get_stream_usage_by_sdk_version", map[string]any{"source": "server"}},
		// Unique counts by SDK and environment overlap: many series, no total.
		{"mau-by-sdk-env", "get_clientside_mau_usage", map[string]any{"groupBy": []string{"sdkName", "environmentId"}}},
		{"evaluations", "get_evaluations_usage", map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"}},
		{"date-to", "get_clientside_mau_usage", map[string]any{"from": day(first.AddDate(0, -1, 2)), "to": day(first.AddDate(0, -1, 9))}},
	}
}

// page is the host page with the app's frames, one per view, each attached.
type page struct {
	t       *testing.T
	browser context.Context
	host    hostState
	frames  map[string]context.Context // by view name
	views   []view
	issues  func() []string
}

// demoHost serves the demo (with entitlements) over streamable HTTP on
// loopback and the host page on another loopback origin, loads the views in
// chromium and attaches to the app's frames.
func demoHost(t *testing.T, ctx context.Context, vs []view, theme string) *page {
	t.Helper()
	exe := chromium(t)
	mcpURL := demoserver.Start(t, ctx, "client-mau=100000,service-connections=40")

	hostHTML, err := os.ReadFile("dist/host.html")
	require.NoError(t, err)
	hostSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(hostHTML)
	}))
	t.Cleanup(hostSrv.Close)

	bctx, problems := browser(t, ctx, exe)
	var calls []map[string]any
	for _, v := range vs {
		calls = append(calls, map[string]any{"name": v.call, "arguments": v.args})
	}
	host := openHost(t, bctx, hostSrv.URL+"/?theme="+theme+"&calls="+url.QueryEscape(jsonString(t, calls))+"&mcp="+url.QueryEscape(mcpURL))
	require.Len(t, host.Results, len(vs))
	names := make([]string, len(vs))
	for i := range vs {
		names[i] = fmt.Sprintf("app%d", i)
	}
	byIndex := appFrames(t, bctx, names...)
	frames := map[string]context.Context{}
	for i, v := range vs {
		frames[v.name] = byIndex[names[i]]
		waitFor(t, frames[v.name], `document.querySelector("#root > :not(.panel.waiting)") && !document.querySelector("[data-role=waiting]")`)
	}
	return &page{t: t, browser: bctx, host: host, frames: frames, views: vs, issues: problems}
}

// result is the structuredContent the host received for a view.
func (p *page) result(name string) result {
	for i, v := range p.views {
		if v.name == name {
			return p.host.Results[i]
		}
	}
	p.t.Fatalf("no view %s", name)
	return result{}
}

// resize sets the browser window's width (the host's iframes follow it) and
// waits until every app has drawn at its new width. Each frame is scrolled
// into view first: chromium runs no animation frames in an iframe out of
// view, and the app redraws in one.
func (p *page) resize(width int) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.browser, chromedp.EmulateViewport(int64(width), 2600)))
	for i, v := range p.views {
		p.show(i)
		waitFor(p.t, p.frames[v.name], fmt.Sprintf(`Math.abs(innerWidth - %d) < 60 && (!document.querySelector(".plot") || Math.abs(document.querySelector(".chart svg").width.baseVal.value - Math.max(240, document.querySelector(".plot").clientWidth)) < 2)`, width))
	}
}

// show scrolls the host page to the i-th app's frame.
func (p *page) show(i int) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.browser, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("iframe[name=app%d]").scrollIntoView()`, i))))
}

// theme switches the host's theme and waits until every app follows.
func (p *page) theme(theme string) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.browser, chromedp.Evaluate[chromedp.Void](`host.setTheme("`+theme+`")`)))
	for _, f := range p.frames {
		waitFor(p.t, f, `document.documentElement.dataset.theme === "`+theme+`"`)
	}
}

// artifacts is where screenshots go: $UI_ARTIFACTS, else a folder in the
// system's temporary directory (said in the test log).
func artifacts(t *testing.T) string {
	dir := os.Getenv("UI_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ld-usage-mcp-ui-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// shoot writes a screenshot of each view's frame at the current width and
// theme, once the host has sized the frame to its app's height (it follows
// the app's size messages), so that nothing moves while it is taken.
func (p *page) shoot(dir string, width int, theme string) {
	p.t.Helper()
	for i, v := range p.views {
		p.show(i)
		// The host follows the app's size messages; a picture waits for it
		// (a while at most: a picture is no assertion).
		h := eval[float64](p.t, p.frames[v.name], `document.documentElement.getBoundingClientRect().height`)
		_, _ = chromedp.Run(p.browser, chromedp.Poll[chromedp.Void](fmt.Sprintf(`Math.abs(document.querySelector("iframe[name=app%d]").getBoundingClientRect().height - %f) < 4`, i, h), chromedp.WithPollingTimeout(5*time.Second)))
		// A frame just scrolled into view may not be painted yet (its
		// picture is the bare background): take it again, a few times at most.
		var pic []byte
		for try := 0; try < 10; try++ {
			var err error
			pic, err = chromedp.Run(p.browser, chromedp.Screenshot(chromedp.CSS(fmt.Sprintf("iframe[name=app%d]", i)), chromedp.NodeVisible))
			require.NoError(p.t, err, v.name)
			if painted(p.t, pic) {
				break
			}
			// Make the app paint again: a change of style it cannot see.
			require.NoError(p.t, chromedp.Do(p.frames[v.name], chromedp.Evaluate[chromedp.Void](`document.body.style.outline = document.body.style.outline ? "" : "1px solid transparent"`)))
		}
		if !painted(p.t, pic) {
			p.t.Logf("%s at %d px, %s: the frame was not painted in time; its picture is blank", v.name, width, theme)
		}
		require.NoError(p.t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d-%s.png", v.name, width, theme)), pic, 0o644))
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestViewsScreenshots writes a screenshot of every view at 1280 and 420
// px, light and dark, to $UI_ARTIFACTS (else a temporary folder, said in
// the log); UPDATE_SCREENSHOT=1 refreshes the README's two
// (ui/screenshot.png: a chart; ui/screenshot-overview.png).
func TestViewsScreenshots(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	p := demoHost(t, ctx, views(time.Now().UTC()), "light")
	dir := artifacts(t)
	for _, theme := range []string{"light", "dark"} {
		p.theme(theme)
		for _, w := range []int{1280, 420} {
			p.resize(w)
			p.shoot(dir, w, theme)
		}
	}
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		// The README's two pictures, at a width that keeps them small.
		p.resize(900)
		p.shoot(dir, 900, "dark")
		for file, v := range map[string]string{"screenshot.png": "mau-two-months", "screenshot-overview.png": "overview"} {
			b, err := os.ReadFile(filepath.Join(dir, v+"-900-dark.png"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, paletted(t, b), 0o644))
		}
	}
	noAppErrors(t, p.browser)
	require.Empty(t, p.issues())
	t.Logf("screenshots in %s", dir)
}

// paletted re-encodes a screenshot with a palette of its 256 most frequent
// colours (each other pixel takes the nearest): a flat interface loses
// nothing visible, and the README's pictures shrink to a third.
func paletted(t *testing.T, b []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	count := map[color.RGBA]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b color.RGBA) int { return count[b] - count[a] })
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:min(256, len(cs))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(bounds, pal)
	draw.Draw(out, bounds, img, bounds.Min, draw.Src)
	var buf bytes.Buffer
	require.NoError(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out))
	return buf.Bytes()
}

// painted says whether a picture shows more than a bare background: less
// than 97% of its pixels (sampled) in its most frequent colour.
func painted(t *testing.T, b []byte) bool {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	seen := map[color.RGBA]int{}
	n, most := 0, 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			seen[c]++
			most = max(most, seen[c])
			n++
		}
	}
	return float64(most) < 0.97*float64(n)
}
