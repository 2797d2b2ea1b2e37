package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/server"
)

// This test is the app as a person sees it: Debian's chromium, headless,
// loads the test host page (dist/host.html, built with ext-apps' AppBridge
// and the official TypeScript MCP client), which connects to the demo server
// over streamable HTTP on loopback, reads the app's ui:// resource, mounts it
// in sandboxed iframes under the spec's default CSP and hands over the
// results of get_total_mau_usage groupBy=sdkName, get_sdk_versions_details
// and get_usage_overview.
// The assertions read what is on the screen — the legend, the table cells,
// the pixels of each line on the canvas, the colours — and compare them with
// the summaries the server sent.

// chromium finds the browser, or skips (fails under CI, where .ci/run installs it).
func chromium(t *testing.T) string {
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

type seriesSummary struct {
	Label  string  `json:"label"`
	Key    string  `json:"key"`
	Points int     `json:"points"`
	Figure float64 `json:"figure"`
}

type summary struct {
	Kind      string          `json:"kind"`
	Point     string          `json:"point"`
	Series    []seriesSummary `json:"series"`
	Count     int             `json:"count"`
	EOLStatus map[string]int  `json:"eolStatus"`
	Measures  []measure       `json:"measures"`
}

type result struct {
	IsError           bool `json:"isError"`
	StructuredContent struct {
		Summary summary         `json:"summary"`
		Raw     json.RawMessage `json:"raw"`
	} `json:"structuredContent"`
}

// seriesView is what the chart frame shows.
type seriesView struct {
	Legend []struct {
		Label string `json:"label"`
		Value string `json:"value"`
		Color string `json:"color"`
		Off   bool   `json:"off"`
	} `json:"legend"`
	Time   string `json:"time"` // the legend's time, at the cursor
	Pixels []int  `json:"pixels"`
	Rows   []struct {
		Series string            `json:"series"`
		Cells  map[string]string `json:"cells"`
	} `json:"rows"`
	Theme  string  `json:"theme"`
	Bg     string  `json:"bg"`
	Scale  string  `json:"scale"`
	Height float64 `json:"height"`
}

const seriesViewJS = `(() => {
  const rgb = (c) => (c.match(/\d+/g) || []).slice(0, 3).map(Number);
  const legend = [...document.querySelectorAll(".u-legend .u-series")];
  const lines = legend.slice(1).map((e) => ({
    label: e.querySelector(".u-label").textContent,
    value: e.querySelector(".u-value").textContent,
    color: getComputedStyle(e.querySelector(".u-marker")).borderColor,
    off: e.classList.contains("u-off"),
  }));
  const canvas = document.querySelector(".uplot canvas");
  const img = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const want = lines.map((l) => rgb(l.color));
  const pixels = want.map(() => 0);
  for (let i = 0; i < img.length; i += 4) {
    if (img[i + 3] < 250) continue;
    for (let k = 0; k < want.length; k++) {
      const [r, g, b] = want[k];
      if (Math.abs(img[i] - r) + Math.abs(img[i + 1] - g) + Math.abs(img[i + 2] - b) <= 12) pixels[k]++;
    }
  }
  const rows = [...document.querySelectorAll("table.figures tbody tr")].map((tr) => ({
    series: tr.dataset.series,
    cells: Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map((td) => [td.dataset.col, td.textContent])),
  }));
  return {
    legend: lines, time: legend[0].querySelector(".u-value").textContent, pixels, rows,
    theme: document.documentElement.dataset.theme || "", bg: getComputedStyle(document.body).backgroundColor,
    scale: document.querySelector(".chart").dataset.scale, height: document.documentElement.getBoundingClientRect().height,
  };
})()`

// sdkView is what the SDK table frame shows.
type sdkView struct {
	Rows []struct {
		Status string `json:"status"`
		Text   string `json:"text"`
		Bg     string `json:"bg"`
	} `json:"rows"`
	Chips []string `json:"chips"`
	Theme string   `json:"theme"`
}

const sdkViewJS = `(() => ({
  rows: [...document.querySelectorAll("table.details tbody tr")].map((tr) => ({
    status: tr.querySelector("td.status").dataset.status,
    text: tr.querySelector("td.status").textContent,
    bg: getComputedStyle(tr).backgroundColor,
  })),
  chips: [...document.querySelectorAll(".chip")].map((c) => c.textContent),
  theme: document.documentElement.dataset.theme || "",
}))()`

func TestAppInBrowser(t *testing.T) {
	exe := chromium(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// The demo server, over streamable HTTP on loopback.
	ent, err := overview.ParseEntitlements("client-mau=100000,service-connections=40")
	require.NoError(t, err)
	srv, err := server.New(server.Config{Transport: "http", Addr: "127.0.0.1:0", Demo: true, Version: "test", Entitlements: ent})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.ServeListener(sctx, ln) }()
	defer func() { stop(); <-served }()
	mcpURL := "http://" + ln.Addr().String() + "/mcp"

	// The host page, on another loopback origin (a web host is never the server).
	hostHTML, err := os.ReadFile("dist/host.html")
	require.NoError(t, err)
	hostSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(hostHTML)
	}))
	defer hostSrv.Close()

	bctx, problems := browser(t, ctx, exe)
	calls := `[{"name":"get_total_mau_usage","arguments":{"groupBy":"sdkName"}},{"name":"get_sdk_versions_details","arguments":{}},{"name":"get_usage_overview","arguments":{}}]`
	host := openHost(t, bctx, hostSrv.URL+"/?theme=dark&calls="+url.QueryEscape(calls)+"&mcp="+url.QueryEscape(mcpURL))
	assert.True(t, strings.HasPrefix(host.ResourceURI, "ui://"), host.ResourceURI)
	assert.Equal(t, "text/html;profile=mcp-app", host.MimeType)
	assert.Contains(t, host.Extensions, "io.modelcontextprotocol/ui")
	require.Len(t, host.Results, 3)
	mau, sdks, ov := host.Results[0].StructuredContent, host.Results[1].StructuredContent, host.Results[2].StructuredContent
	require.Equal(t, "series", mau.Summary.Kind)
	require.Greater(t, len(mau.Summary.Series), 3, "get_total_mau_usage groupBy=sdkName answers several series")
	require.Equal(t, "sdkVersionDetails", sdks.Summary.Kind)

	frames := appFrames(t, bctx, "app0", "app1", "app2")
	f0, f1, f2 := frames["app0"], frames["app1"], frames["app2"]
	waitFor(t, f0, `document.querySelectorAll(".u-legend .u-series").length > 1 && document.querySelectorAll("table.figures tbody tr").length > 0`)
	v := eval[seriesView](t, f0, seriesViewJS)

	// As many lines drawn as series, labelled as the summary labels them.
	var labels []string
	for _, s := range mau.Summary.Series {
		labels = append(labels, s.Label)
	}
	var legend []string
	for _, l := range v.Legend {
		legend = append(legend, l.Label)
	}
	assert.Equal(t, labels, legend, "legend labels are summary.series[].label")
	assert.Equal(t, len(labels), drawn(v.Pixels), "one drawn line per series (pixels of each legend colour: %v)", v.Pixels)
	assert.Equal(t, "log", v.Scale, "series from hundreds to tens of thousands get a log scale")

	// The table's figures are the summary's.
	require.Len(t, v.Rows, len(mau.Summary.Series))
	for i, s := range mau.Summary.Series {
		assert.Equal(t, s.Label, v.Rows[i].Series)
		assert.Equal(t, math.Round(s.Figure*100)/100, number(t, v.Rows[i].Cells["figure"]), "figure of %s", s.Label)
	}

	// The dark theme is applied; the iframe follows the app's size.
	assert.Equal(t, "dark", v.Theme)
	assert.Less(t, luminance(t, v.Bg), 0.2, "dark background: %s", v.Bg)
	iframeH, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.querySelector("iframe[name=app0]").clientHeight`))
	require.NoError(t, err)
	assert.Greater(t, v.Height, 300.0)
	assert.InDelta(t, v.Height, iframeH, 4, "the host sized the iframe to the app's content")

	// Hover: the legend shows the time and each series' value at the cursor.
	// Input goes to the iframe's own target, in its coordinates, as the
	// browser routes a person's mouse into it.
	type rect struct{ X, Y, W, H float64 }
	over := eval[rect](t, f0, `(() => { const r = document.querySelector(".u-over").getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`)
	require.NoError(t, chromedp.Do(f0, chromedp.MouseEvent(chromedp.MouseMoved, over.X+over.W*0.6, over.Y+over.H/2)))
	waitFor(t, f0, `document.querySelector(".u-legend .u-series .u-value").textContent !== "—"`)
	v = eval[seriesView](t, f0, seriesViewJS)
	checkHover(t, v, mau.Summary, mau.Raw)
	if os.Getenv("UPDATE_SCREENSHOT") != "" { // the README's picture: ui/screenshot.png
		png, err := chromedp.Run(bctx, chromedp.Screenshot(chromedp.CSS("iframe[name=app0]"), chromedp.NodeVisible))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("screenshot.png", png, 0o644))
	}

	// A click on a legend entry hides that series' line, and only that one.
	// The pointer moves there first, as a person's does: leaving the plot
	// empties the legend's values, which moves the entries.
	before := v.Pixels
	click := func() {
		const entryJS = `(() => { const r = document.querySelectorAll(".u-legend .u-series")[1].querySelector(".u-label").getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`
		e := eval[rect](t, f0, entryJS)
		require.NoError(t, chromedp.Do(f0, chromedp.MouseEvent(chromedp.MouseMoved, e.X, e.Y)))
		waitFor(t, f0, `document.querySelector(".u-legend .u-series .u-value").textContent === "—"`)
		e = eval[rect](t, f0, entryJS)
		require.NoError(t, chromedp.Do(f0, chromedp.MouseClickXY(e.X, e.Y)))
	}
	click()
	waitFor(t, f0, `document.querySelectorAll(".u-legend .u-series")[1].classList.contains("u-off")`)
	v = eval[seriesView](t, f0, seriesViewJS)
	assert.True(t, v.Legend[0].Off)
	assert.Less(t, v.Pixels[0], 5, "the hidden series is no longer drawn (had %d pixels)", before[0])
	assert.Equal(t, len(labels)-1, drawn(v.Pixels), "the other lines stay: %v", v.Pixels)
	click()
	waitFor(t, f0, `!document.querySelectorAll(".u-legend .u-series")[1].classList.contains("u-off")`)
	v = eval[seriesView](t, f0, seriesViewJS)
	assert.Equal(t, len(labels), drawn(v.Pixels), "shown again: %v", v.Pixels)

	// The SDK versions in use, end of life highlighted, worst first.
	waitFor(t, f1, `document.querySelectorAll("table.details tbody tr").length > 0`)
	sv := eval[sdkView](t, f1, sdkViewJS)
	require.Len(t, sv.Rows, sdks.Summary.Count)
	past := sdks.Summary.EOLStatus["EolPast"]
	require.Positive(t, past, "the demo has SDK versions past end of life")
	var clearBg string
	for i, r := range sv.Rows {
		if i < past {
			assert.Equal(t, "EolPast", r.Status, "past end of life first")
			assert.Equal(t, "past EOL", r.Text)
		}
		if r.Status == "EolAllClear" {
			clearBg = r.Bg
		}
	}
	pastBg := channels(t, sv.Rows[0].Bg)
	assert.NotEqual(t, clearBg, sv.Rows[0].Bg, "a row past end of life stands out")
	assert.Greater(t, pastBg[0], pastBg[1]+20, "and stands out in red: %s", sv.Rows[0].Bg)
	assert.Contains(t, sv.Chips, fmt.Sprintf("%d past EOL", past))
	assert.Equal(t, "dark", sv.Theme)

	// The overview, as the demo answers it with entitlements: a card per
	// measure with its figure, service connections past their entitlement.
	require.Equal(t, "overview", ov.Summary.Kind)
	waitFor(t, f2, `document.querySelectorAll(".card").length > 0`)
	type card struct{ Name, Value, Class string }
	cards := eval[[]card](t, f2, `[...document.querySelectorAll(".card")].map((c) => ({Name: c.dataset.measure, Value: c.querySelector(".value").firstChild.textContent, Class: c.className}))`)
	require.Len(t, cards, len(ov.Summary.Measures))
	for i, m := range ov.Summary.Measures {
		assert.Equal(t, m.Name, cards[i].Name)
		assert.Equal(t, math.Round(m.Value*100)/100, number(t, cards[i].Value), m.Name)
		assert.Equal(t, m.Over, slices.Contains(strings.Fields(cards[i].Class), "over"), m.Name)
	}

	artifacts := "artifacts"
	require.NoError(t, os.MkdirAll(artifacts, 0o755))
	shot(t, bctx, filepath.Join(artifacts, "host-dark.png"))

	// The host turns light: the app follows.
	require.NoError(t, chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](`host.setTheme("light")`)))
	waitFor(t, f0, `document.documentElement.dataset.theme === "light"`)
	v = eval[seriesView](t, f0, seriesViewJS)
	assert.Greater(t, luminance(t, v.Bg), 0.8, "light background: %s", v.Bg)
	assert.Equal(t, len(labels), drawn(v.Pixels), "drawn again in the light theme: %v", v.Pixels)
	shot(t, bctx, filepath.Join(artifacts, "host-light.png"))

	// What the apps told the host: no error, no CSP violation.
	noAppErrors(t, bctx)
	assert.Empty(t, problems(), "no error on the host page")
	t.Logf("browser test: %s (screenshots in ui/%s)", time.Since(start).Round(time.Millisecond), artifacts)
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

// browser starts chromium headless with the flags that work here, and
// collects the errors of the host page's console: all but the 405 that
// answers the MCP client's optional GET stream (the server is stateless).
func browser(t *testing.T, ctx context.Context, exe string) (context.Context, func() []string) {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 2000),
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
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !(m.Source == "network" && strings.Contains(m.Text, "405")) {
				mu.Lock()
				problems = append(problems, m.String())
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

// drawn counts the series with a visible line: 40 pixels or more of their colour.
func drawn(pixels []int) int {
	n := 0
	for _, p := range pixels {
		if p >= 40 {
			n++
		}
	}
	return n
}

// checkHover: the legend's time is one of the answer's buckets, and each
// series' value at the cursor is the raw body's value for that bucket.
func checkHover(t *testing.T, v seriesView, s summary, raw json.RawMessage) {
	t.Helper()
	var body struct {
		Series []map[string]float64 `json:"series"`
	}
	require.NoError(t, json.Unmarshal(raw, &body))
	var row map[string]float64
	for _, r := range body.Series {
		ms := int64(r["time"])
		if ms < 1e11 {
			ms *= 1000
		}
		if time.UnixMilli(ms).UTC().Format("Jan 2, 2006") == v.Time {
			row = r
		}
	}
	require.NotNil(t, row, "the legend's time %q is a bucket of the answer", v.Time)
	for i, ser := range s.Series {
		assert.Equal(t, row[ser.Key], number(t, v.Legend[i].Value), "value of %s at %s", ser.Label, v.Time)
	}
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

// waitFor polls cond in the frame until it holds (at most 10 s).
func waitFor(t *testing.T, f context.Context, cond string) {
	t.Helper()
	_, err := chromedp.Run(f, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err, "waiting for %s", cond)
}

func shot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
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
