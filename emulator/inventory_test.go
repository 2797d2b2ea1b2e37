package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// TestSDKViewsAgree holds every SDK view of the emulator to one inventory:
// the versions sdk-versions/all lists in each project environment are the
// versions service connections and streams count, the versions streams
// lists, and details' newest version of each place, with one end-of-life
// status per version.
func TestSDKViewsAgree(t *testing.T) {
	c := demo(t, testNow)
	get := func(p string) *client.Response { return getOK(t, c, "http://x", p) }

	every := get("/api/v2/usage/sdk-versions/all").SDKDetails
	if len(every) == 0 {
		t.Fatal("sdk-versions/all lists nothing")
	}
	type place struct{ project, env, sdk string }
	inUse := map[place][]string{}        // versions per place, as all lists them
	side := map[string]map[string]bool{} // client|server -> "sdk version"
	eol := map[string]string{}
	for _, d := range every {
		pl := place{d.ProjectKey, d.EnvironmentKey, d.Name}
		inUse[pl] = append(inUse[pl], d.Version)
		s := "client"
		if d.Type == "server" {
			s = "server"
		}
		if side[s] == nil {
			side[s] = map[string]bool{}
		}
		side[s][d.Name+" "+d.Version] = true
		k := d.Name + " " + d.Version
		if e, ok := eol[k]; ok && e != d.EOLStatus {
			t.Errorf("%s is %s in one place and %s in another", k, e, d.EOLStatus)
		}
		eol[k] = d.EOLStatus
	}

	// details: one entry per place, its newest version, nothing all lacks.
	details := get("/api/v2/usage/sdk-versions/details").SDKDetails
	seen := map[place]bool{}
	for _, d := range details {
		pl := place{d.ProjectKey, d.EnvironmentKey, d.Name}
		seen[pl] = true
		vs := inUse[pl]
		if len(vs) == 0 {
			t.Errorf("details lists %v %s, which all does not", pl, d.Version)
			continue
		}
		if newest := slices.MaxFunc(vs, compareVersions); d.Version != newest {
			t.Errorf("details says %v runs %s at newest; all lists %v", pl, d.Version, vs)
		}
		if d.EOLStatus != eol[d.Name+" "+d.Version] {
			t.Errorf("details: %s %s is %s; all says %s", d.Name, d.Version, d.EOLStatus, eol[d.Name+" "+d.Version])
		}
	}
	for pl := range inUse {
		if !seen[pl] {
			t.Errorf("all lists %v; details does not", pl)
		}
	}

	// streams: the versions listed and counted are the versions in use.
	for _, src := range []string{"client", "server"} {
		listed := map[string]bool{}
		for _, v := range get("/api/v2/usage/streams/" + src + "/sdkversions").SDKVersions {
			listed[v.SDK+" "+v.Version] = true
		}
		if !sameSet(listed, side[src]) {
			t.Errorf("streams/%s/sdkversions lists %v; all lists %v", src, keys(listed), keys(side[src]))
		}
		counted := map[string]bool{}
		for _, s := range get("/api/v2/usage/streams/" + src + "/bysdkversion").Series {
			counted[fmt.Sprint(s.Meta["sdk"])+" "+fmt.Sprint(s.Meta["version"])] = true
		}
		if !sameSet(counted, side[src]) {
			t.Errorf("streams/%s/bysdkversion counts %v; all lists %v", src, keys(counted), keys(side[src]))
		}
	}

	// service connections: server SDK versions per place, as all lists them.
	servers := map[string]bool{}
	for pl, vs := range inUse {
		for _, v := range vs {
			if side["server"][pl.sdk+" "+v] {
				servers[pl.project+"/"+pl.env+"/"+pl.sdk+" "+v] = true
			}
		}
	}
	q := url.Values{"groupBy": {"projectId", "environmentId", "sdkName", "sdkVersion"}}
	conns := map[string]bool{}
	for _, s := range get("/api/v2/usage/service-connections?" + q.Encode()).Series {
		p, e := placeOfIDs(fmt.Sprint(s.Meta["projectId"]), fmt.Sprint(s.Meta["environmentId"]))
		conns[p+"/"+e+"/"+fmt.Sprint(s.Meta["sdkName"])+" "+fmt.Sprint(s.Meta["sdkVersion"])] = true
	}
	if !sameSet(conns, servers) {
		t.Errorf("service connections count %d place versions, all lists %d:\nonly connections: %v\nonly all: %v",
			len(conns), len(servers), minus(conns, servers), minus(servers, conns))
	}

	// mau/sdks: the SDKs in use.
	names := map[string]bool{}
	for pl := range inUse {
		names[pl.sdk] = true
	}
	listed := map[string]bool{}
	for _, s := range get("/api/v2/usage/mau/sdks").SDKs {
		listed[s] = true
	}
	if !sameSet(listed, names) {
		t.Errorf("mau/sdks lists %v; all lists %v", keys(listed), keys(names))
	}
}

// placeOfIDs names the project and environment of their ids.
func placeOfIDs(pid, eid string) (string, string) {
	for _, p := range projects {
		for _, e := range p.envs {
			if p.id == pid && e.id == eid {
				return p.key, e.key
			}
		}
	}
	return pid, eid
}

// compareVersions orders dotted versions by their numbers.
func compareVersions(a, b string) int {
	var x, y [3]int
	fmt.Sscanf(a, "%d.%d.%d", &x[0], &x[1], &x[2])
	fmt.Sscanf(b, "%d.%d.%d", &y[0], &y[1], &y[2])
	return slices.Compare(x[:], y[:])
}

func sameSet(a, b map[string]bool) bool {
	return len(minus(a, b)) == 0 && len(minus(b, a)) == 0
}

func minus(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]bool) []string { return minus(m, nil) }
