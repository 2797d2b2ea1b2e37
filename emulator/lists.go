package emulator

import (
	"encoding/json"
	"slices"

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
		return e.detailList(q), nil
	default:
		return e.series(q)
	}
}

// sdkList is SdkListRep: the SDKs of the inventory, when the range holds
// a time the account existed.
func sdkList(q *query) []byte {
	typ := q.args.Get("sdktype")
	var names []string
	end := q.to
	if q.now.Before(end) {
		end = q.now
	}
	if end.After(created) {
		for _, r := range inventory() {
			if s := r.sdk(); (typ == "" || s.typ == typ) && !slices.Contains(names, s.name) {
				names = append(names, s.name)
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

// sdkVersionList is SdkVersionListRep: the inventory's SDK versions
// streaming from the source, newest first within each SDK.
func sdkVersionList(q *query) []byte {
	typ := q.path["source"]
	inUse := map[string]bool{}
	for _, r := range inventory() {
		inUse[r.versionKey()] = true
	}
	out := []client.SDKVersion{}
	for _, s := range sdks {
		if s.typ != typ {
			continue
		}
		for _, v := range s.versions {
			if inUse[s.name+"\x00"+v.v] {
				out = append(out, client.SDKVersion{SDK: s.name, Version: v.v})
			}
		}
	}
	b, _ := json.Marshal(struct {
		Links       struct{}            `json:"_links"`
		SDKVersions []client.SDKVersion `json:"sdkVersions"`
	}{SDKVersions: out})
	return b
}

// detailList is an array of SdkVersionDetailsRep: the newest version per
// project environment and SDK (details), or every version in use, filtered
// (all). Filter values the account does not have are synthesised as for
// the series endpoints.
func (e *Emulator) detailList(q *query) []byte {
	atoms := e.atoms(q)
	out := []client.SDKVersionDetail{}
	seen := map[string]bool{}
	for _, a := range atoms {
		if len(q.ep.Spec()) == 0 { // sdk-versions/details: the newest version of each
			k := a.attrs[dProject] + "\x00" + a.attrs[dEnv] + "\x00" + a.attrs[dSDK]
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, detailOf(a))
	}
	b, _ := json.Marshal(out)
	return b
}

func detailOf(a *atom) client.SDKVersionDetail {
	v := a.ver
	d := client.SDKVersionDetail{
		Name: a.attrs[dSDK], Version: a.attrs[dVersion], Type: a.attrs[dSDKKind],
		ProjectID: a.attrs[dProjectID], ProjectKey: a.attrs[dProject], ProjectName: v.projectName,
		EnvironmentID: a.attrs[dEnvID], EnvironmentKey: a.attrs[dEnv], EnvironmentName: v.envName,
		ApplicationID:   a.attrs[dApp],
		LDLatestVersion: v.latest, EOLStatus: v.eol,
		LatestReleaseURL: releaseURL(v.repo, v.latest),
		ConnectionType:   a.attrs[dConnType],
	}
	if d.ConnectionType == "proxy" {
		d.RelayVersion, d.RelayEOLStatus = a.attrs[dRelay], v.relayEOL
		if d.RelayEOLStatus == "" {
			d.RelayEOLStatus = "EolUnknown"
		}
		d.RelayLatestVersion = relayLatest
		d.RelayLatestReleaseURL = releaseURL(relayRepo, "v"+relayLatest)
	}
	return d
}
