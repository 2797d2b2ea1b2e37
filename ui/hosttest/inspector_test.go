//go:build linux

package hosttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/demoserver"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test is a person using the MCP Inspector (1.0.3, from the npm
// registry) with the demo server over streamable HTTP: connect, open the
// Apps tab, pick a tool, Open App, maximise it. The Inspector reads
// ui://ld-usage/app through its proxy and mounts it in its sandbox proxy's
// inner iframe with ext-apps' AppBridge, the tool result handed over as the
// Inspector got it. Debian's chromium, headless, shows it in the dark and
// the light theme (the Inspector's "System" theme follows the browser's
// colour scheme, and tells the app at mount), 1280 and 420 px wide.
// The figures are checked against the same call made by another client,
// the official Go SDK: a drawn line per series and the table's figures the
// summary's, or the overview's cards its measures.

// The views the test opens, each over a past month (the demo's figures
// for it do not change with the time of the call): three series on a
// linear scale, seven over two orders of magnitude (a log scale), and the
// overview of the month. The fields are text fields in the Inspector's
// form, groupBy a choice in its list.
type view struct {
	tool    string
	fields  [][2]string
	groupBy string // "" for none
	kind    string // summary.kind
	atLeast int    // series or measures: the view is worth looking at
}

var september = [][2]string{{"from", "2026-09-01"}, {"to", "2026-09-30"}}

var views = []view{
	{tool: "get_mau_usage_by_category", fields: september, kind: "series", atLeast: 3},
	{tool: "get_total_contexts_usage", fields: september, groupBy: "projectId", kind: "series", atLeast: 5},
	{tool: "get_usage_overview", fields: [][2]string{{"month", "2026-09"}}, kind: "overview", atLeast: 5},
}

// args are the view's arguments, for the Go SDK.
func (v view) args() map[string]any {
	a := map[string]any{}
	for _, f := range v.fields {
		a[f[0]] = f[1]
	}
	if v.groupBy != "" {
		a["groupBy"] = []string{v.groupBy}
	}
	return a
}

// ready is true in the app's document once it shows the view.
func (v view) ready() string {
	if v.kind == "overview" {
		return `document.querySelectorAll(".card[data-measure]").length > 0`
	}
	return `document.querySelectorAll("table.figures tbody tr").length > 0`
}

type seriesSummary struct {
	Label  string  `json:"label"`
	Key    string  `json:"key"`
	Points int     `json:"points"`
	Figure float64 `json:"figure"`
}

type measure struct {
	Name   string   `json:"name"`
	Value  float64  `json:"value"`
	Billed *float64 `json:"billed"`
}

type summary struct {
	Kind     string          `json:"kind"`
	Series   []seriesSummary `json:"series"`
	Measures []measure       `json:"measures"`
}

// appView is what the app shows inside the Inspector's frame.
type appView struct {
	Theme      string  `json:"theme"`
	Bg         string  `json:"bg"`
	Fg         string  `json:"fg"`
	Width      float64 `json:"width"`
	Scroll     float64 `json:"scrollWidth"`
	ChartWidth float64 `json:"chartWidth"`
	// The lines of an SVG chart ([data-role=series]): key and drawn length.
	Lines []struct {
		Key    string  `json:"key"`
		Length float64 `json:"length"`
	} `json:"lines"`
	// A canvas chart (uPlot): each legend entry's colour, and the pixels of it.
	Colors []string `json:"colors"`
	Pixels []int    `json:"pixels"`
	Rows   []struct {
		Series string `json:"series"`
		Key    string `json:"key"`
		Figure string `json:"figure"`
	} `json:"rows"`
	// The overview's cards: measure and the figure's data-value.
	Cards []struct {
		Measure string `json:"measure"`
		Value   string `json:"value"`
	} `json:"cards"`
}

// appViewJS reads the app's document by the hooks ui/README.md lists
// (data-role=series, table-row), or, in an app without them, uPlot's
// legend and canvas: the lines drawn, the figures table, theme and widths.
const appViewJS = `(() => {
  const lines = [...document.querySelectorAll("svg [data-role=series]")].map((g) => ({
    key: g.dataset.series || "",
    length: [...g.querySelectorAll("path")].filter((p) => getComputedStyle(p).stroke !== "none" && getComputedStyle(p).display !== "none")
      .reduce((a, p) => a + p.getTotalLength(), 0) + 10 * g.querySelectorAll("circle").length,
  }));
  const rgb = (c) => (c.match(/\d+/g) || []).slice(0, 3).map(Number);
  const colors = [...document.querySelectorAll(".u-legend .u-series")].slice(1)
    .map((e) => getComputedStyle(e.querySelector(".u-marker")).borderColor);
  const canvas = document.querySelector(".uplot canvas");
  const img = canvas && colors.length ? canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data : [];
  const want = colors.map(rgb);
  const pixels = want.map(() => 0);
  for (let i = 0; i < img.length; i += 4) {
    if (img[i + 3] < 250) continue;
    for (let k = 0; k < want.length; k++) {
      const [r, g, b] = want[k];
      if (Math.abs(img[i] - r) + Math.abs(img[i + 1] - g) + Math.abs(img[i + 2] - b) <= 12) pixels[k]++;
    }
  }
  const rows = [...document.querySelectorAll("table.figures tbody tr")].map((tr) => ({
    series: tr.dataset.series || "", key: tr.dataset.key || "",
    figure: (tr.querySelector("td[data-col=figure]") || {}).textContent || "",
  }));
  const cards = [...document.querySelectorAll(".card[data-measure]")].map((c) => ({
    measure: c.dataset.measure, value: (c.querySelector(".value[data-value]") || {dataset: {}}).dataset.value || "",
  }));
  const plot = document.querySelector(".chart svg, .uplot canvas, .chart canvas");
  const de = document.documentElement;
  const cs = getComputedStyle(document.body);
  return {
    theme: de.dataset.theme || "", bg: cs.backgroundColor, fg: cs.color,
    width: de.clientWidth, scrollWidth: de.scrollWidth,
    chartWidth: plot ? plot.getBoundingClientRect().width : 0,
    lines, colors, pixels, rows, cards,
  };
})()`

// appClipJS is the part of the page where the app shows: its iframe's box
// within the boxes of the Inspector's panels that clip it, in the window.
const appClipJS = `(() => {
  const f = document.querySelector("iframe");
  const r = f.getBoundingClientRect();
  let [x0, y0, x1, y1] = [r.left, r.top, r.right, r.bottom];
  for (let e = f.parentElement; e; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
    const q = e.getBoundingClientRect();
    [x0, y0, x1, y1] = [Math.max(x0, q.left), Math.max(y0, q.top), Math.min(x1, q.right), Math.min(y1, q.bottom)];
  }
  [x0, y0, x1, y1] = [Math.max(0, x0), Math.max(0, y0), Math.min(innerWidth, x1), Math.min(innerHeight, y1)];
  return {x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0), scale: 1};
})()`

func TestAppInInspector(t *testing.T) {
	exe := lookPath(t, []string{"chromium", "chromium-browser"}, "Debian's package chromium")
	node := lookPath(t, []string{"node", "nodejs"}, "Debian's package nodejs")
	npm := lookPath(t, []string{"npm"}, "Debian's package npm")
	dir := installHost(t, npm)
	start := time.Now()

	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	mcpURL := demoserver.Start(t, ctx, "client-mau=100000,service-connections=40")

	page, logs := startInspector(t, node, dir, mcpURL)
	u, err := url.Parse(page)
	require.NoError(t, err)
	origin := u.Scheme + "://" + u.Host
	bctx, problems := browser(t, ctx, exe)
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(page)))
	click := func(xpath string) {
		t.Helper()
		cctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(cctx, chromedp.Click(xpath, chromedp.NodeVisible)), "clicking %s; Inspector:\n%s", xpath, logs)
	}
	// The form shows the server's URL once the Inspector has its launcher's
	// settings from its proxy; a Connect before that goes elsewhere.
	waitFor(t, frame{ctx: bctx}, fmt.Sprintf(`[...document.querySelectorAll("input")].some((i) => i.value === %q)`, mcpURL))
	click(`//button[normalize-space()="Connect"]`)
	click(`//button[@role="tab" and normalize-space()="Apps"]`)
	out := artifacts(t)
	for _, vw := range views {
		// What the app should show, asked by another client.
		want := callTool(t, ctx, mcpURL, vw.tool, vw.args())
		require.Equal(t, vw.kind, want.Kind, vw.tool)
		require.GreaterOrEqual(t, len(want.Series)+len(want.Measures), vw.atLeast, vw.tool)
		showView(t, bctx, click, vw, want, out)
	}
	t.Logf("the app in the MCP Inspector: %s; screenshots in %s", time.Since(start).Round(time.Millisecond), out)
	// The app logged no error to the host: the Inspector lists an app's
	// log messages (the app sends its errors) under Server Notifications as
	// notifications/message. Nothing but the Inspector's own scripts wrote
	// errors on the console: they log "Not connected" when an app is
	// closed. (Both fail when the app throws.)
	notes := eval[string](t, frame{ctx: bctx}, `document.body.innerText`)
	assert.False(t, strings.Contains(notes, "notifications/message"), "the app sent the host log messages (its errors): the Inspector lists them under Server Notifications")
	for _, p := range problems() {
		assert.Contains(t, p, origin+"/assets/", "a console error not of the Inspector's scripts")
	}
}

// showView opens the view's tool in the Inspector's Apps tab, fills its
// form, and checks the app at each size and theme; it leaves the Apps tab
// as it found it.
//
// The Inspector sets its app iframe to the width the app reports (ext-apps'
// size-changed notification); the app reports its height only, so the frame
// follows the panel: the app is opened anew at each size, as a person opens
// it in a window of that size, and last resized while open. The app's
// frame is the window less the Inspector's sidebar and margins: the narrow
// window is 420 px more than those.
func showView(t *testing.T, bctx context.Context, click func(string), vw view, want summary, out string) {
	t.Helper()
	require.NoError(t, chromedp.Do(bctx, chromedp.EmulateViewport(1280, 1000)))
	click(`//div[@role="tabpanel" and @data-state="active"]//*[normalize-space(text())="` + vw.tool + `"]`)
	for _, f := range vw.fields {
		field := `//label[@for="` + f[0] + `"]/following::*[self::input or self::textarea][1]`
		require.NoError(t, chromedp.Do(bctx, chromedp.SendKeys(field, f[1], chromedp.NodeVisible)), f[0])
	}
	if vw.groupBy != "" {
		click(`//label[@for="groupBy"]/following::select[1]/option[@value="` + vw.groupBy + `"]`)
	}
	openApp := func() frame {
		t.Helper()
		click(`//button[normalize-space()="Open App"]`)
		return appFrame(t, bctx)
	}
	openApp()
	click(`//button[@aria-label="Maximize"]`)
	chrome := int64(0)
	for _, step := range []struct {
		width int64 // of the app's frame; 0: the window is 1280 px
		theme string
	}{{0, "dark"}, {0, "light"}, {420, "light"}, {420, "dark"}} {
		window := int64(1280)
		if step.width != 0 {
			window = step.width + chrome
		}
		name := fmt.Sprintf("%s-%d-%s", vw.tool, window, step.theme)
		require.NoError(t, chromedp.Do(bctx, chromedp.EmulateViewport(window, 1000)))
		setTheme(t, bctx, step.theme)
		waitFor(t, frame{ctx: bctx}, fmt.Sprintf(`document.documentElement.classList.contains("dark") === %t`, step.theme == "dark"))
		click(`//button[normalize-space()="Back to Input"]`)
		f := openApp()
		waitFor(t, f, fmt.Sprintf(`document.documentElement.dataset.theme === %q && `, step.theme)+vw.ready())
		v := eval[appView](t, f, appViewJS)
		checkView(t, name, v, want, step.theme)
		if step.width == 0 {
			assert.Greater(t, v.Width, 800.0, "%s: the maximised app has most of the window", name)
			chrome = window - int64(v.Width)
		} else {
			assert.InDelta(t, float64(step.width), v.Width, 8, "%s: the app's frame", name)
		}
		t.Logf("%s: app frame %.0f px, theme %s, lines %v, pixels per series %v, table %v, cards %v", name, v.Width, v.Theme, v.Lines, v.Pixels, v.Rows, v.Cards)
		// Clicks scroll the Inspector's narrow panels sideways to reach a
		// button: back to the left edge, as a person sees them.
		eval[bool](t, frame{ctx: bctx}, `(document.querySelectorAll("*").forEach((e) => { if (e.scrollLeft) e.scrollLeft = 0; }), true)`)
		shot(t, bctx, filepath.Join(out, "inspector-"+name+".png"))
		// The app alone: the Inspector's iframe, as far as its panel shows it.
		clip := eval[page.Viewport](t, frame{ctx: bctx}, appClipJS)
		png, err := chromedp.Call(bctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Clip: &clip})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(out, fmt.Sprintf("app-%s-%.0f-%s.png", vw.tool, v.Width, step.theme)), png.Data, 0o644))
	}
	// Live resize: the app reports its height only, so the Inspector lets its
	// frame follow the panel. Back to the wide window without opening the app
	// again, the same app grows to the panel and still shows it right.
	require.NoError(t, chromedp.Do(bctx, chromedp.EmulateViewport(1280, 1000)))
	f := appFrame(t, bctx)
	// The chart follows a frame later (it redraws to the width it is given).
	waitFor(t, f, `document.documentElement.clientWidth > 800 && `+vw.ready()+
		` && (!document.querySelector(".chart svg") || document.querySelector(".chart svg").getBoundingClientRect().width > document.documentElement.clientWidth / 2)`)
	v := eval[appView](t, f, appViewJS)
	checkView(t, vw.tool+"-live-1280-dark", v, want, "dark")
	assert.Greater(t, v.Width, 800.0, "%s: the open app follows the wider panel", vw.tool)
	click(`//button[@aria-label="Minimize"]`)
	click(`//button[@aria-label="Close app"]`)
}

// checkView: lines = series and table = summary (or cards = measures),
// theme, nothing wider than the frame.
func checkView(t *testing.T, name string, v appView, want summary, theme string) {
	t.Helper()
	if want.Kind == "overview" {
		checkCards(t, name, v, want)
	} else {
		checkSeries(t, name, v, want)
	}
	assert.Equal(t, theme, v.Theme, "%s: the app took the host's theme", name)
	if theme == "dark" {
		assert.Less(t, luminance(t, v.Bg), 0.2, "%s: dark background %s", name, v.Bg)
		assert.Greater(t, luminance(t, v.Fg), 0.6, "%s: light text %s", name, v.Fg)
	} else {
		assert.Greater(t, luminance(t, v.Bg), 0.8, "%s: light background %s", name, v.Bg)
		assert.Less(t, luminance(t, v.Fg), 0.4, "%s: dark text %s", name, v.Fg)
	}
	assert.LessOrEqual(t, v.Scroll, v.Width+1, "%s: nothing wider than the frame", name)
}

// checkSeries: a drawn line per series, the table's figures the summary's.
func checkSeries(t *testing.T, name string, v appView, want summary) {
	t.Helper()
	if len(v.Lines) > 0 {
		// An SVG chart: a drawn line per summary series, by key; a total
		// line may come with them (series that add up).
		var drawnKeys, wantKeys []string
		for _, l := range v.Lines {
			if l.Length >= 40 && l.Key != "total" {
				drawnKeys = append(drawnKeys, l.Key)
			}
		}
		for _, s := range want.Series {
			wantKeys = append(wantKeys, s.Key)
		}
		assert.ElementsMatch(t, wantKeys, drawnKeys, "%s: one drawn line per series (lines: %v)", name, v.Lines)
	} else {
		assert.Len(t, v.Colors, len(want.Series), "%s: a legend entry per series", name)
		assert.Equal(t, len(want.Series), drawn(v.Pixels), "%s: one drawn line per series (pixels of each series' colour: %v)", name, v.Pixels)
	}
	figures := map[string]string{}
	for _, r := range v.Rows {
		if r.Key != "total" && r.Key != "other" {
			figures[r.Series] = r.Figure
		}
	}
	assert.Len(t, figures, len(want.Series), "%s: a table row per series: %v", name, v.Rows)
	for _, s := range want.Series {
		if assert.Contains(t, figures, s.Label, "%s: a row for %s", name, s.Label) {
			assert.Equal(t, math.Round(s.Figure*100)/100, number(t, figures[s.Label]), "%s: figure of %s", name, s.Label)
		}
	}
	assert.LessOrEqual(t, v.ChartWidth, v.Width, "%s: the chart fits the frame", name)
	assert.Greater(t, v.ChartWidth, v.Width/2, "%s: the chart takes the frame's width", name)
}

// checkCards: a card per measure, in order, its figure the measure's value
// (or, for a measure billed in other units, its billed figure).
func checkCards(t *testing.T, name string, v appView, want summary) {
	t.Helper()
	require.Len(t, v.Cards, len(want.Measures), "%s: a card per measure", name)
	for i, m := range want.Measures {
		c := v.Cards[i]
		assert.Equal(t, m.Name, c.Measure, "%s: card %d", name, i)
		got, err := strconv.ParseFloat(c.Value, 64)
		if !assert.NoError(t, err, "%s: the figure of %s", name, m.Name) {
			continue
		}
		if m.Billed != nil && math.Abs(got-*m.Billed) < 0.01 {
			continue
		}
		assert.InDelta(t, m.Value, got, 0.01, "%s: the figure of %s", name, m.Name)
	}
}

// callTool calls the tool with the official Go SDK and returns its summary.
func callTool(t *testing.T, ctx context.Context, mcpURL, name string, args map[string]any) summary {
	t.Helper()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "hosttest", Version: "1"}, nil).
		Connect(ctx, &sdk.StreamableClientTransport{Endpoint: mcpURL, MaxRetries: -1}, nil)
	require.NoError(t, err)
	defer cs.Close()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	require.False(t, res.IsError)
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var sc struct {
		Summary summary `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(b, &sc))
	return sc.Summary
}

// setTheme sets the colour scheme the browser reports; the Inspector's
// "System" theme follows it.
func setTheme(t *testing.T, bctx context.Context, theme string) {
	t.Helper()
	_, err := chromedp.Call(bctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}},
	})
	require.NoError(t, err)
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

var numRE = regexp.MustCompile(`^-?[\d,]+(\.\d+)?$`)

// number reads a figure as shown: 23,711 or 1,234.50.
func number(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.TrimSpace(s)
	require.Regexp(t, numRE, s)
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	require.NoError(t, err)
	return f
}

// luminance of a CSS rgb() colour, 0 (black) to 1 (white).
func luminance(t *testing.T, css string) float64 {
	t.Helper()
	m := regexp.MustCompile(`[\d.]+`).FindAllString(css, 3)
	require.Len(t, m, 3, css)
	var c [3]float64
	for i := range c {
		c[i], _ = strconv.ParseFloat(m[i], 64)
	}
	return (0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]) / 255
}
