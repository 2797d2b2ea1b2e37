package client_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// testKey is the access token every test uses; no output may ever contain it.
const testKey = "api-5e1f0c2d-8a7b-4c3d-9e6f-SECRET-0123456789"

// The range every wire test sends: its start has a fraction of a second so
// that the seconds unit visibly truncates it.
var (
	rangeFrom = time.Date(2026, 11, 1, 0, 0, 0, 250e6, time.UTC)
	rangeTo   = time.Date(2026, 11, 8, 12, 0, 0, 0, time.UTC)
)

const (
	fromMs = "1793491200250"
	toMs   = "1794139200000"
	fromS  = "1793491200"
	toS    = "1794139200"
)

// newLocalServer starts an httptest server on 127.0.0.1 only.
func newLocalServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// seen is one request as it arrived at the fake LaunchDarkly.
type seen struct {
	Method     string
	RequestURI string
	Path       string // escaped path as sent
	Query      url.Values
	Header     http.Header
}

// recorder is a fake LaunchDarkly that records requests and answers with a
// fixed status, headers and body.
type recorder struct {
	mu     sync.Mutex
	reqs   []seen
	status int
	header http.Header
	body   []byte
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{
		Method:     req.Method,
		RequestURI: req.RequestURI,
		Path:       req.URL.EscapedPath(),
		Query:      req.URL.Query(),
		Header:     req.Header.Clone(),
	})
	status, header, body := r.status, r.header, r.body
	r.mu.Unlock()
	for k, v := range header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// fixture reads testdata/responses/<name>.json.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "responses", name+".json"))
	require.NoError(t, err)
	return b
}

// recorded is an error fixture: a recorded HTTP response (testdata/errors/*.http).
type recorded struct {
	Status int
	Header http.Header
	Body   []byte
}

func readRecorded(t testing.TB, path string) recorded {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	require.NoError(t, err, path)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return recorded{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

func ep(t testing.TB, tool string) *client.Endpoint {
	t.Helper()
	e := client.Lookup(tool)
	require.NotNil(t, e, "no endpoint %s", tool)
	return e
}

// wireCase is one endpoint's call: the arguments, the exact request that must
// leave the client, and what the decode of its fixture must show.
type wireCase struct {
	tool      string
	args      map[string][]string
	wantPath  string     // escaped path exactly as it must arrive
	wantQuery url.Values // nil: no query string at all

	// decode of testdata/responses/<tool>.json
	kind    client.Kind
	series  int            // number of series (or of list entries for SDK lists)
	meta0   map[string]any // metadata of the first series (nil: none)
	points0 int            // points of the first series
	time0   int64          // first time of the first series (Unix ms)
	value0  float64        // first value of the first series
}

func ms(q url.Values) url.Values { q.Set("from", fromMs); q.Set("to", toMs); return q }
func sec(q url.Values) url.Values {
	q.Set("from", fromS)
	q.Set("to", toS)
	return q
}

func wireCases() []wireCase {
	const nov1 = int64(1793491200000)
	return []wireCase{
		{
			tool: "get_data_export_events_usage",
			args: map[string][]string{
				"projectKey": {"mobile-app", "web-storefront"}, "environmentKey": {"production"},
				"eventKind": {"custom", "feature"}, "groupBy": {"eventKind"},
				"aggregationType": {"incremental"}, "granularity": {"daily"},
			},
			wantPath: "/api/v2/usage/data-export-events",
			wantQuery: ms(url.Values{
				"projectKey": {"mobile-app", "web-storefront"}, "environmentKey": {"production"},
				"eventKind": {"custom", "feature"}, "groupBy": {"eventKind"},
				"aggregationType": {"incremental"}, "granularity": {"daily"},
			}),
			kind: client.SeriesList, series: 3, meta0: map[string]any{"eventKind": "feature"}, points0: 7, time0: nov1, value0: 25070,
		},
		{
			tool: "get_evaluations_usage",
			args: map[string][]string{
				"projectKey": {"mobile app"}, "environmentKey": {"prod/eu"},
				"featureFlagKey": {"new checkout?ü%#"}, "tz": {"Europe/Paris"},
			},
			wantPath:  "/api/v2/usage/evaluations/mobile%20app/prod%2Feu/new%20checkout%3F%C3%BC%25%23",
			wantQuery: ms(url.Values{"tz": {"Europe/Paris"}}),
			kind:      client.SeriesList, series: 2, meta0: map[string]any{"variation": float64(0), "value": "true"},
			points0: 5, time0: 1795132800000, value0: 184220,
		},
		{
			tool:      "get_events_usage",
			args:      map[string][]string{"type": {"received"}, "notAParam": {"x"}},
			wantPath:  "/api/v2/usage/events/received",
			wantQuery: ms(url.Values{}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{}, points0: 6, time0: 1795629600000, value0: 2847113,
		},
		{
			tool: "get_experimentation_keys_usage",
			args: map[string][]string{
				"projectKey": {"mobile-app"}, "experimentId": {"exp-1", "exp-2"}, "groupBy": {"experimentId"},
				"aggregationType": {"month_to_date"}, "granularity": {"hourly"}, "environmentKey": {},
			},
			wantPath: "/api/v2/usage/experimentation-keys",
			wantQuery: ms(url.Values{
				"projectKey": {"mobile-app"}, "experimentId": {"exp-1", "exp-2"}, "groupBy": {"experimentId"},
				"aggregationType": {"month_to_date"}, "granularity": {"hourly"},
			}),
			kind: client.SeriesList, series: 2, meta0: map[string]any{"experimentId": "6711a0c2e4b09f0012a1b2c3"}, points0: 7, time0: nov1, value0: 802,
		},
		{
			tool:      "get_experimentation_units_usage",
			args:      map[string][]string{"projectKey": {"mobile-app"}, "environmentKey": {"production"}},
			wantPath:  "/api/v2/usage/experimentation-units",
			wantQuery: sec(url.Values{"projectKey": {"mobile-app"}, "environmentKey": {"production"}}),
			kind:      client.SeriesIntervals, series: 1, points0: 7, time0: nov1, value0: 932,
		},
		{
			tool:      "get_mau_sdks_by_type",
			args:      map[string][]string{"sdktype": {"client"}},
			wantPath:  "/api/v2/usage/mau/sdks",
			wantQuery: ms(url.Values{"sdktype": {"client"}}),
			kind:      client.SDKList, series: 6,
		},
		{
			tool: "get_mau_usage",
			args: map[string][]string{
				"project": {"a", "b"}, "environment": {""}, "sdktype": {"client"}, "sdk": {"Android", "iOS"},
				"anonymous": {"true"}, "groupby": {"sdk", "sdktype"}, "aggregationType": {"daily_incremental"},
				"contextKind": {"user", "device"},
			},
			wantPath: "/api/v2/usage/mau",
			wantQuery: ms(url.Values{
				"project": {"a", "b"}, "sdktype": {"client"}, "sdk": {"Android", "iOS"},
				"anonymous": {"true"}, "groupby": {"sdk", "sdktype"}, "aggregationType": {"daily_incremental"},
				"contextKind": {"user", "device"},
			}),
			kind: client.SeriesList, series: 2, meta0: map[string]any{"sdktype": "client"},
			points0: 5, time0: 1795219200000, value0: 402117,
		},
		{
			tool:      "get_mau_usage_by_category",
			args:      nil,
			wantPath:  "/api/v2/usage/mau/bycategory",
			wantQuery: ms(url.Values{}),
			kind:      client.SeriesList, series: 3, meta0: map[string]any{"category": "browser"},
			points0: 4, time0: 1795305600000, value0: 251034,
		},
		{
			tool: "get_service_connection_usage",
			args: map[string][]string{
				"projectKey": {"mobile-app"}, "environmentKey": {"production", "staging"},
				"connectionType": {"direct", "proxy"}, "relayVersion": {"8.10.4"}, "sdkName": {"go-server-sdk"},
				"sdkVersion": {"7.1.0"}, "sdkType": {"server"}, "sdkAppId": {"com.example.app"},
				"groupBy": {"connectionType", "sdkName"}, "aggregationType": {"month_to_date"}, "granularity": {"monthly"},
			},
			wantPath: "/api/v2/usage/service-connections",
			wantQuery: ms(url.Values{
				"projectKey": {"mobile-app"}, "environmentKey": {"production", "staging"},
				"connectionType": {"direct", "proxy"}, "relayVersion": {"8.10.4"}, "sdkName": {"go-server-sdk"},
				"sdkVersion": {"7.1.0"}, "sdkType": {"server"}, "sdkAppId": {"com.example.app"},
				"groupBy": {"connectionType", "sdkName"}, "aggregationType": {"month_to_date"}, "granularity": {"monthly"},
			}),
			kind: client.SeriesList, series: 2, meta0: map[string]any{"connectionType": "direct"}, points0: 7, time0: nov1, value0: 57612.5,
		},
		{
			tool:      "get_stream_usage",
			args:      map[string][]string{"source": {"server"}, "tz": {""}},
			wantPath:  "/api/v2/usage/streams/server",
			wantQuery: ms(url.Values{}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{"source": "server"},
			points0: 7, time0: 1795046400000, value0: 31877,
		},
		{
			tool: "get_stream_usage_by_sdk_version",
			args: map[string][]string{
				"source": {"client"}, "sdk": {"React Native"}, "version": {"10.1.0"}, "tz": {"America/New_York"},
			},
			wantPath: "/api/v2/usage/streams/client/bysdkversion",
			wantQuery: ms(url.Values{
				"sdk": {"React Native"}, "version": {"10.1.0"}, "tz": {"America/New_York"},
			}),
			kind: client.SeriesList, series: 3, meta0: map[string]any{"sdk": "go", "version": "7.1.0"},
			points0: 4, time0: 1795636800000, value0: 1120,
		},
		{
			tool:     "get_stream_usage_sdkversion",
			args:     map[string][]string{"source": {"server"}},
			wantPath: "/api/v2/usage/streams/server/sdkversions",
			// the endpoint takes no range: from/to given to the client are not sent
			kind: client.SDKVersionList, series: 5,
		},
		{
			tool: "get_total_mau_usage",
			args: map[string][]string{
				"projectKey": {"mobile-app"}, "sdkName": {"go-server-sdk"}, "sdkType": {"client", "server"},
				"anonymous": {"true", "false"}, "groupBy": {"sdkType", "anonymousV2"},
				"aggregationType": {"rolling_30d"}, "granularity": {"daily"},
			},
			wantPath: "/api/v2/usage/total-mau",
			wantQuery: ms(url.Values{
				"projectKey": {"mobile-app"}, "sdkName": {"go-server-sdk"}, "sdkType": {"client", "server"},
				"anonymous": {"true", "false"}, "groupBy": {"sdkType", "anonymousV2"},
				"aggregationType": {"rolling_30d"}, "granularity": {"daily"},
			}),
			kind: client.SeriesList, series: 2, meta0: map[string]any{"sdkType": "client"},
			points0: 4, time0: nov1, value0: 211034,
		},
		{
			tool:      "get_clientside_mau_usage",
			args:      map[string][]string{"sdkName": {"react-client-sdk", "ios-client-sdk"}, "groupBy": {"sdkName"}},
			wantPath:  "/api/v2/usage/clientside-mau",
			wantQuery: ms(url.Values{"sdkName": {"react-client-sdk", "ios-client-sdk"}, "groupBy": {"sdkName"}}),
			kind:      client.SeriesList, series: 3, meta0: map[string]any{"sdkName": "react-client-sdk"},
			points0: 3, time0: 1795392000000, value0: 90211,
		},
		{
			tool:      "get_total_contexts_usage",
			args:      map[string][]string{"contextKind": {"user", "organization"}, "groupBy": {"projectId"}},
			wantPath:  "/api/v2/usage/total-contexts",
			wantQuery: ms(url.Values{"contextKind": {"user", "organization"}, "groupBy": {"projectId"}}),
			kind:      client.SeriesList, series: 4, meta0: map[string]any{"contextKind": "user", "projectId": "5f3c2a9e8b1d4e0012ab34cd"},
			points0: 3, time0: 1795392000000, value0: 903233,
		},
		{
			tool:      "get_clientside_contexts_usage",
			args:      map[string][]string{"groupBy": {"anonymousV2"}, "anonymous": {"true"}},
			wantPath:  "/api/v2/usage/clientside-contexts",
			wantQuery: ms(url.Values{"groupBy": {"anonymousV2"}, "anonymous": {"true"}}),
			kind:      client.SeriesList, series: 4, meta0: map[string]any{"anonymousV2": "true", "contextKind": "user"},
			points0: 3, time0: 1795392000000, value0: 382674,
		},
		{
			tool:      "get_serverside_contexts_usage",
			args:      map[string][]string{"groupBy": {"environmentId"}, "environmentKey": {"production"}, "projectKey": {"mobile-app"}},
			wantPath:  "/api/v2/usage/serverside-contexts",
			wantQuery: sec(url.Values{"groupBy": {"environmentId"}, "environmentKey": {"production"}, "projectKey": {"mobile-app"}}),
			kind:      client.SeriesList, series: 4, meta0: map[string]any{"contextKind": "user", "environmentId": "5f3c2a9e8b1d4e0012ab34d0"},
			points0: 3, time0: 1795392000000, value0: 526585,
		},
		{
			tool:      "get_experimentation_events_usage",
			args:      map[string][]string{"eventKey": {"checkout-completed", "add to cart"}, "eventKind": {"custom"}, "groupBy": {"eventKey"}},
			wantPath:  "/api/v2/usage/experimentation-events",
			wantQuery: ms(url.Values{"eventKey": {"checkout-completed", "add to cart"}, "eventKind": {"custom"}, "groupBy": {"eventKey"}}),
			kind:      client.SeriesList, series: 2, meta0: map[string]any{"eventKey": "checkout-completed"},
			points0: 3, time0: 1795392000000, value0: 88213,
		},
		{
			tool:      "get_warehouse_export_usage",
			args:      map[string][]string{"destination": {"snowflake-v2", "bigquery"}, "groupBy": {"destination"}},
			wantPath:  "/api/v2/usage/warehouse-export",
			wantQuery: ms(url.Values{"destination": {"snowflake-v2", "bigquery"}, "groupBy": {"destination"}}),
			kind:      client.SeriesList, series: 2, meta0: map[string]any{"destination": "snowflake-v2"},
			points0: 3, time0: 1795392000000, value0: 4120877,
		},
		{
			tool: "get_ai_runs_usage",
			args: map[string][]string{
				"sdkName": {"@launchdarkly/server-sdk-ai"}, "sdkVersion": {"0.9.1"}, "sdkType": {"server"},
				"groupBy": {"sdkName", "sdkType"},
			},
			wantPath: "/api/v2/usage/ai-runs",
			wantQuery: ms(url.Values{
				"sdkName": {"@launchdarkly/server-sdk-ai"}, "sdkVersion": {"0.9.1"}, "sdkType": {"server"},
				"groupBy": {"sdkName", "sdkType"},
			}),
			kind: client.SeriesList, series: 2,
			meta0:   map[string]any{"sdkName": "launchdarkly-server-sdk-ai", "sdkType": "server"},
			points0: 3, time0: 1795392000000, value0: 18211,
		},
		{
			tool:      "get_observability_errors_usage",
			args:      map[string][]string{"projectKey": {"mobile-app", "web-storefront"}, "granularity": {"daily"}, "aggregationType": {"incremental"}},
			wantPath:  "/api/v2/usage/observability/errors",
			wantQuery: sec(url.Values{"projectKey": {"mobile-app", "web-storefront"}, "granularity": {"daily"}, "aggregationType": {"incremental"}}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{},
			points0: 4, time0: 1795305600000, value0: 15211,
		},
		{
			tool:      "get_observability_logs_usage",
			args:      map[string][]string{"projectKey": {"mobile-app"}},
			wantPath:  "/api/v2/usage/observability/logs",
			wantQuery: sec(url.Values{"projectKey": {"mobile-app"}}),
			kind:      client.SeriesList, series: 2, meta0: map[string]any{"projectKey": "mobile-app"},
			points0: 3, time0: 1795392000000, value0: 48213004,
		},
		{
			tool:      "get_observability_metrics_usage",
			args:      map[string][]string{"aggregationType": {"average"}},
			wantPath:  "/api/v2/usage/observability/metrics",
			wantQuery: sec(url.Values{"aggregationType": {"average"}}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{},
			points0: 3, time0: 1795392000000, value0: 1203877440,
		},
		{
			tool:      "get_observability_sessions_usage",
			args:      map[string][]string{"aggregationType": {"rolling_30d"}},
			wantPath:  "/api/v2/usage/observability/sessions",
			wantQuery: sec(url.Values{"aggregationType": {"rolling_30d"}}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{},
			points0: 3, time0: 1795392000000, value0: 30211,
		},
		{
			tool:      "get_observability_traces_usage",
			args:      map[string][]string{"granularity": {"hourly"}},
			wantPath:  "/api/v2/usage/observability/traces",
			wantQuery: sec(url.Values{"granularity": {"hourly"}}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{},
			points0: 3, time0: 1795392000000, value0: 8821104,
		},
		{
			tool:      "get_vega_ai_usage",
			args:      map[string][]string{"projectKey": {"web-storefront"}},
			wantPath:  "/api/v2/usage/vega-ai",
			wantQuery: sec(url.Values{"projectKey": {"web-storefront"}}),
			kind:      client.SeriesList, series: 1, meta0: map[string]any{},
			points0: 3, time0: 1795392000000, value0: 412,
		},
		{
			tool:     "get_sdk_versions_details",
			args:     map[string][]string{"projectId": {"ignored: not a parameter of this endpoint"}},
			wantPath: "/api/v2/usage/sdk-versions/details",
			kind:     client.SDKVersionDetails, series: 3,
		},
		{
			tool: "get_sdk_all_versions",
			args: map[string][]string{
				"environmentId": {"5f3c2a9e8b1d4e0012ab34d0"}, "projectId": {"5f3c2a9e8b1d4e0012ab34cd"},
				"sdkName": {"go-server-sdk"}, "sdkType": {"server"}, "sdkAppId": {""}, "connectionType": {"streaming"},
			},
			wantPath: "/api/v2/usage/sdk-versions/all",
			wantQuery: url.Values{
				"environmentId": {"5f3c2a9e8b1d4e0012ab34d0"}, "projectId": {"5f3c2a9e8b1d4e0012ab34cd"},
				"sdkName": {"go-server-sdk"}, "sdkType": {"server"}, "connectionType": {"streaming"},
			},
			kind: client.SDKVersionDetails, series: 5,
		},
	}
}

func TestWireTableCoversEveryEndpoint(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range wireCases() {
		require.False(t, covered[c.tool], "duplicate case %s", c.tool)
		covered[c.tool] = true
	}
	for _, e := range client.Endpoints {
		assert.True(t, covered[e.Tool], "no wire case for %s", e.Tool)
	}
	assert.Len(t, covered, len(client.Endpoints))
	assert.Len(t, client.Endpoints, 28)
}

func TestEndpointWire(t *testing.T) {
	for _, tc := range wireCases() {
		t.Run(tc.tool, func(t *testing.T) {
			e := ep(t, tc.tool)
			rec := &recorder{body: fixture(t, tc.tool)}
			srv := newLocalServer(t, rec)
			c := client.New(srv.URL, testKey, client.WithUserAgent("ld-usage-mcp/1.2.3 (test)"))

			r := client.Request{Args: tc.args, From: rangeFrom, To: rangeTo}
			out, err := c.Do(context.Background(), e, r)
			require.NoError(t, err)

			reqs := rec.requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, http.MethodGet, got.Method)
			assert.Equal(t, tc.wantPath, got.Path)
			if tc.wantQuery == nil {
				assert.Equal(t, tc.wantPath, got.RequestURI, "no query string expected")
				assert.Empty(t, got.Query)
			} else {
				assert.Equal(t, tc.wantQuery, got.Query)
				// repeated parameters go as repeated keys, never joined
				for k, vs := range tc.wantQuery {
					for _, v := range vs {
						assert.Contains(t, got.RequestURI, url.Values{k: {v}}.Encode())
					}
				}
			}
			assert.Equal(t, []string{testKey}, got.Header.Values("Authorization"))
			assert.Equal(t, []string{"beta"}, got.Header.Values("LD-API-Version"))
			assert.Equal(t, []string{"application/json"}, got.Header.Values("Accept"))
			assert.Equal(t, []string{"ld-usage-mcp/1.2.3 (test)"}, got.Header.Values("User-Agent"))

			// The URL method builds the same request (it is the one builder).
			u, err := c.URL(e, r)
			require.NoError(t, err)
			assert.Equal(t, srv.URL+got.RequestURI, u)

			checkDecoded(t, tc, out)
			assert.Equal(t, http.StatusOK, out.Status)
			assert.Equal(t, fixture(t, tc.tool), []byte(out.Raw), "Raw must be the body byte for byte")
		})
	}
}

func checkDecoded(t *testing.T, tc wireCase, out *client.Response) {
	t.Helper()
	assert.Equal(t, tc.kind, out.Kind)
	switch tc.kind {
	case client.SDKList:
		assert.Len(t, out.SDKs, tc.series)
		assert.Empty(t, out.Series)
		return
	case client.SDKVersionList:
		assert.Len(t, out.SDKVersions, tc.series)
		assert.Empty(t, out.Series)
		return
	case client.SDKVersionDetails:
		assert.Len(t, out.SDKDetails, tc.series)
		assert.Empty(t, out.Series)
		for _, d := range out.SDKDetails {
			assert.NotEmpty(t, d.Name)
			assert.NotEmpty(t, d.Version)
			assert.NotEmpty(t, d.EOLStatus)
		}
		return
	}
	require.Len(t, out.Series, tc.series)
	s0 := out.Series[0]
	if tc.meta0 == nil {
		assert.Nil(t, s0.Meta)
	} else {
		assert.Equal(t, tc.meta0, s0.Meta)
	}
	require.Len(t, s0.Times, tc.points0)
	assert.Equal(t, tc.time0, s0.Times[0])
	assert.Equal(t, tc.value0, s0.Values[0])
	for _, s := range out.Series {
		require.Equal(t, len(s.Times), len(s.Values), s.Key)
		for i, tm := range s.Times {
			assert.Greater(t, tm, int64(math.MaxInt32), "time %d of %s must be Unix ms beyond int32", i, s.Key)
			if i > 0 {
				assert.Greater(t, tm, s.Times[i-1], "times ascend")
			}
		}
	}
}

func TestEveryParamIsSent(t *testing.T) {
	// Whatever the table above forgets: fill every parameter of every endpoint
	// and check each one arrives, under its own name, with every value.
	for _, e := range client.Endpoints {
		t.Run(e.Tool, func(t *testing.T) {
			rec := &recorder{body: []byte(`{"series":[]}`)}
			srv := newLocalServer(t, rec)
			c := client.New(srv.URL, testKey)
			args := map[string][]string{}
			for _, p := range e.Spec() {
				switch {
				case p.Time:
				case p.Repeated:
					args[p.Name] = []string{p.Name + "-1", p.Name + " 2"}
				default:
					args[p.Name] = []string{p.Name + "-v"}
				}
			}
			_, err := c.Do(context.Background(), e, client.Request{Args: args, From: rangeFrom, To: rangeTo})
			require.NoError(t, err)
			reqs := rec.requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			for _, p := range e.Spec() {
				switch {
				case p.Path:
					assert.Contains(t, got.Path, "/"+p.Name+"-v", p.Name)
					assert.NotContains(t, got.Query, p.Name)
				case p.Time:
					want := fromMs
					if p.Name == "to" {
						want = toMs
					}
					if e.Unit == client.Seconds {
						want = want[:10]
					}
					assert.Equal(t, []string{want}, got.Query[p.Name], p.Name)
				default:
					assert.Equal(t, args[p.Name], got.Query[p.Name], p.Name)
				}
			}
			assert.NotContains(t, got.Path, "{")
			_, hasFrom := e.Param("from")
			assert.Equal(t, hasFrom, got.Query.Has("from"))
		})
	}
}

func TestUnitTable(t *testing.T) {
	// ONE table in the reference: these take seconds, every other ranged endpoint milliseconds.
	seconds := map[string]bool{
		"get_experimentation_units_usage": true, "get_serverside_contexts_usage": true,
		"get_observability_errors_usage": true, "get_observability_logs_usage": true,
		"get_observability_metrics_usage": true, "get_observability_sessions_usage": true,
		"get_observability_traces_usage": true, "get_vega_ai_usage": true,
	}
	for _, e := range client.Endpoints {
		if !e.HasRange() {
			continue
		}
		want := client.Millis
		if seconds[e.Tool] {
			want = client.Seconds
		}
		assert.Equal(t, want, e.Unit, e.Tool)
	}
	assert.Equal(t, fromMs, client.Millis.Format(rangeFrom))
	assert.Equal(t, fromS, client.Seconds.Format(rangeFrom))
	got, ok := client.Millis.Parse(fromMs)
	require.True(t, ok)
	assert.True(t, got.Equal(rangeFrom))
	got, ok = client.Seconds.Parse(toS)
	require.True(t, ok)
	assert.True(t, got.Equal(rangeTo))
	_, ok = client.Seconds.Parse("soon")
	assert.False(t, ok)
}

func TestOnlyFromOrOnlyTo(t *testing.T) {
	rec := &recorder{body: fixture(t, "get_mau_usage")}
	srv := newLocalServer(t, rec)
	c := client.New(srv.URL, testKey)
	_, err := c.Do(context.Background(), ep(t, "get_mau_usage"), client.Request{From: rangeFrom})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), ep(t, "get_experimentation_units_usage"), client.Request{To: rangeTo})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, url.Values{"from": {fromMs}}, reqs[0].Query)
	assert.Equal(t, url.Values{"to": {toS}}, reqs[1].Query)
	assert.Equal(t, "/api/v2/usage/mau", reqs[2].RequestURI)
}

func TestPathEscaping(t *testing.T) {
	e := ep(t, "get_evaluations_usage")
	cases := []struct {
		flag, want string
	}{
		{"plain-key_1.2", "plain-key_1.2"},
		{"with space", "with%20space"},
		{"a/b/c", "a%2Fb%2Fc"},
		{"q?x=1&y", "q%3Fx=1&y"},
		{"frag#1", "frag%231"},
		{"100%", "100%25"},
		{"ünïcødé-ключ-鍵", "%C3%BCn%C3%AFc%C3%B8d%C3%A9-%D0%BA%D0%BB%D1%8E%D1%87-%E9%8D%B5"},
		{"semi;colon,comma", "semi%3Bcolon%2Ccomma"},
		// dot segments would be removed by path normalisation and change the endpoint
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
	}
	for _, tc := range cases {
		t.Run(tc.flag, func(t *testing.T) {
			rec := &recorder{body: fixture(t, "get_evaluations_usage")}
			srv := newLocalServer(t, rec)
			c := client.New(srv.URL, testKey)
			_, err := c.Do(context.Background(), e, client.Request{Args: map[string][]string{
				"projectKey": {"p"}, "environmentKey": {"e"}, "featureFlagKey": {tc.flag},
			}})
			require.NoError(t, err)
			reqs := rec.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/api/v2/usage/evaluations/p/e/"+tc.want, reqs[0].RequestURI)
		})
	}
}

func TestMissingPathParam(t *testing.T) {
	rec := &recorder{body: fixture(t, "get_evaluations_usage")}
	srv := newLocalServer(t, rec)
	c := client.New(srv.URL, testKey)
	for _, args := range []map[string][]string{
		nil,
		{"projectKey": {"p"}, "environmentKey": {"e"}},
		{"projectKey": {"p"}, "environmentKey": {""}, "featureFlagKey": {"f"}},
	} {
		_, err := c.Do(context.Background(), ep(t, "get_evaluations_usage"), client.Request{Args: args})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "missing path parameter")
	}
	assert.Empty(t, rec.requests(), "nothing is sent when a path parameter is missing")
}

func TestBaseURLTrailingSlash(t *testing.T) {
	for _, suffix := range []string{"", "/", "//"} {
		rec := &recorder{body: fixture(t, "get_mau_sdks_by_type")}
		srv := newLocalServer(t, rec)
		c := client.New(srv.URL+suffix, testKey)
		assert.Equal(t, srv.URL, c.BaseURL())
		_, err := c.Do(context.Background(), ep(t, "get_mau_sdks_by_type"), client.Request{})
		require.NoError(t, err)
		reqs := rec.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "/api/v2/usage/mau/sdks", reqs[0].RequestURI, "base %q", srv.URL+suffix)
	}
}

func TestNoKey(t *testing.T) {
	rec := &recorder{body: fixture(t, "get_mau_usage")}
	srv := newLocalServer(t, rec)
	c := client.New(srv.URL, "")
	assert.False(t, c.HasKey())
	_, err := c.Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	assert.ErrorIs(t, err, client.ErrNoKey)
	assert.Empty(t, rec.requests())

	// WithKey gives a copy with another key and leaves the original alone.
	k := c.WithKey(testKey)
	assert.True(t, k.HasKey())
	assert.False(t, c.HasKey())
	_, err = k.Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, testKey, reqs[0].Header.Get("Authorization"))
}

func TestDefaultUserAgent(t *testing.T) {
	rec := &recorder{body: fixture(t, "get_mau_usage")}
	srv := newLocalServer(t, rec)
	_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	require.NoError(t, err)
	ua := rec.requests()[0].Header.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "ld-usage-mcp/"), ua)
	assert.NotContains(t, ua, "Go-http-client")
}

func TestContextCancel(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	c := client.New(srv.URL, testKey)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(ctx, ep(t, "get_mau_usage"), client.Request{})
		done <- err
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("request never arrived")
	}
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotContains(t, err.Error(), testKey)
	case <-time.After(10 * time.Second):
		t.Fatal("Do did not return after its context was cancelled")
	}

	// An already-cancelled context sends nothing.
	rec := &recorder{body: fixture(t, "get_mau_usage")}
	srv2 := newLocalServer(t, rec)
	_, err := client.New(srv2.URL, testKey).Do(ctx, ep(t, "get_mau_usage"), client.Request{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, rec.requests())
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.New(srv.URL, testKey).Do(ctx, ep(t, "get_mau_usage"), client.Request{})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var te *client.TransportError
	assert.ErrorAs(t, err, &te)
}

func TestOversizedBody(t *testing.T) {
	body := fixture(t, "get_mau_usage")
	rec := &recorder{body: body}
	srv := newLocalServer(t, rec)
	e := ep(t, "get_mau_usage")

	_, err := client.New(srv.URL, testKey, client.WithMaxBody(int64(len(body)-1))).Do(context.Background(), e, client.Request{})
	require.Error(t, err)
	assert.ErrorIs(t, err, client.ErrTooLarge)
	assert.NotContains(t, err.Error(), testKey)

	// exactly at the bound is fine
	out, err := client.New(srv.URL, testKey, client.WithMaxBody(int64(len(body)))).Do(context.Background(), e, client.Request{})
	require.NoError(t, err)
	assert.Len(t, out.Series, 2)
}

func TestOversizedErrorBodyKeepsStatus(t *testing.T) {
	// A big error page must not hide the status: a 503 is still a 503 (and may be retried).
	page := "<html><head><title>503 Service Unavailable</title></head><body>" + strings.Repeat("x", 4096) + "</body></html>"
	rec := &recorder{status: 503, header: http.Header{"Content-Type": {"text/html"}, "Retry-After": {"4"}}, body: []byte(page)}
	srv := newLocalServer(t, rec)
	_, err := client.New(srv.URL, testKey, client.WithMaxBody(512)).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 503, ae.Status)
	assert.Equal(t, 4*time.Second, ae.Limits.RetryAfter)
	assert.True(t, ae.Temporary())
	assert.Contains(t, ae.Message, "503 Service Unavailable")
}

func TestTruncatedBody(t *testing.T) {
	body := fixture(t, "get_stream_usage_by_sdk_version")
	e := ep(t, "get_stream_usage_by_sdk_version")
	args := client.Request{Args: map[string][]string{"source": {"server"}}}

	// The body is complete as far as HTTP goes, but the JSON stops half way.
	rec := &recorder{body: body[:len(body)/2]}
	srv := newLocalServer(t, rec)
	_, err := client.New(srv.URL, testKey).Do(context.Background(), e, args)
	var de *client.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 200, de.Status)
	assert.Equal(t, e.Operation, de.Op)
	assert.Contains(t, err.Error(), "not a usage response")

	// The connection closes before Content-Length is reached.
	srv2 := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(200)
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, err := hj.Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}
	}))
	_, err = client.New(srv2.URL, testKey).Do(context.Background(), e, args)
	require.Error(t, err)
	var te *client.TransportError
	assert.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestNon2xxSuccessCodes(t *testing.T) {
	// Any 2xx is a success; a 3xx that is not followed is an error.
	rec := &recorder{status: http.StatusNonAuthoritativeInfo, body: fixture(t, "get_mau_sdks_by_type")}
	srv := newLocalServer(t, rec)
	out, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_sdks_by_type"), client.Request{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNonAuthoritativeInfo, out.Status)

	rec304 := &recorder{status: http.StatusNotModified}
	srv304 := newLocalServer(t, rec304)
	_, err = client.New(srv304.URL, testKey).Do(context.Background(), ep(t, "get_mau_sdks_by_type"), client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusNotModified, ae.Status)
}

func TestResponseLimitsOnSuccess(t *testing.T) {
	rec := &recorder{
		header: http.Header{
			"X-Ratelimit-Global-Remaining": {"1187"},
			"X-Ratelimit-Route-Remaining":  {"42"},
			"X-Ratelimit-Reset":            {"1795656610000"},
		},
		body: fixture(t, "get_total_mau_usage"),
	}
	srv := newLocalServer(t, rec)
	out, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_total_mau_usage"), client.Request{})
	require.NoError(t, err)
	assert.Equal(t, 1187, out.Limits.GlobalRemaining)
	assert.Equal(t, 42, out.Limits.RouteRemaining)
	assert.Equal(t, 42, out.Limits.Remaining())
	assert.Equal(t, int64(1795656610000), out.Limits.Reset.UnixMilli())
	assert.Equal(t, "1187", out.Header.Get("X-Ratelimit-Global-Remaining"))
}

// --- key redaction ---

type holder struct {
	Name string
	Key  client.Key
	Ptr  *client.Key
	List []client.Key
	Map  map[string]client.Key
}

func TestKeyNeverPrints(t *testing.T) {
	k := client.Key(testKey)
	h := holder{Name: "h", Key: k, Ptr: &k, List: []client.Key{k, k}, Map: map[string]client.Key{"k": k}}
	values := map[string]any{"key": k, "holder": h, "holder ptr": &h, "key ptr": &k}
	for name, v := range values {
		for _, verb := range []string{"%v", "%s", "%q", "%+v", "%#v", "%x", "%X", "%T", "%10.3s", "%-40v"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, testKey, "%s with %s", name, verb)
			assert.NotContains(t, out, testKey[:12], "%s with %s", name, verb)
		}
		for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v), fmt.Sprint(v, v)} {
			assert.NotContains(t, out, testKey, name)
		}
	}
	assert.Contains(t, fmt.Sprintf("%v", k), "REDACTED")
	assert.Equal(t, testKey, k.Reveal())
	// Called directly, not through fmt (whose Format would hide a String that leaks):
	// string conversions in code that builds messages or keys by hand.
	for name, out := range map[string]string{
		"String":   k.String(),
		"GoString": k.GoString(),
		"LogValue": k.LogValue().String(),
		"Stringer": fmt.Stringer(k).String(),
		"concat":   "key " + k.String(),
		"errorf":   fmt.Errorf("wrapped %w", errors.New(k.String())).Error(),
		"strings":  strings.Join([]string{k.String(), k.GoString()}, ","),
	} {
		assert.NotContains(t, out, testKey[4:], "%s reveals the key", name)
		assert.Contains(t, out, "REDACTED", name)
	}

	b, err := json.Marshal(h)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testKey)
	assert.Contains(t, string(b), "REDACTED")
	b, err = json.Marshal(k)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testKey)
}

func TestKeyNeverLogs(t *testing.T) {
	k := client.Key(testKey)
	h := holder{Key: k, Ptr: &k}
	c := client.New("https://app.launchdarkly.com", k)
	for name, mk := range map[string]func(io.Writer) slog.Handler{
		"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
		"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(mk(&buf))
		log.Info("call", "key", k, "ptr", &k, "holder", h, slog.Any("client", c), slog.Group("g", "key", k))
		log.With("key", k).Warn("with")
		log.Info("fmt", "msg", fmt.Sprint(k), "client", fmt.Sprintf("%+v", c))
		out := buf.String()
		assert.NotContains(t, out, testKey, name)
		assert.Contains(t, out, "REDACTED", name)
	}
}

func TestClientNeverPrintsKey(t *testing.T) {
	c := client.New("https://app.launchdarkly.com", testKey)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assert.NotContains(t, fmt.Sprintf(verb, c), testKey, verb)
		assert.NotContains(t, fmt.Sprintf(verb, *c), testKey, verb)
		assert.NotContains(t, fmt.Sprintf(verb, c.WithKey("other-"+testKey)), testKey, verb)
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testKey)
}

func TestKeyNeverInErrors(t *testing.T) {
	// Every way a call can fail: its error text holds no key, even when the
	// server echoes the Authorization header back in its body.
	echo := func(status int, ctype string, wrap func(string) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, wrap(r.Header.Get("Authorization")))
		}
	}
	handlers := map[string]http.Handler{
		"json message echo": echo(401, "application/json", func(k string) string {
			return `{"code":"unauthorized","message":"Invalid access token ` + k + `"}`
		}),
		"json id echo": echo(403, "application/json", func(k string) string {
			return `{"code":"forbidden","message":"no","id":"` + k + `"}`
		}),
		"html echo": echo(502, "text/html", func(k string) string {
			return "<html><body>Authorization: " + k + "</body></html>"
		}),
		"text echo": echo(500, "text/plain", func(k string) string { return "bad key " + k }),
		"decode echo": echo(200, "application/json", func(k string) string {
			return `{"series":[{"time":"` + k + `"}]}`
		}),
		"decode value echo": echo(200, "application/json", func(k string) string {
			return `{"series":[{"time":1,"` + k + `":"x"}]}`
		}),
		"truncated": echo(200, "application/json", func(k string) string { return `{"series":[{"time":` }),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := newLocalServer(t, h)
			_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), testKey)
			var ae *client.APIError
			if errors.As(err, &ae) {
				assert.NotContains(t, ae.Message, testKey)
				assert.NotContains(t, ae.ID, testKey)
			}
		})
	}

	// Transport failures: refused connection, a key that is not a valid header value.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, err = client.New("http://"+addr, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	require.Error(t, err)
	var te *client.TransportError
	assert.ErrorAs(t, err, &te)
	assert.NotContains(t, err.Error(), testKey)

	rec := &recorder{body: fixture(t, "get_mau_usage")}
	srv := newLocalServer(t, rec)
	bad := client.Key(testKey + "\r\nX-Injected: 1")
	_, err = client.New(srv.URL, bad).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testKey)
	assert.Empty(t, rec.requests(), "a key with a line break is never sent")
}

func TestBearerTokenNeverInErrors(t *testing.T) {
	// A signed-in person's OAuth token travels as "Bearer <token>": a server
	// that echoes the token alone must not put it into the error either.
	const tok = "ldat-oauth-token-of-a-person-0001"
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		bare := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		_, _ = io.WriteString(w, `{"code":"unauthorized","message":"Invalid access token `+bare+`"}`)
	}))
	_, err := client.New(srv.URL, client.Key("Bearer "+tok)).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Invalid access token")
	assert.NotContains(t, err.Error(), tok)
}
