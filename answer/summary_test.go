package answer

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

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
			if s.DataFrom != time.UnixMilli(smT0).UTC().Format(time.RFC3339) {
				t.Errorf("dataFrom = %s", s.DataFrom)
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
	for _, k := range []string{"granularity", "dataFrom", "dataTo", "summable", "addsAcross", "point", "meaning", "figure", "unit", "headline"} {
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

func TestExtremeValuesStayFinite(t *testing.T) {
	resp := &client.Response{Series: []client.Series{
		smSeries("0", nil, smT0, smDay, math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64),
		smSeries("1", nil, smT0, smDay, 1e15, 1e15),
	}}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_events_usage"), Response: resp})
	m := smRoundTrip(t, s) // json.Marshal fails on NaN or Inf
	if m["headline"] == nil {
		t.Fatalf("no headline: %v", m)
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
	if text := s.Text(); !strings.Contains(text, "2,000,000,000,000,000") {
		t.Errorf("text:\n%s", text)
	}
}

// Two series of daily points across a month boundary, read at noon on Nov 2:
// A = 100, 130 | 20, 50 and B = 10, 15 | 5, 8 (Oct 30, Oct 31 | Nov 1, Nov 2).
// The expected figures below are worked out by hand from these numbers.
var (
	mbOct30 = time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	mbNow   = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
)

func monthBoundary() *client.Response {
	t0 := mbOct30.UnixMilli()
	return &client.Response{Kind: client.SeriesList, Series: []client.Series{
		smSeries("0", map[string]any{"sdkName": "A"}, t0, smDay, 100, 130, 20, 50),
		smSeries("1", map[string]any{"sdkName": "B"}, t0, smDay, 10, 15, 5, 8),
	}}
}

// TestMeaningDrivesFigures: what a point is decides the figure of each series
// and the headline, per endpoint and aggregation, as the meaning table says.
func TestMeaningDrivesFigures(t *testing.T) {
	cases := []struct {
		name, tool, agg string
		figA, figB      float64 // each series' figure
		head            float64 // the headline
		of, status      string
		months          string // the "By month" line, "" when none
		text            []string
		notText         []string
	}{
		{"month_to_date unique: last point of each month, overlapping series", "get_total_mau_usage", "month_to_date", 50, 8, 50, "largest series", MonthInProgress,
			"By month (sdkName=A): Oct 2026 130 · Nov 2026 50 (in progress)",
			[]string{"Answer: 50 MAU so far in November 2026 (month in progress", "the largest of 2 series (they overlap: no total)", "cumulative"},
			[]string{"58", "180", "300"}},
		{"month_to_date counts add up across series", "get_ai_runs_usage", "month_to_date", 50, 8, 58, "sum of series", MonthInProgress,
			"By month: Oct 2026 145 · Nov 2026 58 (in progress)",
			[]string{"Answer: 58 AI runs so far in November 2026", "sum of 2 series"}, []string{"363"}},
		{"incremental unique: the sum within each month", "get_total_mau_usage", "incremental", 70, 13, 70, "largest series", MonthInProgress,
			"By month (sdkName=A): Oct 2026 230 (part) · Nov 2026 70 (in progress)",
			[]string{"Answer: 70 MAU first seen so far in November 2026"}, []string{"300"}},
		{"rolling_30d: the latest", "get_total_mau_usage", "rolling_30d", 50, 8, 50, "largest series", "", "",
			[]string{"Answer: 50 MAU in the 30 days to Nov 2, 2026 (latest point)"}, []string{"By month"}},
		{"counts per bucket: the sum", "get_events_usage", "", 300, 38, 338, "sum of series", "", "",
			[]string{"Answer: 338 events in total over the range, sum of 2 series"}, nil},
		{"levels: the peak, never a sum", "get_stream_usage", "", 130, 15, 130, "largest series", "", "",
			[]string{"Answer: 130 streaming connections at the peak, Oct 31, 2026"}, []string{"145", "338"}},
		{"average: the mean", "get_observability_metrics_usage", "average", 75, 9.5, 75, "largest series", "", "",
			[]string{"Answer: 75 metrics on average per day"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tc.tool), Response: monthBoundary(), Aggregation: tc.agg,
				From: mbOct30, To: mbNow, Now: mbNow, Granularity: "daily"})
			if got := smFind(t, s, "0").Figure; got != tc.figA {
				t.Errorf("figure of A = %v, want %v", got, tc.figA)
			}
			if got := smFind(t, s, "1").Figure; got != tc.figB {
				t.Errorf("figure of B = %v, want %v", got, tc.figB)
			}
			if s.Headline == nil || s.Headline.Value != tc.head || s.Headline.Of != tc.of || s.Headline.Status != tc.status {
				t.Fatalf("headline = %+v, want %v of %q, status %q", s.Headline, tc.head, tc.of, tc.status)
			}
			text := s.Text()
			if got := s.monthsLine(); got != tc.months {
				t.Errorf("months line = %q, want %q", got, tc.months)
			}
			for _, w := range tc.text {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.notText {
				if strings.Contains(text, w) {
					t.Errorf("text shows %q, a figure that means nothing here:\n%s", w, text)
				}
			}
			if strings.Contains(text, "Total") {
				t.Errorf("text has a Total:\n%s", text)
			}
			smRoundTrip(t, s)
		})
	}
}

// TestMonthStatus: a month's figure is only called the month's when the
// month is over and the range covers it.
func TestMonthStatus(t *testing.T) {
	oct1 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	nov1 := oct1.AddDate(0, 1, 0)
	october := func(days int) *client.Response {
		vals := make([]float64, days)
		for i := range vals {
			vals[i] = float64(1000 * (i + 1))
		}
		return &client.Response{Series: []client.Series{smSeries("0", map[string]any{}, oct1.UnixMilli(), smDay, vals...)}}
	}
	late := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		agg      string
		days     int
		from, to time.Time
		value    float64
		status   string
		text     string
	}{
		{"the whole of October, cumulative", "month_to_date", 31, oct1, nov1, 31000, MonthComplete, "31,000 client-side MAU in October 2026 (the whole month)"},
		{"to Oct 30 only", "month_to_date", 30, oct1, nov1.AddDate(0, 0, -1), 30000, MonthPartial, "30,000 client-side MAU month to date at Oct 30, 2026 (October 2026 not complete in the range)"},
		{"incremental, the whole month", "incremental", 31, oct1, nov1, 496000, MonthComplete, "496,000 client-side MAU first seen in October 2026 (the whole month)"},
		{"incremental, from Oct 2", "incremental", 31, oct1.AddDate(0, 0, 1), nov1, 496000, MonthPartial, "in the part of October 2026 in the range"},
	}
	for _, tc := range cases {
		s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_clientside_mau_usage"), Response: october(tc.days), Aggregation: tc.agg,
			From: tc.from, To: tc.to, Now: late, Granularity: "daily"})
		if s.Headline == nil || s.Headline.Value != tc.value || s.Headline.Status != tc.status || s.Headline.Month != "2026-10" {
			t.Errorf("%s: headline %+v, want %v %s", tc.name, s.Headline, tc.value, tc.status)
			continue
		}
		if !strings.Contains(s.Text(), tc.text) {
			t.Errorf("%s: text lacks %q:\n%s", tc.name, tc.text, s.Text())
		}
	}
}

// TestServiceConnectionsBilled: connection minutes are also said in billed
// service connections (43,800 minutes each).
func TestServiceConnectionsBilled(t *testing.T) {
	oct1 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	// cumulative minutes: two connections all month = 2 × 31 × 1440 = 89,280 at Oct 31
	vals := make([]float64, 31)
	for i := range vals {
		vals[i] = float64(2*1440*(i+1)) + 0.5
	}
	s := Summarize(SummaryInput{Endpoint: smEndpoint(t, "get_service_connection_usage"), Aggregation: "month_to_date",
		Response: &client.Response{Series: []client.Series{smSeries("0", map[string]any{"connectionType": "direct"}, oct1.UnixMilli(), smDay, vals...)}},
		From:     oct1, To: oct1.AddDate(0, 1, 0), Now: oct1.AddDate(0, 2, 0), Granularity: "daily"})
	want := 89280.5 / 43800
	if s.Headline == nil || s.Headline.Billed == nil || math.Abs(*s.Headline.Billed-want) > 1e-9 || s.Headline.BilledUnit != "service connections" {
		t.Fatalf("headline = %+v, want %v billed", s.Headline, want)
	}
	if text := s.Text(); !strings.Contains(text, "Answer: 89,280.50 connection minutes in October 2026 (the whole month) = 2.04 service connections billed") {
		t.Errorf("text:\n%s", text)
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

// TestSeriesOrder: series come largest figure first, whatever the figure is.
func TestSeriesOrder(t *testing.T) {
	// "a" has the biggest peak and the latest point, "b" the biggest sum.
	resp := func() *client.Response {
		return &client.Response{Series: []client.Series{
			smSeries("0", map[string]any{"g": "c"}, smT0, smDay, 1, 1, 1),
			smSeries("1", map[string]any{"g": "a"}, smT0, smDay, 0, 100, 70),
			smSeries("2", map[string]any{"g": "b"}, smT0, smDay, 60, 60, 60),
		}}
	}
	order := func(tool, agg string) string {
		s := Summarize(SummaryInput{Endpoint: smEndpoint(t, tool), Response: resp(), Aggregation: agg})
		var keys []string
		for _, st := range s.Series {
			keys = append(keys, st.Label)
		}
		return strings.Join(keys, ",")
	}
	for _, tc := range []struct{ tool, agg, want string }{
		{"get_stream_usage", "", "g=a,g=b,g=c"},               // by peak
		{"get_events_usage", "", "g=b,g=a,g=c"},               // by sum: 180 > 170
		{"get_total_mau_usage", "rolling_30d", "g=a,g=b,g=c"}, // by latest: 70 > 60
	} {
		if got := order(tc.tool, tc.agg); got != tc.want {
			t.Errorf("%s %s: order %s, want %s", tc.tool, tc.agg, got, tc.want)
		}
	}
}
