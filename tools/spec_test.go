package tools_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/apispec"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// These tests hold what the tools send to LaunchDarkly to LaunchDarkly's own
// OpenAPI document (internal/apispec). Calls go through tools.Server.Call, so
// what is validated is what the product really sends, as the fake
// LaunchDarkly below receives it on the wire.

// removedUpstream is the seed's tool whose operation today's API no longer has
// (GET /api/v2/usage/experimentation-units is not in the document): it has no
// operation to be valid against, so it is left out here.
const removedUpstream = "get_experimentation_units_usage"

// specNow is the clock of these tests: a Wednesday afternoon in mid-November.
var specNow = time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)

// wireLog is a fake LaunchDarkly that keeps every request it receives and
// answers each with a minimal valid 200 of its operation.
type wireLog struct {
	spec *apispec.Spec
	mu   sync.Mutex
	reqs []*http.Request
}

func (w *wireLog) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	w.reqs = append(w.reqs, r.Clone(context.Background()))
	w.mu.Unlock()
	body := `{"_links":{},"metadata":[],"series":[]}`
	if op, _, err := w.spec.Route(r); err == nil {
		switch {
		case strings.HasSuffix(op.Path, "/sdkversions"):
			body = `{"_links":{},"sdkVersions":[]}`
		case strings.HasSuffix(op.Path, "/mau/sdks"):
			body = `{"_links":{},"sdks":[]}`
		case strings.Contains(op.Path, "/sdk-versions/"):
			body = `[]`
		}
	}
	rw.Header().Set("Content-Type", "application/json")
	_, _ = rw.Write([]byte(body))
}

func (w *wireLog) take() []*http.Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.reqs
	w.reqs = nil
	return out
}

type specEnv struct {
	spec *apispec.Spec
	log  *wireLog
	ts   *tools.Server
}

func newSpecEnv(t *testing.T) *specEnv {
	t.Helper()
	s, err := apispec.Load()
	require.NoError(t, err)
	s = s.WithNow(func() time.Time { return specNow })
	log := &wireLog{spec: s}
	srv := httptest.NewServer(log) // 127.0.0.1
	t.Cleanup(srv.Close)
	ts, err := tools.New(tools.Config{
		Client:      client.New(srv.URL, testKey, client.WithHTTPClient(srv.Client())),
		Now:         func() time.Time { return specNow },
		CallTimeout: 5 * time.Second,
	})
	require.NoError(t, err)
	return &specEnv{spec: s, log: log, ts: ts}
}

// call runs one tool call and returns the usage API requests it sent
// (requests elsewhere, e.g. a lookup of project names, are not this document's).
func (e *specEnv) call(t *testing.T, tool *tools.Tool, args map[string]any) (sent []*http.Request, refused bool) {
	t.Helper()
	res := e.ts.Call(context.Background(), tool, args)
	for _, r := range e.log.take() {
		if strings.HasPrefix(r.URL.Path, "/api/v2/usage/") {
			sent = append(sent, r)
		}
	}
	return sent, res.IsError && len(sent) == 0
}

// Awkward values: every one must reach LaunchDarkly unchanged or be refused.
var (
	awkwardKeys  = []string{"a/b", "50%", "with space", "..", ".", "ünïcødé-🚀", "a?b#c", "semi;colon", "plus+sign", "~tilde", "%2F"}
	awkwardValue = "a b&c=d/é%+;#"
)

// pathSample is a plain value of a path parameter that exists in any account.
var pathSample = map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "source": "client", "type": "received"}

// param is a parameter as the spread below sees it: the document's view and the product's.
type param struct {
	name   string
	path   bool
	repeat bool     // the document or the product lets it repeat
	valid  []string // the document's valid values and the product's enum, document first
	free   bool     // neither states values
}

func paramsOf(ep *client.Endpoint, op *apispec.Operation) []param {
	byName := map[string]*param{}
	var order []string
	add := func(name string) *param {
		if p, ok := byName[name]; ok {
			return p
		}
		p := &param{name: name}
		byName[name] = p
		order = append(order, name)
		return p
	}
	for _, sp := range op.Params {
		p := add(sp.Name)
		p.path = sp.In == "path"
		p.repeat = p.repeat || sp.Repeat
		p.valid = appendNew(p.valid, sp.Valid...)
	}
	for _, cp := range ep.Spec() {
		p := add(cp.Name)
		p.path = p.path || cp.Path
		p.repeat = p.repeat || cp.Repeated
		p.valid = appendNew(p.valid, cp.Enum...)
	}
	out := make([]param, 0, len(order))
	for _, n := range order {
		p := *byName[n]
		p.free = len(p.valid) == 0
		out = append(out, p)
	}
	return out
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// argSpread generates the calls made of each tool: every parameter absent and
// present, each of its values and a value outside them, repeated values,
// aggregationType × granularity, environmentKey with 0, 1 and 2 projectKeys,
// the time forms, and awkward path keys and filter values.
func argSpread(ep *client.Endpoint, op *apispec.Operation) []map[string]any {
	params := paramsOf(ep, op)
	base := map[string]any{}
	for _, p := range params {
		if p.path {
			base[p.name] = pathSample[p.name]
		}
	}
	with := withArgs(base)
	out := []map[string]any{with()}
	has := map[string]bool{}
	for _, p := range params {
		has[p.name] = true
	}

	for _, p := range params {
		switch {
		case p.name == "from" || p.name == "to":
			continue // below
		case p.path && p.free:
			for _, k := range awkwardKeys {
				out = append(out, with(p.name, k))
			}
		case p.path:
			for _, v := range append(slices.Clone(p.valid), "banana") {
				out = append(out, with(p.name, v))
			}
		case !p.free:
			for _, v := range append(slices.Clone(p.valid), "banana", "") {
				out = append(out, with(p.name, v))
			}
			if p.repeat && len(p.valid) >= 2 {
				out = append(out, with(p.name, []any{p.valid[0], p.valid[1]}))
			}
			if len(p.valid) >= 1 {
				out = append(out, with(p.name, []any{p.valid[0], p.valid[0]})) // the same value twice
			}
			if slices.Contains(p.valid, "true") {
				out = append(out, with(p.name, true)) // a boolean, read as its text
			}
		default: // free text
			out = append(out, with(p.name, "x"), with(p.name, awkwardValue), with(p.name, []any{"x", "y"}))
		}
	}

	// aggregationType × granularity, each value of each (and one outside).
	var aggs, grans []string
	for _, p := range params {
		switch p.name {
		case "aggregationType":
			aggs = append(slices.Clone(p.valid), "banana")
		case "granularity":
			grans = append(slices.Clone(p.valid), "daily", "hourly", "monthly", "banana")
		}
	}
	for _, a := range aggs {
		for _, g := range appendNew(nil, grans...) {
			out = append(out, with("aggregationType", a, "granularity", g))
		}
	}

	// Environments need their project.
	for _, pair := range [][2]string{{"environmentKey", "projectKey"}, {"environment", "project"}} {
		env, proj := pair[0], pair[1]
		if !has[env] || !has[proj] || slices.Contains(ep.PathParams(), env) {
			continue
		}
		out = append(out,
			with(env, "production"),
			with(env, "production", proj, "web-app"),
			with(env, []any{"production", "staging"}, proj, []any{"web-app"}),
			with(env, "production", proj, []any{"web-app", "mobile-app"}),
		)
	}

	// Time forms.
	if has["from"] {
		for _, f := range []any{"2026-10-01", "-7d", "now-24h", "-90m", "-30d", "-60d", "-90d", "-364d", "-366d", "-400d",
			"2026-10-01T00:00:00Z", "2026-10-01T00:00:00+02:00", float64(1790812800), "1790812800", float64(1790812800000), "1790812800000"} {
			out = append(out, with("from", f))
		}
		for _, ft := range [][2]any{
			{"2026-10-01", "2026-10-31"}, {"-7d", "now"}, {"2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"},
			{float64(1790812800), float64(1793491200)}, {"1790812800000", "1793491200000"},
			{"2025-11-18", "2026-11-17"}, {"2025-01-01", "2026-11-01"},
		} {
			out = append(out, with("from", ft[0], "to", ft[1]))
		}
		out = append(out, with("to", "2026-11-01"), with("to", "-1d"))
	}

	// Everything at once: each parameter with its first value.
	all := with()
	for _, p := range params {
		switch {
		case p.path || p.name == "from" || p.name == "to":
		case !p.free:
			all[p.name] = p.valid[0]
		default:
			all[p.name] = "x"
		}
	}
	if has["environmentKey"] && has["projectKey"] && !slices.Contains(ep.PathParams(), "environmentKey") {
		all["projectKey"] = "web-app"
	}
	if has["environment"] && has["project"] {
		all["project"] = "web-app"
	}
	if has["from"] {
		all["from"], all["to"] = "2026-10-01", "2026-10-31"
	}
	out = append(out, all)
	return out
}

func describeArgs(args map[string]any) string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, args[k])
	}
	return strings.Join(parts, " ")
}

// TestEveryRequestMatchesTheSpec calls every tool over the spread of
// arguments and holds every request that reaches the wire to the document:
// a valid request of the tool's operation, whose path keys and filter values
// arrive as they were given.
func TestEveryRequestMatchesTheSpec(t *testing.T) {
	e := newSpecEnv(t)
	for _, tool := range e.ts.Tools() {
		ep := tool.Endpoint
		t.Run(ep.Tool, func(t *testing.T) {
			if ep.Tool == removedUpstream {
				t.Skipf("%s: %s was removed from today's API; the document has no operation to hold it to", ep.Tool, ep.Path)
			}
			op := e.spec.OperationAt(http.MethodGet, ep.Path)
			require.NotNil(t, op, "the document has no GET %s", ep.Path)
			var sentCount, refusedCount int
			var drift apispec.Findings
			for _, args := range argSpread(ep, op) {
				sent, refused := e.call(t, tool, args)
				if refused {
					refusedCount++
					continue
				}
				sentCount++
				for _, r := range sent {
					if err := e.spec.ValidateRequest(r); err != nil {
						drift.Add(err, describeArgs(args)+"\n     sent "+r.RequestURI)
						continue
					}
					got, params, err := e.spec.Route(r)
					require.NoError(t, err)
					assert.Equal(t, op.ID, got.ID, "%s reaches its own operation", ep.Tool)
					checkRoundTrip(t, ep, args, params, r)
				}
			}
			for _, l := range drift.Lines(ep.Tool) {
				t.Error(l)
			}
			t.Logf("%s: %d calls sent, %d refused before sending", ep.Tool, sentCount, refusedCount)
			assert.Positive(t, sentCount, "some calls of %s reach the wire", ep.Tool)
		})
	}
}

// checkRoundTrip: each path key and each free-text filter value given arrives
// unchanged (decoded), however it had to be escaped.
func checkRoundTrip(t *testing.T, ep *client.Endpoint, args map[string]any, params map[string]string, r *http.Request) {
	t.Helper()
	for _, name := range ep.PathParams() {
		if want, ok := args[name].(string); ok {
			assert.Equal(t, want, params[name], "%s: path parameter %s round-trips (sent %s)", ep.Tool, name, r.RequestURI)
		}
	}
	q := r.URL.Query()
	for name, v := range args {
		if slices.Contains(ep.PathParams(), name) || name == "from" || name == "to" {
			continue
		}
		var want []string
		switch x := v.(type) {
		case string:
			want = []string{x}
		case []any:
			for _, it := range x {
				want = append(want, fmt.Sprint(it))
			}
		default:
			continue
		}
		if len(want) == 1 && want[0] == "" {
			continue
		}
		if want[0] == awkwardValue {
			assert.Equal(t, want, q[name], "%s: query value of %s round-trips (sent %s)", ep.Tool, name, r.RequestURI)
		}
	}
}

// specValidArgs generates calls that the document says are valid: each
// stated value of each parameter that states values (alone, and two together
// where it may repeat), every aggregationType × granularity pair it allows,
// environments with exactly one project, and ranges within what it allows.
// Free-text filters are left out: their values are the account's.
func specValidArgs(op *apispec.Operation) []map[string]any {
	base := map[string]any{}
	for _, p := range op.PathParams() {
		if len(p.Valid) > 0 {
			base[p.Name] = p.Valid[0]
		} else {
			base[p.Name] = pathSample[p.Name]
		}
	}
	with := withArgs(base)
	out := []map[string]any{with()}
	valid := func(args map[string]any) bool {
		q := url.Values{}
		for k, v := range args {
			// from/to are in the tools' forms here, chosen within the stated range.
			if op.Param(k) != nil && op.Param(k).In == "query" && k != "from" && k != "to" {
				switch x := v.(type) {
				case string:
					q.Add(k, x)
				case []any:
					for _, it := range x {
						q.Add(k, it.(string))
					}
				}
			}
		}
		return op.QueryProblems(q, specNow) == nil
	}
	for _, p := range op.Params {
		if len(p.Valid) == 0 {
			continue
		}
		for _, v := range p.Valid {
			out = append(out, with(p.Name, v))
		}
		if p.Repeat && len(p.Valid) >= 2 {
			out = append(out, with(p.Name, []any{p.Valid[0], p.Valid[1]}))
		}
	}
	if agg, gran := op.Param("aggregationType"), op.Param("granularity"); agg != nil && gran != nil {
		for _, a := range agg.Valid {
			for _, g := range gran.Valid {
				out = append(out, with("aggregationType", a, "granularity", g))
			}
		}
	}
	for _, p := range op.Query() {
		if p.ExactlyOne != "" {
			out = append(out,
				with(p.Name, "production", p.ExactlyOne, "web-app"),
				with(p.Name, []any{"production", "staging"}, p.ExactlyOne, []any{"web-app"}))
		}
	}
	if op.Param("from") != nil {
		out = append(out, with("from", "-7d"), with("from", "2026-10-01", "to", "2026-10-31"))
		if op.MaxRange >= 365*24*time.Hour {
			out = append(out, with("from", "-60d"), with("from", "-364d"), with("from", "2025-11-20", "to", "2026-11-17"))
		}
	}
	var keep []map[string]any
	for _, args := range out {
		if valid(args) {
			keep = append(keep, args)
		}
	}
	return keep
}

// TestToolsAcceptWhatTheSpecAllows: a call the document says is valid is not
// refused by the tool; it reaches the wire, as a valid request.
func TestToolsAcceptWhatTheSpecAllows(t *testing.T) {
	e := newSpecEnv(t)
	for _, tool := range e.ts.Tools() {
		ep := tool.Endpoint
		t.Run(ep.Tool, func(t *testing.T) {
			if ep.Tool == removedUpstream {
				t.Skipf("%s: %s was removed from today's API; the document has no operation to hold it to", ep.Tool, ep.Path)
			}
			op := e.spec.OperationAt(http.MethodGet, ep.Path)
			require.NotNil(t, op, "the document has no GET %s", ep.Path)
			calls := specValidArgs(op)
			require.NotEmpty(t, calls)
			for _, args := range calls {
				res := e.ts.Call(context.Background(), tool, args)
				sent := e.log.take()
				if len(sent) == 0 {
					t.Errorf("%s %s: refused, though the document allows it: %s", ep.Tool, describeArgs(args), resultText(res))
					continue
				}
				for _, r := range sent {
					if strings.HasPrefix(r.URL.Path, "/api/v2/usage/") {
						assert.NoError(t, e.spec.ValidateRequest(r), "%s %s", ep.Tool, describeArgs(args))
					}
				}
			}
		})
	}
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// withArgs returns a builder of argument maps: base plus the given name,
// value pairs.
func withArgs(base map[string]any) func(kv ...any) map[string]any {
	return func(kv ...any) map[string]any {
		m := make(map[string]any, len(base)+len(kv)/2)
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
}
