package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// answer builds the 200 body of a validated request.
func (e *Emulator) answer(q *query) ([]byte, *apiError) {
	switch q.ep.Kind {
	case client.SDKList:
		return sdkList(q), nil
	case client.SDKVersionList:
		return sdkVersionList(q), nil
	case client.SDKVersionDetails:
		return detailList(q), nil
	default:
		return e.series(q)
	}
}

// sdkList is SdkListRep: the SDKs that sent MAU in the range.
func sdkList(q *query) []byte {
	typ := q.args.Get("sdktype")
	var names []string
	end := q.to
	if q.now.Before(end) {
		end = q.now
	}
	if end.After(created) {
		for _, p := range projects {
			for _, ps := range p.sdks {
				if (typ == "" || ps.sdk.typ == typ) && !slices.Contains(names, ps.sdk.name) {
					names = append(names, ps.sdk.name)
				}
			}
		}
	}
	slices.Sort(names)
	b, _ := json.Marshal(struct {
		Links struct{} `json:"_links"`
		SDKs  []string `json:"sdks"`
	}{SDKs: append([]string{}, names...)})
	return b
}

// sdkVersionList is SdkVersionListRep: SDK versions streaming from the source.
func sdkVersionList(q *query) []byte {
	typ := q.path["source"]
	out := []client.SDKVersion{}
	for _, s := range sdks {
		if s.typ != typ {
			continue
		}
		for _, v := range s.versions {
			out = append(out, client.SDKVersion{SDK: s.name, Version: v.v})
		}
	}
	b, _ := json.Marshal(struct {
		Links       struct{}            `json:"_links"`
		SDKVersions []client.SDKVersion `json:"sdkVersions"`
	}{SDKVersions: out})
	return b
}

// allVersions is every SDK version in use, per project environment; the
// first entry of each (project, environment, SDK) is its newest version.
var allVersions = sync.OnceValue(func() []client.SDKVersionDetail {
	var out []client.SDKVersionDetail
	for _, p := range projects {
		for ei, env := range p.envs {
			for _, ps := range p.sdks {
				s := ps.sdk
				relay, relayEOL := relayFor(p, env.key, s)
				for vi := newestInUse(p, ei, s); vi < len(s.versions); vi++ {
					v := s.versions[vi]
					d := client.SDKVersionDetail{
						Name: s.name, Version: v.v, Type: s.typ,
						ProjectID: p.id, ProjectKey: p.key, ProjectName: p.name,
						EnvironmentID: env.id, EnvironmentKey: env.key, EnvironmentName: env.name,
						ApplicationID:   appID(p, s),
						LDLatestVersion: s.latest, EOLStatus: v.eol,
						LatestReleaseURL: releaseURL(s.repo, s.latest),
						ConnectionType:   "sdk",
					}
					if relay != "" {
						d.ConnectionType = "relay"
						d.RelayVersion, d.RelayEOLStatus = relay, relayEOL
						d.RelayLatestVersion = relayLatest
						d.RelayLatestReleaseURL = releaseURL(relayRepo, "v"+relayLatest)
					}
					out = append(out, d)
				}
			}
		}
	}
	return out
})

// Filters of sdk-versions/all, by parameter name.
var detailField = map[string]func(*client.SDKVersionDetail) string{
	"environmentId":  func(d *client.SDKVersionDetail) string { return d.EnvironmentID },
	"projectId":      func(d *client.SDKVersionDetail) string { return d.ProjectID },
	"sdkName":        func(d *client.SDKVersionDetail) string { return d.Name },
	"sdkType":        func(d *client.SDKVersionDetail) string { return d.Type },
	"sdkAppId":       func(d *client.SDKVersionDetail) string { return d.ApplicationID },
	"connectionType": func(d *client.SDKVersionDetail) string { return d.ConnectionType },
}

// detailList is an array of SdkVersionDetailsRep: the newest version per
// project environment and SDK (details), or every version in use, filtered
// (all).
func detailList(q *query) []byte {
	all := allVersions()
	out := []client.SDKVersionDetail{}
	if len(q.ep.Spec()) == 0 { // sdk-versions/details takes no parameters
		seen := map[string]bool{}
		for _, d := range all {
			k := d.ProjectKey + "\x00" + d.EnvironmentKey + "\x00" + d.Name
			if !seen[k] {
				seen[k] = true
				out = append(out, d)
			}
		}
	} else {
	next:
		for i := range all {
			d := &all[i]
			for _, p := range q.ep.Spec() {
				field, ok := detailField[p.Name]
				want := q.args.Get(p.Name)
				if ok && want != "" && !strings.EqualFold(field(d), want) {
					continue next
				}
			}
			out = append(out, *d)
		}
	}
	b, _ := json.Marshal(out)
	return b
}
