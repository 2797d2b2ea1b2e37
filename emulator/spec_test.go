package emulator_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/apispec"
)

// These tests hold the emulator's answers to LaunchDarkly's own OpenAPI
// document (internal/apispec): every valid request, built here from the
// document (not from the product's endpoint table), is answered with a valid
// 200 of its operation, and requests the document's rules make invalid are
// answered with an error the operation declares, not 200.

var specNow = time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)

type specServer struct {
	spec *apispec.Spec
	url  string
	http *http.Client
}

func newSpecServer(t *testing.T) *specServer {
	t.Helper()
	s, err := apispec.Load()
	require.NoError(t, err)
	s = s.WithNow(func() time.Time { return specNow })
	emu := emulator.New(emulator.Options{Now: func() time.Time { return specNow }})
	srv := httptest.NewServer(emu) // 127.0.0.1
	t.Cleanup(srv.Close)
	return &specServer{spec: s, url: srv.URL, http: srv.Client()}
}

// get sends a GET of path?query as the product does (the demo key, the beta
// header) and returns the request and the answer.
func (s *specServer) get(t *testing.T, path string, q url.Values) (*http.Request, int, http.Header, []byte) {
	t.Helper()
	u := s.url + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", emulator.DemoKey)
	req.Header.Set("LD-API-Version", "beta")
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return req, resp.StatusCode, resp.Header, body
}

// specPaths fills an operation's path template: every valid value of an enum
// path parameter, a plain key otherwise.
func specPaths(op *apispec.Operation) []string {
	plain := map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"}
	paths := []string{op.Path}
	for _, p := range op.PathParams() {
		vals := p.Valid
		if len(vals) == 0 {
			vals = []string{plain[p.Name]}
		}
		var next []string
		for _, path := range paths {
			for _, v := range vals {
				next = append(next, strings.Replace(path, "{"+p.Name+"}", url.PathEscape(v), 1))
			}
		}
		paths = next
	}
	return paths
}

// stamp writes t in the unit the operation's text gives its from/to.
func stamp(op *apispec.Operation, t time.Time) string {
	if p := op.Param("from"); p != nil && p.Unit == apispec.Seconds {
		return strconv.FormatInt(t.Unix(), 10)
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

type span struct {
	name     string
	from, to time.Time
}

// spansOf: the month so far, a past range across months (90 days; 4 days for
// hourly data, which would otherwise make answers of thousands of rows), and,
// where the text says the last two hours are answered by the minute, the last
// 90 minutes.
func spansOf(op *apispec.Operation, gran string) []span {
	past := span{"Aug 15..Nov 13", time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)}
	if gran == "hourly" {
		past = span{"Oct 30..Nov 3", time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)}
	}
	out := []span{{"month so far", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), specNow}, past}
	if strings.Contains(op.Description, "minutely") {
		out = append(out, span{"last 90 minutes", specNow.Add(-90 * time.Minute), specNow})
	}
	return out
}

// validQueries: every aggregationType the document allows (and none) × every
// granularity it allows with it (and none) × groupBy none, one and two
// values × each span.
func validQueries(op *apispec.Operation) []url.Values {
	opt := func(p *apispec.Param) []string {
		if p == nil {
			return []string{""}
		}
		return append([]string{""}, p.Valid...)
	}
	// groupBy: none, the first valid value, the last two together.
	type grouping struct {
		name string
		vals []string
	}
	groupBys := []grouping{{}}
	for _, name := range []string{"groupBy", "groupby"} {
		if p := op.Param(name); p != nil && len(p.Valid) > 0 {
			groupBys = append(groupBys, grouping{name, p.Valid[:1]})
			if len(p.Valid) >= 2 && p.Repeat {
				groupBys = append(groupBys, grouping{name, p.Valid[len(p.Valid)-2:]})
			}
		}
	}
	var out []url.Values
	for _, agg := range opt(op.Param("aggregationType")) {
		for _, gran := range opt(op.Param("granularity")) {
			spans := []span{{name: "no range"}}
			if op.Param("from") != nil {
				spans = spansOf(op, gran)
			}
			for _, gb := range groupBys {
				for _, sp := range spans {
					q := url.Values{}
					if agg != "" {
						q.Set("aggregationType", agg)
					}
					if gran != "" {
						q.Set("granularity", gran)
					}
					if gb.name != "" {
						q[gb.name] = gb.vals
					}
					if !sp.from.IsZero() {
						q.Set("from", stamp(op, sp.from))
						q.Set("to", stamp(op, sp.to))
					}
					if op.QueryProblems(q, specNow) == nil {
						out = append(out, q)
					}
				}
			}
		}
	}
	return out
}

// TestEmulatorAnswersMatchSpec: each valid request of each operation is
// answered with a valid 200 of that operation.
func TestEmulatorAnswersMatchSpec(t *testing.T) {
	s := newSpecServer(t)
	for _, op := range s.spec.Operations() {
		t.Run(op.ID, func(t *testing.T) {
			var found apispec.Findings
			n := 0
			for _, path := range specPaths(op) {
				for _, q := range validQueries(op) {
					req, status, header, body := s.get(t, path, q)
					n++
					require.NoError(t, s.spec.ValidateRequest(req), "the test's own request is valid")
					example := path + "?" + q.Encode()
					if status != http.StatusOK {
						found.Add(fmt.Errorf("answered %d, not 200: %s", status, clip(body)), example)
						continue
					}
					found.Add(s.spec.ValidateResponse(req, status, header, body), example)
				}
			}
			for _, l := range found.Lines(op.ID) {
				t.Error(l)
			}
			t.Logf("%s: %d requests", op.ID, n)
		})
	}
}

// invalidQueries: requests the document's prose makes invalid, each with one
// fault: a value outside the stated ones, an aggregationType × granularity
// pair it does not allow, an environment without exactly one project, a range
// past the stated maximum.
func invalidQueries(op *apispec.Operation) map[string]url.Values {
	out := map[string]url.Values{}
	for _, p := range op.Query() {
		if len(p.Valid) > 0 {
			out[p.Name+"=banana"] = url.Values{p.Name: {"banana"}}
		}
	}
	if agg, gran := op.Param("aggregationType"), op.Param("granularity"); agg != nil && gran != nil {
		for _, a := range agg.Valid {
			for _, g := range []string{"hourly", "daily", "monthly"} {
				q := url.Values{"aggregationType": {a}, "granularity": {g}}
				if op.QueryProblems(q, specNow) != nil {
					out["aggregationType="+a+" granularity="+g] = q
				}
			}
		}
	}
	for _, p := range op.Query() {
		if p.ExactlyOne != "" {
			out[p.Name+" without "+p.ExactlyOne] = url.Values{p.Name: {"production"}}
			out[p.Name+" with two "+p.ExactlyOne] = url.Values{p.Name: {"production"}, p.ExactlyOne: {"web-app", "mobile-app"}}
		}
	}
	if op.MaxRange > 0 {
		to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		from := to.Add(-op.MaxRange - 24*time.Hour)
		out["range one day past the maximum"] = url.Values{"from": {stamp(op, from)}, "to": {stamp(op, to)}}
	}
	return out
}

// TestEmulatorRefusesWhatTheSpecRefuses: an invalid request is answered 400
// (an enum path parameter outside its values: 400 or 404), with a body that is
// a valid error of the operation, never 200.
func TestEmulatorRefusesWhatTheSpecRefuses(t *testing.T) {
	s := newSpecServer(t)
	for _, op := range s.spec.Operations() {
		t.Run(op.ID, func(t *testing.T) {
			for _, p := range op.PathParams() {
				if len(p.Valid) == 0 {
					continue
				}
				bad := op.Path
				for _, pp := range op.PathParams() {
					v := "banana"
					if pp != p {
						v = pp.Valid[0]
					}
					bad = strings.Replace(bad, "{"+pp.Name+"}", v, 1)
				}
				req, status, header, body := s.get(t, bad, nil)
				switch {
				case status != http.StatusBadRequest && status != http.StatusNotFound:
					t.Errorf("%s %s: answered %d, want 400 or 404: %s", op.ID, bad, status, clip(body))
				case !op.Declares(http.StatusBadRequest) && !op.Declares(http.StatusNotFound):
					// The document declares no status for it (getStreamUsageSdkversion
					// declares 200, 401, 403, 429 only): not 200 is all it can ask.
					t.Logf("%s %s: answered %d; the operation declares neither 400 nor 404", op.ID, bad, status)
				default:
					if err := s.spec.ValidateResponse(req, status, header, body); err != nil {
						t.Errorf("%s %s: %v", op.ID, bad, err)
					}
				}
			}
			path := specPaths(op)[0]
			cases := invalidQueries(op)
			names := make([]string, 0, len(cases))
			for name := range cases {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				q := cases[name]
				req, status, header, body := s.get(t, path, q)
				if status != http.StatusBadRequest {
					t.Errorf("%s %s (%s?%s): answered %d, want 400: %s", op.ID, name, path, q.Encode(), status, clip(body))
					continue
				}
				if err := s.spec.ValidateResponse(req, status, header, body); err != nil {
					t.Errorf("%s %s: %v", op.ID, name, err)
				}
			}
		})
	}
}

func clip(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
