package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// positive reports whether some value of some series is above zero.
func positive(r *client.Response) bool {
	for _, s := range r.Series {
		for _, v := range s.Values {
			if v > 0 {
				return true
			}
		}
	}
	return len(r.SDKDetails) > 0
}

// TestDemoAnswersWhateverIsAsked: every filter a time series or SDK list
// takes, given a value the account does not have, answers non-empty
// synthetic data, the same every time.
func TestDemoAnswersWhateverIsAsked(t *testing.T) {
	c := demo(t, testNow)
	for _, ep := range client.Endpoints {
		if ep.Kind == client.SDKList || ep.Kind == client.SDKVersionList {
			continue // no key filters
		}
		for _, p := range ep.Spec() {
			if p.Path || p.Time || shaping[p.Name] || len(p.Enum) > 0 {
				continue
			}
			if _, ok := dimByName[p.Name]; !ok {
				continue
			}
			q := url.Values{p.Name: {"zz-unknown-" + strings.ToLower(p.Name)}}
			switch p.Name {
			case "environmentKey":
				q.Set("projectKey", "web-app")
			case "environment":
				q.Set("project", "web-app")
			}
			path := samplePath(ep) + "?" + q.Encode()
			r := getOK(t, c, "http://x", path)
			if !positive(r) {
				t.Errorf("%s: no data: %.300s", path, r.Raw)
			}
			if again := getOK(t, c, "http://x", path); !bytes.Equal(again.Raw, r.Raw) {
				t.Errorf("%s: two answers differ", path)
			}
		}
	}
	// Unknown keys in a path: an unknown project, environment and flag.
	for _, p := range []string{
		"/api/v2/usage/evaluations/no-such-project/production/flag",
		"/api/v2/usage/evaluations/web-app/no-such-env/flag",
		"/api/v2/usage/evaluations/x/y/z",
		"/api/v2/usage/streams/server/bysdkversion?sdk=Rust&version=0.1.0",
		"/api/v2/usage/total-mau?projectKey=nope&environmentKey=qa&sdkName=Rust",
	} {
		if r := getOK(t, c, "http://x", p); !positive(r) {
			t.Errorf("%s: no data", p)
		}
	}
}

func TestSyntheticAnswersDoNotDependOnHistory(t *testing.T) {
	p := "/api/v2/usage/total-contexts?projectKey=acme&groupBy=sdkName"
	alone := get(t, demo(t, testNow), "http://x", p).body
	c := demo(t, testNow)
	get(t, c, "http://x", "/api/v2/usage/total-contexts?projectKey=other&sdkName=Rust")
	get(t, c, "http://x", "/api/v2/usage/evaluations/acme/qa/f")
	if after := get(t, c, "http://x", p).body; !bytes.Equal(alone, after) {
		t.Errorf("an answer changed with what was asked before")
	}
	other := get(t, demo(t, testNow), "http://x", "/api/v2/usage/total-contexts?projectKey=acme2&groupBy=sdkName").body
	if bytes.Equal(alone, other) {
		t.Errorf("two synthetic projects answer the same")
	}
}

func TestKnownValuesStillFilter(t *testing.T) {
	c := demo(t, testNow)
	web := projectByKey("web-app")
	check := func(p, key string, want []string) {
		t.Helper()
		if got := metaValues(getOK(t, c, "http://x", p), key); !slices.Equal(got, want) {
			t.Errorf("%s: %s values %v, want %v", p, key, got, want)
		}
	}
	check("/api/v2/usage/total-contexts?projectKey=web-app&groupBy=projectId", "projectId", []string{web.id})
	check("/api/v2/usage/total-contexts?projectKey=web-app&projectKey=acme&groupBy=projectId", "projectId", slices.Sorted(slices.Values([]string{web.id, projectID("acme")})))
	check("/api/v2/usage/total-mau?sdkName=Go&sdkName=Rust&groupBy=sdkName", "sdkName", []string{"Go", "Rust"})
	check("/api/v2/usage/total-mau?projectKey=web-app&environmentKey=qa&groupBy=environmentId", "environmentId", []string{envID("web-app", "qa")})
	// A value the account has, but not where the other filters point: nothing.
	r := getOK(t, c, "http://x", "/api/v2/usage/experimentation-keys?projectKey=payments&experimentId="+web.experiments[0].id)
	if positive(r) || len(r.Series) != 0 {
		t.Errorf("a web-app experiment counted in payments: %.200s", r.Raw)
	}
}

func TestProjectsAPI(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow), Keys: []string{"api-reader", "api-usage-only"}, NoProjectAccess: []string{"api-usage-only"}},
		func(t *testing.T, e *Emulator, base string, c *http.Client) {
			auth := map[string]string{"Authorization": "api-reader"} // no beta header: the projects API is not in beta
			list := func(path string) projectList {
				t.Helper()
				a, err := send(t.Context(), c, "GET", base+path, auth)
				if err != nil || a.status != 200 {
					t.Fatalf("%s: %v %d %s", path, err, a.status, a.body)
				}
				if bytes.Contains(a.body, []byte(`"sdk-`)) || bytes.Contains(a.body, []byte(`"mob-`)) {
					t.Fatalf("%s: serves something like an SDK key: %s", path, a.body)
				}
				var l projectList
				decodeJSON(t, a.body, &l)
				return l
			}
			l := list("/api/v2/projects")
			if l.TotalCount != 3 || len(l.Items) != 3 || l.Links["next"].Href != "" || l.Items[0].Environments != nil {
				t.Fatalf("projects: %+v", l)
			}
			// With environments expanded, the ids are those of usage metadata,
			// for the account's projects and for a synthetic one a request named.
			r := getOK(t, c, base, "/api/v2/usage/total-contexts?groupBy=projectId&groupBy=environmentId&projectKey=web-app&projectKey=acme")
			l = list("/api/v2/projects?expand=environments")
			ids := map[string]string{}
			for _, p := range l.Items {
				ids[p.ID] = p.Key
				if p.Environments == nil || p.Environments.TotalCount != 3 || len(p.Environments.Items) != 3 {
					t.Fatalf("%s: environments %+v", p.Key, p.Environments)
				}
				for _, env := range p.Environments.Items {
					ids[env.ID] = p.Key + "/" + env.Key
				}
			}
			if l.TotalCount != 4 || l.Items[3].Key != "acme" || l.Items[3].Name != "Acme" {
				t.Errorf("after a request named acme: %d projects, last %+v", l.TotalCount, l.Items[3])
			}
			pairs := map[string]bool{}
			for _, s := range r.Series {
				pid, eid := s.Meta["projectId"].(string), s.Meta["environmentId"].(string)
				pairs[pid+"/"+eid] = true
				if ids[pid] == "" || !strings.HasPrefix(ids[eid], ids[pid]+"/") {
					t.Errorf("usage names project %s and environment %s; the projects API lists %v", pid, eid, ids)
				}
			}
			if len(pairs) != 6 {
				t.Errorf("%d project environments, want 2 projects × 3 environments", len(pairs))
			}
			// Pagination: 3 + 1 + 24 projects named.
			for i := range 24 {
				getOK(t, c, base, "/api/v2/usage/evaluations/proj-"+itoa(i)+"/production/f")
			}
			var keys []string
			next := "/api/v2/projects"
			for pages := 0; next != ""; pages++ {
				if pages > 3 {
					t.Fatal("pagination does not end")
				}
				l := list(next)
				if l.TotalCount != 28 || len(l.Items) > 20 {
					t.Fatalf("page %d: total %d, %d items", pages, l.TotalCount, len(l.Items))
				}
				for _, p := range l.Items {
					keys = append(keys, p.Key)
				}
				next = l.Links["next"].Href
			}
			if len(keys) != 28 || len(slices.Compact(slices.Sorted(slices.Values(keys)))) != 28 {
				t.Errorf("pages hold %d keys: %v", len(keys), keys)
			}
			var el envList
			a, _ := send(t.Context(), c, "GET", base+"/api/v2/projects/web-app/environments?limit=2", auth)
			decodeJSON(t, a.body, &el)
			if el.TotalCount != 3 || len(el.Items) != 2 || el.Links["next"].Href == "" || el.Items[0].ID != envID("web-app", "production") {
				t.Errorf("environments page: %s", a.body)
			}
			// Errors: a bad limit, a bad token, a token that may not read projects.
			for _, tc := range []struct {
				path, token string
				status      int
				code        string
			}{
				{"/api/v2/projects?limit=0", "api-reader", 400, "invalid_request"},
				{"/api/v2/projects", "api-nobody", 401, "unauthorized"},
				{"/api/v2/projects", "api-usage-only", 403, "forbidden"},
				{"/api/v2/projects/web-app/environments", "api-usage-only", 403, "forbidden"},
			} {
				a, err := send(t.Context(), c, "GET", base+tc.path, map[string]string{"Authorization": tc.token})
				if err != nil || a.status != tc.status {
					t.Fatalf("%s as %s: %v %d %s", tc.path, tc.token, err, a.status, a.body)
				}
				if code, _ := errBody(t, a.body); code != tc.code {
					t.Errorf("%s as %s: code %s", tc.path, tc.token, code)
				}
			}
			// The token that may not read projects still reads usage.
			a, err := send(t.Context(), c, "GET", base+"/api/v2/usage/total-mau", map[string]string{"Authorization": "api-usage-only", "LD-API-Version": "beta"})
			if err != nil || a.status != 200 {
				t.Errorf("usage as api-usage-only: %v %d", err, a.status)
			}
		})
}

func TestRemovedEndpoint(t *testing.T) {
	p := "/api/v2/usage/experimentation-units"
	if r := getOK(t, demo(t, testNow), "http://x", p); r.Kind != client.SeriesIntervals || !positive(r) {
		t.Errorf("by default the seed's shape: %v %.200s", r.Kind, r.Raw)
	}
	c := &http.Client{Transport: New(Options{Now: fixedClock(testNow), Removed: true}).Transport()}
	a := get(t, c, "http://x", p)
	if a.status != 404 || string(a.body) != `{"code":"not_found","message":"Invalid resource identifier"}` {
		t.Errorf("Removed: %d %s", a.status, a.body)
	}
	if a := get(t, c, "http://x", "/api/v2/usage/experimentation-keys"); a.status != 200 {
		t.Errorf("Removed: experimentation-keys answers %d", a.status)
	}
}

func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}
