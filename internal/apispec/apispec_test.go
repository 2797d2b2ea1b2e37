package apispec_test

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/apispec"
)

var now = time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)

func spec(t *testing.T) *apispec.Spec {
	t.Helper()
	s, err := apispec.Load()
	require.NoError(t, err)
	return s.WithNow(func() time.Time { return now })
}

// wire builds a request as a server receives it: target is the request
// target byte for byte (so that malformed escaping can be written).
func wire(method, target string, auth bool) *http.Request {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		p, q, _ := strings.Cut(target, "?")
		u = &url.URL{Path: p, RawQuery: q}
	}
	r := &http.Request{Method: method, RequestURI: target, URL: u, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	if auth {
		r.Header.Set("Authorization", "api-0000")
	}
	return r
}

func ms(t time.Time) string  { return strconv.FormatInt(t.UnixMilli(), 10) }
func sec(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

var (
	oct1 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	nov1 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	year = 365 * 24 * time.Hour
)

func TestValidRequests(t *testing.T) {
	s := spec(t)
	good := []string{
		"/api/v2/usage/total-mau",
		"/api/v2/usage/total-mau?from=" + ms(oct1) + "&to=" + ms(nov1) + "&projectKey=web&environmentKey=prod&environmentKey=test&groupBy=sdkName&groupBy=projectId&aggregationType=incremental&granularity=daily&anonymous=true&anonymous=false",
		"/api/v2/usage/total-mau?aggregationType=month_to_date&granularity=monthly",
		"/api/v2/usage/total-mau?from=" + ms(nov1.Add(-year)) + "&to=" + ms(nov1), // exactly 365 days
		"/api/v2/usage/total-mau?from=" + ms(now.Add(-300*24*time.Hour)),          // to is now
		"/api/v2/usage/serverside-contexts?from=" + sec(oct1) + "&to=" + sec(nov1) + "&aggregationType=rolling_30d&granularity=daily",
		"/api/v2/usage/mau?project=web&environment=prod&environment=test&groupby=sdk&groupby=project&aggregationType=daily_incremental&sdktype=client&anonymous=true",
		"/api/v2/usage/mau/sdks?sdktype=server&from=" + ms(oct1),
		"/api/v2/usage/evaluations/web/prod/new-checkout?from=" + ms(oct1) + "&tz=Europe%2FBerlin",
		"/api/v2/usage/evaluations/a%2Fb/%2E%2E/caf%C3%A9%20x%25?to=" + ms(nov1),
		"/api/v2/usage/events/published",
		"/api/v2/usage/streams/client/bysdkversion?sdk=Go&version=1.0.0",
		"/api/v2/usage/streams/server/sdkversions",
		"/api/v2/usage/observability/metrics?aggregationType=average&granularity=hourly&from=" + sec(oct1),
		"/api/v2/usage/vega-ai?aggregationType=incremental&granularity=daily&projectKey=a&projectKey=b",
		"/api/v2/usage/ai-runs?aggregationType=incremental&granularity=hourly",
		"/api/v2/usage/service-connections?from=" + ms(now.Add(-60*24*time.Hour)) + "&groupBy=connectionType&connectionType=x",
		"/api/v2/usage/warehouse-export?destination=snowflake-v2&destination=bigquery",
		"/api/v2/usage/sdk-versions/all?sdkName=Go&connectionType=proxy",
		"/api/v2/usage/sdk-versions/details",
	}
	for _, target := range good {
		t.Run(target, func(t *testing.T) {
			assert.NoError(t, s.ValidateRequest(wire(http.MethodGet, target, true)))
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	s := spec(t)
	bad := []struct{ target, want string }{
		{"/api/v2/usage/total-mau?banana=1", `unknown query parameter "banana"`},
		{"/api/v2/usage/total-mau?groupby=sdkName", `unknown query parameter "groupby"`},
		{"/api/v2/usage/ai-runs?granularity=banana", `granularity="banana" is not one of the valid values daily, hourly, monthly`},
		{"/api/v2/usage/total-contexts?aggregationType=rolling_30d&granularity=hourly", `granularity="hourly" is not one of the valid values`},
		{"/api/v2/usage/total-contexts?aggregationType=rolling_30d&granularity=monthly", `granularity=monthly with aggregationType=rolling_30d: rolling_30d supports granularity daily only`},
		{"/api/v2/usage/clientside-mau?aggregationType=incremental&granularity=monthly", `incremental supports granularity daily only`},
		{"/api/v2/usage/ai-runs?aggregationType=incremental&granularity=monthly", `granularity=monthly is only supported with aggregationType=month_to_date`},
		{"/api/v2/usage/observability/metrics?aggregationType=incremental", `aggregationType="incremental" is not one of the valid values month_to_date, average`},
		{"/api/v2/usage/total-mau?environmentKey=prod&projectKey=a&projectKey=b", `environmentKey is given, so exactly one projectKey must be (got 2)`},
		{"/api/v2/usage/data-export-events?environmentKey=prod", `exactly one projectKey must be (got 0)`},
		{"/api/v2/usage/mau?environment=prod&project=a&project=b", `environment is given, so exactly one project must be (got 2)`},
		{"/api/v2/usage/total-mau?aggregationType=incremental&aggregationType=incremental", `aggregationType given 2 times`},
		{"/api/v2/usage/streams/client?tz=UTC&tz=UTC", `tz given 2 times`},
		{"/api/v2/usage/mau/sdks?sdktype=client&sdktype=server", `sdktype given 2 times`},
		{"/api/v2/usage/mau?groupby=banana", `groupby="banana" is not one of the valid values project, environment, sdktype, sdk, anonymous, contextKind, sdkAppId`},
		{"/api/v2/usage/mau?aggregationType=incremental", `aggregationType="incremental" is not one of the valid values rolling_30d, month_to_date, daily_incremental`},
		{"/api/v2/usage/mau/sdks?sdktype=both", `sdktype="both" is not one of the valid values client, server`},
		{"/api/v2/usage/total-mau?anonymous=yes", `anonymous="yes" is not one of the valid values true, false`},
		{"/api/v2/usage/warehouse-export?destination=s3", `destination="s3" is not one of the valid values`},
		{"/api/v2/usage/streams/banana", `path parameter source="banana" is not one of the valid values client, server`},
		{"/api/v2/usage/events/sent", `path parameter type="sent"`},
		{"/api/v2/usage/evaluations/a/b/prod/flag", "no operation of the document has this path"},
		{"/api/v2/usage/evaluations/web/../flag", "is a dot segment"},
		{"/api/v2/usage/evaluations/web/./flag", "is a dot segment"},
		{"/api/v2/usage/evaluations/web/prod/50%", "has a % that does not start an escape"},
		{"/api/v2/usage/evaluations/web/prod/%zz", "has a % that does not start an escape"},
		{"/api/v2/usage/evaluations/web/prod/a b", "has a byte 0x20 that must be percent-encoded"},
		{"/api/v2/usage/evaluations/web/prod/caf\xc3\xa9", "has a byte 0xc3 that must be percent-encoded"},
		{"/api/v2/usage/streams/client/bysdkversion?sdk=a b", "has a byte 0x20 that must be percent-encoded"},
		{"/api/v2/usage/streams/client/bysdkversion?sdk=a;b", "has a byte 0x3b that must be percent-encoded"},
		{"/api/v2/usage/streams/client/bysdkversion?sdk=100%", "has a % that does not start an escape"},
		{"/api/v2/usage/serverside-contexts?from=" + ms(oct1), "read in Unix seconds it is"},
		{"/api/v2/usage/total-mau?to=" + sec(oct1), "read in Unix milliseconds it is 1970"},
		{"/api/v2/usage/streams/client?from=" + sec(oct1), "no unit is stated; the product sends milliseconds"},
		{"/api/v2/usage/total-mau?from=2026-10-01", `from="2026-10-01": not an integer Unix timestamp`},
		{"/api/v2/usage/total-mau?from=" + ms(nov1.Add(-year-time.Millisecond)) + "&to=" + ms(nov1), "the maximum time range is 365 days"},
		{"/api/v2/usage/ai-runs?from=" + ms(now.Add(-400*24*time.Hour)), "is 400.00 days; the maximum time range is 365 days"},
		{"/api/v2/usage/serverside-contexts?from=" + sec(oct1.Add(-year)) + "&to=" + sec(nov1), "the maximum time range is 365 days"},
		{"/api/v2/usage/experimentation-units", "no operation of the document has this path"},
	}
	for _, c := range bad {
		t.Run(c.target, func(t *testing.T) {
			err := s.ValidateRequest(wire(http.MethodGet, c.target, true))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}

	t.Run("no Authorization", func(t *testing.T) {
		err := s.ValidateRequest(wire(http.MethodGet, "/api/v2/usage/total-mau", false))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no Authorization header")
	})
	t.Run("POST", func(t *testing.T) {
		err := s.ValidateRequest(wire(http.MethodPost, "/api/v2/usage/total-mau", true))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "declares no POST")
	})
	t.Run("every problem is listed", func(t *testing.T) {
		err := s.ValidateRequest(wire(http.MethodGet, "/api/v2/usage/ai-runs?granularity=banana&x=1&aggregationType=a&aggregationType=b", true))
		var e *apispec.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "getAIRunsUsage", e.Operation)
		// banana, unknown x, aggregationType repeated, a and b each invalid.
		assert.Len(t, e.Problems, 5, e.Problems)
	})
}

// TestClientBuiltRequest: a request built with net/http on the client side
// (no RequestURI) is read from its URL.
func TestClientBuiltRequest(t *testing.T) {
	s := spec(t)
	u := "http://127.0.0.1:1/api/v2/usage/evaluations/" + url.PathEscape("a/b") + "/prod/" + url.PathEscape("flag x") + "?from=" + ms(oct1)
	r, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	r.Header.Set("Authorization", "api-0000")
	require.NoError(t, s.ValidateRequest(r))
	op, params, err := s.Route(r)
	require.NoError(t, err)
	assert.Equal(t, "getEvaluationsUsage", op.ID)
	assert.Equal(t, map[string]string{"projectKey": "a/b", "environmentKey": "prod", "featureFlagKey": "flag x"}, params)
}

func TestResponses(t *testing.T) {
	s := spec(t)
	js := http.Header{"Content-Type": []string{"application/json"}}
	seriesOK := `{"_links":{"self":{"href":"/x"}},"metadata":[{"sdkName":"Go"}],"series":[{"time":1790000000000,"0":12}]}`
	cases := []struct {
		name, target string
		status       int
		header       http.Header
		body, want   string // want "" means valid
	}{
		{"series", "/api/v2/usage/total-mau", 200, js, seriesOK, ""},
		{"empty series", "/api/v2/usage/ai-runs", 200, js, `{"_links":{},"metadata":[],"series":[]}`, ""},
		{"projectedSeries", "/api/v2/usage/total-mau", 200, js, `{"_links":{},"metadata":[],"series":[],"projectedSeries":[]}`, `body has property "projectedSeries", which the schema does not list`},
		// v24.0.0: SeriesListRepFloat (service connections) has an optional projectedSeries, shaped as series.
		{"v24 projectedSeries", "/api/v2/usage/service-connections", 200, js, `{"_links":{},"metadata":[{}],"series":[{"time":1790000000000,"0":1.5}],"projectedSeries":[{"time":1790000000000,"0":1.5},{"time":1790086400000,"0":3.25}]}`, ""},
		{"v24 projectedSeries not an array", "/api/v2/usage/service-connections", 200, js, `{"_links":{},"metadata":[],"series":[],"projectedSeries":{"0":1}}`, "projectedSeries"},
		{"v24 projectedSeries string value", "/api/v2/usage/service-connections", 200, js, `{"_links":{},"metadata":[],"series":[],"projectedSeries":[{"time":1790000000000,"0":"1"}]}`, "must be a number"},
		{"v24 still no totals", "/api/v2/usage/service-connections", 200, js, `{"_links":{},"metadata":[],"series":[],"totals":[]}`, `body has property "totals", which the schema does not list`},
		{"no metadata", "/api/v2/usage/events/received", 200, js, `{"_links":{},"series":[]}`, `property "metadata" is missing`},
		{"intervals shape", "/api/v2/usage/data-export-events", 200, js, `{"_links":{},"series":[{"time":1790000000000,"value":3}]}`, `property "metadata" is missing`},
		{"fraction in SeriesListRep", "/api/v2/usage/total-mau", 200, js, `{"_links":{},"metadata":[{}],"series":[{"time":1790000000000,"0":1.5}]}`, "value must be an integer"},
		{"fraction in SeriesListRepFloat", "/api/v2/usage/service-connections", 200, js, `{"_links":{},"metadata":[{}],"series":[{"time":1790000000000,"0":1.5}]}`, ""},
		{"string value", "/api/v2/usage/service-connections", 200, js, `{"_links":{},"metadata":[{}],"series":[{"time":1790000000000,"0":"1"}]}`, "must be a number"},
		{"sdk list", "/api/v2/usage/mau/sdks", 200, js, `{"_links":{},"sdks":["Go","Java"]}`, ""},
		{"sdk versions", "/api/v2/usage/streams/client/sdkversions", 200, js, `{"_links":{},"sdkVersions":[{"sdk":"Go","version":"1.0"}]}`, ""},
		{"sdk version extra", "/api/v2/usage/streams/client/sdkversions", 200, js, `{"_links":{},"sdkVersions":[{"sdk":"Go","version":"1.0","count":3}]}`, `body.sdkVersions[0] has property "count"`},
		{"details", "/api/v2/usage/sdk-versions/details", 200, js, `[{"name":"Go","version":"1.0","eolStatus":"EolPast"}]`, ""},
		{"details extra", "/api/v2/usage/sdk-versions/details", 200, js, `[{"name":"Go","eolDate":"2026-01-01"}]`, `body[0] has property "eolDate"`},
		{"details not array", "/api/v2/usage/sdk-versions/all", 200, js, `{"items":[]}`, "must be an array"},
		{"html 200", "/api/v2/usage/total-mau", 200, http.Header{"Content-Type": []string{"text/html"}}, `<html></html>`, "Content-Type"},
		{"contexts grouped by contextKind", "/api/v2/usage/total-contexts", 200, js, `{"_links":{},"metadata":[{"contextKind":"user","sdkName":"Go"}],"series":[{"time":1790000000000,"0":3}]}`, ""},
		{"contexts without contextKind", "/api/v2/usage/clientside-contexts", 200, js, `{"_links":{},"metadata":[{"contextKind":"user"},{"sdkName":"Go"}],"series":[]}`, `body.metadata[1] has no "contextKind"`},
		{"400", "/api/v2/usage/total-mau", 400, js, `{"code":"invalid_request","message":"bad"}`, ""},
		{"400 extra id is allowed in errors", "/api/v2/usage/total-mau", 400, js, `{"code":"invalid_request","id":"x","message":"bad"}`, ""},
		{"400 without code", "/api/v2/usage/total-mau", 400, js, `{"message":"bad"}`, `property "code" is missing`},
		{"404 undeclared", "/api/v2/usage/total-mau", 404, js, `{"code":"not_found","message":"x"}`, "status 404 is not one the operation declares ([200 400 401 403 429 503])"},
		{"404 declared", "/api/v2/usage/streams/banana", 404, js, `{"code":"not_found","message":"x"}`, ""},
		{"500 undeclared", "/api/v2/usage/total-mau", 500, js, `{"code":"x","message":"x"}`, "status 500 is not one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.ValidateResponse(wire(http.MethodGet, c.target, true), c.status, c.header, []byte(c.body))
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestProseRules checks the rules read from the document's prose against
// values copied by hand from the document, and that every phrase the rules
// are read from gave a rule wherever it occurs.
func TestProseRules(t *testing.T) {
	s := spec(t)
	assert.Len(t, s.Operations(), 27)

	ai := s.Operation("getAIRunsUsage")
	require.NotNil(t, ai)
	assert.Equal(t, 365*24*time.Hour, ai.MaxRange)
	assert.Equal(t, []string{"projectId", "environmentId", "sdkName", "sdkVersion", "sdkType"}, ai.Param("groupBy").Valid)
	assert.True(t, ai.Param("groupBy").Repeat)
	assert.False(t, ai.Param("aggregationType").Repeat)
	assert.Equal(t, "month_to_date", ai.Param("aggregationType").Default)
	assert.Equal(t, map[string]string{"monthly": "month_to_date"}, ai.Param("granularity").OnlyWith)
	assert.Equal(t, "projectKey", ai.Param("environmentKey").ExactlyOne)
	assert.Equal(t, apispec.Millis, ai.Param("from").Unit)

	tc := s.Operation("getContextsTotalUsage")
	g := tc.Param("granularity")
	assert.Equal(t, "aggregationType", g.DependsOn)
	assert.Equal(t, map[string][]string{"month_to_date": {"daily", "monthly"}, "incremental": {"daily"}, "rolling_30d": {"daily"}}, g.ByDependency)

	met := s.Operation("getObservabilityMetricsUsage")
	assert.Equal(t, map[string][]string{"month_to_date": {"hourly", "daily", "monthly"}, "average": {"hourly", "daily", "monthly"}}, met.Param("granularity").ByDependency)
	assert.Equal(t, apispec.Seconds, met.Param("to").Unit)
	assert.Zero(t, met.MaxRange)

	mau := s.Operation("getMauUsage")
	assert.True(t, mau.Deprecated)
	assert.Equal(t, []string{"client", "server"}, mau.Param("sdktype").Valid)
	assert.Equal(t, []string{"rolling_30d", "month_to_date", "daily_incremental"}, mau.Param("aggregationType").Valid)
	assert.Equal(t, "project", mau.Param("environment").ExactlyOne)
	assert.True(t, mau.Param("environment").Repeat)
	assert.Empty(t, mau.Param("anonymous").Valid)
	assert.False(t, mau.Param("anonymous").Repeat)
	assert.False(t, mau.Param("from").UnitStated)

	assert.Equal(t, "contextKind", tc.AlwaysGroupedBy)
	assert.Empty(t, ai.AlwaysGroupedBy)
	assert.Equal(t, []string{"received", "published"}, s.Operation("getEventsUsage").Param("type").Valid)
	assert.Equal(t, apispec.Seconds, s.Operation("getContextsServersideUsage").Param("from").Unit)
	assert.True(t, s.Operation("getMauSdksByType").Param("from").UnitStated)

	// Every sentence a rule is read from gave one, wherever it occurs in the file.
	raw, err := os.ReadFile(locateDoc(t))
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(raw)), " ") // YAML folds long lines
	var repeat, valid, exactly, maxRange int
	for _, o := range s.Operations() {
		if o.MaxRange > 0 {
			maxRange++
		}
		for _, p := range o.Params {
			d := p.Description
			if strings.Contains(d, "Can be specified multiple times") {
				repeat++
				assert.True(t, p.Repeat, "%s %s", o.ID, p.Name)
			}
			if strings.Contains(d, "Valid values") || strings.Contains(d, "Must be either") {
				valid++
				assert.NotEmpty(t, p.Valid, "%s %s", o.ID, p.Name)
			}
			if strings.Contains(d, "exactly one") {
				exactly++
				assert.NotEmpty(t, p.ExactlyOne, "%s %s", o.ID, p.Name)
			}
			if strings.Contains(d, "Valid values depend on") {
				assert.NotEmpty(t, p.ByDependency, "%s %s", o.ID, p.Name)
			}
			if strings.Contains(d, "is only supported with") {
				assert.NotEmpty(t, p.OnlyWith, "%s %s", o.ID, p.Name)
			}
		}
	}
	// Each parameter description occurs twice in the file (the parameter's
	// and its schema's), each operation's description once.
	assert.Equal(t, strings.Count(text, "Can be specified multiple times"), 2*repeat)
	assert.Equal(t, strings.Count(text, "exactly one"), 2*exactly)
	assert.Equal(t, strings.Count(text, "The maximum time range is 365 days"), maxRange)
	assert.Positive(t, valid)
}

func locateDoc(t *testing.T) string {
	t.Helper()
	p := "../../" + apispec.File
	_, err := os.Stat(p)
	require.NoError(t, err)
	return p
}
