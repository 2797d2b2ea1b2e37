package client_test

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// The seed's twelve tools and paths, exactly as CONTRACT.md lists them.
var contractTools = [][2]string{
	{"get_data_export_events_usage", "/api/v2/usage/data-export-events"},
	{"get_evaluations_usage", "/api/v2/usage/evaluations/{projectKey}/{environmentKey}/{featureFlagKey}"},
	{"get_events_usage", "/api/v2/usage/events/{type}"},
	{"get_experimentation_keys_usage", "/api/v2/usage/experimentation-keys"},
	{"get_experimentation_units_usage", "/api/v2/usage/experimentation-units"},
	{"get_mau_sdks_by_type", "/api/v2/usage/mau/sdks"},
	{"get_mau_usage", "/api/v2/usage/mau"},
	{"get_mau_usage_by_category", "/api/v2/usage/mau/bycategory"},
	{"get_service_connection_usage", "/api/v2/usage/service-connections"},
	{"get_stream_usage", "/api/v2/usage/streams/{source}"},
	{"get_stream_usage_by_sdk_version", "/api/v2/usage/streams/{source}/bysdkversion"},
	{"get_stream_usage_sdkversion", "/api/v2/usage/streams/{source}/sdkversions"},
}

func TestSeedToolsAreTheContract(t *testing.T) {
	var seed [][2]string
	for _, e := range client.Endpoints {
		if !e.Newer {
			seed = append(seed, [2]string{e.Tool, e.Path})
		}
	}
	assert.Equal(t, contractTools, seed)
	// the seed's twelve come first
	for i, c := range contractTools {
		assert.Equal(t, c[0], client.Endpoints[i].Tool)
		assert.False(t, client.Endpoints[i].Newer)
	}
	for _, e := range client.Endpoints[len(contractTools):] {
		assert.True(t, e.Newer, e.Tool)
	}
}

func TestNamesUnique(t *testing.T) {
	tools, ops, paths := map[string]bool{}, map[string]bool{}, map[string]bool{}
	toolName := regexp.MustCompile(`^get_[a-z0-9_]+$`)
	for _, e := range client.Endpoints {
		assert.False(t, tools[e.Tool], "tool %s twice", e.Tool)
		assert.False(t, ops[e.Operation], "operation %s twice", e.Operation)
		assert.False(t, paths[e.Path], "path %s twice", e.Path)
		tools[e.Tool], ops[e.Operation], paths[e.Path] = true, true, true
		assert.Regexp(t, toolName, e.Tool)
		assert.LessOrEqual(t, len(e.Tool), 64, "MCP clients cap tool names")
		assert.True(t, strings.HasPrefix(e.Path, "/api/v2/usage/"), e.Path)
		assert.NotEmpty(t, e.Title, e.Tool)
		assert.NotEmpty(t, e.Description, e.Tool)
		assert.Same(t, e, client.Lookup(e.Tool))
		assert.Same(t, e, client.Lookup(e.Operation))
		if e.Prefer != "" {
			assert.NotNil(t, client.Lookup(e.Prefer), "%s prefers unknown %s", e.Tool, e.Prefer)
			assert.Contains(t, e.Description, e.Prefer, "%s: the description names the tool to prefer", e.Tool)
		}
	}
	assert.Nil(t, client.Lookup("get_nothing"))
	assert.Nil(t, client.Lookup(""))
}

var placeholder = regexp.MustCompile(`\{([^{}/]+)\}`)

func TestSpecMatchesPath(t *testing.T) {
	for _, e := range client.Endpoints {
		t.Run(e.Tool, func(t *testing.T) {
			var inPath []string
			for _, m := range placeholder.FindAllStringSubmatch(e.Path, -1) {
				inPath = append(inPath, m[1])
			}
			assert.Equal(t, inPath, e.PathParams())
			assert.Equal(t, strings.Count(e.Path, "{"), len(inPath), "well-formed template")

			var pathSpec []string
			names := map[string]bool{}
			for _, p := range e.Spec() {
				require.NotEmpty(t, p.Name)
				assert.False(t, names[p.Name], "parameter %s twice", p.Name)
				names[p.Name] = true
				if p.Path {
					pathSpec = append(pathSpec, p.Name)
					assert.False(t, p.Repeated, "path parameter %s cannot repeat", p.Name)
					assert.False(t, p.Time)
				}
				if p.Time {
					assert.Contains(t, []string{"from", "to"}, p.Name)
				}
			}
			// each {name} is a Path param and vice versa (order aside)
			assert.ElementsMatch(t, inPath, pathSpec)

			// from and to come together
			_, hasFrom := e.Param("from")
			_, hasTo := e.Param("to")
			assert.Equal(t, hasFrom, hasTo)
			assert.Equal(t, hasFrom, e.HasRange())
			assert.Equal(t, e.DefaultFrom == client.NoRange, !hasFrom, "DefaultFrom and range agree")
			assert.Equal(t, e.Kind.IsSeries(), e.Granularity != client.NoSeries)
			if e.MaxRange != 0 {
				assert.True(t, e.HasRange())
				assert.GreaterOrEqual(t, e.MaxRange, 31*24*time.Hour)
			}
			_, ok := e.Param("nope")
			assert.False(t, ok)
		})
	}
}

// TestSpecAgainstStructs checks Spec against the parameter structs by a
// separate walk over their fields: json name, in:"path", []string, Time.
func TestSpecAgainstStructs(t *testing.T) {
	timeType := reflect.TypeOf((*client.Time)(nil)).Elem()
	var walk func(reflect.Type) []client.Param
	walk = func(rt reflect.Type) []client.Param {
		var out []client.Param
		for f := range rt.Fields() {
			if f.Anonymous {
				out = append(out, walk(f.Type)...)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			var enum []string
			for _, part := range splitUnescaped(f.Tag.Get("jsonschema")) {
				if v, ok := strings.CutPrefix(part, "enum="); ok {
					enum = append(enum, v)
				}
			}
			out = append(out, client.Param{
				Name: name, Path: f.Tag.Get("in") == "path",
				Repeated: f.Type == reflect.TypeOf([]string(nil)), Time: f.Type == timeType, Enum: enum,
			})
		}
		return out
	}
	for _, e := range client.Endpoints {
		want := walk(reflect.TypeOf(e.Params))
		for i := range want {
			// Their values are declared once, in Endpoint.Aggs (TestEnums pins them).
			switch want[i].Name {
			case "aggregationType":
				want[i].Enum = e.AggNames()
			case "granularity":
				want[i].Enum = e.GranNames()
			}
		}
		assert.Equal(t, want, e.Spec(), e.Tool)
	}
}

func TestEnums(t *testing.T) {
	cases := []struct {
		tool, param string
		want        []string
	}{
		{"get_stream_usage", "source", []string{"client", "server"}},
		{"get_stream_usage_by_sdk_version", "source", []string{"client", "server"}},
		{"get_stream_usage_sdkversion", "source", []string{"client", "server"}},
		{"get_events_usage", "type", []string{"received", "published"}},
		{"get_mau_sdks_by_type", "sdktype", []string{"client", "server"}},
		{"get_mau_usage", "sdktype", []string{"client", "server"}},
		{"get_mau_usage", "groupby", []string{"project", "environment", "sdktype", "sdk", "anonymous", "contextKind", "sdkAppId"}},
		{"get_mau_usage", "aggregationType", []string{"rolling_30d", "month_to_date", "daily_incremental"}},
		{"get_mau_usage", "anonymous", []string{"true", "false"}},
		{"get_data_export_events_usage", "groupBy", []string{"environmentId", "eventKind"}},
		{"get_data_export_events_usage", "aggregationType", []string{"month_to_date", "incremental"}},
		{"get_data_export_events_usage", "granularity", []string{"daily", "hourly", "monthly"}},
		{"get_experimentation_keys_usage", "groupBy", []string{"projectId", "environmentId", "experimentId"}},
		{"get_service_connection_usage", "groupBy", []string{"projectId", "environmentId", "connectionType", "relayVersion", "sdkName", "sdkVersion", "sdkType", "sdkAppId"}},
		{"get_total_mau_usage", "groupBy", []string{"projectId", "environmentId", "sdkName", "sdkType", "sdkAppId", "anonymousV2"}},
		{"get_clientside_mau_usage", "groupBy", []string{"projectId", "environmentId", "sdkName", "sdkAppId", "anonymousV2"}},
		{"get_total_contexts_usage", "aggregationType", []string{"month_to_date", "incremental", "rolling_30d"}},
		{"get_serverside_contexts_usage", "anonymous", []string{"true", "false"}},
		{"get_experimentation_events_usage", "groupBy", []string{"environmentId", "eventKey", "eventKind"}},
		{"get_warehouse_export_usage", "destination", []string{"snowflake-v2", "databricks", "bigquery", "redshift", "clickhouse"}},
		{"get_ai_runs_usage", "groupBy", []string{"projectId", "environmentId", "sdkName", "sdkVersion", "sdkType"}},
		{"get_observability_metrics_usage", "aggregationType", []string{"month_to_date", "average"}},
		{"get_observability_metrics_usage", "granularity", []string{"daily", "hourly", "monthly"}},
		{"get_total_mau_usage", "granularity", []string{"daily", "monthly"}},
		{"get_clientside_contexts_usage", "granularity", []string{"daily", "monthly"}},
		{"get_ai_runs_usage", "aggregationType", []string{"month_to_date", "incremental"}},
		{"get_service_connection_usage", "aggregationType", []string{"month_to_date", "incremental"}},
		{"get_service_connection_usage", "granularity", []string{"daily", "hourly", "monthly"}},
		{"get_experimentation_keys_usage", "granularity", []string{"daily", "hourly", "monthly"}},
		{"get_observability_logs_usage", "aggregationType", []string{"month_to_date", "incremental", "rolling_30d"}},
		{"get_vega_ai_usage", "aggregationType", []string{"month_to_date", "incremental", "rolling_30d"}},
		// free text: no enum
		{"get_evaluations_usage", "featureFlagKey", nil},
		{"get_mau_usage", "project", nil},
		{"get_evaluations_usage", "tz", nil},
	}
	for _, tc := range cases {
		p, ok := ep(t, tc.tool).Param(tc.param)
		require.True(t, ok, "%s has %s", tc.tool, tc.param)
		assert.Equal(t, tc.want, p.Enum, "%s %s", tc.tool, tc.param)
	}
}

// TestRepeatedParams: the parameters the API lets repeat are exactly those
// declared as []string (sent as repeated keys).
func TestRepeatedParams(t *testing.T) {
	single := map[string][]string{
		"get_mau_usage":                   {"from", "to", "anonymous", "aggregationType"},
		"get_mau_sdks_by_type":            {"from", "to", "sdktype"},
		"get_experimentation_units_usage": {"from", "to", "projectKey", "environmentKey"},
		"get_sdk_all_versions":            {"environmentId", "projectId", "sdkName", "sdkType", "sdkAppId", "connectionType"},
	}
	repeated := map[string][]string{
		"get_mau_usage":                  {"project", "environment", "sdktype", "sdk", "groupby", "contextKind"},
		"get_service_connection_usage":   {"projectKey", "environmentKey", "connectionType", "relayVersion", "sdkName", "sdkVersion", "sdkType", "sdkAppId", "groupBy"},
		"get_total_mau_usage":            {"projectKey", "environmentKey", "sdkName", "sdkType", "anonymous", "groupBy"},
		"get_observability_errors_usage": {"projectKey"},
	}
	for tool, names := range single {
		for _, n := range names {
			p, ok := ep(t, tool).Param(n)
			require.True(t, ok, "%s.%s", tool, n)
			assert.False(t, p.Repeated, "%s.%s", tool, n)
		}
	}
	for tool, names := range repeated {
		for _, n := range names {
			p, ok := ep(t, tool).Param(n)
			require.True(t, ok, "%s.%s", tool, n)
			assert.True(t, p.Repeated, "%s.%s", tool, n)
		}
	}
}

// splitUnescaped splits a jsonschema tag on commas not escaped with a backslash,
// as invopop/jsonschema does.
func splitUnescaped(tag string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(tag); i++ {
		if tag[i] == '\\' && i+1 < len(tag) && tag[i+1] == ',' {
			cur.WriteByte(',')
			i++
			continue
		}
		if tag[i] == ',' {
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(tag[i])
	}
	return append(out, cur.String())
}

// paramStructs returns every struct type reachable from the endpoints' Params.
func paramStructs() []reflect.Type {
	seen := map[reflect.Type]bool{}
	var out []reflect.Type
	var visit func(reflect.Type)
	visit = func(rt reflect.Type) {
		if rt.Kind() != reflect.Struct || seen[rt] {
			return
		}
		seen[rt] = true
		out = append(out, rt)
		for f := range rt.Fields() {
			visit(f.Type)
		}
	}
	for _, e := range client.Endpoints {
		visit(reflect.TypeOf(e.Params))
	}
	return out
}

var tagKeywords = []string{"description", "enum", "title", "default", "example", "pattern", "minLength", "maxLength", "minimum", "maximum", "format"}

// TestTagsNotCut: an unescaped comma in a description would end it there and
// leave the rest as a bogus keyword; every part of every tag must be a known
// keyword=value, and every field must have a description.
func TestTagsNotCut(t *testing.T) {
	structs := paramStructs()
	require.NotEmpty(t, structs)
	fields := 0
	for _, rt := range structs {
		for f := range rt.Fields() {
			if f.Anonymous {
				continue
			}
			fields++
			where := rt.Name() + "." + f.Name
			tag, ok := f.Tag.Lookup("jsonschema")
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "aggregationType" || name == "granularity" {
				// values, default and description come from Endpoint.Aggs and the meaning table
				assert.False(t, ok, "%s: declare its values in Endpoint.Aggs, not in a tag", where)
				continue
			}
			require.True(t, ok, "%s has no jsonschema tag", where)
			descs := 0
			for _, part := range splitUnescaped(tag) {
				k, v, ok := strings.Cut(part, "=")
				if !assert.True(t, ok, "%s: tag part %q is not keyword=value (unescaped comma?)", where, part) {
					continue
				}
				assert.Contains(t, tagKeywords, k, "%s: tag part %q (unescaped comma in a description?)", where, part)
				assert.NotEmpty(t, v, "%s: empty %s", where, k)
				if k == "description" {
					descs++
				}
			}
			assert.Equal(t, 1, descs, "%s has one description", where)
		}
	}
	assert.Greater(t, fields, 40)
}

// TestReflectorAgrees: the schema reflector (what a model sees) reads the same
// descriptions and enums as Spec (what the client sends), and no description
// is cut.
func TestReflectorAgrees(t *testing.T) {
	r := &jsonschema.Reflector{Anonymous: true, DoNotReference: true, ExpandedStruct: true}
	for _, e := range client.Endpoints {
		s := r.Reflect(e.Params)
		descriptions := map[string]string{}
		var collect func(reflect.Type)
		collect = func(rt reflect.Type) {
			for f := range rt.Fields() {
				if f.Anonymous {
					collect(f.Type)
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				for _, part := range splitUnescaped(f.Tag.Get("jsonschema")) {
					if v, ok := strings.CutPrefix(part, "description="); ok {
						descriptions[name] = v
					}
				}
			}
		}
		collect(reflect.TypeOf(e.Params))
		for _, p := range e.Spec() {
			switch p.Name {
			case "from", "to", "aggregationType", "granularity":
				continue // filled in from the declaration by schemas.Reflect (schemas tests check them)
			}
			if s.Properties == nil {
				t.Fatalf("%s: no properties", e.Tool)
			}
			prop, ok := s.Properties.Get(p.Name)
			require.True(t, ok, "%s: schema lacks %s", e.Tool, p.Name)
			assert.Equal(t, descriptions[p.Name], prop.Description, "%s.%s description", e.Tool, p.Name)
			var enum []any
			if p.Repeated && prop.Items != nil {
				enum = prop.Items.Enum
			} else {
				enum = prop.Enum
			}
			var got []string
			for _, v := range enum {
				got = append(got, v.(string))
			}
			assert.Equal(t, p.Enum, got, "%s.%s enum", e.Tool, p.Name)
			if p.Path {
				assert.True(t, slices.Contains(s.Required, p.Name), "%s: path parameter %s required", e.Tool, p.Name)
			} else {
				assert.False(t, slices.Contains(s.Required, p.Name), "%s: query parameter %s optional", e.Tool, p.Name)
			}
		}
	}
}

func TestDefaultFrom(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 33, 0, 0, time.FixedZone("X", 3600))
	utc := now.UTC()
	assert.Equal(t, utc.Add(-30*24*time.Hour), client.Ago30Days.Start(now))
	assert.Equal(t, utc.Add(-24*time.Hour), client.Ago24Hours.Start(now))
	assert.Equal(t, utc.Add(-7*24*time.Hour), client.Ago7Days.Start(now))
	assert.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), client.MonthStart.Start(now))

	// Before an end (exclusive): a range ending at a month's end is that month.
	nov1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), client.MonthStart.Before(nov1))
	assert.Equal(t, nov1, client.MonthStart.Before(nov1.Add(time.Millisecond)))
	assert.Equal(t, time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), client.Ago30Days.Before(nov1))
	assert.Equal(t, time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), client.Ago24Hours.Before(nov1))

	want := map[string]client.DefaultFrom{
		"get_evaluations_usage": client.Ago30Days, "get_stream_usage": client.Ago30Days,
		"get_mau_usage": client.Ago30Days, "get_mau_usage_by_category": client.Ago30Days,
		"get_events_usage": client.Ago24Hours, "get_stream_usage_by_sdk_version": client.Ago24Hours,
		"get_mau_sdks_by_type":         client.Ago7Days,
		"get_data_export_events_usage": client.MonthStart, "get_experimentation_keys_usage": client.MonthStart,
		"get_experimentation_units_usage": client.MonthStart, "get_service_connection_usage": client.MonthStart,
	}
	for tool, d := range want {
		assert.Equal(t, d, ep(t, tool).DefaultFrom, tool)
	}
}

func TestKindNames(t *testing.T) {
	assert.Equal(t, "SeriesListRep", client.SeriesList.String())
	assert.Equal(t, "SeriesIntervalsRep", client.SeriesIntervals.String())
	assert.Equal(t, "SdkListRep", client.SDKList.String())
	assert.Equal(t, "SdkVersionListRep", client.SDKVersionList.String())
	assert.Equal(t, "SdkVersionDetailsRep[]", client.SDKVersionDetails.String())
	assert.Equal(t, "Kind(9)", client.Kind(9).String())
	assert.Equal(t, "ms", client.Millis.String())
	assert.Equal(t, "s", client.Seconds.String())
}

// TestEveryAggregationHasAMeaning: the meaning table covers every aggregation
// every series endpoint accepts, and nothing else.
func TestEveryAggregationHasAMeaning(t *testing.T) {
	for _, e := range client.Endpoints {
		if !e.Kind.IsSeries() {
			assert.Empty(t, e.Aggs, e.Tool)
			continue
		}
		require.NotEmpty(t, e.Aggs, e.Tool)
		for _, a := range e.Aggs {
			m, ok := e.Meaning(a.Name)
			assert.True(t, ok, "%s %q has no meaning", e.Tool, a.Name)
			assert.NotEmpty(t, m.Words, e.Tool)
		}
		_, ok := e.Meaning("")
		assert.True(t, ok, "%s: the default aggregation has a meaning", e.Tool)
		_, ok = e.Meaning("banana")
		assert.False(t, ok, e.Tool)
		assert.Equal(t, e.TakesAggregation(), len(e.AggNames()) > 0, e.Tool)
	}
}

// TestMeaningsAsLaunchDarklyDocumentsThem pins the figures that answer "how much".
func TestMeaningsAsLaunchDarklyDocumentsThem(t *testing.T) {
	cases := []struct {
		tool, agg string
		point     client.Point
		figure    client.Figure
		adds      bool
	}{
		{"get_clientside_mau_usage", "", client.PointCumulative, client.FigureMonthEnd, false}, // month_to_date is the default
		{"get_clientside_mau_usage", "incremental", client.PointNew, client.FigureMonthSum, true},
		{"get_clientside_mau_usage", "rolling_30d", client.PointTrailing, client.FigureLatest, false},
		{"get_mau_usage", "", client.PointTrailing, client.FigureLatest, false}, // rolling_30d is /usage/mau's default
		{"get_mau_usage", "daily_incremental", client.PointNew, client.FigureMonthSum, true},
		{"get_mau_usage_by_category", "", client.PointTrailing, client.FigureLatest, false},
		{"get_experimentation_units_usage", "", client.PointCumulative, client.FigureMonthEnd, false},
		{"get_service_connection_usage", "", client.PointCumulative, client.FigureMonthEnd, false},
		{"get_service_connection_usage", "incremental", client.PointCount, client.FigureSum, true},
		{"get_evaluations_usage", "", client.PointCount, client.FigureSum, true},
		{"get_stream_usage", "", client.PointLevel, client.FigurePeak, false},
		{"get_observability_metrics_usage", "average", client.PointAverage, client.FigureMean, false},
		{"get_observability_logs_usage", "rolling_30d", client.PointTrailing, client.FigureLatest, false},
	}
	for _, tc := range cases {
		m, ok := ep(t, tc.tool).Meaning(tc.agg)
		require.True(t, ok, "%s %s", tc.tool, tc.agg)
		assert.Equal(t, tc.point, m.Point, "%s %s", tc.tool, tc.agg)
		assert.Equal(t, tc.figure, m.Figure, "%s %s", tc.tool, tc.agg)
		assert.Equal(t, tc.adds, m.Adds, "%s %s", tc.tool, tc.agg)
	}
	// Unique counts never add up across series; counts split by a dimension do.
	m, _ := ep(t, "get_total_mau_usage").Meaning("incremental")
	assert.False(t, m.Across)
	m, _ = ep(t, "get_data_export_events_usage").Meaning("incremental")
	assert.True(t, m.Across)
}

func TestCheckAggGran(t *testing.T) {
	cases := []struct {
		tool, agg, gran string
		err             string // "" when LaunchDarkly accepts it
	}{
		{"get_clientside_mau_usage", "", "", ""},
		{"get_clientside_mau_usage", "month_to_date", "monthly", ""},
		{"get_clientside_mau_usage", "", "monthly", ""},
		{"get_clientside_mau_usage", "rolling_30d", "hourly", `granularity "hourly" is not one of daily, monthly`},
		{"get_clientside_mau_usage", "rolling_30d", "monthly", "not allowed with aggregationType rolling_30d: use daily"},
		{"get_clientside_mau_usage", "incremental", "monthly", "not allowed with aggregationType incremental"},
		{"get_data_export_events_usage", "", "banana", `granularity "banana" is not one of daily, hourly, monthly`},
		{"get_data_export_events_usage", "incremental", "hourly", ""},
		{"get_data_export_events_usage", "incremental", "monthly", "use daily or hourly"},
		{"get_data_export_events_usage", "rolling_30d", "", `aggregationType "rolling_30d" is not one of month_to_date, incremental`},
		{"get_observability_metrics_usage", "average", "hourly", ""},
		{"get_mau_usage", "daily_incremental", "", ""},
	}
	for _, tc := range cases {
		err := ep(t, tc.tool).CheckAggGran(tc.agg, tc.gran)
		if tc.err == "" {
			assert.NoError(t, err, "%s %s %s", tc.tool, tc.agg, tc.gran)
		} else if assert.Error(t, err, "%s %s %s", tc.tool, tc.agg, tc.gran) {
			assert.Contains(t, err.Error(), tc.err)
		}
	}
}
