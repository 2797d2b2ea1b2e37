package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// testNow is a Wednesday afternoon in the middle of a month.
var testNow = time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// mode is a way to reach the emulator: over real HTTP on 127.0.0.1, or in
// process through Transport.
type mode struct {
	name  string
	start func(t *testing.T, e *Emulator) (base string, c *http.Client)
}

var modes = []mode{
	{"http", func(t *testing.T, e *Emulator) (string, *http.Client) {
		srv := httptest.NewServer(e) // listens on 127.0.0.1
		t.Cleanup(srv.Close)
		return srv.URL, srv.Client()
	}},
	{"transport", func(t *testing.T, e *Emulator) (string, *http.Client) {
		return client.Commercial, &http.Client{Transport: e.Transport()}
	}},
}

// forModes runs f once per mode against a fresh emulator.
func forModes(t *testing.T, o Options, f func(t *testing.T, e *Emulator, base string, c *http.Client)) {
	t.Helper()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := New(o)
			base, c := m.start(t, e)
			f(t, e, base, c)
		})
	}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes a request with the given headers (nil values are left out).
func send(ctx context.Context, c *http.Client, method, u string, hdr map[string]string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return answer{}, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}, err
}

var okHeaders = map[string]string{"Authorization": DemoKey, "LD-API-Version": "beta", "Accept": "application/json"}

// get makes an authorised GET of base+path and fails the test on a transport error.
func get(t *testing.T, c *http.Client, base, path string) answer {
	t.Helper()
	a, err := send(context.Background(), c, http.MethodGet, base+path, okHeaders)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return a
}

// getOK is get that expects 200 and decodes the answer.
func getOK(t *testing.T, c *http.Client, base, path string) *client.Response {
	t.Helper()
	a := get(t, c, base, path)
	if a.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, a.status, a.body)
	}
	r, err := client.Decode(a.body)
	if err != nil {
		t.Fatalf("GET %s: decode: %v\n%s", path, err, a.body)
	}
	return r
}

// errBody decodes a LaunchDarkly error body.
func errBody(t *testing.T, b []byte) (code, message string) {
	t.Helper()
	var e struct{ Code, Message string }
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, b)
	}
	return e.Code, e.Message
}

// samplePath fills an endpoint's path template with arguments that exist in
// the synthetic account.
func samplePath(ep *client.Endpoint) string {
	sample := map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "source": "client", "type": "received"}
	p := ep.Path
	for _, name := range ep.PathParams() {
		p = strings.Replace(p, "{"+name+"}", url.PathEscape(sample[name]), 1)
	}
	return p
}

func ms(t time.Time) string  { return strconv.FormatInt(t.UnixMilli(), 10) }
func itoa(n int) string      { return strconv.Itoa(n) }
func sec(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// inUnit writes t in the endpoint's unit.
func inUnit(ep *client.Endpoint, t time.Time) string { return ep.Unit.Format(t) }

func endpoint(t *testing.T, op string) *client.Endpoint {
	t.Helper()
	ep := client.Lookup(op)
	if ep == nil {
		t.Fatalf("no endpoint %s", op)
	}
	return ep
}

// sum adds a series' values.
func sum(s client.Series) float64 {
	var n float64
	for _, v := range s.Values {
		n += v
	}
	return n
}
