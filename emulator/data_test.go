package emulator

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

func demo(t *testing.T, now time.Time) *http.Client {
	t.Helper()
	return &http.Client{Transport: New(Options{Now: fixedClock(now)}).Transport()}
}

func times(t *testing.T, r *client.Response) []int64 {
	t.Helper()
	if len(r.Series) == 0 || len(r.Series[0].Times) == 0 {
		t.Fatalf("no data")
	}
	return r.Series[0].Times
}

func checkSteps(t *testing.T, what string, ts []int64, step time.Duration) {
	t.Helper()
	for i := 1; i < len(ts); i++ {
		if d := time.Duration(ts[i]-ts[i-1]) * time.Millisecond; d != step {
			t.Fatalf("%s: step %v between points %d and %d, want %v", what, d, i-1, i, step)
		}
	}
	if ts[0]%step.Milliseconds() != 0 {
		t.Fatalf("%s: first time %d is not aligned to %v", what, ts[0], step)
	}
}

func TestGranularityByAge(t *testing.T) {
	c := demo(t, testNow)
	for _, ep := range client.Endpoints {
		if ep.Granularity != client.ByAge {
			continue
		}
		for _, tc := range []struct {
			from, to time.Time
			step     time.Duration
		}{
			{testNow.Add(-90 * time.Minute), testNow, time.Minute},
			{testNow.Add(-2 * time.Hour), testNow, time.Minute},
			{testNow.Add(-30 * time.Hour), testNow, time.Hour},
			{testNow.Add(-47 * time.Hour), testNow.Add(-40 * time.Hour), time.Hour},
			{testNow.Add(-10 * 24 * time.Hour), testNow, 24 * time.Hour},
			{testNow.Add(-72 * time.Hour), testNow.Add(-70 * time.Hour), 24 * time.Hour}, // short but old
		} {
			p := samplePath(ep) + "?from=" + inUnit(ep, tc.from) + "&to=" + inUnit(ep, tc.to)
			ts := times(t, getOK(t, c, "http://x", p))
			checkSteps(t, p, ts, tc.step)
			first := tc.from.Truncate(tc.step)
			last := tc.to.Add(-time.Millisecond).Truncate(tc.step)
			if ts[0] != first.UnixMilli() || ts[len(ts)-1] != last.UnixMilli() {
				t.Errorf("%s: points from %v to %v, want %v to %v", p, time.UnixMilli(ts[0]).UTC(), time.UnixMilli(ts[len(ts)-1]).UTC(), first, last)
			}
		}
	}
	// MAU is always daily, even for a recent range.
	ts := times(t, getOK(t, c, "http://x", "/api/v2/usage/mau?from="+ms(testNow.Add(-90*time.Minute))))
	checkSteps(t, "mau", ts, 24*time.Hour)
}

func TestGranularityChosen(t *testing.T) {
	c := demo(t, testNow)
	from := testNow.AddDate(0, 0, -20) // crosses into the previous month
	for _, ep := range client.Endpoints {
		if ep.Granularity != client.Chosen {
			continue
		}
		if _, ok := ep.Param("granularity"); !ok || ep.CheckAggGran("", "hourly") != nil {
			continue // hourly needs an endpoint whose default aggregation allows it
		}
		base := samplePath(ep) + "?from=" + inUnit(ep, from)
		checkSteps(t, ep.Operation+" default", times(t, getOK(t, c, "http://x", base)), 24*time.Hour)
		checkSteps(t, ep.Operation+" daily", times(t, getOK(t, c, "http://x", base+"&granularity=daily")), 24*time.Hour)
		hourly := times(t, getOK(t, c, "http://x", base+"&granularity=hourly"))
		checkSteps(t, ep.Operation+" hourly", hourly, time.Hour)
		if len(hourly) < 20*24 {
			t.Errorf("%s hourly: %d points", ep.Operation, len(hourly))
		}
		monthly := times(t, getOK(t, c, "http://x", base+"&granularity=monthly"))
		want := []int64{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}
		if !slices.Equal(monthly, want) {
			t.Errorf("%s monthly: times %v, want %v", ep.Operation, monthly, want)
		}
	}
}

func TestDefaultRanges(t *testing.T) {
	c := demo(t, testNow)
	for _, ep := range client.Endpoints {
		if !ep.Kind.IsSeries() || !ep.HasRange() {
			continue
		}
		start := ep.DefaultFrom.Start(testNow)
		step := 24 * time.Hour
		if ep.Granularity == client.ByAge && testNow.Sub(start) <= 48*time.Hour {
			step = time.Hour
		}
		ts := times(t, getOK(t, c, "http://x", samplePath(ep)))
		first, last := start.Truncate(step), testNow.Truncate(step)
		if ts[0] != first.UnixMilli() || ts[len(ts)-1] != last.UnixMilli() {
			t.Errorf("%s: default range %v .. %v, want %v .. %v", ep.Operation,
				time.UnixMilli(ts[0]).UTC(), time.UnixMilli(ts[len(ts)-1]).UTC(), first, last)
		}
	}
}

func TestTimeZone(t *testing.T) {
	c := demo(t, testNow)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	from := ms(testNow.AddDate(0, 0, -20)) // crosses the end of daylight saving time
	for _, p := range []string{
		"/api/v2/usage/streams/client?tz=America/New_York&from=" + from,
		"/api/v2/usage/evaluations/web-app/production/f?tz=America/New_York&from=" + from,
	} {
		for _, tm := range times(t, getOK(t, c, "http://x", p)) {
			if lt := time.UnixMilli(tm).In(ny); lt.Hour() != 0 || lt.Minute() != 0 {
				t.Fatalf("%s: bucket at %v is not New York midnight", p, lt)
			}
		}
	}
	// Without tz, or with an unknown one, or where the endpoint has no tz: UTC midnight.
	for _, p := range []string{
		"/api/v2/usage/streams/client?from=" + from,
		"/api/v2/usage/streams/client?tz=Nowhere/Special&from=" + from,
		"/api/v2/usage/mau?tz=America/New_York&from=" + from,
	} {
		checkSteps(t, p, times(t, getOK(t, c, "http://x", p)), 24*time.Hour)
	}
}

// monthRuns splits a daily series at month starts.
func monthRuns(s client.Series) [][]float64 {
	var runs [][]float64
	for i, tm := range s.Times {
		if i == 0 || time.UnixMilli(tm).UTC().Day() == 1 {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], s.Values[i])
	}
	return runs
}

func TestUniqueCounts(t *testing.T) {
	c := demo(t, testNow)
	from := testNow.AddDate(0, 0, -40)

	// month_to_date: cumulative within a month, reset at the month start.
	for _, p := range []string{
		"/api/v2/usage/total-mau?aggregationType=month_to_date&groupBy=sdkName&from=" + ms(from.AddDate(0, 0, 10)),
		"/api/v2/usage/serverside-contexts?aggregationType=month_to_date&from=" + sec(from.AddDate(0, 0, 10)),
		"/api/v2/usage/mau?aggregationType=month_to_date&groupby=project&from=" + ms(from),
		"/api/v2/usage/experimentation-keys?from=" + ms(from.AddDate(0, 0, 10)),
		"/api/v2/usage/data-export-events?aggregationType=month_to_date&from=" + ms(from.AddDate(0, 0, 10)),
	} {
		r := getOK(t, c, "http://x", p)
		for _, s := range r.Series {
			runs := monthRuns(s)
			if len(runs) != 2 {
				t.Fatalf("%s: %d months", p, len(runs))
			}
			for _, run := range runs {
				for i := 1; i < len(run); i++ {
					if run[i] < run[i-1] {
						t.Fatalf("%s %s: month-to-date decreases: %v", p, s.Key, run)
					}
				}
			}
			if prev := runs[0][len(runs[0])-1]; runs[1][0] >= prev {
				t.Errorf("%s %s: no reset at the month start (%v then %v)", p, s.Key, prev, runs[1][0])
			}
		}
	}

	// rolling_30d (the default of /mau) is smooth.
	r := getOK(t, c, "http://x", "/api/v2/usage/mau?from="+ms(from))
	v := r.Series[0].Values
	for i := 1; i < len(v); i++ {
		if math.Abs(v[i]/v[i-1]-1) > 0.03 {
			t.Fatalf("rolling 30-day MAU jumps from %v to %v", v[i-1], v[i])
		}
	}
	rolling := v[len(v)-2]

	// daily_incremental counts contexts first seen in the month: many on the
	// 1st, few by the month's end, and together about the 30-day figure.
	r = getOK(t, c, "http://x", "/api/v2/usage/mau?aggregationType=daily_incremental&from="+ms(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))+"&to="+ms(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
	inc := r.Series[0].Values
	if len(inc) != 31 || inc[0] < 5*inc[30] {
		t.Errorf("new contexts per day in October: %v", inc)
	}
	if total := sum(r.Series[0]); total < rolling*0.8 || total > rolling*1.25 {
		t.Errorf("October's new contexts add up to %v, the 30-day figure is %v", total, rolling)
	}
}

func weekendWeekday(s client.Series) (weekend, weekday float64) {
	var we, wd []float64
	for i, tm := range s.Times[:len(s.Times)-1] { // the last day is partial
		switch time.UnixMilli(tm).UTC().Weekday() {
		case time.Saturday, time.Sunday:
			we = append(we, s.Values[i])
		case time.Tuesday, time.Wednesday, time.Thursday:
			wd = append(wd, s.Values[i])
		}
	}
	return mean(we), mean(wd)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestProjectedSeries: v24's projectedSeries is on service connections
// (SeriesListRepFloat) only, month to date, when the range reaches into the
// running month: one cumulative value a day for the whole month, the actual
// month-to-date total up to now, then carried on at the month's pace so far.
func TestProjectedSeries(t *testing.T) {
	c := demo(t, testNow)
	for _, p := range []string{
		"/api/v2/usage/total-mau",
		"/api/v2/usage/data-export-events?aggregationType=month_to_date",
		"/api/v2/usage/service-connections?aggregationType=incremental",
		"/api/v2/usage/service-connections?from=" + ms(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) + "&to=" + ms(time.Date(2026, 10, 31, 23, 59, 0, 0, time.UTC)),
	} {
		r := getOK(t, c, "http://x", p)
		if strings.Contains(string(r.Raw), "projected") {
			t.Errorf("%s has a projection: %.200s", p, r.Raw)
		}
	}

	ms0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) // testNow's month
	for _, p := range []string{
		"/api/v2/usage/service-connections",
		"/api/v2/usage/service-connections?groupBy=connectionType&from=" + ms(ms0),
	} {
		r := getOK(t, c, "http://x", p)
		var body struct {
			Projected []map[string]float64 `json:"projectedSeries"`
		}
		if err := json.Unmarshal(r.Raw, &body); err != nil {
			t.Fatal(err)
		}
		// The account's month-to-date total at each day's end (or now), from the series.
		actual := map[int64]float64{}
		for _, s := range r.Series {
			for i, tm := range s.Times {
				actual[tm] += s.Values[i]
			}
		}
		if len(body.Projected) != 30 {
			t.Fatalf("%s: %d projected days, want the 30 of November", p, len(body.Projected))
		}
		today := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
		soFar := actual[today.UnixMilli()]
		elapsed := testNow.Sub(ms0)
		for i, pt := range body.Projected {
			day := ms0.AddDate(0, 0, i)
			if int64(pt["time"]) != day.UnixMilli() || len(pt) != 2 {
				t.Fatalf("%s: point %d is %v, want time %d and a value \"0\"", p, i, pt, day.UnixMilli())
			}
			want := soFar * float64(day.AddDate(0, 0, 1).Sub(ms0)) / float64(elapsed)
			if !day.After(today) {
				want = actual[day.UnixMilli()]
			}
			if math.Abs(pt["0"]-want) > 0.011 {
				t.Errorf("%s: %s projected %.2f, want %.2f", p, day.Format("Jan 2"), pt["0"], want)
			}
		}
		if last := body.Projected[29]["0"]; last < soFar*30/18 || last > soFar*30/17 {
			t.Errorf("%s: the month's projection %.2f is not %.2f at its pace so far", p, last, soFar)
		}
	}
}

func TestMagnitudesAndSeasonality(t *testing.T) {
	c := demo(t, testNow)
	from := "from=" + ms(testNow.AddDate(0, 0, -28))

	ev := getOK(t, c, "http://x", "/api/v2/usage/evaluations/web-app/production/new-checkout?"+from)
	if n := len(ev.Series); n < 2 || n > 3 {
		t.Fatalf("%d variations", n)
	}
	total := client.Series{Times: ev.Series[0].Times, Values: make([]float64, len(ev.Series[0].Values))}
	for i, s := range ev.Series {
		if s.Meta["variation"] != itoa(i) {
			t.Errorf("series %d metadata %v", i, s.Meta)
		}
		for j, v := range s.Values {
			total.Values[j] += v
		}
	}
	we, wd := weekendWeekday(total)
	if wd < 1e5 || wd > 1e8 {
		t.Errorf("evaluations per weekday %v: not millions", wd)
	}
	if we >= wd*0.9 {
		t.Errorf("evaluations: weekend mean %v, weekday mean %v: no weekly seasonality", we, wd)
	}
	other := getOK(t, c, "http://x", "/api/v2/usage/evaluations/web-app/production/dark-mode?"+from)
	if other.Series[0].Values[3] == ev.Series[0].Values[3] {
		t.Errorf("two flags evaluated exactly as often")
	}
	staging := getOK(t, c, "http://x", "/api/v2/usage/evaluations/web-app/staging/new-checkout?"+from)
	if sum(staging.Series[0]) >= sum(ev.Series[0])/5 {
		t.Errorf("staging is not much smaller than production")
	}

	mau := getOK(t, c, "http://x", "/api/v2/usage/mau")
	if v := mau.Series[0].Values[0]; v < 5e3 || v > 5e5 {
		t.Errorf("MAU %v: not tens of thousands", v)
	}
	recv := getOK(t, c, "http://x", "/api/v2/usage/events/received?"+from)
	if v := recv.Series[0].Values[5]; v < 1e6 || v > 1e9 {
		t.Errorf("events received per day %v", v)
	}
	sc := getOK(t, c, "http://x", "/api/v2/usage/service-connections?aggregationType=incremental")
	fractional := false
	for _, v := range sc.Series[0].Values[:len(sc.Series[0].Values)-1] {
		fractional = fractional || v != math.Trunc(v)
		// hundreds of connections, each open about 1,440 minutes a day
		if v < 1e5 || v > 5e6 {
			t.Errorf("service connection minutes per day %v", v)
		}
	}
	if !fractional {
		t.Errorf("service connections are all whole numbers: %v", sc.Series[0].Values)
	}
	// Hourly data has a daily shape: night hours differ from afternoon hours.
	hourly := getOK(t, c, "http://x", "/api/v2/usage/events/received?from="+ms(testNow.Add(-40*time.Hour)))
	lo, hi := math.Inf(1), 0.0
	for _, v := range hourly.Series[0].Values[:len(hourly.Series[0].Values)-1] {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi < lo*1.5 {
		t.Errorf("hourly events between %v and %v: no daily shape", lo, hi)
	}
}

// metas returns the metadata of each series.
func metas(r *client.Response) []map[string]any {
	out := make([]map[string]any, len(r.Series))
	for i, s := range r.Series {
		out[i] = s.Meta
	}
	return out
}

func metaValues(r *client.Response, key string) []string {
	var out []string
	for _, s := range r.Series {
		v, _ := s.Meta[key].(string)
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func TestGroupingAndFilters(t *testing.T) {
	c := demo(t, testNow)
	get := func(p string) *client.Response { return getOK(t, c, "http://x", p) }
	serverSDKs := []string{".NET", "Go", "Java", "Node.js", "Python", "Ruby"}
	clientSDKs := []string{"Android", "Flutter", "JavaScript", "React", "iOS"}

	bySDK := get("/api/v2/usage/mau?groupby=sdk")
	if got := metaValues(bySDK, "sdk"); !slices.Equal(got, slices.Sorted(slices.Values(append(slices.Clone(serverSDKs), clientSDKs...)))) {
		t.Errorf("mau by sdk: %v", got)
	}
	for _, m := range metas(bySDK) {
		if len(m) != 1 {
			t.Errorf("metadata %v has keys besides sdk", m)
		}
	}
	// The groups add up to the total.
	total := get("/api/v2/usage/mau")
	for j, want := range total.Series[0].Values {
		var got float64
		for _, s := range bySDK.Series {
			got += s.Values[j]
		}
		if math.Abs(got-want) > float64(len(bySDK.Series)) {
			t.Fatalf("day %d: groups add up to %v, total %v", j, got, want)
		}
	}

	two := get("/api/v2/usage/mau?groupby=sdk&groupby=sdktype")
	for _, m := range metas(two) {
		want := "client"
		if slices.Contains(serverSDKs, m["sdk"].(string)) {
			want = "server"
		}
		if m["sdktype"] != want {
			t.Errorf("metadata %v", m)
		}
	}
	check := func(p, key string, want []string) {
		t.Helper()
		if got := metaValues(get(p), key); !slices.Equal(got, want) {
			t.Errorf("%s: %s values %v, want %v", p, key, got, want)
		}
	}
	check("/api/v2/usage/mau?groupby=sdk&sdktype=server", "sdk", serverSDKs)
	check("/api/v2/usage/mau?groupby=sdk&sdk=go&sdk=Java", "sdk", []string{"Go", "Java"})
	check("/api/v2/usage/mau?groupby=project&project=web-app&project=payments", "project", []string{"payments", "web-app"})
	check("/api/v2/usage/mau?groupby=environment&project=web-app&environment=production", "environment", []string{"production"})
	check("/api/v2/usage/mau?groupby=environment", "environment", []string{"production", "staging", "test"})
	check("/api/v2/usage/mau?groupby=anonymous", "anonymous", []string{"false", "true"})
	check("/api/v2/usage/mau?groupby=anonymous&anonymous=true", "anonymous", []string{"true"})
	check("/api/v2/usage/mau?groupby=contextKind", "contextKind", []string{"user"})
	check("/api/v2/usage/mau?groupby=contextKind&contextKind=device&contextKind=user", "contextKind", []string{"device", "user"})
	check("/api/v2/usage/mau/bycategory", "category", []string{"backend", "browser", "mobile"})
	check("/api/v2/usage/clientside-mau?groupBy=sdkName", "sdkName", clientSDKs)
	check("/api/v2/usage/serverside-contexts?groupBy=sdkName", "sdkName", serverSDKs)
	check("/api/v2/usage/total-contexts?groupBy=anonymousV2", "anonymousV2", []string{"false", "true"})
	check("/api/v2/usage/streams/server/bysdkversion?sdk=Go", "sdk", []string{"Go"})
	check("/api/v2/usage/streams/server/bysdkversion?sdk=Go&version=7.10.0", "version", []string{"7.10.0"})
	check("/api/v2/usage/streams/client/bysdkversion", "sdk", clientSDKs)
	check("/api/v2/usage/service-connections?groupBy=connectionType", "connectionType", []string{"direct", "proxy"})
	check("/api/v2/usage/service-connections?groupBy=connectionType&connectionType=proxy", "connectionType", []string{"proxy"})
	check("/api/v2/usage/total-mau?groupBy=sdkType", "sdkType", []string{"browser", "mobile", "server"})
	check("/api/v2/usage/total-mau?groupBy=sdkType&sdkType=client", "sdkType", []string{"browser", "mobile"})
	check("/api/v2/usage/ai-runs?groupBy=sdkType", "sdkType", []string{"server"})
	check("/api/v2/usage/warehouse-export?groupBy=destination&destination=bigquery", "destination", []string{"bigquery"})
	check("/api/v2/usage/experimentation-events?groupBy=eventKind&projectKey=payments", "eventKind", []string{"custom"})

	ctx := get("/api/v2/usage/total-contexts?groupBy=sdkType&groupBy=projectId&projectKey=web-app")
	for _, m := range metas(ctx) {
		// contextKind is always a grouping dimension of the contexts endpoints
		if len(m) != 3 || m["projectId"] != projectByKey("web-app").id || !slices.Contains([]any{"browser", "mobile", "server"}, m["sdkType"]) || m["contextKind"] == "" {
			t.Errorf("total-contexts metadata %v", m)
		}
	}
	exp := get("/api/v2/usage/experimentation-keys?groupBy=experimentId&projectKey=web-app")
	if len(exp.Series) != 3 {
		t.Errorf("web-app experiments: %v", metas(exp))
	}
	// Today's API answers SeriesListRep from the seed's interval endpoints, whatever is asked.
	for _, p := range []string{"", "?groupBy=experimentId", "?granularity=daily", "?aggregationType=incremental", "?experimentId=x"} {
		if a := get("/api/v2/usage/experimentation-keys" + p); a.Kind != client.SeriesList {
			t.Errorf("%s answered %v", p, a.Kind)
		}
	}
}

func TestLists(t *testing.T) {
	c := demo(t, testNow)
	get := func(p string) *client.Response { return getOK(t, c, "http://x", p) }

	all := get("/api/v2/usage/mau/sdks").SDKs
	cl, sv := get("/api/v2/usage/mau/sdks?sdktype=client").SDKs, get("/api/v2/usage/mau/sdks?sdktype=server").SDKs
	if len(cl) == 0 || len(sv) == 0 || len(cl)+len(sv) != len(all) || slices.Contains(cl, "Go") || !slices.Contains(sv, "Go") {
		t.Errorf("mau/sdks: all %v, client %v, server %v", all, cl, sv)
	}
	for _, v := range get("/api/v2/usage/streams/client/sdkversions").SDKVersions {
		if !slices.Contains(cl, v.SDK) {
			t.Errorf("client sdkversions lists %v", v)
		}
	}

	details := get("/api/v2/usage/sdk-versions/details").SDKDetails
	seen := map[string]bool{}
	for _, d := range details {
		k := d.ProjectKey + "/" + d.EnvironmentKey + "/" + d.Name
		if seen[k] {
			t.Errorf("details lists %s twice", k)
		}
		seen[k] = true
	}
	every := get("/api/v2/usage/sdk-versions/all").SDKDetails
	if len(every) <= len(details) {
		t.Errorf("all lists %d versions, details %d", len(every), len(details))
	}
	statuses := map[string]bool{}
	for _, d := range every {
		statuses[d.EOLStatus] = true
	}
	if len(statuses) != len(eolStatuses) {
		t.Errorf("end-of-life statuses in use: %v", statuses)
	}
	payments := projectByKey("payments")
	for _, tc := range []struct {
		query string
		ok    func(d client.SDKVersionDetail) bool
	}{
		{"sdkName=Go", func(d client.SDKVersionDetail) bool { return d.Name == "Go" }},
		{"sdkType=client", func(d client.SDKVersionDetail) bool { return d.Type == "browser" || d.Type == "mobile" }},
		{"sdkType=server", func(d client.SDKVersionDetail) bool { return d.Type == "server" }},
		{"sdkType=mobile", func(d client.SDKVersionDetail) bool { return d.Type == "mobile" }},
		{"connectionType=proxy", func(d client.SDKVersionDetail) bool { return d.ConnectionType == "proxy" && d.RelayVersion != "" }},
		{"connectionType=direct", func(d client.SDKVersionDetail) bool { return d.ConnectionType == "direct" && d.RelayVersion == "" }},
		{"projectId=" + payments.id, func(d client.SDKVersionDetail) bool { return d.ProjectKey == "payments" }},
		{"environmentId=" + payments.envs[1].id, func(d client.SDKVersionDetail) bool {
			return d.EnvironmentKey == "staging" && d.ProjectKey == "payments"
		}},
		{"sdkAppId=web-app-frontend", func(d client.SDKVersionDetail) bool { return d.ApplicationID == "web-app-frontend" }},
	} {
		got := get("/api/v2/usage/sdk-versions/all?" + tc.query).SDKDetails
		if len(got) == 0 || len(got) == len(every) {
			t.Errorf("%s: %d of %d entries", tc.query, len(got), len(every))
		}
		for _, d := range got {
			if !tc.ok(d) {
				t.Errorf("%s: %+v", tc.query, d)
				break
			}
		}
	}
}
