package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

func TestTableHas28Endpoints(t *testing.T) {
	if n := len(client.Endpoints); n != 28 {
		t.Fatalf("client.Endpoints has %d endpoints, the emulator is written for 28", n)
	}
	for _, ep := range client.Endpoints {
		if ep.Kind.IsSeries() && profileOf(ep) == fallbackProfile {
			t.Errorf("%s has no profile: it would be served with generic data", ep.Operation)
		}
	}
}

var eolStatuses = []string{"EolAllClear", "EolNear", "EolPast", "MajorVersionAvailable", "EolUnknown"}

// checkShape checks a 200 body against the endpoint's response shape, as raw JSON.
func checkShape(t *testing.T, ep *client.Endpoint, body []byte) {
	t.Helper()
	switch ep.Kind {
	case client.SeriesList, client.SeriesIntervals:
		var rep struct {
			Links    map[string]any                `json:"_links"`
			Metadata *[]map[string]any             `json:"metadata"`
			Series   *[]map[string]json.RawMessage `json:"series"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("not a series: %v", err)
		}
		if rep.Links == nil || rep.Series == nil {
			t.Fatalf("missing _links or series: %.300s", body)
		}
		var keys []string
		if ep.Kind == client.SeriesIntervals {
			if rep.Metadata != nil {
				t.Fatalf("SeriesIntervalsRep has metadata: %.300s", body)
			}
			keys = []string{"value"}
		} else {
			if rep.Metadata == nil {
				t.Fatalf("SeriesListRep without metadata: %.300s", body)
			}
			for i, m := range *rep.Metadata {
				for k, v := range m {
					if _, ok := v.(string); !ok {
						t.Errorf("metadata[%d].%s = %v is not a string", i, k, v)
					}
				}
				keys = append(keys, strconv.Itoa(i))
			}
		}
		rows := *rep.Series
		if len(rows) == 0 || len(keys) == 0 {
			t.Fatalf("empty series: %.300s", body)
		}
		var prev int64
		positive := false
		for r, row := range rows {
			tm, err := strconv.ParseInt(string(row["time"]), 10, 64)
			if err != nil {
				t.Fatalf("row %d: time %s is not an integer", r, row["time"])
			}
			if tm < 1e12 || tm <= prev {
				t.Fatalf("row %d: time %d is not an increasing Unix millisecond time", r, tm)
			}
			prev = tm
			if len(row) != len(keys)+1 {
				t.Fatalf("row %d has keys %v, want time and %v", r, row, keys)
			}
			for _, k := range keys {
				v, err := strconv.ParseFloat(string(row[k]), 64)
				if err != nil || v < 0 || math.IsInf(v, 0) {
					t.Fatalf("row %d: %s=%s is not a count", r, k, row[k])
				}
				positive = positive || v > 0
				if !ep.Float && v != math.Trunc(v) {
					t.Fatalf("row %d: %s=%s is not an integer", r, k, row[k])
				}
			}
		}
		if !positive {
			t.Fatalf("every value is zero: %.300s", body)
		}
	case client.SDKList:
		var rep struct {
			Links map[string]any `json:"_links"`
			SDKs  []string       `json:"sdks"`
		}
		if err := json.Unmarshal(body, &rep); err != nil || rep.Links == nil || len(rep.SDKs) == 0 {
			t.Fatalf("not a non-empty SdkListRep (%v): %.300s", err, body)
		}
	case client.SDKVersionList:
		var rep struct {
			Links       map[string]any      `json:"_links"`
			SDKVersions []client.SDKVersion `json:"sdkVersions"`
		}
		if err := json.Unmarshal(body, &rep); err != nil || rep.Links == nil || len(rep.SDKVersions) == 0 {
			t.Fatalf("not a non-empty SdkVersionListRep (%v): %.300s", err, body)
		}
		for _, v := range rep.SDKVersions {
			if v.SDK == "" || v.Version == "" {
				t.Fatalf("empty sdk or version: %+v", v)
			}
		}
	case client.SDKVersionDetails:
		var rep []map[string]string
		if err := json.Unmarshal(body, &rep); err != nil || len(rep) == 0 {
			t.Fatalf("not a non-empty array of SdkVersionDetailsRep (%v): %.300s", err, body)
		}
		for _, d := range rep {
			for _, f := range []string{"name", "version", "type", "projectId", "projectKey", "projectName", "environmentId",
				"environmentKey", "environmentName", "applicationId", "ldLatestVersion", "eolStatus", "latestReleaseUrl", "connectionType"} {
				if d[f] == "" {
					t.Fatalf("%s is empty in %v", f, d)
				}
			}
			if !slices.Contains(eolStatuses, d["eolStatus"]) {
				t.Fatalf("eolStatus %q", d["eolStatus"])
			}
			if d["connectionType"] == "relay" && (d["relayVersion"] == "" || d["relayLatestVersion"] == "" || d["relayEolStatus"] == "" || d["relayLatestReleaseUrl"] == "") {
				t.Fatalf("relay connection without relay fields: %v", d)
			}
		}
	}
}

func TestEveryEndpointAnswers(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		for _, ep := range client.Endpoints {
			t.Run(ep.Operation, func(t *testing.T) {
				a := get(t, c, base, samplePath(ep))
				if a.status != http.StatusOK {
					t.Fatalf("status %d: %s", a.status, a.body)
				}
				if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Fatalf("Content-Type %q", ct)
				}
				checkShape(t, ep, a.body)
			})
		}
	})
}

// The project's own client reads every answer, by the shape of the endpoint.
func TestClientReadsEveryEndpoint(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		cl := client.New(base, client.Key(DemoKey), client.WithHTTPClient(c))
		for _, ep := range client.Endpoints {
			args := map[string][]string{"projectKey": {"web-app"}, "environmentKey": {"production"}, "featureFlagKey": {"new-checkout"}, "source": {"server"}, "type": {"published"}}
			resp, err := cl.Do(context.Background(), ep, client.Request{Args: args, From: testNow.Add(-72 * time.Hour), To: testNow})
			if err != nil {
				t.Errorf("%s: %v", ep.Operation, err)
				continue
			}
			if resp.Kind != ep.Kind {
				t.Errorf("%s: answered %v, want %v", ep.Operation, resp.Kind, ep.Kind)
			}
		}
		if got := e.Count(); got != len(client.Endpoints) {
			t.Errorf("Count = %d, want %d", got, len(client.Endpoints))
		}
	})
}

func TestDeterministic(t *testing.T) {
	paths := []string{
		"/api/v2/usage/mau?groupby=sdk&groupby=project",
		"/api/v2/usage/evaluations/web-app/production/new-checkout",
		"/api/v2/usage/streams/client/bysdkversion",
		"/api/v2/usage/data-export-events?groupBy=eventKind&granularity=hourly",
		"/api/v2/usage/service-connections?groupBy=sdkName",
	}
	base := func(seed uint64) map[string][]byte {
		e := New(Options{Now: fixedClock(testNow), Seed: seed})
		c := &http.Client{Transport: e.Transport()}
		out := map[string][]byte{}
		for _, p := range paths {
			a := get(t, c, "http://x", p)
			if a.status != 200 {
				t.Fatalf("%s: %d %s", p, a.status, a.body)
			}
			out[p] = a.body
			if again := get(t, c, "http://x", p); !bytes.Equal(again.body, a.body) {
				t.Errorf("%s: two answers of one emulator differ", p)
			}
		}
		return out
	}
	a, b, other := base(7), base(7), base(8)
	for _, p := range paths {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s: two emulators with the same seed differ", p)
		}
		if bytes.Equal(a[p], other[p]) {
			t.Errorf("%s: seeds 7 and 8 give the same answer", p)
		}
	}
	// Moving the clock by a minute changes only what depends on it.
	e := New(Options{Now: fixedClock(testNow.Add(time.Minute))})
	c := &http.Client{Transport: e.Transport()}
	p := "/api/v2/usage/mau?from=" + ms(testNow.AddDate(0, 0, -10)) + "&to=" + ms(testNow.AddDate(0, 0, -3))
	first := get(t, c, "http://x", p).body
	e2 := New(Options{Now: fixedClock(testNow.Add(time.Hour))})
	c2 := &http.Client{Transport: e2.Transport()}
	if second := get(t, c2, "http://x", p).body; !bytes.Equal(first, second) {
		t.Errorf("a closed past range changed when the clock moved")
	}
}
