package tools_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// projectsAPI serves LaunchDarkly's projects list (paged, environments
// expanded only for the first environment of each project, so that the
// client must read the rest from the environments list) naming the ids it
// is given, and passes everything else to the emulator.
type projectsAPI struct {
	emu      http.Handler
	projects map[string]string            // project id → key
	envs     map[string]map[string]string // project key → env id → env key
	status   int                          // answer this instead, when set
	calls    atomic.Int32
}

func (p *projectsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/v2/projects") {
		p.emu.ServeHTTP(w, r)
		return
	}
	p.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if p.status != 0 {
		w.WriteHeader(p.status)
		fmt.Fprint(w, `{"code":"forbidden","message":"Access to the requested resource was denied"}`)
		return
	}
	type env struct {
		ID  string `json:"_id"`
		Key string `json:"key"`
	}
	if strings.HasSuffix(r.URL.Path, "/environments") {
		key := strings.Split(r.URL.Path, "/")[4]
		var items []env
		for id, k := range p.envs[key] {
			items = append(items, env{id, k})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "totalCount": len(items)})
		return
	}
	type project struct {
		ID   string         `json:"_id"`
		Key  string         `json:"key"`
		Envs map[string]any `json:"environments"`
	}
	var items []project
	for id, key := range p.projects {
		var first []env
		for eid, ek := range p.envs[key] {
			first = append(first, env{eid, ek})
			break
		}
		items = append(items, project{ID: id, Key: key, Envs: map[string]any{"items": first, "totalCount": len(p.envs[key])}})
	}
	// pages of the size asked for
	off, lim := 0, 20
	fmt.Sscan(r.URL.Query().Get("offset"), &off)
	fmt.Sscan(r.URL.Query().Get("limit"), &lim)
	page := items[min(off, len(items)):min(off+lim, len(items))]
	_ = json.NewEncoder(w).Encode(map[string]any{"items": page, "totalCount": len(items)})
}

// TestSeriesNamedByKey: series keyed by project and environment ids are
// labelled with keys read once per token; a token that may not read projects
// keeps the ids, and the answer says so once.
func TestSeriesNamedByKey(t *testing.T) {
	fixed := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	emu := emulator.New(emulator.Options{Now: func() time.Time { return fixed }})
	api := &projectsAPI{emu: emu}
	srv := httptest.NewServer(api)
	defer srv.Close()
	newServer := func() *tools.Server {
		ts, err := tools.New(tools.Config{Client: client.New(srv.URL, "api-names-test"), Now: func() time.Time { return fixed }})
		require.NoError(t, err)
		return ts
	}
	call := func(ts *tools.Server, args map[string]any) (string, map[string]any) {
		res := ts.Call(t.Context(), ts.Lookup("get_total_mau_usage"), args)
		require.False(t, res.IsError, text(res))
		b, _ := json.Marshal(res.StructuredContent)
		var sc map[string]any
		require.NoError(t, json.Unmarshal(b, &sc))
		return text(res), sc
	}

	// Learn the ids the answer carries, then give them keys.
	ts := newServer()
	_, sc := call(ts, map[string]any{"groupBy": []any{"projectId", "environmentId"}})
	raw := sc["raw"].(map[string]any)
	api.projects, api.envs = map[string]string{}, map[string]map[string]string{}
	for i, m := range raw["metadata"].([]any) {
		md := m.(map[string]any)
		pid, eid := md["projectId"].(string), md["environmentId"].(string)
		if _, ok := api.projects[pid]; !ok {
			api.projects[pid] = fmt.Sprintf("proj-%d", len(api.projects))
		}
		pk := api.projects[pid]
		if api.envs[pk] == nil {
			api.envs[pk] = map[string]string{}
		}
		api.envs[pk][eid] = fmt.Sprintf("env-%d", i)
	}
	require.Greater(t, len(api.projects), 1)

	ts = newServer()
	api.calls.Store(0)
	txt, sc := call(ts, map[string]any{"groupBy": []any{"projectId", "environmentId"}})
	labels := seriesLabels(sc)
	for _, l := range labels {
		assert.Regexp(t, `^environment=proj-\d+/env-\d+ project=proj-\d+$`, l, "keys instead of ids")
	}
	assert.NotContains(t, txt, "projectId=", txt)
	assert.NotContains(t, txt, "ids", "no note when the names were read")
	// raw keeps LaunchDarkly's body: the ids.
	assert.Contains(t, fmt.Sprint(sc["raw"]), "projectId")
	read := api.calls.Load()
	assert.Positive(t, read)
	call(ts, map[string]any{"groupBy": "projectId"})
	assert.Equal(t, read, api.calls.Load(), "names are read once per token, not per call")

	// A token whose role cannot list projects: ids stay, one note says why.
	api.status = http.StatusForbidden
	ts = newServer()
	txt, sc = call(ts, map[string]any{"groupBy": "projectId"})
	for _, l := range seriesLabels(sc) {
		assert.True(t, strings.HasPrefix(l, "projectId="), l)
	}
	assert.Equal(t, 1, strings.Count(txt, "cannot list projects"), txt)
	notes, _ := sc["summary"].(map[string]any)["notes"].([]any)
	assert.Len(t, notes, 1)
	// Not keyed by ids: nothing is looked up.
	api.calls.Store(0)
	call(newServer(), map[string]any{"groupBy": "sdkName"})
	assert.Zero(t, api.calls.Load())
}

func seriesLabels(sc map[string]any) []string {
	var out []string
	for _, s := range sc["summary"].(map[string]any)["series"].([]any) {
		out = append(out, s.(map[string]any)["label"].(string))
	}
	return out
}

// TestRemovedEndpoint: the removed experimentation-units endpoint says so in
// its description, in its (demo) answers and when LaunchDarkly answers 404,
// and names its successor each time.
func TestRemovedEndpoint(t *testing.T) {
	ep := client.Lookup("get_experimentation_units_usage")
	assert.Contains(t, ep.Description, "Removed")
	assert.Contains(t, ep.Description, "get_experimentation_keys_usage")

	fixed := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	emu := emulator.New(emulator.Options{Now: func() time.Time { return fixed }})
	gone := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/usage/experimentation-units" && r.Header.Get("X-Test-Removed") == "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":"not_found","message":"Invalid resource identifier"}`)
			return
		}
		emu.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(gone)
	defer srv.Close()
	ts, err := tools.New(tools.Config{Client: client.New(srv.URL, "api-removed-test"), Now: func() time.Time { return fixed }})
	require.NoError(t, err)
	res := ts.Call(t.Context(), ts.Lookup(ep.Tool), map[string]any{})
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "404")
	assert.Contains(t, text(res), "removed")
	assert.Contains(t, text(res), "get_experimentation_keys_usage")

	// The emulator (and so --demo) still answers it, and the answer says it is gone upstream.
	direct := httptest.NewServer(emu)
	defer direct.Close()
	ts, err = tools.New(tools.Config{Client: client.New(direct.URL, "api-removed-test"), Now: func() time.Time { return fixed }, Demo: true})
	require.NoError(t, err)
	res = ts.Call(t.Context(), ts.Lookup(ep.Tool), map[string]any{})
	require.False(t, res.IsError, text(res))
	assert.Contains(t, text(res), "removed from LaunchDarkly's API: use get_experimentation_keys_usage")
	assert.Contains(t, text(res), "DEMO DATA")
}

// TestDemoAnswersWhateverIsAsked: in demo mode every valid call answers with
// data, whatever project, environment, flag, SDK or other keys it names, and
// the same call answers the same.
func TestDemoAnswersWhateverIsAsked(t *testing.T) {
	fixed := time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)
	emu := emulator.New(emulator.Options{Now: func() time.Time { return fixed }})
	ts, err := tools.New(tools.Config{
		Client: client.New("http://demo.emulator.invalid", emulator.DemoKey, client.WithHTTPClient(&http.Client{Transport: emu.Transport()})),
		Now:    func() time.Time { return fixed }, Demo: true,
	})
	require.NoError(t, err)
	unknown := map[string]any{
		"projectKey": "no-such-project", "environmentKey": "no-such-env", "featureFlagKey": "flag-nobody-made",
		"project": "no-such-project", "environment": "no-such-env", "sdkName": "Rust", "sdk": "Rust", "sdkVersion": "0.0.1",
		"experimentId": "exp-unknown", "eventKind": "made-up", "eventKey": "made-up-event", "contextKind": "spaceship",
		"sdkAppId": "com.example.unknown", "connectionType": "direct",
	}
	for _, tool := range ts.Tools() {
		ep := tool.Endpoint
		args := map[string]any{}
		for _, p := range ep.Spec() {
			if v, ok := unknown[p.Name]; ok {
				args[p.Name] = v
			}
		}
		for _, p := range ep.PathParams() {
			switch p {
			case "source":
				args[p] = "server"
			case "type":
				args[p] = "received"
			}
		}
		if ep.Tool == "get_service_connection_usage" {
			// A Relay Proxy version goes with proxy connections.
			args["connectionType"], args["relayVersion"] = "proxy", "9.9.9"
		}
		res := ts.Call(t.Context(), tool, args)
		require.False(t, res.IsError, "%s %v: %s", ep.Tool, args, text(res))
		b, _ := json.Marshal(res.StructuredContent)
		var sc struct {
			Summary struct {
				Empty  bool  `json:"empty"`
				Count  *int  `json:"count"`
				Series []any `json:"series"`
			} `json:"summary"`
		}
		require.NoError(t, json.Unmarshal(b, &sc))
		assert.False(t, sc.Summary.Empty, "%s %v answers with data: %s", ep.Tool, args, text(res))
		if ep.Kind.IsSeries() {
			assert.NotEmpty(t, sc.Summary.Series, ep.Tool)
		} else {
			require.NotNil(t, sc.Summary.Count, ep.Tool)
			assert.Positive(t, *sc.Summary.Count, ep.Tool)
		}
		again := ts.Call(t.Context(), tool, args)
		assert.Equal(t, text(res), text(again), "%s: the same call answers the same", ep.Tool)
	}
}
