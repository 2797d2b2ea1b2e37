package emulator

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// These tests hold the emulator's answers to the identities LaunchDarkly's
// aggregations obey, and to figures computed here from the model's view
// (Account, Atom) by brute force: minute by minute, day by day, with no use
// of the emulator's series code or of the meaning table.

var day = 24 * time.Hour

// fetch GETs path?query (with from/to in the endpoint's unit) and decodes it.
func fetch(t *testing.T, c *http.Client, ep *client.Endpoint, path string, q url.Values, from, to time.Time) *client.Response {
	t.Helper()
	q = cloneValues(q)
	if !from.IsZero() {
		q.Set("from", ep.Unit.Format(from))
	}
	if !to.IsZero() {
		q.Set("to", ep.Unit.Format(to))
	}
	return getOK(t, c, "http://x", path+"?"+q.Encode())
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// viewName is the model view's name of a metadata key.
var viewName = map[string]string{
	"sdk": "sdkName", "sdkName": "sdkName", "version": "sdkVersion", "sdkVersion": "sdkVersion", "sdktype": "sdktype",
	"sdkType": "sdkType", "anonymous": "anonymous", "anonymousV2": "anonymous", "contextKind": "contextKind",
	"projectId": "projectId", "environmentId": "environmentId", "project": "projectKey", "environment": "environmentKey",
	"experimentId": "experimentId", "eventKind": "eventKind", "eventKey": "eventKey", "connectionType": "connectionType",
	"variation": "variation", "category": "category", "destination": "destination",
}

// labelOf is a series' metadata as sorted k=v pairs.
func labelOf(meta map[string]any) string {
	var kv []string
	for k, v := range meta {
		kv = append(kv, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// groupView splits atoms into the series of an answer (keyed like labelOf).
func groupView(t *testing.T, atoms []Atom, r *client.Response) map[string][]Atom {
	t.Helper()
	if len(r.Series) == 0 {
		t.Fatal("no series")
	}
	var keys []string
	for k := range r.Series[0].Meta {
		keys = append(keys, k)
	}
	out := map[string][]Atom{}
	for _, a := range atoms {
		m := map[string]any{}
		for _, k := range keys {
			n, ok := viewName[k]
			if !ok {
				t.Fatalf("no view name for %s", k)
			}
			m[k] = a.Dim(n)
		}
		out[labelOf(m)] = append(out[labelOf(m)], a)
	}
	if len(out) != len(r.Series) {
		t.Fatalf("%d series served, %d in the model", len(r.Series), len(out))
	}
	return out
}

func sel(t *testing.T, op string, path map[string]string, q url.Values) []Atom {
	t.Helper()
	atoms, err := Account(0).Select(op, path, q)
	if err != nil {
		t.Fatal(err)
	}
	return atoms
}

func utcDay(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func TestUniqueAggregationsAgree(t *testing.T) {
	now := testNow // Wed Nov 18 15:30 UTC
	c := demo(t, now)
	from := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		op, path string
		q        url.Values
		inc      string // the incremental aggregation's name
		monthly  bool
		rolling  bool
	}{
		{"getMAUClientsideUsage", "/api/v2/usage/clientside-mau", url.Values{"groupBy": {"sdkName"}}, "incremental", true, true},
		{"getContextsTotalUsage", "/api/v2/usage/total-contexts", url.Values{"projectKey": {"web-app"}, "groupBy": {"anonymousV2"}}, "incremental", true, true},
		{"getContextsServersideUsage", "/api/v2/usage/serverside-contexts", url.Values{}, "incremental", true, true},
		{"getExperimentationKeysUsage", "/api/v2/usage/experimentation-keys", url.Values{"groupBy": {"experimentId"}}, "incremental", true, false},
		{"getMauUsage", "/api/v2/usage/mau", url.Values{"groupby": {"sdktype"}}, "daily_incremental", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			ep := endpoint(t, tc.op)
			with := func(agg, gran string) url.Values {
				q := cloneValues(tc.q)
				q.Set("aggregationType", agg)
				if gran != "" {
					q.Set("granularity", gran)
				}
				return q
			}
			gran := ""
			if tc.monthly {
				gran = "daily"
			}
			mtd := fetch(t, c, ep, tc.path, with("month_to_date", gran), from, now)
			inc := fetch(t, c, ep, tc.path, with(tc.inc, gran), from, now)
			view := groupView(t, sel(t, tc.op, nil, tc.q), mtd)
			for si, s := range mtd.Series {
				label := labelOf(s.Meta)
				atoms := view[label]
				is := inc.Series[si]
				if labelOf(is.Meta) != label || !slices.Equal(is.Times, s.Times) {
					t.Fatalf("%s: incremental and month_to_date differ in series or times", label)
				}
				var monthSum float64
				for i, tm := range s.Times {
					bs := utcDay(tm)
					ms := monthStart(bs)
					if bs.Day() == 1 {
						monthSum = 0
					}
					monthSum += is.Values[i]
					// Incremental points add up to month to date within the month.
					if s.Values[i] != monthSum {
						t.Fatalf("%s %s: month to date %v, sum of incremental points since the 1st %v", label, bs.Format(time.DateOnly), s.Values[i], monthSum)
					}
					// Both against the model, counted here.
					e := earlier(bs.Add(day), now)
					var wantMTD, wantNew int64
					for _, a := range atoms {
						wantMTD += a.Unique(ms, e)
						wantNew += a.FirstSeen(bs, e)
					}
					if int64(s.Values[i]) != wantMTD || int64(is.Values[i]) != wantNew {
						t.Fatalf("%s %s: served mtd %v new %v, model %d %d", label, bs.Format(time.DateOnly), s.Values[i], is.Values[i], wantMTD, wantNew)
					}
				}
			}
			if tc.monthly {
				mon := fetch(t, c, ep, tc.path, with("month_to_date", "monthly"), from, now)
				for si, s := range mon.Series {
					d := mtd.Series[si]
					if len(s.Values) != 3 {
						t.Fatalf("monthly: %d points", len(s.Values))
					}
					for i, tm := range s.Times {
						// The month's figure is the last daily point of the month.
						next := utcDay(tm).AddDate(0, 1, 0)
						var last float64
						for j, dt := range d.Times {
							if utcDay(dt).Before(next) {
								last = d.Values[j]
							}
						}
						if s.Values[i] != last {
							t.Errorf("%s: monthly %v for %s, last daily month to date %v", labelOf(s.Meta), s.Values[i], utcDay(tm).Format("2006-01"), last)
						}
					}
				}
			}
			if tc.rolling {
				roll := fetch(t, c, ep, tc.path, with("rolling_30d", ""), from, now)
				for _, s := range roll.Series {
					atoms := view[labelOf(s.Meta)]
					for i, tm := range s.Times {
						bs := utcDay(tm)
						e := earlier(bs.Add(day), now)
						var want, active, sum30 int64
						for _, a := range atoms {
							want += a.Unique(bs.AddDate(0, 0, -29), e)
							active += a.Unique(bs, e)
							for k := 0; k < 30; k++ {
								d := bs.AddDate(0, 0, -k)
								sum30 += a.Unique(d, earlier(d.Add(day), now))
							}
						}
						if int64(s.Values[i]) != want {
							t.Fatalf("%s %s: rolling %v, model %d", labelOf(s.Meta), bs.Format(time.DateOnly), s.Values[i], want)
						}
						if want < active || want >= sum30 {
							t.Fatalf("%s %s: rolling %d not between the day's active %d and the 30 days' sum %d", labelOf(s.Meta), bs.Format(time.DateOnly), want, active, sum30)
						}
					}
				}
			}
		})
	}
}

func TestUniqueHourlyAddsUpToDaily(t *testing.T) {
	now := testNow
	c := demo(t, now)
	ep := endpoint(t, "getExperimentationKeysUsage")
	from, to := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	q := url.Values{"groupBy": {"experimentId"}, "aggregationType": {"incremental"}}
	hq := cloneValues(q)
	hq.Set("granularity", "hourly")
	daily := fetch(t, c, ep, "/api/v2/usage/experimentation-keys", q, from, to)
	hourly := fetch(t, c, ep, "/api/v2/usage/experimentation-keys", hq, from, to)
	mq := url.Values{"groupBy": {"experimentId"}, "aggregationType": {"month_to_date"}, "granularity": {"hourly"}}
	mtdHourly := fetch(t, c, ep, "/api/v2/usage/experimentation-keys", mq, from, to)
	mq.Set("granularity", "daily")
	mtdDaily := fetch(t, c, ep, "/api/v2/usage/experimentation-keys", mq, from, to)
	for si, d := range daily.Series {
		h, mh := hourly.Series[si], mtdHourly.Series[si]
		for i, tm := range d.Times {
			var sum float64
			var lastMTD float64
			for j, ht := range h.Times {
				if ht >= tm && ht < tm+day.Milliseconds() {
					sum += h.Values[j]
					lastMTD = mh.Values[j]
				}
			}
			if sum != d.Values[i] {
				t.Errorf("%s %s: hourly new add up to %v, daily %v", labelOf(d.Meta), utcDay(tm).Format(time.DateOnly), sum, d.Values[i])
			}
			// The day's last hourly month-to-date point is the daily month to date.
			if want := mtdDaily.Series[si].Values[i]; lastMTD != want {
				t.Errorf("%s %s: hourly month to date ends at %v, daily month to date %v", labelOf(d.Meta), utcDay(tm).Format(time.DateOnly), lastMTD, want)
			}
		}
	}
}

func TestCountAggregationsAgree(t *testing.T) {
	now := testNow
	c := demo(t, now)
	for _, tc := range []struct {
		op, path string
		q        url.Values
		cents    bool
	}{
		{"getDataExportEventsUsage", "/api/v2/usage/data-export-events", url.Values{"groupBy": {"eventKind"}}, false},
		{"getServiceConnectionsUsage", "/api/v2/usage/service-connections", url.Values{"groupBy": {"connectionType"}}, true},
		{"getAIRunsUsage", "/api/v2/usage/ai-runs", url.Values{"projectKey": {"web-app"}}, false},
	} {
		t.Run(tc.op, func(t *testing.T) {
			ep := endpoint(t, tc.op)
			unit := func(v float64) int64 { // hundredths where values have two decimals
				if tc.cents {
					return int64(math.Round(v * 100))
				}
				if v != math.Trunc(v) {
					t.Fatalf("%v is not an integer", v)
				}
				return int64(v)
			}
			with := func(agg, gran string) url.Values {
				q := cloneValues(tc.q)
				q.Set("aggregationType", agg)
				q.Set("granularity", gran)
				return q
			}
			from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
			incD := fetch(t, c, ep, tc.path, with("incremental", "daily"), from, now)
			mtdD := fetch(t, c, ep, tc.path, with("month_to_date", "daily"), from, now)
			mon := fetch(t, c, ep, tc.path, with("month_to_date", "monthly"), from, now)
			hFrom, hTo := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			incH := fetch(t, c, ep, tc.path, with("incremental", "hourly"), hFrom, hTo)
			mtdH := fetch(t, c, ep, tc.path, with("month_to_date", "hourly"), hFrom, hTo)
			view := groupView(t, sel(t, tc.op, nil, tc.q), incD)
			for si, d := range incD.Series {
				label := labelOf(d.Meta)
				atoms := view[label]
				var monthSum int64
				monthTotals := map[int64]int64{}
				for i, tm := range d.Times {
					bs := utcDay(tm)
					if bs.Day() == 1 {
						monthSum = 0
					}
					monthSum += unit(d.Values[i])
					monthTotals[monthStart(bs).UnixMilli()] = monthSum
					if got := unit(mtdD.Series[si].Values[i]); got != monthSum {
						t.Fatalf("%s %s: month to date %d, daily counts since the 1st %d", label, bs.Format(time.DateOnly), got, monthSum)
					}
					var want int64
					for _, a := range atoms {
						want += a.Count(bs, earlier(bs.Add(day), now))
					}
					if unit(d.Values[i]) != want {
						t.Fatalf("%s %s: daily %v, model %d", label, bs.Format(time.DateOnly), d.Values[i], want)
					}
				}
				for i, tm := range mon.Series[si].Times {
					if got, want := unit(mon.Series[si].Values[i]), monthTotals[tm]; got != want {
						t.Errorf("%s %s: monthly %d, daily counts of the month %d", label, utcDay(tm).Format("2006-01"), got, want)
					}
				}
				// Hours add up to their day; hourly month to date ends the day at the daily figure.
				h, mh := incH.Series[si], mtdH.Series[si]
				for _, dayStart := range []time.Time{hFrom, hFrom.Add(day)} {
					var sum int64
					var last int64
					for j, ht := range h.Times {
						if t0 := utcDay(ht); !t0.Before(dayStart) && t0.Before(dayStart.Add(day)) {
							sum += unit(h.Values[j])
							last = unit(mh.Values[j])
						}
					}
					k := slices.Index(d.Times, dayStart.UnixMilli())
					if sum != unit(d.Values[k]) {
						t.Errorf("%s %s: hours add up to %d, daily %v", label, dayStart.Format(time.DateOnly), sum, d.Values[k])
					}
					if last != unit(mtdD.Series[si].Values[k]) {
						t.Errorf("%s %s: hourly month to date ends at %d, daily %v", label, dayStart.Format(time.DateOnly), last, mtdD.Series[si].Values[k])
					}
				}
			}
		})
	}
}

// TestMinutesAddUpInTheModel checks the count primitive itself: minutes add
// up to their hour, hours to their day, and a part of a minute is at most
// the minute.
func TestMinutesAddUpInTheModel(t *testing.T) {
	atoms, err := Account(3).Atoms("getEventsUsage", map[string]string{"type": "received"})
	if err != nil {
		t.Fatal(err)
	}
	evals, err := Account(3).Atoms("getEvaluationsUsage", map[string]string{"projectKey": "web-app", "environmentKey": "staging", "featureFlagKey": "f"})
	if err != nil {
		t.Fatal(err)
	}
	d := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	for _, a := range append(atoms, evals[0]) {
		var dayTotal int64
		for h := 0; h < 24; h++ {
			hs := d.Add(time.Duration(h) * time.Hour)
			var hourTotal int64
			for m := 0; m < 60; m++ {
				ms := hs.Add(time.Duration(m) * time.Minute)
				n := a.Count(ms, ms.Add(time.Minute))
				if half := a.Count(ms, ms.Add(30*time.Second)); half > n || half < 0 {
					t.Fatalf("half a minute %d, the minute %d", half, n)
				}
				hourTotal += n
			}
			if got := a.Count(hs, hs.Add(time.Hour)); got != hourTotal {
				t.Fatalf("%v: hour %d, its minutes add up to %d", hs, got, hourTotal)
			}
			dayTotal += hourTotal
		}
		if got := a.Count(d, d.Add(day)); got != dayTotal || got <= 0 {
			t.Fatalf("day %d, its hours add up to %d", got, dayTotal)
		}
		// A span across midnight is the sum of its parts.
		t0, t1 := d.Add(-90*time.Minute+17*time.Second), d.Add(3*time.Hour+5*time.Minute)
		if got, want := a.Count(t0, t1), a.Count(t0, d)+a.Count(d, t1); got != want {
			t.Fatalf("across midnight %d, parts %d", got, want)
		}
	}
}

func TestTimeZoneDaysCountLocalDays(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	now := testNow
	c := demo(t, now)
	ep := endpoint(t, "getEvaluationsUsage")
	path := map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"}
	r := fetch(t, c, ep, "/api/v2/usage/evaluations/web-app/production/new-checkout", url.Values{"tz": {"America/New_York"}}, now.AddDate(0, 0, -20), time.Time{})
	atoms, _ := Account(0).Atoms("getEvaluationsUsage", path)
	for si, s := range r.Series {
		a := atoms[si]
		if a.Dim("variation") != s.Meta["variation"] {
			t.Fatalf("series %d is variation %v, atom %s", si, s.Meta["variation"], a.Dim("variation"))
		}
		for i, tm := range s.Times {
			bs := time.UnixMilli(tm).In(ny)
			y, m, d := bs.Date()
			be := time.Date(y, m, d+1, 0, 0, 0, 0, ny)
			if want := a.Count(bs, earlier(be, now)); int64(s.Values[i]) != want {
				t.Fatalf("%s: %v, model %d", bs, s.Values[i], want)
			}
		}
	}
}

func TestLevelsArePeaksOfMinutes(t *testing.T) {
	now := testNow
	c := demo(t, now)
	ep := endpoint(t, "getStreamUsage")
	atoms, _ := Account(0).Atoms("getStreamUsage", map[string]string{"source": "server"})
	var server []Atom
	for _, a := range atoms {
		if a.Dim("sdktype") == "server" {
			server = append(server, a)
		}
	}
	// peak is the largest sum of the server atoms' levels over the minutes
	// of [t0, t1) that have begun by now.
	peak := func(t0, t1 time.Time) int64 {
		var best int64
		for m := t0; m.Before(t1) && m.Before(now); m = m.Add(time.Minute) {
			var sum int64
			for _, a := range server {
				sum += a.Level(m)
			}
			best = max(best, sum)
		}
		return best
	}
	hourly := fetch(t, c, ep, "/api/v2/usage/streams/server", nil, now.Add(-30*time.Hour), time.Time{})
	var sumHours float64
	for i, tm := range hourly.Series[0].Times {
		hs := utcDay(tm)
		if got, want := int64(hourly.Series[0].Values[i]), peak(hs, hs.Add(time.Hour)); got != want {
			t.Fatalf("hour %v: %d, peak of its minutes %d", hs, got, want)
		}
		sumHours += hourly.Series[0].Values[i]
	}
	minutely := fetch(t, c, ep, "/api/v2/usage/streams/server", nil, now.Add(-90*time.Minute), time.Time{})
	for i, tm := range minutely.Series[0].Times {
		ms := utcDay(tm)
		if got, want := int64(minutely.Series[0].Values[i]), peak(ms, ms.Add(time.Minute)); got != want {
			t.Fatalf("minute %v: %d, model %d", ms, got, want)
		}
	}
	daily := fetch(t, c, ep, "/api/v2/usage/streams/server", nil, now.Add(-4*day), time.Time{})
	for i, tm := range daily.Series[0].Times {
		ds := utcDay(tm)
		if got, want := int64(daily.Series[0].Values[i]), peak(ds, ds.Add(day)); got != want {
			t.Fatalf("day %v: %d, peak of its minutes %d", ds, got, want)
		}
	}
	if last := daily.Series[0].Values[len(daily.Series[0].Values)-1]; last*3 > sumHours {
		t.Errorf("the day's level %v is not a peak: the hours add up to %v", last, sumHours)
	}
}

func TestRunningBucketHoldsWhatHappenedUntilNow(t *testing.T) {
	now := testNow
	later := now.Add(3 * time.Hour)
	for _, tc := range []struct {
		op, path string
		q        url.Values
	}{
		{"getMAUTotalUsage", "/api/v2/usage/total-mau", nil},
		{"getEventsUsage", "/api/v2/usage/events/received", nil},
		{"getDataExportEventsUsage", "/api/v2/usage/data-export-events", url.Values{"aggregationType": {"incremental"}}},
	} {
		ep := endpoint(t, tc.op)
		from := now.AddDate(0, 0, -5)
		a := fetch(t, demo(t, now), ep, tc.path, tc.q, from, time.Time{}).Series[0]
		b := fetch(t, demo(t, later), ep, tc.path, tc.q, from, later).Series[0]
		n := len(a.Values)
		if !slices.Equal(a.Values[:n-1], b.Values[:n-1]) || !slices.Equal(a.Times, b.Times[:n]) {
			t.Errorf("%s: closed buckets changed when the clock moved", tc.op)
		}
		if a.Values[n-1] >= b.Values[n-1] || a.Values[n-1] <= 0 {
			t.Errorf("%s: today so far %v, three hours later %v", tc.op, a.Values[n-1], b.Values[n-1])
		}
	}
}

func TestAverageIsPerHour(t *testing.T) {
	now := testNow
	c := demo(t, now)
	ep := endpoint(t, "getObservabilityMetricsUsage")
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	avg := fetch(t, c, ep, "/api/v2/usage/observability/metrics", url.Values{"aggregationType": {"average"}}, from, time.Time{}).Series[0]
	mtd := fetch(t, c, ep, "/api/v2/usage/observability/metrics", url.Values{"aggregationType": {"month_to_date"}}, from, time.Time{}).Series[0]
	hourly := fetch(t, c, ep, "/api/v2/usage/observability/metrics", url.Values{"aggregationType": {"average"}, "granularity": {"hourly"}}, now.Add(-5*time.Hour), time.Time{}).Series[0]
	hourlyMTD := fetch(t, c, ep, "/api/v2/usage/observability/metrics", url.Values{"granularity": {"hourly"}}, now.Add(-5*time.Hour), time.Time{}).Series[0]
	for i := range avg.Values {
		count := mtd.Values[i]
		if i > 0 {
			count -= mtd.Values[i-1]
		}
		hours := 24.0
		if i == len(avg.Values)-1 {
			hours = now.Sub(utcDay(avg.Times[i])).Hours()
		}
		if want := math.Round(count / hours); avg.Values[i] != want {
			t.Errorf("day %d: average %v, the day's count %v / %v hours = %v", i, avg.Values[i], count, hours, want)
		}
	}
	for i := 1; i < len(hourly.Values)-1; i++ { // an hour's average per hour is its count
		if want := hourlyMTD.Values[i] - hourlyMTD.Values[i-1]; hourly.Values[i] != want {
			t.Errorf("hour %d: average %v, count %v", i, hourly.Values[i], want)
		}
	}
}

func TestRollingCountsAreThirtyDayTotals(t *testing.T) {
	now := testNow
	c := demo(t, now)
	ep := endpoint(t, "getObservabilityLogsUsage")
	from := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	roll := fetch(t, c, ep, "/api/v2/usage/observability/logs", url.Values{"aggregationType": {"rolling_30d"}}, from, time.Time{}).Series[0]
	inc := fetch(t, c, ep, "/api/v2/usage/observability/logs", url.Values{"aggregationType": {"incremental"}}, from.AddDate(0, 0, -29), time.Time{}).Series[0]
	for i, tm := range roll.Times {
		var sum float64
		for j, it := range inc.Times {
			if it <= tm && it > tm-30*day.Milliseconds() {
				sum += inc.Values[j]
			}
		}
		if roll.Values[i] != sum {
			t.Errorf("%s: rolling %v, the 30 days add up to %v", utcDay(tm).Format(time.DateOnly), roll.Values[i], sum)
		}
	}
}

func TestNothingBeforeTheAccountExisted(t *testing.T) {
	c := demo(t, testNow)
	ep := endpoint(t, "getMAUTotalUsage")
	for _, agg := range []string{"month_to_date", "incremental", "rolling_30d"} {
		r := fetch(t, c, ep, "/api/v2/usage/total-mau", url.Values{"aggregationType": {agg}}, created.AddDate(0, 0, -20), created.AddDate(0, 0, 10))
		s := r.Series[0]
		if utcDay(s.Times[0]) != created || s.Values[0] <= 0 {
			t.Errorf("%s: first point %v = %v, want the account's first day with data", agg, utcDay(s.Times[0]), s.Values[0])
		}
	}
}

// TestMeasuresMatchTheDeclarations: the model counts what each endpoint
// declares it counts, so that the meaning table's reading of a point fits
// the figures the emulator draws.
func TestMeasuresMatchTheDeclarations(t *testing.T) {
	want := map[client.Measure]measure{client.Count: mCount, client.Unique: mUnique, client.Level: mLevel}
	for _, ep := range client.Endpoints {
		if !ep.Kind.IsSeries() {
			continue
		}
		if got := profileOf(ep).measure(); got != want[ep.Measure] {
			t.Errorf("%s: the model counts %s, the declaration says %s", ep.Operation, got, ep.Measure)
		}
		if profileOf(ep).float != ep.Float {
			t.Errorf("%s: float %v, declared %v", ep.Operation, profileOf(ep).float, ep.Float)
		}
	}
}

// TestMinutelyAddsUpToHourly: the answers LaunchDarkly chooses by age
// (minutely within two hours, hourly within two days, daily beyond) agree.
func TestMinutelyAddsUpToHourly(t *testing.T) {
	now := testNow
	c := demo(t, now)
	ep := endpoint(t, "getEventsUsage")
	hour := now.Truncate(time.Hour).Add(-time.Hour) // the last complete hour
	minutely := fetch(t, c, ep, "/api/v2/usage/events/published", nil, now.Add(-2*time.Hour), time.Time{}).Series[0]
	yesterday := now.Truncate(day).Add(-day)
	hourly := fetch(t, c, ep, "/api/v2/usage/events/published", nil, yesterday, time.Time{}).Series[0] // within 48 hours: hourly
	daily := fetch(t, c, ep, "/api/v2/usage/events/published", nil, now.Add(-5*day), time.Time{}).Series[0]
	if len(minutely.Values) != 120 || utcDay(hourly.Times[1]).Sub(utcDay(hourly.Times[0])) != time.Hour {
		t.Fatalf("%d minutely points; hourly step %v", len(minutely.Values), utcDay(hourly.Times[1]).Sub(utcDay(hourly.Times[0])))
	}
	var minutes float64
	for i, tm := range minutely.Times {
		if m := utcDay(tm); !m.Before(hour) && m.Before(hour.Add(time.Hour)) {
			minutes += minutely.Values[i]
		}
	}
	var hours float64
	for i, tm := range hourly.Times {
		if h := utcDay(tm); h.Equal(hour) && hourly.Values[i] != minutes {
			t.Errorf("hour %v: %v, its minutes add up to %v", h, hourly.Values[i], minutes)
		}
		if h := utcDay(tm); !h.Before(yesterday) && h.Before(yesterday.Add(day)) {
			hours += hourly.Values[i]
		}
	}
	if k := slices.Index(daily.Times, yesterday.UnixMilli()); k < 0 || daily.Values[k] != hours {
		t.Errorf("yesterday: daily point %v, its hours add up to %v", daily.Values, hours)
	}
}
