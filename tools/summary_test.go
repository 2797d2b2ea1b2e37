package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

const (
	smMinute = int64(60_000)
	smHour   = 60 * smMinute
	smDay    = 24 * smHour
)

var smT0 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// smSeries builds a series with points every step from start.
func smSeries(key string, meta map[string]any, start, step int64, vals ...float64) client.Series {
	s := client.Series{Key: key, Meta: meta}
	for i, v := range vals {
		s.Times = append(s.Times, start+int64(i)*step)
		s.Values = append(s.Values, v)
	}
	return s
}

func smEndpoint(t *testing.T, tool string) *client.Endpoint {
	t.Helper()
	ep := client.Lookup(tool)
	if ep == nil {
		t.Fatalf("no endpoint %s", tool)
	}
	return ep
}

// smRoundTrip marshals the summary as the server would and decodes it generically.
func smRoundTrip(t *testing.T, s *Summary) map[string]any {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal summary: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal summary: %v", err)
	}
	return m
}

func smFind(t *testing.T, s *Summary, key string) SeriesSummary {
	t.Helper()
	for _, st := range s.Series {
		if st.Key == key {
			return st
		}
	}
	t.Fatalf("no series %q in %+v", key, s.Series)
	return SeriesSummary{}
}

func TestSeriesLabels(t *testing.T) {
	tests := []struct {
		name string
		s    client.Series
		want string
	}{
		{"sorted keys", smSeries("0", map[string]any{"version": "7.1.0", "sdk": "go"}, smT0, smDay, 1), "sdk=go version=7.1.0"},
		{"interval rep", smSeries("value", nil, smT0, smDay, 1), "value"},
		{"no metadata", smSeries("3", nil, smT0, smDay, 1), "3"},
		{"empty metadata", smSeries("4", map[string]any{}, smT0, smDay, 1), "4"},
		{"number and bool", smSeries("0", map[string]any{"variation": float64(2), "anonymous": true}, smT0, smDay, 1), "anonymous=true variation=2"},
		{"space in value", smSeries("1", map[string]any{"sdk": "React Native"}, smT0, smDay, 1), "sdk=React Native"},
		{"nested", smSeries("2", map[string]any{"k": []any{"a"}}, smT0, smDay, 1), `k=["a"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_stream_usage"), Response: &client.Response{Series: []client.Series{tc.s}}})
			if got := s.Series[0].Label; got != tc.want {
				t.Fatalf("label = %q, want %q", got, tc.want)
			}
		})
	}
}

// smExpected holds the figures of a series independently of the code under test.
type smExpected struct {
	points                    int
	sum, min, max, mean, last float64
	first, change, pct        float64
	hasPct, hasPoints         bool
	maxAt, lastAt             int64
}

func smExpect(times []int64, vals []float64) smExpected {
	var e smExpected
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if !e.hasPoints {
			e.min, e.max, e.first, e.maxAt = v, v, v, times[i]
			e.hasPoints = true
		}
		if v < e.min {
			e.min = v
		}
		if v > e.max {
			e.max, e.maxAt = v, times[i]
		}
		e.sum += v
		e.points++
		e.last, e.lastAt = v, times[i]
	}
	if e.points > 0 {
		e.mean = e.sum / float64(e.points)
		e.change = e.last - e.first
		if e.first != 0 && e.points > 1 {
			e.pct = e.change / math.Abs(e.first) * 100
			e.hasPct = true
		}
	}
	return e
}

func smNear(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func TestSeriesFigures(t *testing.T) {
	// A deterministic pseudo-random walk.
	walk := make([]float64, 90)
	x := uint32(7)
	for i := range walk {
		x = x*1664525 + 1013904223
		walk[i] = float64(x >> 20)
	}
	tests := []struct {
		name string
		vals []float64
	}{
		{"zero points", nil},
		{"one point", []float64{42}},
		{"two points", []float64{10, 15}},
		{"walk", walk},
		{"negative", []float64{-5, -1, -9, -3}},
		{"fractional", []float64{0.25, 1.5, 0.125, 2.75, 2.75}},
		{"max repeated keeps first time", []float64{3, 9, 1, 9, 2}},
		{"huge", []float64{1e15, 3e15, 2e15}},
		{"starts at zero", []float64{0, 5, 10}},
		{"NaN skipped", []float64{1, math.NaN(), 3, math.Inf(1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sr := smSeries("0", map[string]any{"sdk": "go"}, smT0, smDay, tc.vals...)
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_stream_usage"), Response: &client.Response{Series: []client.Series{sr}}})
			e := smExpect(sr.Times, sr.Values)
			st := s.Series[0]
			if st.Points != e.points {
				t.Fatalf("points = %d, want %d", st.Points, e.points)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"sum", st.Sum, e.sum}, {"min", st.Min, e.min}, {"max", st.Max, e.max}, {"mean", st.Mean, e.mean}, {"last", st.Last, e.last}} {
				if !smNear(f.got, f.want) {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
			if e.points == 0 {
				if st.Time != "" || st.First != nil || st.Change != nil || st.ChangePct != nil {
					t.Errorf("zero points but time/first/change set: %+v", st)
				}
				if !s.Empty || s.Hint == "" {
					t.Errorf("zero points: empty=%v hint=%q", s.Empty, s.Hint)
				}
				return
			}
			if want := time.UnixMilli(e.maxAt).UTC().Format(time.RFC3339); st.Time != want {
				t.Errorf("time of max = %s, want %s", st.Time, want)
			}
			if want := time.UnixMilli(e.lastAt).UTC().Format(time.RFC3339); st.LastTime != want {
				t.Errorf("lastTime = %s, want %s", st.LastTime, want)
			}
			if st.First == nil || *st.First != e.first || st.Change == nil || !smNear(*st.Change, e.change) {
				t.Errorf("first/change = %v/%v, want %v/%v", st.First, st.Change, e.first, e.change)
			}
			if (st.ChangePct != nil) != e.hasPct || (e.hasPct && !smNear(*st.ChangePct, e.pct)) {
				t.Errorf("changePct = %v, want %v (defined %v)", st.ChangePct, e.pct, e.hasPct)
			}
			if s.From != time.UnixMilli(smT0).UTC().Format(time.RFC3339) {
				t.Errorf("from = %s", s.From)
			}
			smRoundTrip(t, s)
		})
	}
}

func TestContractFieldsInJSON(t *testing.T) {
	resp := &client.Response{Series: []client.Series{
		smSeries("0", map[string]any{"sdk": "go"}, smT0, smDay, 1, 2, 3),
		smSeries("1", nil, smT0, smDay),
	}}
	m := smRoundTrip(t, Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_stream_usage"), Response: resp}))
	series, ok := m["series"].([]any)
	if !ok || len(series) != 2 {
		t.Fatalf("series = %#v", m["series"])
	}
	first := series[0].(map[string]any)
	for _, k := range []string{"label", "points", "sum", "min", "max", "mean", "last", "time", "first", "change", "changePct", "sparkline"} {
		if _, ok := first[k]; !ok {
			t.Errorf("series[0] lacks %q: %v", k, first)
		}
	}
	for _, k := range []string{"label", "points", "sum", "min", "max", "mean", "last"} {
		if _, ok := series[1].(map[string]any)[k]; !ok {
			t.Errorf("empty series lacks %q", k)
		}
	}
	for _, k := range []string{"granularity", "from", "to", "summable", "total"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary lacks %q: %v", k, m)
		}
	}

	empty := smRoundTrip(t, Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_stream_usage"), Response: &client.Response{}}))
	if s, ok := empty["series"].([]any); !ok || len(s) != 0 {
		t.Errorf("empty result: series = %#v, want []", empty["series"])
	}
	if empty["empty"] != true || !strings.Contains(empty["hint"].(string), "no data") {
		t.Errorf("empty result: %v", empty)
	}
}

func TestGranularity(t *testing.T) {
	// Local midnights in a zone with daylight saving time: days of 25 hours
	// in autumn and of 23 hours in spring (the smallest gap).
	gaps := func(hours ...int64) []int64 {
		out := []int64{smT0}
		for _, h := range hours {
			out = append(out, out[len(out)-1]+h*smHour)
		}
		return out
	}
	dst, spring := gaps(24, 24, 25, 24, 24), gaps(24, 23, 24, 24)
	var months []int64
	for m := 1; m <= 12; m++ {
		months = append(months, time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	}
	steps := func(step int64, n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = smT0 + int64(i)*step
		}
		return out
	}
	tests := []struct {
		name  string
		tool  string
		times []int64
		want  string
	}{
		{"minutely", "get_stream_usage", steps(smMinute, 120), "minutely"},
		{"hourly", "get_stream_usage", steps(smHour, 48), "hourly"},
		{"daily", "get_stream_usage", steps(smDay, 30), "daily"},
		{"daily across DST", "get_stream_usage", dst, "daily"},
		{"daily across spring DST", "get_stream_usage", spring, "daily"},
		{"daily with a gap", "get_stream_usage", []int64{smT0, smT0 + smDay, smT0 + 3*smDay, smT0 + 4*smDay}, "daily"},
		{"weekly", "get_stream_usage", steps(7*smDay, 10), "weekly"},
		{"monthly", "get_total_mau_usage", months, "monthly"},
		{"hourly with a gap", "get_stream_usage", []int64{smT0, smT0 + smHour, smT0 + smHour + smDay}, "hourly"},
		{"mixed", "get_stream_usage", []int64{smT0, smT0 + smDay, smT0 + 2*smDay + 3*smHour}, "irregular"},
		{"odd step", "get_stream_usage", steps(5*smMinute, 10), "irregular"},
		{"not ascending", "get_stream_usage", []int64{smT0 + smDay, smT0}, "irregular"},
		{"one point", "get_stream_usage", steps(smDay, 1), "unknown"},
		{"one point of an always-daily endpoint", "get_mau_usage", steps(smDay, 1), "daily"},
		{"no points", "get_stream_usage", nil, "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sr := client.Series{Key: "0"}
			for i, tm := range tc.times {
				sr.Times = append(sr.Times, tm)
				sr.Values = append(sr.Values, float64(i))
			}
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tc.tool), Response: &client.Response{Series: []client.Series{sr}}})
			if s.Granularity != tc.want {
				t.Fatalf("granularity = %q, want %q", s.Granularity, tc.want)
			}
			if !s.Empty && !strings.Contains(strings.SplitN(s.Text(), "\n", 2)[0], tc.want) {
				t.Errorf("first line does not name the granularity: %q", s.Text())
			}
		})
	}
}

func TestSummability(t *testing.T) {
	// Values chosen so that the sum (600 per series) appears nowhere else.
	vals := []float64{100, 200, 300}
	two := func() *client.Response {
		return &client.Response{Series: []client.Series{
			smSeries("0", map[string]any{"sdk": "go"}, smT0, smDay, vals...),
			smSeries("1", map[string]any{"sdk": "node"}, smT0, smDay, 50, 60, 70),
		}}
	}
	tests := []struct {
		name     string
		tool     string
		agg      string
		summable bool
		noteHas  string
		totalOf  string
		total    float64
	}{
		{"MAU unique", "get_mau_usage", "", false, "Unique", "max of series", 300},
		{"contexts unique", "get_total_contexts_usage", "", false, "Unique", "max of series", 300},
		{"experimentation keys unique", "get_experimentation_keys_usage", "", false, "Unique", "max of series", 300},
		{"month_to_date", "get_total_mau_usage", "month_to_date", false, "cumulative", "max of series", 300},
		{"month_to_date on a counter", "get_ai_runs_usage", "month_to_date", false, "cumulative", "max of series", 300},
		{"rolling_30d", "get_total_mau_usage", "rolling_30d", false, "trailing 30-day", "max of series", 300},
		{"average", "get_observability_metrics_usage", "average", false, "average", "max of series", 300},
		{"daily_incremental", "get_mau_usage", "daily_incremental", true, "", "sum of all series", 600 + 180},
		{"incremental", "get_total_mau_usage", "incremental", true, "", "sum of all series", 600 + 180},
		{"events per bucket", "get_events_usage", "", true, "", "sum of all series", 600 + 180},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tc.tool), Response: two(), Aggregation: tc.agg, Asked: tc.tool})
			if s.Summable == nil || *s.Summable != tc.summable {
				t.Fatalf("summable = %v, want %v", s.Summable, tc.summable)
			}
			if !strings.Contains(s.Note, tc.noteHas) || (tc.summable && s.Note != "") {
				t.Errorf("note = %q, want one containing %q", s.Note, tc.noteHas)
			}
			if s.Total == nil || !strings.HasPrefix(s.Total.Of, tc.totalOf) || s.Total.Value != tc.total {
				t.Errorf("total = %+v, want %v of %q", s.Total, tc.total, tc.totalOf)
			}
			// The JSON keeps sum either way.
			if got := smFind(t, s, "0").Sum; got != 600 {
				t.Errorf("sum = %v, want 600", got)
			}
			text := s.Text()
			if tc.summable {
				if !strings.Contains(text, "600") || !strings.Contains(text, "Total (sum of 2 series): 780") {
					t.Errorf("summable text lacks the sum/total:\n%s", text)
				}
			} else {
				if strings.Contains(text, "600") || strings.Contains(text, "780") || strings.Contains(text, "Total:") || strings.Contains(text, "Total (") {
					t.Errorf("non-summable text presents a sum:\n%s", text)
				}
				if !strings.Contains(text, "Note: "+s.Note) {
					t.Errorf("text lacks the note:\n%s", text)
				}
			}
		})
	}
}

func TestSingleUniqueSeriesTotalIsLast(t *testing.T) {
	resp := &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smDay, 10, 40, 30)}}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_total_mau_usage"), Response: resp, Aggregation: "rolling_30d"})
	if s.Total == nil || s.Total.Of != "last" || s.Total.Value != 30 {
		t.Fatalf("total = %+v, want last 30", s.Total)
	}
	if text := s.Text(); !strings.Contains(text, "Latest: 30, maximum 40") {
		t.Errorf("text:\n%s", text)
	}
}

func TestSeriesOrder(t *testing.T) {
	// "a" has the biggest peak, "b" the biggest sum.
	resp := func() *client.Response {
		return &client.Response{Series: []client.Series{
			smSeries("0", map[string]any{"g": "c"}, smT0, smDay, 1, 1, 1),
			smSeries("1", map[string]any{"g": "a"}, smT0, smDay, 0, 100, 0),
			smSeries("2", map[string]any{"g": "b"}, smT0, smDay, 60, 60, 60),
		}}
	}
	order := func(s *Summary) string {
		var keys []string
		for _, st := range s.Series {
			keys = append(keys, st.Label)
		}
		return strings.Join(keys, ",")
	}
	if got := order(Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_usage"), Response: resp()})); got != "g=a,g=b,g=c" {
		t.Errorf("unique order = %s, want by max", got)
	}
	if got := order(Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp()})); got != "g=b,g=a,g=c" {
		t.Errorf("summable order = %s, want by sum", got)
	}
}

func TestSDKList(t *testing.T) {
	sdks := []string{"Android", "Java", "Node.js"}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_sdks_by_type"), Response: &client.Response{Kind: client.SDKList, SDKs: sdks}, Asked: "get_mau_sdks_by_type"})
	m := smRoundTrip(t, s)
	if m["count"] != float64(3) || fmt.Sprint(m["sdks"]) != "[Android Java Node.js]" {
		t.Fatalf("summary = %v", m)
	}
	text := s.Text()
	if !strings.Contains(text, "3 SDKs") || !strings.Contains(text, "Android, Java, Node.js") {
		t.Errorf("text:\n%s", text)
	}

	s = Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_sdks_by_type"), Response: &client.Response{Kind: client.SDKList, SDKs: []string{}}})
	m = smRoundTrip(t, s)
	if m["count"] != float64(0) || m["empty"] != true || fmt.Sprint(m["sdks"]) != "[]" || !strings.Contains(s.Text(), "Hint: no SDKs") {
		t.Errorf("empty list: %v\n%s", m, s.Text())
	}
}

func TestSDKVersionList(t *testing.T) {
	resp := &client.Response{Kind: client.SDKVersionList, SDKVersions: []client.SDKVersion{
		{SDK: "go", Version: "7.1.0"}, {SDK: "node", Version: "9.2.0"}, {SDK: "go", Version: "7.0.2"},
	}}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_stream_usage_sdkversion"), Response: resp})
	if s.Count == nil || *s.Count != 3 || len(s.SDKVersions) != 3 || s.SDKVersions[2] != (SDKVersion{"go", "7.0.2"}) {
		t.Fatalf("summary = %+v", s)
	}
	text := s.Text()
	if !strings.Contains(text, "go: 7.1.0, 7.0.2") || !strings.Contains(text, "node: 9.2.0") || !strings.Contains(text, "3 SDK versions") {
		t.Errorf("text:\n%s", text)
	}
}

func TestSDKDetails(t *testing.T) {
	statuses := []string{"EolPast", "EolNear", "EolNear", "MajorVersionAvailable", "EolAllClear", "EolAllClear", "EolAllClear", "EolUnknown", "", "EolPast"}
	var details []client.SDKVersionDetail
	want := map[string]int{}
	var past []string
	for i, st := range statuses {
		d := client.SDKVersionDetail{Name: "sdk" + strconv.Itoa(i), Version: "1." + strconv.Itoa(i), ProjectKey: "proj", EnvironmentKey: "env" + strconv.Itoa(i), LDLatestVersion: "9.0", EOLStatus: st}
		if i == 4 {
			d.RelayVersion, d.RelayEOLStatus, d.RelayLatestVersion = "6.0.0", "EolPast", "8.1.0"
		}
		details = append(details, d)
		key := st
		if key == "" {
			key = "none"
		}
		want[key]++
		if st == "EolPast" {
			past = append(past, d.Name)
		}
	}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_sdk_versions_details"), Response: &client.Response{Kind: client.SDKVersionDetails, SDKDetails: details}})
	if s.Count == nil || *s.Count != len(statuses) {
		t.Fatalf("count = %v", s.Count)
	}
	for k, n := range want {
		if s.EOLStatus[k] != n {
			t.Errorf("eolStatus[%s] = %d, want %d", k, s.EOLStatus[k], n)
		}
	}
	if len(s.EOLPast) != len(past) || s.EOLPast[0].Name != past[0] || s.EOLPast[1].Name != past[1] || s.EOLPast[0].Environment != "env0" || s.EOLPast[0].Latest != "9.0" {
		t.Errorf("eolPast = %+v, want %v", s.EOLPast, past)
	}
	if len(s.EOLNear) != want["EolNear"] {
		t.Errorf("eolNear = %+v", s.EOLNear)
	}
	if s.MajorVersionAvailable == nil || *s.MajorVersionAvailable != want["MajorVersionAvailable"] {
		t.Errorf("majorVersionAvailable = %v", s.MajorVersionAvailable)
	}
	if len(s.RelayEOLPast) != 1 || s.RelayEOLPast[0].Version != "6.0.0" {
		t.Errorf("relayEolPast = %+v", s.RelayEOLPast)
	}
	text := s.Text()
	for _, w := range []string{"2 past EOL", "2 near EOL", "1 major version available", "3 all clear", "1 unknown", "1 none",
		"Past EOL, upgrade: sdk0 1.0 (proj/env0) → 9.0; sdk9 1.9", "Near EOL: sdk1 1.1", "Relay Proxy past EOL: Relay Proxy 6.0.0"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}

	empty := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_sdk_versions_details"), Response: &client.Response{Kind: client.SDKVersionDetails}})
	m := smRoundTrip(t, empty)
	if m["count"] != float64(0) || m["empty"] != true || fmt.Sprint(m["eolPast"]) != "[]" {
		t.Errorf("empty details: %v", m)
	}
}

func TestEmptyHint(t *testing.T) {
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_evaluations_usage"), Response: &client.Response{}, Asked: "get_evaluations_usage featureFlagKey=x"})
	if !s.Empty || !strings.Contains(s.Hint, "flag key may be wrong") || !strings.Contains(s.Text(), "Hint: no data") {
		t.Errorf("hint = %q\n%s", s.Hint, s.Text())
	}
	// Metadata but no points is empty too.
	s = Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_usage"), Response: &client.Response{Series: []client.Series{{Key: "0", Meta: map[string]any{"sdk": "go"}}}}})
	if !s.Empty || !strings.Contains(s.Hint, "before the account had usage") {
		t.Errorf("hint = %q", s.Hint)
	}
	// All zero is not empty, but says so.
	s = Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smDay, 0, 0)}}})
	if s.Empty || !strings.HasPrefix(s.Hint, "every value is 0") {
		t.Errorf("all zero: empty=%v hint=%q", s.Empty, s.Hint)
	}
}

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
			has := len(lines) > 1 && lines[1] == demoMarker
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
				if strings.Contains(l, "Oct 30") {
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
			if !strings.Contains(text, demoMarker) {
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
	spike := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_usage"), Response: &client.Response{Series: []client.Series{smSeries("0", nil, smT0, smDay, append(make([]float64, 99), 1)...)}}})
	if lv := sparkLevels(t, spike.Series[0].Sparkline); lv[len(lv)-1] != 7 {
		t.Errorf("peak lost by max downsampling: %s", spike.Series[0].Sparkline)
	}
}

func TestExtremeValuesStayFinite(t *testing.T) {
	resp := &client.Response{Series: []client.Series{
		smSeries("0", nil, smT0, smDay, math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64),
		smSeries("1", nil, smT0, smDay, 1e15, 1e15),
	}}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp})
	m := smRoundTrip(t, s) // json.Marshal fails on NaN or Inf
	if m["total"] == nil {
		t.Fatalf("no total: %v", m)
	}
	st := smFind(t, s, "0")
	for _, v := range []float64{st.Sum, st.Mean, *st.Change} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("non-finite figure in %+v", st)
		}
	}
	if !smNear(st.Mean, math.MaxFloat64/3) {
		t.Errorf("mean = %v, want about MaxFloat64/3", st.Mean)
	}
	if got := smFind(t, s, "1").Sum; got != 2e15 {
		t.Errorf("sum of 1e15s = %v", got)
	}
	if text := s.Text(); !strings.Contains(text, "2.0e15") {
		t.Errorf("text:\n%s", text)
	}
}

func TestHumanNumbers(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {12345, "12,345"}, {999_999, "999,999"}, {1_234_567, "1,234,567"}, {9_999_999, "9,999,999"}, {10_000_075, "10M"},
		{12_345_678, "12.3M"}, {1_005_000_000, "1B"}, {1_234_000_000, "1.23B"}, {123_456_789, "123M"}, {999_600_000, "1000M"}, {2e9, "2B"}, {3.5e12, "3.5T"}, {1e15, "1.0e15"},
		{-1500, "-1,500"}, {0.42, "0.42"}, {12.5, "12.5"}, {0.001234, "0.0012"}, {1234.56, "1,235"},
	}
	for _, tc := range tests {
		if got := smHuman(tc.v); got != tc.want {
			t.Errorf("smHuman(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		p    float64
		want string
	}{{4.123, "+4.1%"}, {-12.4, "-12%"}, {0, "+0.0%"}, {25000, "+25,000%"}} {
		if got := smPct(tc.p); got != tc.want {
			t.Errorf("smPct(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestHeadline(t *testing.T) {
	from, to := time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_mau_usage"), Response: smManySeries(2, 30, 0), Asked: "get_mau_usage groupby=sdk", From: from, To: to})
	first := strings.SplitN(s.Text(), "\n", 2)[0]
	for _, w := range []string{"get_mau_usage groupby=sdk", "2026-10-02..2026-11-01", "daily", "unique count per day"} {
		if !strings.Contains(first, w) {
			t.Errorf("first line lacks %q: %q", w, first)
		}
	}
	if s.Requested == nil || s.Requested.From != "2026-10-02T00:00:00Z" || s.Requested.To != "2026-11-01T00:00:00Z" {
		t.Errorf("requested = %+v", s.Requested)
	}
	// Fractional values: service connections.
	sc := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_service_connection_usage"), Response: &client.Response{Kind: client.SeriesIntervals, Series: []client.Series{smSeries("value", nil, smT0, smDay, 0.25, 0.5, 1.75)}}})
	if !strings.Contains(sc.Text(), "connection minutes per day") || sc.Series[0].Sum != 2.5 || !strings.Contains(sc.Text(), "2.5") {
		t.Errorf("service connections:\n%s", sc.Text())
	}
}

// TestNoAllocationPerPoint checks that allocations do not grow with the number of points.
func TestNoAllocationPerPoint(t *testing.T) {
	small, large := smManySeries(10, 100, 0), smManySeries(10, 100_000, 0)
	ep := smEndpoint(t, "get_events_usage")
	a := testing.AllocsPerRun(3, func() { Summarize(SummaryInput{Endpoint: ep, Response: small}) })
	b := testing.AllocsPerRun(3, func() { Summarize(SummaryInput{Endpoint: ep, Response: large}) })
	if b > a+5 {
		t.Errorf("allocations grow with points: %v for 1k points, %v for 1M", a, b)
	}
}
