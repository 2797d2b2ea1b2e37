package client_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/apispec"
)

// These tests hold the endpoint table and the requests the client builds to
// LaunchDarkly's own OpenAPI document (internal/apispec). The tools' tests
// (tools/spec_test.go) hold what the product sends for every call.

// removedUpstream is the seed's endpoint that today's API no longer has: the
// document has no operation to hold it to.
const removedUpstream = "/api/v2/usage/experimentation-units"

func loadSpec(t *testing.T) *apispec.Spec {
	t.Helper()
	s, err := apispec.Load()
	require.NoError(t, err)
	return s
}

// kindsOf names the client Kinds that may stand for the 200 schema the
// document declares.
var kindsOf = map[string][]string{
	"SeriesListRep":          {client.SeriesList.String()},
	"SeriesListRepFloat":     {client.SeriesList.String(), "SeriesListRepFloat"},
	"SdkListRep":             {client.SDKList.String()},
	"SdkVersionListRep":      {client.SDKVersionList.String()},
	"[]SdkVersionDetailsRep": {client.SDKVersionDetails.String()},
}

// defaultFromOf reads the default start of a range from the text of `from`.
var defaultFromOf = []struct {
	phrase string
	want   client.DefaultFrom
}{
	{"Defaults to 30 days ago", client.Ago30Days},
	{"Defaults to 24 hours ago", client.Ago24Hours},
	{"Defaults to seven days ago", client.Ago7Days},
	{"Defaults to the beginning of the current month", client.MonthStart},
}

// TestEndpointsMatchSpec compares each declaration of client.Endpoints with
// its operation in the document: operationId, parameters (names, repetition,
// valid values), the unit of from/to, the stated maximum range, the response
// shape and deprecation. Every operation of the document has an endpoint.
func TestEndpointsMatchSpec(t *testing.T) {
	s := loadSpec(t)
	covered := map[string]bool{}
	for _, ep := range client.Endpoints {
		t.Run(ep.Tool, func(t *testing.T) {
			if ep.Path == removedUpstream {
				t.Skipf("%s was removed from today's API; the document has no operation for it", ep.Path)
			}
			op := s.OperationAt(http.MethodGet, ep.Path)
			require.NotNil(t, op, "the document has no GET %s", ep.Path)
			covered[op.ID] = true
			assert.Equal(t, op.ID, ep.Operation, "operationId")

			var specNames, epNames []string
			for _, p := range op.Params {
				specNames = append(specNames, p.Name)
			}
			for _, p := range ep.Spec() {
				epNames = append(epNames, p.Name)
			}
			sort.Strings(specNames)
			sort.Strings(epNames)
			assert.Equal(t, specNames, epNames, "parameter names")

			for _, cp := range ep.Spec() {
				sp := op.Param(cp.Name)
				if sp == nil {
					continue // reported above
				}
				assert.Equal(t, sp.In == "path", cp.Path, "%s is a path parameter in the document", cp.Name)
				if !cp.Time {
					assert.Equal(t, sp.Repeat, cp.Repeated, "%s: the document says it can be specified multiple times: %v", cp.Name, sp.Repeat)
				}
				if len(sp.Valid) > 0 {
					assert.ElementsMatch(t, sp.Valid, cp.Enum, "%s: valid values", cp.Name)
				}
				if cp.Time {
					want := client.Millis
					if sp.Unit == apispec.Seconds {
						want = client.Seconds
					}
					assert.Equal(t, want, ep.Unit, "%s: unit (%s)", cp.Name, sp.Description)
				}
			}
			if op.MaxRange > 0 {
				assert.Equal(t, op.MaxRange, ep.MaxRange, "the document: the maximum time range is %d days", int(op.MaxRange.Hours()/24))
			}
			schema := responseSchema(op, s)
			if kinds, ok := kindsOf[schema]; assert.True(t, ok, "200 schema %s", schema) {
				assert.Contains(t, kinds, ep.Kind.String(), "response shape: the document answers %s", schema)
			}
			if from := op.Param("from"); from != nil {
				known := false
				for _, d := range defaultFromOf {
					if strings.Contains(from.Description, d.phrase) {
						known = true
						assert.Equal(t, d.want, ep.DefaultFrom, "default start: the document: %q", d.phrase)
					}
				}
				assert.True(t, known, "the default of from is one of the phrases above: %q", from.Description)
			}
			if op.Deprecated {
				assert.NotEmpty(t, ep.Prefer, "the document marks %s deprecated: the endpoint names the tool to prefer", op.ID)
			}
		})
	}
	for _, op := range s.Operations() {
		assert.True(t, covered[op.ID], "no endpoint serves %s %s", op.ID, op.Path)
	}
}

// responseSchema names the 200 schema of an operation: a component name, or
// []Name for an array of one.
func responseSchema(op *apispec.Operation, s *apispec.Spec) string {
	item := s.Doc.Paths.Value(op.Path)
	o := item.GetOperation(op.Method)
	ref := o.Responses.Status(200).Value.Content.Get("application/json").Schema
	if ref.Ref != "" {
		return refName(ref.Ref)
	}
	if ref.Value.Items != nil {
		return "[]" + refName(ref.Value.Items.Ref)
	}
	return "inline"
}

func refName(ref string) string {
	return ref[len("#/components/schemas/"):]
}

// Awkward keys: each must arrive as given, however it is escaped.
var awkwardKeys = []string{"a/b", "50%", "with space", "..", ".", "ünïcødé-🚀", "a?b#c", "semi;colon", "plus+sign", "~tilde", "%2F", "x\x7fy"}

// TestRequestsEscapeAsTheSpecAsks builds, with Client.URL, requests whose path
// keys and filter values are awkward, and checks each is a valid request of
// its operation whose values arrive unchanged.
func TestRequestsEscapeAsTheSpecAsks(t *testing.T) {
	s := loadSpec(t)
	plain := map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "source": "client", "type": "received"}
	c := client.New("http://127.0.0.1:1", "api-test")
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	s = s.WithNow(func() time.Time { return from.AddDate(0, 1, 0) })
	for _, ep := range client.Endpoints {
		if ep.Path == removedUpstream {
			continue
		}
		op := s.OperationAt(http.MethodGet, ep.Path)
		if op == nil {
			continue // TestEndpointsMatchSpec reports it
		}
		build := func(args map[string][]string) *http.Request {
			t.Helper()
			for _, name := range ep.PathParams() {
				if _, ok := args[name]; !ok {
					args[name] = []string{plain[name]}
				}
			}
			u, err := c.URL(ep, client.Request{Args: args, From: from})
			require.NoError(t, err)
			r, err := http.NewRequest(http.MethodGet, u, nil)
			require.NoError(t, err, u)
			r.Header.Set("Authorization", "api-test")
			return r
		}
		for _, name := range ep.PathParams() {
			if p := op.Param(name); p == nil || len(p.Valid) > 0 {
				continue // an enum path parameter takes no awkward values
			}
			for _, key := range awkwardKeys {
				r := build(map[string][]string{name: {key}})
				assert.NoError(t, s.ValidateRequest(r), "%s %s=%q", ep.Tool, name, key)
				_, params, err := s.Route(r)
				if assert.NoError(t, err, "%s %s=%q", ep.Tool, name, key) {
					assert.Equal(t, key, params[name], "%s: %s round-trips (%s)", ep.Tool, name, r.URL.EscapedPath())
				}
			}
		}
		for _, p := range op.Query() {
			if len(p.Valid) > 0 || p.Name == "from" || p.Name == "to" || !slices.ContainsFunc(ep.Spec(), func(cp client.Param) bool { return cp.Name == p.Name }) {
				continue
			}
			vals := []string{"a b&c=d/é%+;#"}
			if p.Repeat {
				vals = append(vals, "second value")
			}
			args := map[string][]string{p.Name: vals}
			if p.ExactlyOne != "" {
				args[p.ExactlyOne] = []string{"web-app"}
			}
			r := build(args)
			assert.NoError(t, s.ValidateRequest(r), "%s %s=%q", ep.Tool, p.Name, vals)
			q, err := url.ParseQuery(r.URL.RawQuery)
			require.NoError(t, err)
			assert.Equal(t, vals, q[p.Name], "%s: %s round-trips (%s)", ep.Tool, p.Name, r.URL.RawQuery)
		}
	}
}
