package answer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

func TestDemoMarker(t *testing.T) {
	responses := map[string]*client.Response{
		"get_mau_usage":            {Series: []client.Series{smSeries("0", nil, smT0, smDay, 1, 2)}},
		"get_mau_sdks_by_type":     {Kind: client.SDKList, SDKs: []string{"Go"}},
		"get_sdk_versions_details": {Kind: client.SDKVersionDetails, SDKDetails: []client.SDKVersionDetail{{Name: "go", Version: "1"}}},
		"get_events_usage":         {},
	}
	for tool, resp := range responses {
		for _, demo := range []bool{true, false} {
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tool), Response: resp, Demo: demo})
			lines := strings.Split(s.Text(), "\n")
			has := len(lines) > 1 && lines[1] == DemoMarker
			if has != demo || strings.Contains(s.Text(), "DEMO") != demo {
				t.Errorf("%s demo=%v: marker present=%v\n%s", tool, demo, has, s.Text())
			}
			if m := smRoundTrip(t, s); (m["demo"] == true) != demo {
				t.Errorf("%s demo=%v: json demo=%v", tool, demo, m["demo"])
			}
		}
	}
}

// smManySeries builds n daily series of days points with labels of the given length.
func smManySeries(n, days, labelLen int) *client.Response {
	resp := &client.Response{}
	for i := 0; i < n; i++ {
		vals := make([]float64, days)
		for d := range vals {
			vals[d] = float64((i+1)*1000 + d*37 + (d*i)%11)
		}
		meta := map[string]any{"sdk": "sdk-" + strconv.Itoa(i), "version": "7." + strconv.Itoa(i) + ".0"}
		if labelLen > 0 {
			meta["environment"] = strings.Repeat("é", labelLen)
		}
		resp.Series = append(resp.Series, smSeries(strconv.Itoa(i), meta, smT0, smDay, vals...))
	}
	return resp
}

func TestTextBudgets(t *testing.T) {
	from, to := time.UnixMilli(smT0).UTC(), time.UnixMilli(smT0+30*smDay).UTC()
	t.Run("30 days, 50 series", func(t *testing.T) {
		// Large figures and long labels: the widest table a 30-day result gives.
		wide := smManySeries(50, 30, 0)
		for i := range wide.Series {
			wide.Series[i].Meta["environment"] = "production-eu-west-" + strconv.Itoa(i)
			wide.Series[i].Meta["project"] = "checkout-service-" + strconv.Itoa(i)
			for j := range wide.Series[i].Values {
				wide.Series[i].Values[j] = -9_876_543.25 + float64(i*j)
			}
		}
		for _, tc := range []struct {
			tool string
			resp *client.Response
		}{{"get_mau_usage", smManySeries(50, 30, 0)}, {"get_stream_usage", smManySeries(50, 30, 0)}, {"get_mau_usage", wide}, {"get_events_usage", wide}} {
			tool := tc.tool
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tool), Response: tc.resp, Asked: tool + " groupby=sdk groupby=environment projectKey=checkout-service", From: from, To: to, Demo: true})
			text := s.Text()
			if len(text) > 2000 {
				t.Errorf("%s: %d bytes > 2000:\n%s", tool, len(text), text)
			}
			rows := 0
			for _, l := range strings.Split(text, "\n") {
				if strings.Contains(l, "Oct 30") && !strings.HasPrefix(l, "Answer:") {
					rows++
				}
			}
			if rows < 5 || rows > 10 || !strings.Contains(text, "+"+strconv.Itoa(50-rows)+" more series") {
				t.Errorf("%s: %d rows shown, text does not say %d more series:\n%s", tool, rows, 50-rows, text)
			}
			if len(s.Series) != 50 {
				t.Errorf("%s: json keeps %d series, want 50", tool, len(s.Series))
			}
			t.Logf("%s: %d bytes\n%s", tool, len(text), text)
		}
	})

	longAsked := "get_mau_usage " + strings.Repeat("projectKey=very-long-project-key ", 200)
	big := []struct {
		name string
		tool string
		resp *client.Response
	}{
		{"1000 series, 300-rune labels", "get_mau_usage", smManySeries(1000, 30, 300)},
		{"50 series of 2000 points", "get_events_usage", smManySeries(50, 2000, 0)},
		{"5000 SDKs", "get_mau_sdks_by_type", func() *client.Response {
			r := &client.Response{Kind: client.SDKList}
			for i := 0; i < 5000; i++ {
				r.SDKs = append(r.SDKs, strings.Repeat("x", i%90)+strconv.Itoa(i))
			}
			return r
		}()},
		{"5000 SDK versions", "get_stream_usage_sdkversion", func() *client.Response {
			r := &client.Response{Kind: client.SDKVersionList}
			for i := 0; i < 5000; i++ {
				r.SDKVersions = append(r.SDKVersions, client.SDKVersion{SDK: "sdk" + strconv.Itoa(i%300) + strings.Repeat("y", 80), Version: "1.2." + strconv.Itoa(i)})
			}
			return r
		}()},
		{"5000 SDK details past EOL", "get_sdk_all_versions", func() *client.Response {
			r := &client.Response{Kind: client.SDKVersionDetails}
			for i := 0; i < 5000; i++ {
				long := strings.Repeat("z", 200)
				r.SDKDetails = append(r.SDKDetails, client.SDKVersionDetail{Name: long, Version: long, ProjectKey: long, EnvironmentKey: long,
					LDLatestVersion: long, EOLStatus: []string{"EolPast", "EolNear", long + strconv.Itoa(i)}[i%3], RelayEOLStatus: "EolPast", RelayVersion: long})
			}
			return r
		}()},
		{"1000 series of unique counts", "get_total_mau_usage", smManySeries(1000, 10, 100)},
	}
	for _, tc := range big {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tc.tool), Response: tc.resp, Asked: longAsked, From: from, To: to, Demo: true})
			text := s.Text()
			if len(text) > 2500 {
				t.Fatalf("%d bytes > 2500", len(text))
			}
			if !utf8.ValidString(text) {
				t.Errorf("text is not valid UTF-8")
			}
			if !strings.Contains(text, DemoMarker) {
				t.Errorf("demo marker lost when cutting:\n%s", text)
			}
			if s.Kind != "sdkVersionDetails" && !strings.Contains(text, " more ") {
				t.Errorf("text does not say that items were left out:\n%s", text)
			}
		})
	}
}

func TestLongLabelsTruncated(t *testing.T) {
	long := strings.Repeat("a", 100)
	resp := &client.Response{Series: []client.Series{smSeries("0", map[string]any{"environment": long}, smT0, smDay, 1, 2, 3)}}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp})
	if s.Series[0].Label != "environment="+long {
		t.Errorf("json label changed: %q", s.Series[0].Label)
	}
	text := s.Text()
	if strings.Contains(text, long) || !strings.Contains(text, "environment") || !strings.Contains(text, "aaaa…") {
		t.Errorf("long label not cut with …:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(line) > 200 {
			t.Errorf("line of %d runes: %q", utf8.RuneCountInString(line), line)
		}
	}
	// Every key stays visible when values are long.
	resp = &client.Response{Series: []client.Series{
		smSeries("0", map[string]any{"environment": long, "sdk": "go-server-sdk", "version": "7.1.0"}, smT0, smDay, 1),
		smSeries("1", map[string]any{"environment": long, "sdk": "node-server-sdk", "version": "9.0.0"}, smT0, smDay, 1),
		smSeries("2", map[string]any{"environment": "b" + long, "sdk": "node-server-sdk", "version": "9.0.0"}, smT0, smDay, 1),
	}}
	text = Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp}).Text()
	for _, w := range []string{"environment/sdk/version", "aaaa…/go-server-sdk/7.1.0", "baaa", "/node-server-s…/9.0.0"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	// A key with one value in every series is said once.
	resp = &client.Response{Series: []client.Series{
		smSeries("0", map[string]any{"project": "web", "sdk": "go"}, smT0, smDay, 1),
		smSeries("1", map[string]any{"project": "web", "sdk": "node"}, smT0, smDay, 2),
	}}
	text = Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp}).Text()
	if !strings.Contains(text, "Every series has project=web") || strings.Contains(text, "project=web sdk") || !strings.Contains(text, "\nsdk=node ") {
		t.Errorf("common key not factored out:\n%s", text)
	}
	// Control characters in labels cannot break the table.
	resp = &client.Response{Series: []client.Series{smSeries("0", map[string]any{"k": "a\nb"}, smT0, smDay, 1)}}
	if text := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp}).Text(); strings.Contains(text, "a\nb") {
		t.Errorf("newline in label reached the text:\n%s", text)
	}
}

func sparkLevels(t *testing.T, spark string) []int {
	t.Helper()
	var out []int
	for _, r := range spark {
		lvl := -1
		for i, g := range sparkGlyphs {
			if g == r {
				lvl = i
			}
		}
		if lvl < 0 {
			t.Fatalf("unexpected glyph %q in %q", r, spark)
		}
		out = append(out, lvl)
	}
	return out
}

func TestSparklineShape(t *testing.T) {
	for _, n := range []int{1, 2, 5, 24, 25, 30, 100, 1000, 1001} {
		for _, dir := range []float64{1, -1} {
			t.Run(fmt.Sprintf("n=%d dir=%v", n, dir), func(t *testing.T) {
				vals := make([]float64, n)
				for i := range vals {
					vals[i] = dir * float64(i*i) // monotonic, not linear
				}
				for _, tool := range []string{"get_events_usage", "get_mau_usage"} { // mean and max downsampling
					s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tool), Response: &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smHour, vals...)}}})
					lv := sparkLevels(t, s.Series[0].Sparkline)
					if len(lv) == 0 || len(lv) > sparkWidth || (n <= sparkWidth && len(lv) != n) {
						t.Fatalf("%s: %d glyphs for %d points", tool, len(lv), n)
					}
					for i := 1; i < len(lv); i++ {
						if (dir > 0 && lv[i] < lv[i-1]) || (dir < 0 && lv[i] > lv[i-1]) {
							t.Fatalf("%s: not monotonic: %s", tool, s.Series[0].Sparkline)
						}
					}
					if n > 1 {
						lo, hi := 0, 7
						if dir < 0 {
							lo, hi = 7, 0
						}
						if lv[0] != lo || lv[len(lv)-1] != hi {
							t.Errorf("%s: ends at levels %d..%d: %s", tool, lv[0], lv[len(lv)-1], s.Series[0].Sparkline)
						}
					}
				}
			})
		}
	}
	flat := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smDay, 5, 5, 5)}}})
	if flat.Series[0].Sparkline != "▄▄▄" {
		t.Errorf("flat sparkline = %q", flat.Series[0].Sparkline)
	}
	// Points that do not add up are downsampled by their maximum: 100 points
	// in buckets of 5, all 15 but one bucket of 10, 10, 30, 10, 10. By max that
	// bucket is the top of the line and the others the bottom; by mean (14
	// against 15) it would be the bottom and the others the top.
	vals := make([]float64, 100)
	for i := range vals {
		vals[i] = 15
	}
	copy(vals[50:55], []float64{10, 10, 30, 10, 10})
	spike := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_usage"), Response: &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smDay, vals...)}}})
	lv := sparkLevels(t, spike.Series[0].Sparkline)
	if len(lv) != 20 {
		t.Fatalf("sparkline of 100 points has %d glyphs: %s", len(lv), spike.Series[0].Sparkline)
	}
	for i, l := range lv {
		if want := map[bool]int{true: 7, false: 0}[i == 10]; l != want {
			t.Errorf("unique counts, bucket %d at level %d, want %d (max downsampling): %s", i, l, want, spike.Series[0].Sparkline)
		}
	}
	// Counts per bucket are downsampled by their mean: the same points put
	// that bucket at the bottom.
	counts := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smDay, vals...)}}})
	if lv := sparkLevels(t, counts.Series[0].Sparkline); lv[10] != 0 || lv[0] != 7 {
		t.Errorf("counts: mean downsampling expected: %s", counts.Series[0].Sparkline)
	}
}

func TestExactNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {12345, "12,345"}, {1_234_567, "1,234,567"}, {12_345_678_901, "12,345,678,901"},
		{-1500, "-1,500"}, {0.42, "0.42"}, {12.5, "12.50"}, {1234.567, "1,234.57"}, {1e15, "1,000,000,000,000,000"},
	} {
		if got := Exact(tc.v); got != tc.want {
			t.Errorf("Exact(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	// One format per column: decimals for all once one value has them.
	if got := column([]float64{1200, 3.5, 7}, false); !slices.Equal(got, []string{"1,200.00", "3.50", "7.00"}) {
		t.Errorf("column = %v", got)
	}
	if got := column([]float64{1200, 3, 7}, false); !slices.Equal(got, []string{"1,200", "3", "7"}) {
		t.Errorf("column = %v", got)
	}
	if got := column([]float64{2695767.25, 400539.13}, true); !slices.Equal(got, []string{"2,695,767", "400,539"}) {
		t.Errorf("derived column = %v", got)
	}
	for _, tc := range []struct {
		p    float64
		want string
	}{{4.123, "+4.1%"}, {-12.4, "-12%"}, {0, "+0.0%"}, {25000, "+25,000%"}} {
		if got := Pct(tc.p); got != tc.want {
			t.Errorf("Pct(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestRangeText: the header shows the exact range and its zone; whole days
// as dates with the last day included.
func TestRangeText(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 11, 17, 42, 0, time.UTC)
	cases := []struct {
		from, to time.Time
		loc      *time.Location
		want     string
	}{
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.UTC, "2026-10-01..2026-10-31 UTC"},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), now, time.UTC, "2026-11-01 00:00..now (2026-11-30 11:17) UTC"},
		{time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC), time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), time.UTC, "2026-11-29 09:30..2026-11-29 12:00 UTC"},
		{time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC), ny, "2026-11-01..2026-11-01 America/New_York"},
	}
	for _, tc := range cases {
		s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_stream_usage"), Response: monthBoundary(), From: tc.from, To: tc.to, Now: now, Loc: tc.loc})
		if got := s.rangeText(); got != tc.want {
			t.Errorf("range %v..%v in %v = %q, want %q", tc.from, tc.to, tc.loc, got, tc.want)
		}
	}
}
