package emulator

import (
	"strconv"
	"strings"
	"sync"
)

// Dimensions of a data point. Query filters and groupBy values name them.
type dim int

const (
	dProject dim = iota
	dProjectID
	dEnv
	dEnvID
	dSDKType // client or server: the deprecated /usage/mau's sdktype
	dSDKKind // browser, mobile or server: today's sdkType
	dCategory
	dSDK
	dVersion
	dApp
	dAnon
	dKind
	dVariation
	dExperiment
	dEventKind
	dEventKey
	dDest
	dConnType
	dRelay
	nDims
)

// dimNames are the dimensions' names in the model's view (Atom.Dims).
var dimNames = [nDims]string{
	dProject: "projectKey", dProjectID: "projectId", dEnv: "environmentKey", dEnvID: "environmentId",
	dSDKType: "sdktype", dSDKKind: "sdkType", dCategory: "category", dSDK: "sdkName", dVersion: "sdkVersion",
	dApp: "sdkAppId", dAnon: "anonymous", dKind: "contextKind", dVariation: "variation",
	dExperiment: "experimentId", dEventKind: "eventKind", dEventKey: "eventKey", dDest: "destination",
	dConnType: "connectionType", dRelay: "relayVersion",
}

// dimByName maps LaunchDarkly's parameter and groupBy names (both editions)
// to dimensions. The deprecated /usage/mau's sdktype is client or server;
// today's sdkType is browser, mobile or server (LaunchDarkly's example values).
var dimByName = map[string]dim{
	"project": dProject, "projectKey": dProject, "projectId": dProjectID,
	"environment": dEnv, "environmentKey": dEnv, "environmentId": dEnvID,
	"sdk": dSDK, "sdkName": dSDK, "sdktype": dSDKType, "sdkType": dSDKKind,
	"version": dVersion, "sdkVersion": dVersion,
	"anonymous": dAnon, "anonymousV2": dAnon, "contextKind": dKind, "sdkAppId": dApp,
	"category": dCategory, "variation": dVariation, "experimentId": dExperiment,
	"eventKind": dEventKind, "eventKey": dEventKey, "destination": dDest,
	"connectionType": dConnType, "relayVersion": dRelay,
}

// atom is the smallest unit of synthetic usage: one combination of every
// dimension a universe knows, with its level (monthly active contexts for
// unique counts, count per day for counts, connections for levels).
type atom struct {
	attrs  [nDims]string
	base   float64
	season float64
	id     uint64
	ver    *verInfo // SDK version details (the versions universe only)
}

// verInfo is what sdk-versions/details tells of a version beyond its dimensions.
type verInfo struct {
	projectName, envName string
	eol, latest, repo    string
	relayEOL             string
}

func (a *atom) finish() *atom {
	var b strings.Builder
	for _, v := range a.attrs {
		b.WriteString(v)
		b.WriteByte(0)
	}
	a.id = hashString(b.String())
	if a.season == 0 {
		a.season = 0.8
	}
	return a
}

func baseAtom(p *project, e environment) atom {
	var a atom
	a.attrs[dProject], a.attrs[dProjectID] = p.key, p.id
	a.attrs[dEnv], a.attrs[dEnvID] = e.key, e.id
	return a
}

func setSDK(a *atom, p string, s *sdkInfo) {
	a.attrs[dSDK], a.attrs[dSDKType], a.attrs[dSDKKind], a.attrs[dCategory] = s.name, s.typ, s.kind(), s.category
	if p != "" && s.category != "" {
		a.attrs[dApp] = appID(p, s.name, s.category)
	}
}

// universe is a lazily built, read-only list of atoms with what they measure.
type universe struct {
	name  string
	m     measure
	once  sync.Once
	build func() []*atom
	atoms []*atom
	known [nDims]map[string]bool // lower-cased values of each dimension
}

func (u *universe) init() {
	u.once.Do(func() {
		u.atoms = u.build()
		for d := range u.known {
			u.known[d] = map[string]bool{}
		}
		for _, a := range u.atoms {
			for d, v := range a.attrs {
				if v != "" {
					u.known[d][strings.ToLower(v)] = true
				}
			}
		}
	})
}

func (u *universe) get() []*atom {
	u.init()
	return u.atoms
}

var (
	// Contexts seen by SDKs: MAU and contexts endpoints.
	uContexts = &universe{name: "contexts", m: mUnique, build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs {
				for _, ps := range p.sdks {
					s := ps.sdk
					anonShare := map[string]float64{"browser": 0.38, "mobile": 0.22, "backend": 0.06}[s.category]
					mk := func(kind string, anon bool, level float64) {
						a := baseAtom(p, e)
						setSDK(&a, p.key, s)
						a.attrs[dKind] = kind
						a.attrs[dAnon] = strconv.FormatBool(anon)
						a.base = level * e.factor
						a.season = s.season
						out = append(out, a.finish())
					}
					mk("user", false, ps.mau*(1-anonShare))
					mk("user", true, ps.mau*anonShare)
					switch s.category {
					case "mobile":
						mk("device", false, ps.mau*0.8)
					default:
						mk("organization", false, ps.mau*0.03)
					}
				}
			}
		}
		return out
	}}

	// Streaming connections by SDK and version: the versions of the
	// inventory, each as many as its places' contexts.
	uSDKVersions = &universe{name: "streams", m: mLevel, build: func() []*atom {
		total := map[string]float64{}
		for _, r := range inventory() {
			total[r.versionKey()] += r.ps.mau * r.env().factor * r.share
		}
		var out []*atom
		for _, s := range sdks {
			for _, v := range s.versions {
				level, ok := total[s.name+"\x00"+v.v]
				if !ok {
					continue
				}
				a := atom{}
				setSDK(&a, "", s)
				a.attrs[dVersion] = v.v
				a.base = level
				a.season = s.season
				out = append(out, a.finish())
			}
		}
		return out
	}}

	// Experiments: unique context keys per month.
	uExperiments = &universe{name: "experiments", m: mUnique, build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs[:2] {
				for _, x := range p.experiments {
					a := baseAtom(p, e)
					a.attrs[dExperiment] = x.id
					a.base = x.keys * e.factor
					out = append(out, a.finish())
				}
			}
		}
		return out
	}}

	// Data export events per event kind (shares of a day's volume).
	uDataExport = &universe{name: "data-export", m: mCount, build: func() []*atom {
		kinds := []struct {
			k string
			s float64
		}{{"feature", 0.52}, {"custom", 0.28}, {"identify", 0.15}, {"summary", 0.05}}
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs {
				for _, k := range kinds {
					a := baseAtom(p, e)
					a.attrs[dEventKind] = k.k
					a.base = p.share * e.factor * k.s
					out = append(out, a.finish())
				}
			}
		}
		return out
	}}

	// Experimentation metric events.
	uExpEvents = &universe{name: "experiment-events", m: mCount, build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs[:2] {
				for _, k := range p.eventKeys {
					a := baseAtom(p, e)
					a.attrs[dEventKey], a.attrs[dEventKind] = k.key, k.kind
					a.base = p.share * e.factor * k.share
					out = append(out, a.finish())
				}
			}
		}
		return out
	}}

	// Warehouse export destinations.
	uWarehouse = &universe{name: "warehouse", m: mCount, build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs[:2] {
				for _, d := range p.destinations {
					a := baseAtom(p, e)
					a.attrs[dDest] = d
					a.base = p.share * e.factor / float64(len(p.destinations))
					out = append(out, a.finish())
				}
			}
		}
		return out
	}}

	// AI Config runs per AI SDK and version (runs per day).
	uAIRuns = &universe{name: "ai-runs", m: mCount, build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs {
				for _, ps := range p.aiSDKs {
					for _, v := range ps.sdk.versions {
						a := baseAtom(p, e)
						a.attrs[dSDK], a.attrs[dSDKType], a.attrs[dSDKKind], a.attrs[dVersion] = ps.sdk.name, ps.sdk.typ, "server", v.v
						a.base = ps.mau * e.factor * v.share
						a.season = 0.7
						out = append(out, a.finish())
					}
				}
			}
		}
		return out
	}}

	// Service connections: server SDKs, directly or through the Relay Proxy,
	// per version. The level is connection minutes per day, in hundredths.
	uServiceConns = &universe{name: "service-connections", m: mCount, build: func() []*atom {
		envConn := []float64{1, 0.35, 0.2}
		var out []*atom
		for _, r := range inventory() {
			s := r.sdk()
			if s.typ != "server" {
				continue
			}
			a := baseAtom(r.p, r.env())
			setSDK(&a, r.p.key, s)
			a.attrs[dVersion] = r.v.v
			a.attrs[dConnType] = "direct"
			if r.relay != "" {
				a.attrs[dConnType], a.attrs[dRelay] = "proxy", r.relay
			}
			connections := r.ps.mau / 70 * envConn[r.ei] * r.share
			a.base = connections * 1440 * 100
			a.season = 0.08
			out = append(out, a.finish())
		}
		return out
	}}

	// Projects only (observability, Vega AI).
	uProjects = &universe{name: "projects", m: mCount, build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			a := atom{}
			a.attrs[dProject], a.attrs[dProjectID] = p.key, p.id
			a.base = p.share
			out = append(out, a.finish())
		}
		return out
	}}

	// One atom: account-wide counts with no dimension (events).
	uSingle = &universe{name: "events", m: mCount, build: func() []*atom {
		a := &atom{base: 1}
		return []*atom{a.finish()}
	}}

	// SDK versions in use per project environment (sdk-versions/details and
	// all): the inventory, with no figures, only the atoms' dimensions and
	// version details. The first atom of each (project, environment, SDK)
	// is its newest version.
	uVersions = &universe{name: "versions", m: mCount, build: func() []*atom {
		var out []*atom
		for _, r := range inventory() {
			s, env := r.sdk(), r.env()
			a := baseAtom(r.p, env)
			setSDK(&a, r.p.key, s)
			a.attrs[dVersion] = r.v.v
			a.attrs[dConnType] = "direct"
			if r.relay != "" {
				a.attrs[dConnType], a.attrs[dRelay] = "proxy", r.relay
			}
			a.ver = &verInfo{projectName: r.p.name, envName: env.name, eol: r.v.eol, latest: s.latest, repo: s.repo, relayEOL: r.relayEOL}
			a.base = 1
			out = append(out, a.finish())
		}
		return out
	}}
)

// knownEnvFactor is the size of the standard environments relative to production.
func knownEnvFactor(key string) (float64, bool) {
	for _, e := range standardEnvs {
		if e.key == key {
			return e.factor, true
		}
	}
	return 0, false
}

// flagAtoms are the variations a flag served in one environment: two or
// three, with shares and volume derived from the flag key. A project or
// environment the account does not have is synthetic: its size comes from
// its key.
func flagAtoms(projectKey, envKey, flagKey string, seed uint64) []*atom {
	p := projectByKey(projectKey)
	if p == nil {
		p = &project{key: projectKey, id: projectID(projectKey), share: 0.08 + 0.3*unit(mix(hashString("project/"+projectKey)^seed))}
	}
	factor, ok := knownEnvFactor(envKey)
	if !ok {
		factor = 0.01 + 0.4*unit(mix(hashString("env/"+projectKey+"/"+envKey)^seed))
	}
	env := environment{key: envKey, id: envID(projectKey, envKey), factor: factor}
	h := mix(hashString(flagKey) ^ seed)
	perDay := 2.4e6 * p.share * 2 * (0.25 + 1.75*unit(h)) * env.factor
	var shares []float64
	if h>>40&1 == 0 {
		on := 0.7 + 0.25*unit(mix(h+1))
		shares = []float64{on, 1 - on}
	} else {
		a := 0.5 + 0.2*unit(mix(h+2))
		b := (1 - a) * (0.55 + 0.3*unit(mix(h+3)))
		shares = []float64{a, b, 1 - a - b}
	}
	out := make([]*atom, len(shares))
	for i, s := range shares {
		a := baseAtom(p, env)
		a.attrs[dVariation] = strconv.Itoa(i)
		a.base = perDay * s
		a.season = 0.9
		a.finish()
		a.id = mix(a.id ^ hashString(flagKey)) // each flag has its own noise
		out[i] = &a
	}
	return out
}
