package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/usagecheck"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// overviewOut is the overview's structuredContent as a client decodes it,
// with the names the MCP App codes its dashboard against.
type overviewOut struct {
	Summary struct {
		Kind, Asked, Month, Through, Status string
		PreviousMonth, PreviousThrough      string
		Demo                                bool
		Headline                            *struct {
			Measure string
			Value   float64
			Text    string
		}
		Measures []overviewMeasureOut
		Movers   []string
		Gaps     []struct{ Name, Tool, Error string }
		Notes    []string
	}
	Raw map[string]any
}

type overviewMeasureOut struct {
	Name, Title, Tool, Unit string
	Value, Previous         float64
	ChangePct, Billed       *float64
	BilledUnit              string
	Entitlement, Share      *float64
	Estimate                *float64
	EstimateNote            string
	Over                    bool
	Status                  string
}

func decodeOverview(t *testing.T, res *mcp.CallToolResult) overviewOut {
	t.Helper()
	require.False(t, res.IsError, text(res))
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var out overviewOut
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, "overview", out.Summary.Kind)
	return out
}

func (o overviewOut) measure(t *testing.T, name string) overviewMeasureOut {
	t.Helper()
	for _, m := range o.Summary.Measures {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no measure %s in %+v", name, o.Summary.Measures)
	return overviewMeasureOut{}
}

// billedTools are the tools of the billed measures, as this test knows them
// (not from the server's table): the overview must read each once.
var billedTools = map[string]string{
	"client-mau":             "get_clientside_mau_usage",
	"mau":                    "get_total_mau_usage",
	"service-connections":    "get_service_connection_usage",
	"experimentation-keys":   "get_experimentation_keys_usage",
	"data-export-events":     "get_data_export_events_usage",
	"ai-runs":                "get_ai_runs_usage",
	"observability-errors":   "get_observability_errors_usage",
	"observability-logs":     "get_observability_logs_usage",
	"observability-sessions": "get_observability_sessions_usage",
	"observability-traces":   "get_observability_traces_usage",
	"observability-metrics":  "get_observability_metrics_usage",
}

// uniqueMeasures count distinct keys: their series overlap, so the figure is
// the largest series', never a sum.
var uniqueMeasures = map[string]bool{"client-mau": true, "mau": true, "experimentation-keys": true}

// expected computes, from a raw month_to_date body alone, a measure's figure
// for the month [start, start+1 month) (the last point of the month), and
// its figure at instant at of the month before (between at's daily point and
// the day before's, in proportion to the part of the day gone).
func expected(t *testing.T, name string, raw any, start, at time.Time, running bool) (value, previous float64) {
	t.Helper()
	series := usagecheck.SeriesOf(raw)
	prevStart, end := start.AddDate(0, -1, 0), start.AddDate(0, 1, 0)
	lastIn := func(s usagecheck.Series, from, to time.Time) float64 {
		v := 0.0
		for i, ms := range s.Times {
			if tm := time.UnixMilli(ms).UTC(); !tm.Before(from) && tm.Before(to) {
				v = s.Values[i]
			}
		}
		return v
	}
	atInstant := func(s usagecheck.Series) float64 {
		if !running {
			return lastIn(s, prevStart, start)
		}
		day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		before := lastIn(s, prevStart, day)
		for i, ms := range s.Times {
			if time.UnixMilli(ms).UTC().Equal(day) && day.Before(start) {
				return before + at.Sub(day).Hours()/24*(s.Values[i]-before)
			}
		}
		return before
	}
	best := -1.0
	for _, s := range series {
		v, p := lastIn(s, start, end), atInstant(s)
		if uniqueMeasures[name] {
			if v > best {
				best, value, previous = v, v, p
			}
			continue
		}
		value += v
		previous += p
	}
	if name != "service-connections" && running { // counts of whole things are read as whole
		previous = math.Round(previous)
	}
	return value, previous
}

// TestOverviewAgainstRawBodies: one call answers every billed measure, each
// figure equal to what is computed here from LaunchDarkly's (the emulator's)
// raw body, with one request per measure, and a text with one Answer line
// and one line per measure within the budget of one tool.
func TestOverviewAgainstRawBodies(t *testing.T) {
	e := newEnv(t)
	res := e.call(t, tools.OverviewTool, nil)
	out := decodeOverview(t, res)
	txt := text(res)
	t.Log("\n" + txt)

	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 10, 26, 12, 30, 0, 0, time.UTC) // the same day and time of October
	s := out.Summary
	assert.Equal(t, "2026-11", s.Month)
	assert.Equal(t, "2026-10", s.PreviousMonth)
	assert.Equal(t, "inProgress", s.Status)
	assert.Equal(t, now.Format(time.RFC3339), s.Through)
	assert.Equal(t, at.Format(time.RFC3339), s.PreviousThrough)
	assert.Empty(t, s.Gaps)

	// One request per measure, each for both months at once.
	reqs := e.emu.Requests()
	require.Len(t, reqs, len(billedTools), "one upstream request per measure")
	paths := map[string]bool{}
	for _, r := range reqs {
		paths[r.Path] = true
		assert.Equal(t, "month_to_date", r.Query.Get("aggregationType"), r.Path)
		assert.Equal(t, "daily", r.Query.Get("granularity"), r.Path)
		assert.Empty(t, r.Query.Get("to"), "%s: the running month is read to now", r.Path)
		from, err := strconv.ParseInt(r.Query.Get("from"), 10, 64)
		require.NoError(t, err)
		unit := time.UnixMilli(from)
		if strings.Contains(r.Path, "/observability/") {
			unit = time.Unix(from, 0)
		}
		assert.Equal(t, start.AddDate(0, -1, 0), unit.UTC(), "%s starts with last month", r.Path)
	}
	assert.Len(t, paths, len(billedTools))

	seen := map[string]bool{}
	for _, m := range s.Measures {
		seen[m.Name] = true
		assert.Equal(t, billedTools[m.Name], m.Tool)
		raw, ok := out.Raw[m.Tool]
		require.True(t, ok, "raw body of %s", m.Tool)
		value, previous := expected(t, m.Name, raw, start, at, true)
		assert.InDelta(t, value, m.Value, 1e-6, m.Name)
		assert.InDelta(t, previous, m.Previous, 1e-6*math.Max(1, previous), m.Name)
		if previous != 0 {
			require.NotNil(t, m.ChangePct, m.Name)
			assert.InDelta(t, (value-previous)/previous*100, *m.ChangePct, 1e-9, m.Name)
		}
		assert.Equal(t, "inProgress", m.Status, m.Name)
		assert.Nil(t, m.Share, "no entitlements, no shares")
		// One line per measure, starting with its title.
		assert.Contains(t, txt, "\n"+m.Title+": ", m.Name)
	}
	for name := range billedTools {
		if !strings.HasPrefix(name, "observability-") {
			assert.True(t, seen[name], "%s is always shown", name)
		}
	}
	sc := out.measure(t, "service-connections")
	require.NotNil(t, sc.Billed)
	assert.InDelta(t, sc.Value/43800, *sc.Billed, 1e-12, "connection minutes ÷ 43,800")
	assert.Equal(t, "service connections", sc.BilledUnit)

	// The Answer line: one, and its first number the billed MAU measure's figure.
	cmau := out.measure(t, "client-mau")
	require.NotNil(t, s.Headline)
	assert.Equal(t, "client-mau", s.Headline.Measure)
	assert.Equal(t, 1, strings.Count(txt, "Answer: "))
	line := lineWith(txt, "Answer: ")
	assert.True(t, strings.HasPrefix(line, "Answer: "+commas(cmau.Value)+" client-side MAU so far in November 2026"), line)
	assert.Contains(t, line, "client-side MAU is the billed MAU measure")
	assert.Contains(t, line, commas(cmau.Previous))
	assert.LessOrEqual(t, len(txt), 1950, "the same budget as one tool's text")
	assert.Contains(t, txt, "against October 2026 at the same point")
	assert.Contains(t, txt, "Oct 26 12:30 UTC", "says which point of October is read")

	// The result fits the outputSchema.
	assertFitsOutputSchema(t, e, res)
}

// TestOverviewPastMonth: a month that is over is read whole, against the
// whole month before it.
func TestOverviewPastMonth(t *testing.T) {
	e := newEnv(t)
	res := e.call(t, tools.OverviewTool, map[string]any{"month": "2026-09", "projectKey": "web-app"})
	out := decodeOverview(t, res)
	s := out.Summary
	assert.Equal(t, "2026-09", s.Month)
	assert.Equal(t, "2026-08", s.PreviousMonth)
	assert.Equal(t, "complete", s.Status)
	assert.Equal(t, "2026-10-01T00:00:00Z", s.Through)
	assert.Equal(t, "2026-09-01T00:00:00Z", s.PreviousThrough)
	assert.Equal(t, "get_usage_overview month=2026-09 projectKey=web-app", s.Asked)
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range e.emu.Requests() {
		assert.Equal(t, []string{"web-app"}, r.Query["projectKey"], r.Path)
		to, err := strconv.ParseInt(r.Query.Get("to"), 10, 64)
		require.NoError(t, err)
		end := time.UnixMilli(to)
		if strings.Contains(r.Path, "/observability/") {
			end = time.Unix(to, 0)
		}
		assert.WithinDuration(t, time.Date(2026, 9, 30, 23, 59, 59, 0, time.UTC), end.UTC(), time.Second, "%s ends with September", r.Path)
	}
	for _, m := range s.Measures {
		value, previous := expected(t, m.Name, out.Raw[m.Tool], start, time.Time{}, false)
		assert.InDelta(t, value, m.Value, 1e-6, m.Name)
		assert.InDelta(t, previous, m.Previous, 1e-6, m.Name)
		assert.Equal(t, "complete", m.Status, m.Name)
	}
	line := lineWith(text(res), "Answer: ")
	assert.Contains(t, line, "client-side MAU in September 2026, the whole month", line)
	assert.Contains(t, line, "on August 2026 (", line)
}

// TestOverviewArguments: bad arguments are refused before anything is sent.
func TestOverviewArguments(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{"month": "banana"}, []string{"`month`", "YYYY-MM"}},
		{map[string]any{"month": "2026-12"}, []string{"`month`", "after the running month", "2026-11"}},
		{map[string]any{"month": "1999-12"}, []string{"`month`", "before 2000"}},
		{map[string]any{"projectKeys": "x"}, []string{"unknown argument `projectKeys`", "projectKey, month"}},
		{map[string]any{"projectKey": []any{"a", "b"}}, []string{"`projectKey`", "string"}},
	}
	for _, c := range cases {
		res := e.call(t, tools.OverviewTool, c.args)
		require.True(t, res.IsError, "%v", c.args)
		for _, w := range c.want {
			assert.Contains(t, text(res), w, "%v", c.args)
		}
	}
	assert.Zero(t, e.emu.Count(), "nothing was sent")

	// A number where a string is wanted is read as its text, as by every tool.
	res := e.call(t, tools.OverviewTool, map[string]any{"projectKey": 42})
	out := decodeOverview(t, res)
	assert.Equal(t, "get_usage_overview projectKey=42", out.Summary.Asked)

	noKey, err := tools.New(tools.Config{})
	require.NoError(t, err)
	res = noKey.Overview(context.Background(), nil)
	require.True(t, res.IsError)
	assert.Equal(t, tools.NoKeyMessage, text(res))
}

// faultyUpstream answers some paths with an error or not at all, and
// passes the rest to the emulator.
type faultyUpstream struct {
	emu    *emulator.Emulator
	status map[string]int // path suffix → status
	hang   string         // path suffix that never answers (until the request ends)
	mu     sync.Mutex
	hung   int // requests to hang whose context ended
}

func (f *faultyUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	suffix := strings.TrimPrefix(r.URL.Path, "/api/v2/usage/")
	if st, ok := f.status[suffix]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		fmt.Fprintf(w, `{"code":%q,"message":"injected fault"}`, strings.ToLower(strings.ReplaceAll(http.StatusText(st), " ", "_")))
		return
	}
	if suffix == f.hang {
		<-r.Context().Done()
		f.mu.Lock()
		f.hung++
		f.mu.Unlock()
		return
	}
	f.emu.ServeHTTP(w, r)
}

// TestOverviewPartial: a role without access (403), a missing endpoint (404)
// and one that never answers leave gaps, each named with its error; the
// rest is answered. When nothing can be read, the tool error says why.
func TestOverviewPartial(t *testing.T) {
	leakCheck(t)
	emu := emulator.New(emulator.Options{Now: func() time.Time { return now }, Keys: []string{testKey}})
	up := &faultyUpstream{emu: emu, status: map[string]int{"observability/logs": 403, "ai-runs": 404}, hang: "experimentation-keys"}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	ts, err := tools.New(tools.Config{
		Client:      client.New(srv.URL, testKey, client.WithHTTPClient(&http.Client{Transport: base})),
		Now:         func() time.Time { return now },
		CallTimeout: 2 * time.Second, // each measure has half of it
	})
	require.NoError(t, err)
	res := ts.Overview(context.Background(), map[string]any{})
	out := decodeOverview(t, res)
	txt := text(res)
	t.Log("\n" + txt)

	gaps := map[string]string{}
	for _, g := range out.Summary.Gaps {
		gaps[g.Name] = g.Error
		assert.Equal(t, billedTools[g.Name], g.Tool)
	}
	require.Len(t, gaps, 3, "%+v", out.Summary.Gaps)
	assert.Contains(t, gaps["observability-logs"], "403")
	assert.Contains(t, gaps["observability-logs"], "role")
	assert.Contains(t, gaps["ai-runs"], "404")
	assert.Contains(t, gaps["experimentation-keys"], "did not answer get_experimentation_keys_usage within 1s")
	assert.Eventually(t, func() bool {
		up.mu.Lock()
		defer up.mu.Unlock()
		return up.hung == 1
	}, 5*time.Second, 10*time.Millisecond, "the request that did not answer was abandoned")
	for _, m := range out.Summary.Measures {
		assert.NotContains(t, gaps, m.Name)
		assert.NotContains(t, out.Raw, "get_ai_runs_usage")
	}
	assert.Len(t, out.Summary.Measures, len(billedTools)-3)
	line := lineWith(txt, "Gaps, not read: ")
	for _, want := range []string{"observability-logs (403 Forbidden: the token's role may not read it)", "ai-runs (404 Not Found)", "experimentation-keys (no answer in time)"} {
		assert.Contains(t, line, want)
	}
	assert.LessOrEqual(t, len(txt), 1950)

	// Every endpoint refusing the same way: one tool error, said once.
	for _, m := range billedTools {
		up.status[strings.TrimPrefix(client.Lookup(m).Path, "/api/v2/usage/")] = 403
	}
	res = ts.Overview(context.Background(), nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "No measure of the overview could be read: every one failed the same way.")
	assert.Equal(t, 1, strings.Count(text(res), "403"), text(res))
}

// TestOverviewTextBudget: with every measure, an entitlement for each, a
// long project key and gaps, the text still fits the budget of one tool,
// with one line per measure.
func TestOverviewTextBudget(t *testing.T) {
	up := fixedUpstream{now: now, others: [2]float64{98765432, 87654321}, status: map[string]int{"observability/traces": 403, "observability/metrics": 500}}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	var pairs []string
	for i, name := range overview.EntitlementNames() {
		pairs = append(pairs, name+"="+strconv.Itoa(1234567+i*13))
	}
	ents, err := overview.ParseEntitlements(strings.Join(pairs, ","))
	require.NoError(t, err)
	ts, err := tools.New(tools.Config{Client: client.New(srv.URL, testKey), Now: func() time.Time { return now }, Entitlements: ents, Demo: true})
	require.NoError(t, err)
	res := ts.Overview(context.Background(), map[string]any{"projectKey": strings.Repeat("a-very-long-project-key-", 8)})
	out := decodeOverview(t, res)
	txt := text(res)
	t.Log(len(txt), " bytes\n"+txt)
	assert.LessOrEqual(t, len(txt), 1950)
	assert.Len(t, out.Summary.Measures, len(billedTools)-2)
	for _, m := range out.Summary.Measures {
		assert.Contains(t, txt, "\n"+m.Title+": ", "a line for %s", m.Name)
		assert.NotNil(t, m.Estimate, m.Name)
	}
	assert.Contains(t, txt, "DEMO DATA")
	assert.Contains(t, txt, "Gaps, not read:")
	// What does not fit is said to be in summary: here the estimates' and the other notes.
	assert.Contains(t, txt, "\n+3 more notes (all in summary)")
	assert.Contains(t, out.Summary.Notes, "entitlements are the account's; these figures are one project's.")
}

// TestOverviewSnapshot keeps the overview's definition under __toolsnaps__,
// as every tool's is; UPDATE_TOOLSNAPS=true rewrites it.
func TestOverviewSnapshot(t *testing.T) {
	e := newEnv(t)
	res, err := e.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	var def *mcp.Tool
	for i := range res.Tools {
		if res.Tools[i].Name == tools.OverviewTool {
			def = &res.Tools[i]
		}
	}
	require.NotNil(t, def)
	assert.Equal(t, "Usage overview", def.Title)
	assert.Equal(t, def.Title, def.Annotations.Title)
	got, err := json.MarshalIndent(def, "", "  ")
	require.NoError(t, err)
	path := filepath.Join("__toolsnaps__", tools.OverviewTool+".snap")
	if os.Getenv("UPDATE_TOOLSNAPS") == "true" {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no snapshot: run UPDATE_TOOLSNAPS=true go test ./tools")
	assert.JSONEq(t, string(want), string(got))
}

func assertFitsOutputSchema(t *testing.T, e *env, res *mcp.CallToolResult) {
	t.Helper()
	list, err := e.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	for _, tl := range list.Tools {
		if tl.Name != tools.OverviewTool {
			continue
		}
		b, err := json.Marshal(tl)
		require.NoError(t, err)
		var w struct {
			OutputSchema json.RawMessage `json:"outputSchema"`
		}
		require.NoError(t, json.Unmarshal(b, &w))
		sch := compileSchema(t, "overview-out", w.OutputSchema)
		sc, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(sc))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(inst))
		return
	}
	t.Fatal("the overview is not listed")
}

// lineWith returns the first line of txt that starts with prefix.
func lineWith(txt, prefix string) string {
	for _, l := range strings.Split(txt, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// commas writes a whole number with thousands separators, as a person reads it.
func commas(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
