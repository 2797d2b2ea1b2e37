package client_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

func decodeFixture(t *testing.T, path string) *client.Response {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "responses", path))
	require.NoError(t, err)
	out, err := client.Decode(b)
	require.NoError(t, err, path)
	assert.Equal(t, b, []byte(out.Raw), "Raw is the body byte for byte")
	return out
}

func TestFixturesMatchTheirEndpointKind(t *testing.T) {
	// One fixture per endpoint, named by tool, decoding to the kind the
	// endpoint declares (the seed's kind for the seed's endpoints).
	for _, e := range client.Endpoints {
		t.Run(e.Tool, func(t *testing.T) {
			out := decodeFixture(t, e.Tool+".json")
			assert.Equal(t, e.Kind, out.Kind)
			if e.Kind.IsSeries() {
				require.NotEmpty(t, out.Series)
				for _, s := range out.Series {
					require.NotEmpty(t, s.Times, s.Key)
					require.Equal(t, len(s.Times), len(s.Values))
				}
			}
		})
	}
	// and no fixture for a tool that does not exist
	files, err := filepath.Glob(filepath.Join("..", "testdata", "responses", "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, len(client.Endpoints))
	for _, f := range files {
		assert.NotNil(t, client.Lookup(strings.TrimSuffix(filepath.Base(f), ".json")), f)
	}
}

func TestDecodeSeriesList(t *testing.T) {
	out := decodeFixture(t, "get_stream_usage_by_sdk_version.json")
	assert.Equal(t, client.SeriesList, out.Kind)
	require.Len(t, out.Series, 3)
	keys := []string{out.Series[0].Key, out.Series[1].Key, out.Series[2].Key}
	assert.Equal(t, []string{"0", "1", "2"}, keys)
	assert.Equal(t, map[string]any{"sdk": "node", "version": "9.2.0"}, out.Series[1].Meta)
	assert.Equal(t, map[string]any{"sdk": "java", "version": "7.4.1"}, out.Series[2].Meta)
	assert.Equal(t, []float64{1120, 1131, 1140, 1152}, out.Series[0].Values)
	assert.Equal(t, []float64{2214, 2190, 2251, 2288}, out.Series[1].Values)
	// java has no value in the third row: that point is missing, the others stay aligned with their times
	assert.Equal(t, []float64{880, 874, 891}, out.Series[2].Values)
	t0 := int64(1795636800000)
	assert.Equal(t, []int64{t0, t0 + 3600000, t0 + 3*3600000}, out.Series[2].Times)
}

func TestDecodeNoMetadata(t *testing.T) {
	// LaunchDarkly's spec requires metadata, but a body without it still decodes.
	out, err := client.Decode([]byte(`{"_links":{},"series":[{"time":1795629600000,"0":5},{"time":1795633200000,"0":7}]}`))
	require.NoError(t, err)
	assert.Equal(t, client.SeriesList, out.Kind)
	require.Len(t, out.Series, 1)
	assert.Equal(t, "0", out.Series[0].Key)
	assert.Nil(t, out.Series[0].Meta)
	assert.Equal(t, []float64{5, 7}, out.Series[0].Values)
	// the events fixture has one series with empty metadata
	out = decodeFixture(t, "get_events_usage.json")
	require.Len(t, out.Series, 1)
	assert.Equal(t, map[string]any{}, out.Series[0].Meta)
	assert.Len(t, out.Series[0].Values, 6)
}

func TestDecodeIntervals(t *testing.T) {
	// The seed's SeriesIntervalsRep, still the shape of the removed experimentation-units.
	out := decodeFixture(t, "get_experimentation_units_usage.json")
	assert.Equal(t, client.SeriesIntervals, out.Kind)
	require.Len(t, out.Series, 1)
	assert.Equal(t, "value", out.Series[0].Key)
	assert.Nil(t, out.Series[0].Meta)
	assert.NotEmpty(t, out.Series[0].Values)
}

func TestDecodeFloatSeries(t *testing.T) {
	// SeriesListRepFloat (service connection minutes) has fractions: they stay.
	for _, name := range []string{"get_service_connection_usage.json", filepath.Join("variants", "get_service_connection_usage.incremental.json")} {
		out := decodeFixture(t, name)
		assert.Equal(t, client.SeriesList, out.Kind)
		require.Len(t, out.Series, 2)
		fractions := 0
		for _, s := range out.Series {
			for _, v := range s.Values {
				if math.Trunc(v) != v {
					fractions++
				}
			}
		}
		assert.Positive(t, fractions, "%s: fractional values stay fractional", name)
	}
	out := decodeFixture(t, "get_service_connection_usage.json")
	assert.Equal(t, map[string]any{"connectionType": "proxy"}, out.Series[1].Meta)
	assert.Equal(t, []float64{57612.5, 115152.75}, out.Series[0].Values[:2])
}

func TestDecodeSDKList(t *testing.T) {
	out := decodeFixture(t, "get_mau_sdks_by_type.json")
	assert.Equal(t, client.SDKList, out.Kind)
	assert.Equal(t, []string{"Android", "iOS", "JavaScript", "React", "React Native", "Flutter"}, out.SDKs)
}

func TestDecodeSDKVersionList(t *testing.T) {
	out := decodeFixture(t, "get_stream_usage_sdkversion.json")
	assert.Equal(t, client.SDKVersionList, out.Kind)
	require.Len(t, out.SDKVersions, 5)
	assert.Equal(t, client.SDKVersion{SDK: "Go", Version: "7.1.0"}, out.SDKVersions[0])
	assert.Equal(t, client.SDKVersion{SDK: "Python", Version: "9.8.0"}, out.SDKVersions[4])
}

func TestDecodeSDKDetails(t *testing.T) {
	out := decodeFixture(t, "get_sdk_all_versions.json")
	assert.Equal(t, client.SDKVersionDetails, out.Kind)
	require.Len(t, out.SDKDetails, 5)
	assert.Equal(t, client.SDKVersionDetail{
		Name: "go-server-sdk", Version: "6.2.3", Type: "server",
		ProjectID: "5f3c2a9e8b1d4e0012ab34cd", ProjectKey: "mobile-app", ProjectName: "Mobile App",
		EnvironmentID: "5f3c2a9e8b1d4e0012ab34d1", EnvironmentKey: "staging", EnvironmentName: "Staging",
		LDLatestVersion: "7.13.2", EOLStatus: "EolNear",
		LatestReleaseURL: "https://github.com/launchdarkly/go-server-sdk/releases/tag/7.13.2",
		ConnectionType:   "streaming", RelayVersion: "7.4.2", RelayEOLStatus: "EolPast",
		RelayLatestVersion: "8.10.4", RelayLatestReleaseURL: "https://github.com/launchdarkly/ld-relay/releases/tag/v8.10.4",
	}, out.SDKDetails[1])
	assert.Equal(t, "com.example.mobile", out.SDKDetails[2].ApplicationID)
	statuses := map[string]bool{}
	for _, d := range out.SDKDetails {
		statuses[d.EOLStatus] = true
	}
	for _, s := range []string{"EolAllClear", "EolNear", "EolPast", "MajorVersionAvailable", "EolUnknown"} {
		assert.True(t, statuses[s], "fixture covers %s", s)
	}

	// Every field of the fixture lands in a field of SDKVersionDetail: a
	// round trip keeps every non-empty value.
	var raw []map[string]any
	require.NoError(t, json.Unmarshal(out.Raw, &raw))
	back, err := json.Marshal(out.SDKDetails)
	require.NoError(t, err)
	var again []map[string]any
	require.NoError(t, json.Unmarshal(back, &again))
	for i := range raw {
		for k, v := range raw[i] {
			if v == "" {
				continue
			}
			assert.Equal(t, v, again[i][k], "entry %d field %s", i, k)
		}
	}
}

func TestDecodeEdgeCases(t *testing.T) {
	type want struct {
		kind   client.Kind
		keys   []string
		values [][]float64
		times  [][]int64
	}
	cases := []struct {
		name string
		body string
		want *want // nil: an error is expected
		is   error // the error must match this (optional)
	}{
		{name: "empty", body: "", is: client.ErrUnknownShape},
		{name: "blank", body: " \n\t ", is: client.ErrUnknownShape},
		{name: "null", body: "null", is: client.ErrUnknownShape},
		{name: "empty object", body: "{}", is: client.ErrUnknownShape},
		{name: "links only", body: `{"_links":{}}`, is: client.ErrUnknownShape},
		{name: "string", body: `"series"`},
		{name: "number", body: `42`},
		{name: "truncated", body: `{"series":[{"time":1677888000000,"0":1`},
		{name: "row without time", body: `{"series":[{"0":1}]}`},
		{name: "time is text", body: `{"series":[{"time":"yesterday","0":1}]}`},
		{name: "value is text", body: `{"series":[{"time":1677888000000,"0":"many"}]}`},
		{name: "value is object", body: `{"series":[{"time":1677888000000,"0":{}}]}`},
		{name: "series not array", body: `{"series":{"time":1}}`},
		{name: "metadata not array", body: `{"metadata":{},"series":[]}`},
		{name: "sdks not strings", body: `{"sdks":[1,2]}`},
		{name: "details not objects", body: `[1,2]`},
		{name: "value overflows float64", body: `{"series":[{"time":1677888000000,"0":1e400}]}`},
		{
			name: "empty series", body: `{"_links":{},"series":[]}`,
			want: &want{kind: client.SeriesList},
		},
		{
			name: "metadata without rows", body: `{"metadata":[{"sdk":"go"}],"series":[]}`,
			want: &want{kind: client.SeriesList, keys: []string{"0"}, values: [][]float64{nil}, times: [][]int64{nil}},
		},
		{
			name: "interval", body: `{"series":[{"time":1677888000000,"value":92},{"time":1677974400000,"value":0}]}`,
			want: &want{kind: client.SeriesIntervals, keys: []string{"value"},
				values: [][]float64{{92, 0}}, times: [][]int64{{1677888000000, 1677974400000}}},
		},
		{
			name: "keys in numeric order", body: `{"series":[{"time":1,"10":10,"2":2,"1":1,"0":0}]}`,
			want: &want{kind: client.SeriesList, keys: []string{"0", "1", "2", "10"},
				values: [][]float64{{0}, {1}, {2}, {10}}, times: [][]int64{{1}, {1}, {1}, {1}}},
		},
		{
			name: "null values skipped", body: `{"series":[{"time":5,"0":null,"1":3}]}`,
			want: &want{kind: client.SeriesList, keys: []string{"1"}, values: [][]float64{{3}}, times: [][]int64{{5}}},
		},
		{
			name: "time beyond int32 and float time", body: `{"series":[{"time":9007199254740993,"0":1},{"time":1.6778880e12,"0":2}]}`,
			want: &want{kind: client.SeriesList, keys: []string{"0"}, values: [][]float64{{1, 2}},
				times: [][]int64{{9007199254740993, 1677888000000}}},
		},
		{
			name: "big values", body: `{"series":[{"time":1677888000000,"0":4294967296,"1":9007199254740992}]}`,
			want: &want{kind: client.SeriesList, keys: []string{"0", "1"},
				values: [][]float64{{4294967296}, {9007199254740992}}, times: [][]int64{{1677888000000}, {1677888000000}}},
		},
		{
			name: "leading whitespace array", body: "\n  []",
			want: &want{kind: client.SDKVersionDetails},
		},
		{name: "sdks", body: `{"sdks":[]}`, want: &want{kind: client.SDKList}},
		{name: "sdkVersions", body: `{"sdkVersions":[]}`, want: &want{kind: client.SDKVersionList}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.Decode([]byte(tc.body))
			if tc.want == nil {
				require.Error(t, err)
				assert.Nil(t, out)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.body, string(out.Raw))
			assert.Equal(t, tc.want.kind, out.Kind)
			require.Len(t, out.Series, len(tc.want.keys))
			for i, s := range out.Series {
				assert.Equal(t, tc.want.keys[i], s.Key)
				assert.Equal(t, tc.want.values[i], s.Values, s.Key)
				assert.Equal(t, tc.want.times[i], s.Times, s.Key)
			}
		})
	}
}

func TestDecodeErrorsAreShort(t *testing.T) {
	// An error quoting the body stays short however long the body is.
	long := `{"series":[{"time":"` + strings.Repeat("9", 100000) + `x"}]}`
	_, err := client.Decode([]byte(long))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 1000)
	assert.False(t, errors.Is(err, client.ErrUnknownShape))
}
