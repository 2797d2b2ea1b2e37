package ui_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProjectionInBrowser: LaunchDarkly's own projection (API v24's
// projectedSeries, in the raw body as LaunchDarkly sends it, here the
// measured days and then the month's pace to its last day) continues the
// line to the month's end, dashed and labelled with its last value, in
// billed units. The answer is a fixture of service connections in a running
// November 2026: 40,000 connection minutes a day, ten days measured.
func TestProjectionInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const perDay, days = 40000.0, 10
	day := func(d int) float64 { return float64(time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC).UnixMilli()) }
	var series, projected []map[string]float64
	for d := 1; d <= 30; d++ {
		if d <= days {
			series = append(series, map[string]float64{"time": day(d), "0": perDay * float64(d)})
		}
		projected = append(projected, map[string]float64{"time": day(d), "0": perDay * float64(d)})
	}
	last := perDay * days
	billed := last / 43800
	sum := map[string]any{
		"kind": "series", "asked": "get_service_connection_usage", "unit": "connection minutes", "point": "cumulative", "figure": "monthEnd",
		"granularity": "daily", "aggregationType": "month_to_date", "addsAcross": true, "summable": false,
		"range":    map[string]any{"from": "2026-11-01T00:00:00Z", "to": "2026-11-10T12:00:00Z", "tz": "UTC"},
		"headline": map[string]any{"value": last, "billed": billed, "billedUnit": "service connections", "month": "2026-11", "status": "inProgress", "of": "series", "text": "fixture"},
		"series": []map[string]any{{"label": "0", "key": "0", "points": days, "figure": last, "max": last, "last": last, "time": "2026-11-10T00:00:00Z",
			"months": []map[string]any{{"month": "2026-11", "value": last, "status": "inProgress"}}}},
	}
	raw := map[string]any{"_links": map[string]any{}, "metadata": []map[string]any{{}}, "series": series, "projectedSeries": projected}
	fixture, err := json.Marshal(map[string]any{"summary": sum, "raw": raw})
	require.NoError(t, err)

	base := fixtureServer(t, "get_service_connection_usage", fixture)
	bctx, problems := browser(t, ctx, chromium(t))
	calls := `[{"name":"get_service_connection_usage","arguments":{}}]`
	openHost(t, bctx, base+"/?theme=light&calls="+url.QueryEscape(calls)+"&mcp="+url.QueryEscape(base+"/mcp"))
	f := appFrames(t, bctx, "app0")["app0"]
	waitFor(t, f, `!!document.querySelector("[data-role=projection]")`)
	type proj struct {
		Key   string
		Value float64
		EndX  float64
		Text  string
	}
	got := eval[[]proj](t, f, `[...document.querySelectorAll("[data-role=projection]")].map((g) => ({Key: g.dataset.series, Value: +g.dataset.value,
	  EndX: +g.querySelector("path").getAttribute("d").split(/[ML ]/).filter(Boolean).at(-2), Text: g.querySelector("text")?.textContent ?? ""}))`)
	plotR := eval[float64](t, f, `(() => { const h = document.querySelector("[data-role=hover]"); return +h.getAttribute("x") + +h.getAttribute("width"); })()`)
	require.Len(t, got, 1)
	want := perDay * 30 / 43800
	assert.Equal(t, "0", got[0].Key)
	assert.InDelta(t, want, got[0].Value, 1e-6, "the projection's last value, in billed connections")
	assert.Equal(t, "LaunchDarkly: "+compact3(want), got[0].Text)
	assert.InDelta(t, plotR, got[0].EndX, 1, "to the month's end")
	assert.Zero(t, eval[int](t, f, `document.querySelectorAll("[data-role=estimate]").length`), "LaunchDarkly's projection stands instead of the app's estimate")
	png, err := chromedp.Run(bctx, chromedp.Screenshot(chromedp.CSS("iframe[name=app0]"), chromedp.NodeVisible))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(artifacts(t), "projection-1200-light.png"), png, 0o644))
	note := eval[string](t, f, `document.querySelector("[data-role=projection-note]")?.textContent ?? ""`)
	assert.Contains(t, note, "LaunchDarkly's own projection")
	noAppErrors(t, bctx)
	assert.Empty(t, problems())
}
