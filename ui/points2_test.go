package ui_test

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// narrowAndSDKs: point 4 (every view works at 360–420 px: no horizontal
// scrolling, no clipped cell) and point 5 (the SDK versions grouped by SDK
// and version, counted as the answer counts them).
func narrowAndSDKs(t *testing.T, p *page) {
	type fit struct {
		Inner, Scroll int
		Clipped       []string
	}
	for _, w := range []int{420, 360} {
		p.resize(w)
		for _, v := range p.views {
			f := eval[fit](t, p.frames[v.name], `({
			  Inner: innerWidth, Scroll: document.documentElement.scrollWidth,
			  Clipped: [...document.querySelectorAll("th, td, h2, p, li, .card, .chip, summary")]
			    .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth + 0.5)
			    .map((e) => e.tagName + ": " + e.textContent.slice(0, 40)),
			})`)
			assert.LessOrEqual(t, f.Scroll, f.Inner, "%d px, %s: no horizontal scrolling", w, v.name)
			assert.Empty(t, f.Clipped, "%d px, %s: no clipped cell", w, v.name)
		}
		st := p.summary("streams-peak")
		assert.Equal(t, mustTime(t, st.Series[0].Time).Format("Jan 2"), p.chart("streams-peak").Rows[0].Cells["on"], "%d px: the whole date", w)
	}
	p.resize(1280)

	for _, name := range []string{"sdk-versions", "sdk-versions-in-use"} {
		var rows []struct {
			Name, Version, EolStatus, ProjectKey, EnvironmentKey, LatestReleaseURL string
		}
		raw := p.result(name).StructuredContent.Raw
		require.NoError(t, json.Unmarshal(raw, &rows))
		var sum struct {
			Count         int
			EOLPastPlaces *int `json:"eolPastPlaces"`
			Headline      struct {
				Value float64
				Text  string
			}
		}
		require.NoError(t, json.Unmarshal(p.result(name).StructuredContent.Summary, &sum))
		require.Len(t, rows, sum.Count)
		// Independently: the versions past end of life and their places.
		versions, places, all := map[string]bool{}, map[string]bool{}, map[string]string{}
		urls := map[string]string{}
		for _, r := range rows {
			k := r.Name + " " + r.Version
			all[k] = r.EolStatus
			urls[r.Name] = r.LatestReleaseURL
			if r.EolStatus == "EolPast" {
				versions[k] = true
				places[r.ProjectKey+"/"+r.EnvironmentKey] = true
			}
		}
		require.NotEmpty(t, versions, "%s: the demo has versions past EOL", name)
		type chip struct{ Status, Text, Versions, Places string }
		type entry struct{ Sdk, Version, Status, Bg, Link string }
		type sdkView struct {
			Chips   []chip
			Entries []entry
			Clear   int
			Open    bool
		}
		v := eval[sdkView](t, p.frames[name], `({
		  Chips: [...document.querySelectorAll("[data-role=eol-count]")].map((c) => ({Status: c.dataset.status, Text: c.textContent, Versions: c.dataset.versions, Places: c.dataset.places})),
		  Entries: [...document.querySelectorAll("[data-role=sdk-version]")].map((e) => ({Sdk: e.dataset.sdk, Version: e.dataset.version, Status: e.dataset.status,
		    Bg: getComputedStyle(e).backgroundColor, Link: e.querySelector("[data-role=release-notes]")?.getAttribute("href") ?? ""})),
		  Clear: document.querySelectorAll("[data-role=clear] [data-role=sdk-version]").length,
		  Open: document.querySelector("[data-role=clear]")?.open ?? false,
		})`)
		var past *chip
		for i := range v.Chips {
			if v.Chips[i].Status == "EolPast" {
				past = &v.Chips[i]
			}
		}
		require.NotNil(t, past, name)
		assert.Equal(t, strconv.Itoa(len(versions)), past.Versions, "%s: versions past EOL, counted as versions", name)
		assert.Equal(t, strconv.Itoa(len(places)), past.Places, "%s: and the project environments they run in", name)
		assert.Equal(t, float64(len(versions)), sum.Headline.Value, "%s: as the answer counts", name)
		if m := regexp.MustCompile(`(\d+) SDK versions? (?:is|are) past end of life`).FindStringSubmatch(sum.Headline.Text); assert.NotNil(t, m, sum.Headline.Text) {
			assert.Equal(t, m[1], past.Versions, "%s: the answer's words", name)
		}
		if sum.EOLPastPlaces != nil { // a server that counts the places apart
			assert.Equal(t, strconv.Itoa(*sum.EOLPastPlaces), past.Places, "%s: the answer's count of places", name)
		}
		// One entry per SDK and version, none repeated, the clear ones folded away.
		require.Len(t, v.Entries, len(all), name)
		seen := map[string]bool{}
		clear := 0
		for _, e := range v.Entries {
			k := e.Sdk + " " + e.Version
			assert.False(t, seen[k], "%s: %s once", name, k)
			seen[k] = true
			assert.Equal(t, all[k], e.Status, k)
			assert.Equal(t, "rgba(0, 0, 0, 0)", e.Bg, "%s: only the status is tinted, not the entry", k)
			if e.Link != "" {
				assert.Equal(t, urls[e.Sdk], e.Link, "%s: the release notes of the latest version", k)
			}
			if e.Status == "EolAllClear" {
				clear++
			}
		}
		assert.Equal(t, clear, v.Clear, "%s: the clear versions are in the folded list", name)
		assert.False(t, v.Open)
	}
}

// panelsAndOverview: point 11, and the overview's part of point 6.
func panelsAndOverview(t *testing.T, p *page, now time.Time) {
	failed := p.result("failed")
	require.True(t, failed.IsError)
	require.NotEmpty(t, failed.Content)
	text := eval[string](t, p.frames["failed"], `document.querySelector("[data-role=error]")?.textContent ?? ""`)
	assert.Contains(t, text, "The call failed")
	assert.Contains(t, text, strings.SplitN(failed.Content[0].Text, "\n", 2)[0], "the error's own words")

	var empty struct {
		Empty bool
		Hint  string
	}
	require.NoError(t, json.Unmarshal(p.result("empty").StructuredContent.Summary, &empty))
	require.True(t, empty.Empty)
	text = eval[string](t, p.frames["empty"], `document.querySelector("[data-role=empty]")?.textContent ?? ""`)
	assert.Contains(t, text, empty.Hint, "the result's own hint")

	var ov struct {
		Month, PreviousMonth string
		Measures             []struct {
			Name, Tool, Unit, BilledUnit  string
			Value, ChangePct              float64
			Billed, Estimate, Entitlement *float64
		}
	}
	require.NoError(t, json.Unmarshal(p.result("overview").StructuredContent.Summary, &ov))
	var raws map[string]struct {
		Series []map[string]float64 `json:"series"`
	}
	require.NoError(t, json.Unmarshal(p.result("overview").StructuredContent.Raw, &raws))
	type card struct {
		Name, Value, Dir, Marker string
		Points                   int
	}
	type ovView struct {
		Sub   string
		Cards []card
	}
	v := eval[ovView](t, p.frames["overview"], `({
	  Sub: document.querySelector(".overview [data-role=subtitle]").textContent,
	  Cards: [...document.querySelectorAll(".card")].map((c) => ({Name: c.dataset.measure, Value: c.querySelector(".value").textContent,
	    Dir: c.querySelector("[data-role=change]")?.dataset.dir ?? "", Points: +(c.querySelector("[data-role=sparkline]")?.dataset.points ?? 0),
	    Marker: c.querySelector("[data-role=estimate-marker]")?.style.left ?? ""})),
	})`)
	assert.Regexp(t, `^[A-Z][a-z]+ \d{4} so far, to [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC$`, v.Sub, "one date style")
	require.Len(t, v.Cards, len(ov.Measures))
	for i, m := range ov.Measures {
		c := v.Cards[i]
		lead, unit := m.Value, m.Unit
		if m.Billed != nil {
			lead, unit = *m.Billed, m.BilledUnit
		}
		assert.Equal(t, exactText(lead)+" "+unit, c.Value, "%s: the unit inline", m.Name)
		want := "flat"
		if math.Abs(m.ChangePct) >= 10 {
			want = map[bool]string{true: "up", false: "down"}[m.ChangePct > 0]
		}
		assert.Equal(t, want, c.Dir, "%s: a change of %.1f%%", m.Name, m.ChangePct)
		points := 0
		for _, r := range raws[m.Tool].Series {
			ms := int64(r["time"])
			if ms < 1e11 {
				ms *= 1000
			}
			if time.UnixMilli(ms).UTC().Format("2006-01") == ov.Month {
				points++
			}
		}
		assert.Positive(t, points, m.Name)
		assert.Equal(t, points, c.Points, "%s: a sparkline of the month's points", m.Name)
		if m.Estimate != nil && m.Entitlement != nil {
			at := math.Min(100, *m.Estimate / *m.Entitlement * 100)
			got, err := strconv.ParseFloat(strings.TrimSuffix(c.Marker, "%"), 64)
			require.NoError(t, err, "%s: the estimate marked on the bar: %q", m.Name, c.Marker)
			assert.InDelta(t, at, got, 0.06, "%s: the estimate marked on the bar", m.Name)
		}
	}
	_ = now
}
