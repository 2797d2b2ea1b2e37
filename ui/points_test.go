package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The points of issue 19, each asserted in the DOM of the app as the demo
// server's answers draw it; every expected figure is computed here from the
// result the host received (summary and raw), not taken from the app.

// chartView is what a series view shows.
type chartView struct {
	Title, Sub, Unit string
	Ent              *struct {
		Text      string
		Value, Of float64
	}
	EntLine float64
	YTicks  []struct {
		Text  string
		Value float64
	}
	XTicks []struct {
		Text string
		Time float64
	}
	Lines []struct {
		Key, D, Stroke string
		Dots           int
		Dim            bool
		DotX           []float64
	}
	Rules     []float64
	Estimates []struct {
		Role     string
		Key      string
		Value, X float64
	}
	Peaks []struct {
		Key         string
		Value, Time float64
		Text        string
	}
	Rows []struct {
		Series, Key, Name, Cls, Pressed string
		Cells                           map[string]string
	}
	Heads          []string
	LeftOut, Scale string
	PlotL, PlotR   float64
	Bg, Theme      string
	Answer         string
}

const chartViewJS = `(() => {
  const q = (s, r = document) => [...r.querySelectorAll(s)];
  const one = (s) => document.querySelector(s);
  const hover = one("[data-role=hover]");
  const ent = one("header [data-role=entitlement]");
  return {
    Title: one("[data-role=chart-title]")?.textContent ?? "",
    Sub: one("header [data-role=subtitle]")?.textContent ?? "",
    Unit: one("[data-role=y-unit]")?.textContent ?? "",
    Ent: ent ? { Text: ent.textContent, Value: +ent.dataset.value, Of: +ent.dataset.of } : null,
    EntLine: +(one("[data-role=entitlement-line]")?.dataset.value ?? 0),
    YTicks: q("[data-role=y-axis] text.tick").map((t) => ({ Text: t.textContent, Value: +t.dataset.value })),
    XTicks: q("[data-role=x-axis] text.tick").map((t) => ({ Text: t.textContent, Time: +t.dataset.time })),
    Lines: q("[data-role=series]").map((g) => ({
      Key: g.dataset.series, D: g.querySelector("path").getAttribute("d"), Stroke: getComputedStyle(g.querySelector("path")).stroke,
      Dots: g.querySelectorAll("circle.dot").length, Dim: g.classList.contains("dim"),
      DotX: q("circle.dot", g).map((c) => +c.getAttribute("cx")),
    })),
    Rules: q("[data-role=month-rule]").map((g) => +g.dataset.time),
    Estimates: q("[data-role=estimate], [data-role=projection]").map((g) => ({ Role: g.dataset.role, Key: g.dataset.series, Value: +g.dataset.value, X: +g.querySelector("path").getAttribute("d").split(/[ML ]/).filter(Boolean).at(-2) })),
    Peaks: q("[data-role=peak]").map((g) => ({ Key: g.dataset.series, Value: +g.dataset.value, Time: +g.dataset.time, Text: g.querySelector("text").textContent })),
    Rows: q("tr[data-role=table-row]").map((tr) => ({
      Series: tr.dataset.series, Key: tr.dataset.key, Name: tr.querySelector("td.label").textContent, Cls: tr.className, Pressed: tr.getAttribute("aria-pressed") ?? "",
      Cells: Object.fromEntries(q("td[data-col]", tr).map((td) => [td.dataset.col, td.textContent])),
    })),
    Heads: q("table.figures th[data-col]").map((th) => th.textContent),
    LeftOut: one("[data-role=left-out]")?.textContent ?? "",
    Scale: one(".chart")?.dataset.scale ?? "",
    PlotL: hover ? +hover.getAttribute("x") : 0,
    PlotR: hover ? +hover.getAttribute("x") + +hover.getAttribute("width") : 0,
    Bg: getComputedStyle(document.body).backgroundColor,
    Theme: document.documentElement.dataset.theme || "",
    Answer: one("[data-role=answer]")?.textContent ?? "",
  };
})()`

func (p *page) chart(name string) chartView {
	p.t.Helper()
	return eval[chartView](p.t, p.frames[name], chartViewJS)
}

// compact3 is Intl.NumberFormat("en-US", {notation: "compact",
// maximumSignificantDigits: 3}) for the values of axis ticks.
func compact3(v float64) string {
	sig := func(x float64) string {
		f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	for _, u := range []struct {
		d float64
		s string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}} {
		if math.Abs(v) >= u.d {
			return sig(v/u.d) + u.s
		}
	}
	return sig(v)
}

// exactText is a figure as tables and tooltips show it: thousands
// separators, two decimals when it has a fraction.
func exactText(v float64) string {
	r := math.Round(v*100) / 100
	s := strconv.FormatFloat(math.Abs(r), 'f', 2, 64)
	if r == math.Trunc(r) {
		s = strconv.FormatFloat(math.Abs(r), 'f', 0, 64)
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	if r < 0 {
		return "-" + b.String()
	}
	return b.String()
}

// contrast is WCAG 2's contrast ratio of two CSS rgb() colours.
func contrast(t *testing.T, a, b string) float64 {
	lum := func(css string) float64 {
		c := channels(t, css)
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	x, y := lum(a), lum(b)
	return (math.Max(x, y) + 0.05) / (math.Min(x, y) + 0.05)
}

// fullSummary is the part of a series summary these tests compute from.
type fullSummary struct {
	Kind, Unit, Point, Granularity string
	AddsAcross                     bool `json:"addsAcross"`
	Headline                       struct {
		Value, Billed float64
		BilledUnit    string `json:"billedUnit"`
		Text, Status  string
	}
	Series []struct {
		Label, Key, Time string
		Figure, Max      float64
		Points           int
	}
	Range struct{ From, To, TZ string }
}

func (p *page) summary(name string) fullSummary {
	p.t.Helper()
	var s fullSummary
	require.NoError(p.t, json.Unmarshal(p.result(name).StructuredContent.Summary, &s))
	return s
}

// rawRows are the raw body's rows: time (ms) and the value of each key.
func (p *page) rawRows(name string) []map[string]float64 {
	p.t.Helper()
	var body struct {
		Series []map[string]float64 `json:"series"`
	}
	require.NoError(p.t, json.Unmarshal(p.result(name).StructuredContent.Raw, &body))
	for _, r := range body.Series {
		if r["time"] < 1e11 {
			r["time"] *= 1000
		}
	}
	return body.Series
}

var chartViews = []string{"mau-by-sdk", "mau-two-months", "service-connections", "streams-peak", "mau-monthly", "single-bucket", "many-series", "date-to", "streams-by-version", "mau-by-sdk-env", "evaluations"}

func TestAppPoints(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	now := time.Now().UTC()
	p := demoHost(t, ctx, views(now), "light")
	p.resize(1280)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)

	t.Run("1 axis texts compact, tables exact", func(t *testing.T) {
		for _, name := range chartViews {
			c := p.chart(name)
			require.NotEmpty(t, c.YTicks, name)
			for _, tk := range c.YTicks {
				assert.Equal(t, compact3(tk.Value), tk.Text, "%s: the tick at %v", name, tk.Value)
			}
		}
		s := p.summary("mau-by-sdk")
		c := p.chart("mau-by-sdk")
		require.Len(t, c.Rows, len(s.Series))
		for i, x := range s.Series {
			assert.Equal(t, exactText(x.Figure), c.Rows[i].Cells["figure"], x.Label)
		}
	})

	t.Run("2 cumulative lines break at month starts", func(t *testing.T) {
		c := p.chart("mau-two-months")
		require.Len(t, c.Lines, 1)
		assert.Equal(t, []float64{float64(monthStart.UnixMilli())}, c.Rules, "a month rule at the month's start")
		assert.Equal(t, 2, strings.Count(c.Lines[0].D, "M"), "the line starts again at the month's start, no diagonal: %s", c.Lines[0].D)
		// Not for a level (the streams), nor for monthly buckets (each is a month's figure): one unbroken line.
		assert.Empty(t, p.chart("streams-peak").Rules)
		monthly := p.chart("mau-monthly")
		assert.Empty(t, monthly.Rules)
		require.Len(t, monthly.Lines, 1)
		assert.Equal(t, 1, strings.Count(monthly.Lines[0].D, "M"), monthly.Lines[0].D)
		assert.Zero(t, monthly.Lines[0].Dots)
	})

	t.Run("3 a single bucket, and the table's buckets are the chart's", func(t *testing.T) {
		c := p.chart("single-bucket")
		require.Len(t, c.Lines, 1)
		require.Equal(t, 1, c.Lines[0].Dots, "one bucket is a dot")
		assert.Greater(t, c.Lines[0].DotX[0], c.PlotL)
		assert.Less(t, c.Lines[0].DotX[0], c.PlotR, "the dot is inside the plot")
		require.Len(t, c.XTicks, 1)
		assert.Equal(t, now.Format("Jan 2006"), c.XTicks[0].Text)
		require.Len(t, c.Rows, 1)
		assert.Equal(t, exactText(p.summary("single-bucket").Series[0].Figure), c.Rows[0].Cells["figure"])

		// Monthly over seven months: the table's month columns and the
		// months it names as left out are the chart's buckets.
		m := p.chart("mau-monthly")
		var want, got []string
		for _, r := range p.rawRows("mau-monthly") {
			want = append(want, time.UnixMilli(int64(r["time"])).UTC().Format("Jan 2006"))
		}
		for _, h := range m.Heads {
			got = append(got, strings.TrimSuffix(h, " so far"))
		}
		for _, mo := range want {
			if !slices.Contains(got, mo) {
				assert.Contains(t, m.LeftOut, mo, "a month of the chart not in the table is named")
				got = append(got, mo)
			}
		}
		assert.ElementsMatch(t, want, got)
	})

	t.Run("6 the running month to its end, the estimate and the entitlement", func(t *testing.T) {
		c := p.chart("service-connections")
		s := p.summary("service-connections")
		require.Len(t, c.Estimates, 1, "the running month's estimate (LaunchDarkly's projection where the API sends one), dotted")
		assert.InDelta(t, c.PlotR, c.Estimates[0].X, 1, "the estimate runs to the month's end, the plot's right edge")
		assert.Greater(t, c.Estimates[0].Value, s.Headline.Billed, "the estimate is past what is used so far")
		last := c.XTicks[len(c.XTicks)-1].Time
		assert.Less(t, last, float64(monthStart.AddDate(0, 1, 0).UnixMilli()))
		assert.Greater(t, last, float64(monthStart.AddDate(0, 0, 20).UnixMilli()), "the axis runs past today to the month's end")
		// A month that is over has none.
		assert.Empty(t, p.chart("streams-peak").Estimates)

		// The entitlement (--entitlements service-connections=40), dashed,
		// and "X of Y (n %)" beside the title, in billed connections.
		assert.Equal(t, 40.0, c.EntLine)
		require.NotNil(t, c.Ent)
		assert.Equal(t, s.Headline.Billed, c.Ent.Value)
		assert.Equal(t, fmt.Sprintf("%s of 40 service connections (%.0f %%)", exactText(s.Headline.Billed), math.Round(s.Headline.Billed/40*100)), c.Ent.Text)
		m := p.chart("mau-two-months")
		ms := p.summary("mau-two-months")
		assert.Equal(t, 100000.0, m.EntLine)
		require.NotNil(t, m.Ent)
		assert.Equal(t, fmt.Sprintf("%s of 100,000 client-side MAU (%.0f %%)", exactText(ms.Headline.Value), math.Round(ms.Headline.Value/1000)), m.Ent.Text)
		// Series that overlap have no total to set against it: the line only.
		assert.Equal(t, 100000.0, p.chart("mau-by-sdk").EntLine)
		assert.Nil(t, p.chart("mau-by-sdk").Ent)
		// None for a measure without one.
		assert.Zero(t, p.chart("mau-monthly").EntLine)
	})

	t.Run("7 words people use", func(t *testing.T) {
		c := p.chart("mau-by-sdk")
		assert.Equal(t, "Client-side MAU by SDK · "+now.Format("January 2006")+" so far", c.Title)
		assert.Equal(t, "client-side MAU", c.Unit, "the y-axis names its unit")
		assert.Contains(t, c.Sub, "month to date")
		for _, r := range c.Rows {
			assert.NotContains(t, r.Name, "=", "series are named by their values")
		}
		assert.Equal(t, "JavaScript", c.Rows[0].Name)
		ev := p.chart("evaluations")
		require.NotEmpty(t, ev.Rows)
		assert.Equal(t, "variation 0", ev.Rows[0].Name, "a bare number named by its key")
		assert.Contains(t, ev.Sub, "flag new-checkout", "the filters in words")
		assert.NotContains(t, c.Answer, "sdkName=")
		sc := p.chart("service-connections")
		s := p.summary("service-connections")
		assert.Equal(t, "service connections", sc.Unit, "billed connections lead")
		require.Len(t, sc.Rows, 1)
		assert.Equal(t, "all", sc.Rows[0].Name, "an ungrouped series is all")
		assert.Equal(t, exactText(s.Headline.Billed), sc.Rows[0].Cells["figure"], "the figure in billed connections")
		assert.Equal(t, exactText(s.Series[0].Figure), sc.Rows[0].Cells["measured"], "minutes beside")
		for _, name := range chartViews {
			v := p.chart(name)
			assert.NotRegexp(t, `[_=]`, v.Title+v.Sub, name)
		}
		// A date-only to is that day, not the next midnight.
		from := monthStart.AddDate(0, -1, 2)
		assert.Equal(t, "Client-side MAU · "+from.Format("Jan 2")+" – "+from.AddDate(0, 0, 7).Format("Jan 2, 2006"), p.chart("date-to").Title)
		prev := monthStart.AddDate(0, -1, 0)
		prevText := prev.Format("Jan")
		if prev.Year() != now.Year() {
			prevText = prev.Format("Jan 2006")
		}
		assert.Equal(t, "Client-side MAU · "+prevText+" – "+now.Format("Jan 2006")+" so far", p.chart("mau-two-months").Title)
		st := p.summary("streams-peak")
		assert.Equal(t, mustTime(t, st.Series[0].Time).Format("Jan 2"), p.chart("streams-peak").Rows[0].Cells["on"], "one date style")
	})

	t.Run("8 many series: the top ones and other, the table as legend", func(t *testing.T) {
		s := p.summary("many-series")
		require.True(t, s.AddsAcross)
		require.Greater(t, len(s.Series), 8)
		c := p.chart("many-series")
		require.Len(t, c.Lines, 9, "seven series, other, and their total (held against the entitlement)")
		strokes := map[string]bool{}
		for i, l := range c.Lines {
			if i < 7 {
				assert.Equal(t, s.Series[i].Key, l.Key)
			}
			strokes[l.Stroke] = true
		}
		assert.Equal(t, "other", c.Lines[7].Key)
		assert.Equal(t, "total", c.Lines[8].Key)
		assert.Len(t, strokes, 9, "no colour repeats")
		require.Len(t, c.Estimates, 1, "the estimate (or projection) of the total only")
		assert.Equal(t, "total", c.Estimates[0].Key)
		k := s.Headline.Billed / s.Headline.Value
		var rest, total float64
		for i, x := range s.Series {
			total += x.Figure * k
			if i >= 7 {
				rest += x.Figure * k
			}
		}
		var other, members, totals int
		for _, r := range c.Rows {
			switch {
			case r.Key == "other":
				other++
				assert.Equal(t, exactText(rest), r.Cells["figure"], "other sums the rest")
			case r.Key == "total":
				totals++
				assert.Equal(t, exactText(total), r.Cells["figure"], "the total of the series")
				assert.Equal(t, exactText(s.Headline.Billed), r.Cells["figure"], "which is the answer's")
			case strings.Contains(r.Cls, "member"):
				members++
			}
		}
		assert.Equal(t, 1, other)
		assert.Equal(t, 1, totals)
		assert.Equal(t, len(s.Series)-7, members, "the rest listed under other")

		// Series that overlap are all drawn; past eight colours, a dash tells them apart.
		v := p.chart("mau-by-sdk-env")
		sv := p.summary("mau-by-sdk-env")
		require.False(t, sv.AddsAcross)
		require.Greater(t, len(sv.Series), 8)
		require.Len(t, v.Lines, len(sv.Series))
		type look struct{ Stroke, Dash string }
		looks := eval[[]look](t, p.frames["mau-by-sdk-env"], `[...document.querySelectorAll("[data-role=series] path")].map((e) => ({Stroke: getComputedStyle(e).stroke, Dash: getComputedStyle(e).strokeDasharray}))`)
		seen := map[look]bool{}
		for _, l := range looks {
			assert.False(t, seen[l], "colour and dash unique: %v", l)
			seen[l] = true
		}
		swatches := eval[[]string](t, p.frames["mau-by-sdk-env"], `[...document.querySelectorAll("tr[data-role=table-row] .swatch")].map((e) => getComputedStyle(e).borderTopStyle)`)
		require.Len(t, swatches, len(sv.Series))
		assert.Equal(t, "solid", swatches[0])
		assert.Equal(t, "dashed", swatches[8], "the table shows the second cue too")

		// Hover a row: its line stands out; click: it hides; again: it shows.
		f := p.frames["many-series"]
		row := `document.querySelector("tr[data-key='` + s.Series[1].Key + `']")`
		b := eval[rect](t, f, `(() => { const r = `+row+`.getBoundingClientRect(); return {X: r.left + 20, Y: r.top + r.height / 2}; })()`)
		require.NoError(t, chromedp.Do(f, chromedp.MouseEvent(chromedp.MouseMoved, b.X, b.Y)))
		height := eval[float64](t, f, `document.querySelector("table.figures").getBoundingClientRect().height`)
		waitFor(t, f, `document.querySelectorAll("[data-role=series].dim").length === 8`)
		assert.Equal(t, height, eval[float64](t, f, `document.querySelector("table.figures").getBoundingClientRect().height`), "the legend does not reflow on hover")
		require.NoError(t, chromedp.Do(f, chromedp.MouseClickXY(b.X, b.Y)))
		waitFor(t, f, `!document.querySelector("[data-role=series][data-series='`+s.Series[1].Key+`']")`)
		assert.Equal(t, "false", eval[string](t, f, row+`.getAttribute("aria-pressed")`))
		require.NoError(t, chromedp.Do(f, chromedp.MouseClickXY(b.X, b.Y)))
		waitFor(t, f, `!!document.querySelector("[data-role=series][data-series='`+s.Series[1].Key+`']")`)
	})

	t.Run("9 peaks, a vertical cursor, a tooltip near it", func(t *testing.T) {
		s := p.summary("streams-peak")
		c := p.chart("streams-peak")
		require.Len(t, c.Peaks, 1)
		assert.Equal(t, s.Series[0].Max, c.Peaks[0].Value)
		assert.Equal(t, float64(mustTime(t, s.Series[0].Time).UnixMilli()), c.Peaks[0].Time)
		assert.Contains(t, c.Peaks[0].Text, exactText(s.Series[0].Max))
		assert.Empty(t, p.chart("mau-by-sdk").Peaks, "no peak on cumulative lines")

		f := p.frames["mau-by-sdk"]
		over := eval[rect](t, f, `(() => { const r = document.querySelector("[data-role=hover]").getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`)
		// The data end before the month does: hover the middle of the drawn part.
		x, y := over.X+over.W*0.1, over.Y+over.H/2
		require.NoError(t, chromedp.Do(f, chromedp.MouseEvent(chromedp.MouseMoved, x, y)))
		waitFor(t, f, `!document.querySelector("[data-role=tooltip]").hidden`)
		type tipView struct {
			Time            string
			Values          map[string]string
			Vertical, Lines int
			Box             rect
		}
		tip := eval[tipView](t, f, `(() => { const t = document.querySelector("[data-role=tooltip]"); const b = t.getBoundingClientRect();
		  const ls = [...document.querySelectorAll("[data-role=cursor] line")];
		  return { Time: t.querySelector("[data-role=tooltip-time]").textContent,
		    Values: Object.fromEntries([...t.querySelectorAll("[data-series]")].map((d) => [d.dataset.series, d.querySelector(".num").textContent])),
		    Vertical: ls.filter((l) => l.getAttribute("x1") === l.getAttribute("x2")).length, Lines: ls.length,
		    Box: {X: b.left, Y: b.top, W: b.width, H: b.height} }; })()`)
		assert.Equal(t, tip.Lines, tip.Vertical, "the cursor is a vertical rule only")
		assert.Positive(t, tip.Lines)
		near := math.Min(math.Abs(tip.Box.X-x), math.Abs(tip.Box.X+tip.Box.W-x))
		assert.Less(t, near, 40.0, "the tooltip is beside the cursor")
		assert.Less(t, math.Abs(tip.Box.Y-y), 40.0)
		var row map[string]float64
		for _, r := range p.rawRows("mau-by-sdk") {
			if time.UnixMilli(int64(r["time"])).UTC().Format("Jan 2, 2006") == tip.Time {
				row = r
			}
		}
		require.NotNil(t, row, "the tooltip's time %q is a bucket of the answer", tip.Time)
		s0 := p.summary("mau-by-sdk")
		require.Len(t, tip.Values, len(s0.Series))
		for _, x := range s0.Series {
			assert.Equal(t, exactText(row[x.Key]), tip.Values[x.Key], "exact value of %s", x.Label)
		}
		require.NoError(t, chromedp.Do(f, chromedp.MouseEvent(chromedp.MouseMoved, 2, 2)))
		waitFor(t, f, `document.querySelector("[data-role=tooltip]").hidden`)
	})

	t.Run("10 colour contrast in both themes, markers, the scale switch", func(t *testing.T) {
		for _, theme := range []string{"dark", "light"} {
			p.theme(theme)
			for _, name := range chartViews {
				c := p.chart(name)
				require.Equal(t, theme, c.Theme)
				for _, l := range c.Lines {
					r := contrast(t, l.Stroke, c.Bg)
					assert.GreaterOrEqual(t, r, 3.0, "%s %s: the line of %s, %s on %s: %.2f:1", theme, name, l.Key, l.Stroke, c.Bg, r)
				}
			}
		}
		for _, l := range p.chart("mau-by-sdk").Lines {
			assert.Zero(t, l.Dots, "no markers on a daily line")
		}
		f := p.frames["mau-by-sdk"]
		state := `[document.querySelector(".chart").dataset.scale, document.querySelector("[data-role=scale-linear]").getAttribute("aria-pressed"), document.querySelector("[data-role=scale-log]").getAttribute("aria-pressed")].join(" ")`
		assert.Equal(t, "linear true false", eval[string](t, f, state))
		require.NoError(t, chromedp.Do(f, chromedp.Click(chromedp.CSS(`[data-role=scale-log]`))))
		waitFor(t, f, `document.querySelector(".chart").dataset.scale === "log"`)
		assert.Equal(t, "log false true", eval[string](t, f, state), "the switch shows the choice")
		for _, tk := range p.chart("mau-by-sdk").YTicks {
			assert.Equal(t, compact3(tk.Value), tk.Text)
			l := math.Log10(tk.Value)
			assert.InDelta(t, l, math.Round(l*1e6)/1e6, 1e-9)
		}
		require.NoError(t, chromedp.Do(f, chromedp.Click(chromedp.CSS(`[data-role=scale-linear]`))))
		waitFor(t, f, `document.querySelector(".chart").dataset.scale === "linear"`)
	})

	t.Run("4 and 5 narrow frames, SDK versions", func(t *testing.T) { narrowAndSDKs(t, p) })
	t.Run("11 empty and failed, the overview", func(t *testing.T) { panelsAndOverview(t, p, now) })

	noAppErrors(t, p.browser)
	assert.Empty(t, p.issues(), "no error on the host page")
}

type rect struct{ X, Y, W, H float64 }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return tm.UTC()
}
