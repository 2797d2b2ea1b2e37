package emulator

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// The synthetic account: three projects with three environments each, a mix
// of client-side and server-side SDKs in several versions, experiments,
// warehouse destinations and AI SDKs. Everything here is fixed; Options.Seed
// only moves the numbers derived from it.

// created is when the synthetic account started sending data: buckets before
// it are absent, as they are for a real account.
var created = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)

type sdkVersion struct {
	v   string
	eol string // EolAllClear, EolNear, EolPast, MajorVersionAvailable, EolUnknown
	// share of this SDK's users on this version
	share float64
}

type sdkInfo struct {
	name     string
	typ      string // client or server
	category string // browser, mobile or backend
	repo     string // github.com/launchdarkly/<repo>
	latest   string // newest version LaunchDarkly has released
	versions []sdkVersion
	season   float64 // how strongly usage dips at weekends
}

var sdks = []*sdkInfo{
	{name: "JavaScript", typ: "client", category: "browser", repo: "js-client-sdk", latest: "3.5.0", season: 1, versions: []sdkVersion{
		{"3.5.0", "EolAllClear", 0.55}, {"3.4.1", "EolAllClear", 0.30}, {"2.24.2", "EolPast", 0.15}}},
	{name: "React", typ: "client", category: "browser", repo: "react-client-sdk", latest: "3.6.1", season: 1, versions: []sdkVersion{
		{"3.6.1", "EolAllClear", 0.60}, {"3.3.2", "EolAllClear", 0.30}, {"2.29.4", "MajorVersionAvailable", 0.10}}},
	{name: "iOS", typ: "client", category: "mobile", repo: "ios-client-sdk", latest: "9.13.0", season: 0.6, versions: []sdkVersion{
		{"9.13.0", "EolAllClear", 0.50}, {"9.10.1", "EolAllClear", 0.35}, {"8.3.0", "EolNear", 0.15}}},
	{name: "Android", typ: "client", category: "mobile", repo: "android-client-sdk", latest: "5.7.0", season: 0.6, versions: []sdkVersion{
		{"5.7.0", "EolAllClear", 0.45}, {"5.4.2", "EolAllClear", 0.35}, {"4.2.3", "EolPast", 0.20}}},
	{name: "Flutter", typ: "client", category: "mobile", repo: "flutter-client-sdk", latest: "4.11.0", season: 0.6, versions: []sdkVersion{
		{"4.11.0", "EolAllClear", 0.70}, {"4.8.0", "EolUnknown", 0.30}}},
	{name: "Go", typ: "server", category: "backend", repo: "go-server-sdk", latest: "7.10.0", season: 0.4, versions: []sdkVersion{
		{"7.10.0", "EolAllClear", 0.60}, {"7.6.2", "EolAllClear", 0.30}, {"6.2.1", "MajorVersionAvailable", 0.10}}},
	{name: "Node.js", typ: "server", category: "backend", repo: "node-server-sdk", latest: "9.9.2", season: 0.4, versions: []sdkVersion{
		{"9.9.2", "EolAllClear", 0.50}, {"9.4.0", "EolAllClear", 0.30}, {"8.2.1", "EolNear", 0.20}}},
	{name: "Java", typ: "server", category: "backend", repo: "java-server-sdk", latest: "7.8.0", season: 0.4, versions: []sdkVersion{
		{"7.8.0", "EolAllClear", 0.55}, {"7.2.1", "EolAllClear", 0.30}, {"6.3.0", "EolPast", 0.15}}},
	{name: "Python", typ: "server", category: "backend", repo: "python-server-sdk", latest: "9.12.0", season: 0.4, versions: []sdkVersion{
		{"9.12.0", "EolAllClear", 0.60}, {"8.3.0", "MajorVersionAvailable", 0.40}}},
	{name: ".NET", typ: "server", category: "backend", repo: "dotnet-server-sdk", latest: "8.9.0", season: 0.4, versions: []sdkVersion{
		{"8.9.0", "EolAllClear", 0.70}, {"7.1.0", "EolNear", 0.30}}},
	{name: "Ruby", typ: "server", category: "backend", repo: "ruby-server-sdk", latest: "8.11.0", season: 0.4, versions: []sdkVersion{
		{"8.11.0", "EolAllClear", 0.50}, {"8.4.0", "EolAllClear", 0.30}, {"7.3.2", "EolPast", 0.20}}},
}

func sdkByName(name string) *sdkInfo {
	for _, s := range sdks {
		if s.name == name {
			return s
		}
	}
	panic("emulator: unknown SDK " + name)
}

func releaseURL(repo, v string) string {
	return "https://github.com/launchdarkly/" + repo + "/releases/tag/" + v
}

// Relay Proxy versions seen in the account.
const (
	relayLatest = "8.11.0"
	relayRepo   = "ld-relay"
)

type environment struct {
	key, name, id string
	factor        float64 // size relative to production
}

type projectSDK struct {
	sdk *sdkInfo
	mau float64 // monthly active users in production (rolling 30 days)
}

type project struct {
	key, name, id string
	share         float64 // share of the account's event volume
	envs          []environment
	sdks          []projectSDK
	experiments   []experiment
	eventKeys     []eventKey
	destinations  []string
	aiSDKs        []projectSDK // AI SDKs; mau is runs per day in production
}

type experiment struct {
	key, id string
	keys    float64 // unique context keys per month in production
}

type eventKey struct {
	key, kind string
	share     float64
}

var projects = []*project{
	{
		key: "web-app", name: "Web App", share: 0.48,
		sdks: []projectSDK{
			{sdkByName("JavaScript"), 16500}, {sdkByName("React"), 7800}, {sdkByName("Node.js"), 5200},
			{sdkByName("Go"), 2100}, {sdkByName("Python"), 900},
		},
		experiments: []experiment{{key: "checkout-redesign", keys: 8200}, {key: "pricing-page-copy", keys: 5100}, {key: "onboarding-tour", keys: 2600}},
		eventKeys: []eventKey{
			{"checkout-completed", "custom", 0.35}, {"add-to-cart", "click", 0.30}, {"pricing-page-view", "pageview", 0.35},
		},
		destinations: []string{"snowflake-v2"},
		aiSDKs:       []projectSDK{{&sdkInfo{name: "python-server-sdk-ai", typ: "server", versions: []sdkVersion{{"0.10.1", "", 0.7}, {"0.8.0", "", 0.3}}}, 38000}},
	},
	{
		key: "mobile-app", name: "Mobile App", share: 0.34,
		sdks: []projectSDK{
			{sdkByName("iOS"), 6400}, {sdkByName("Android"), 8200}, {sdkByName("Flutter"), 2300},
			{sdkByName("Java"), 3100}, {sdkByName("Node.js"), 1200},
		},
		experiments: []experiment{{key: "push-reminder-timing", keys: 6900}, {key: "home-feed-ranking", keys: 3300}},
		eventKeys: []eventKey{
			{"session-length", "custom", 0.45}, {"purchase", "custom", 0.25}, {"tab-tapped", "click", 0.30},
		},
		destinations: []string{"bigquery"},
		aiSDKs:       []projectSDK{{&sdkInfo{name: "node-server-sdk-ai", typ: "server", versions: []sdkVersion{{"0.9.2", "", 0.8}, {"0.7.0", "", 0.2}}}, 21000}},
	},
	{
		key: "payments", name: "Payments", share: 0.18,
		sdks: []projectSDK{
			{sdkByName("React"), 1400}, {sdkByName("Go"), 1700}, {sdkByName("Java"), 2600},
			{sdkByName(".NET"), 950}, {sdkByName("Ruby"), 420}, {sdkByName("Python"), 300},
		},
		experiments:  []experiment{{key: "fraud-check-threshold", keys: 1900}},
		eventKeys:    []eventKey{{"payment-succeeded", "custom", 0.7}, {"payment-failed", "custom", 0.3}},
		destinations: []string{"databricks", "redshift"},
	},
}

func init() {
	for _, p := range projects {
		p.id = idOf("project/" + p.key)
		p.envs = []environment{
			{key: "production", name: "Production", factor: 1},
			{key: "staging", name: "Staging", factor: 0.045},
			{key: "test", name: "Test", factor: 0.012},
		}
		for i := range p.envs {
			p.envs[i].id = idOf("env/" + p.key + "/" + p.envs[i].key)
		}
		for i := range p.experiments {
			p.experiments[i].id = idOf("experiment/" + p.key + "/" + p.experiments[i].key)
		}
	}
}

func projectByKey(key string) *project {
	for _, p := range projects {
		if p.key == key {
			return p
		}
	}
	return nil
}

// idOf makes a stable 24-hex-digit identifier, like LaunchDarkly's object IDs.
func idOf(s string) string {
	h := hashString(s)
	b := strconv.AppendUint(make([]byte, 0, 24), h, 16)
	for len(b) < 16 {
		b = append([]byte{'0'}, b...)
	}
	l := strconv.AppendUint(nil, mix(h)>>32, 16)
	for len(l) < 8 {
		l = append([]byte{'0'}, l...)
	}
	return string(append(b, l...))
}

// appID names the application an SDK runs in.
func appID(p *project, s *sdkInfo) string {
	switch s.category {
	case "mobile":
		return "com.example." + strings.ReplaceAll(p.key, "-", "") + "." + strings.ToLower(s.name)
	case "browser":
		return p.key + "-frontend"
	default:
		n := strings.ToLower(strings.TrimPrefix(s.name, "."))
		n = strings.TrimSuffix(n, ".js")
		return p.key + "-" + n + "-service"
	}
}

// relayFor says whether a server SDK of a project environment connects
// through the Relay Proxy, and which version.
func relayFor(p *project, env string, s *sdkInfo) (version, eol string) {
	if s.typ != "server" {
		return "", ""
	}
	switch {
	case p.key == "payments":
		return "8.10.2", "EolAllClear"
	case p.key == "mobile-app" && env == "staging":
		return "7.4.1", "MajorVersionAvailable"
	}
	return "", ""
}

// newestInUse is the index in s.versions of the newest version a project
// environment runs: production keeps up, other environments lag behind.
func newestInUse(p *project, envIdx int, s *sdkInfo) int {
	if envIdx == 0 && p.key != "payments" {
		return 0
	}
	n := len(s.versions)
	return int(hashString(p.key+"/"+strconv.Itoa(envIdx)+"/"+s.name) % uint64(n))
}

// Dimensions of a data point. Query filters and groupBy values name them.
type dim int

const (
	dProject dim = iota
	dProjectID
	dEnv
	dEnvID
	dSDK
	dSDKType
	dVersion
	dAnon
	dKind
	dApp
	dCategory
	dVariation
	dExperiment
	dEventKind
	dEventKey
	dDest
	dConnType
	dRelay
	nDims
)

// dimByName maps LaunchDarkly's parameter and groupBy names (both editions)
// to dimensions.
var dimByName = map[string]dim{
	"project": dProject, "projectKey": dProject, "projectId": dProjectID,
	"environment": dEnv, "environmentKey": dEnv, "environmentId": dEnvID,
	"sdk": dSDK, "sdkName": dSDK, "sdktype": dSDKType, "sdkType": dSDKType,
	"version": dVersion, "sdkVersion": dVersion,
	"anonymous": dAnon, "anonymousV2": dAnon, "contextKind": dKind, "sdkAppId": dApp,
	"category": dCategory, "variation": dVariation, "experimentId": dExperiment,
	"eventKind": dEventKind, "eventKey": dEventKey, "destination": dDest,
	"connectionType": dConnType, "relayVersion": dRelay,
}

// atom is the smallest unit of synthetic usage: one combination of every
// dimension the universe knows, with its level (unique users per month for
// unique counts, count per day otherwise).
type atom struct {
	attrs  [nDims]string
	base   float64
	season float64
	id     uint64
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

// universe is a lazily built, read-only list of atoms.
type universe struct {
	once  sync.Once
	build func() []*atom
	atoms []*atom
}

func (u *universe) get() []*atom {
	u.once.Do(func() { u.atoms = u.build() })
	return u.atoms
}

var (
	// Contexts seen by SDKs: MAU and contexts endpoints.
	uContexts = &universe{build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs {
				for _, ps := range p.sdks {
					s := ps.sdk
					anonShare := map[string]float64{"browser": 0.38, "mobile": 0.22, "backend": 0.06}[s.category]
					mk := func(kind string, anon bool, level float64) {
						a := baseAtom(p, e)
						a.attrs[dSDK], a.attrs[dSDKType], a.attrs[dCategory] = s.name, s.typ, s.category
						a.attrs[dApp] = appID(p, s)
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

	// Streaming connections by SDK and version.
	uSDKVersions = &universe{build: func() []*atom {
		total := map[*sdkInfo]float64{}
		for _, p := range projects {
			for _, ps := range p.sdks {
				for _, e := range p.envs {
					total[ps.sdk] += ps.mau * e.factor
				}
			}
		}
		var out []*atom
		for _, s := range sdks {
			for _, v := range s.versions {
				a := atom{}
				a.attrs[dSDK], a.attrs[dSDKType], a.attrs[dVersion], a.attrs[dCategory] = s.name, s.typ, v.v, s.category
				a.base = total[s] * v.share
				a.season = s.season
				out = append(out, a.finish())
			}
		}
		return out
	}}

	// Experiments: unique keys per month.
	uExperiments = &universe{build: func() []*atom {
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
	uDataExport = &universe{build: func() []*atom {
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
	uExpEvents = &universe{build: func() []*atom {
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
	uWarehouse = &universe{build: func() []*atom {
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
	uAIRuns = &universe{build: func() []*atom {
		var out []*atom
		for _, p := range projects {
			for _, e := range p.envs {
				for _, ps := range p.aiSDKs {
					for _, v := range ps.sdk.versions {
						a := baseAtom(p, e)
						a.attrs[dSDK], a.attrs[dSDKType], a.attrs[dVersion] = ps.sdk.name, ps.sdk.typ, v.v
						a.base = ps.mau * e.factor * v.share
						a.season = 0.7
						out = append(out, a.finish())
					}
				}
			}
		}
		return out
	}}

	// Service connections: server SDKs (directly or through Relay) per version.
	// The level is connection-months per day (connections / 30.4).
	uServiceConns = &universe{build: func() []*atom {
		envConn := []float64{1, 0.35, 0.2}
		var out []*atom
		for _, p := range projects {
			for ei, e := range p.envs {
				for _, ps := range p.sdks {
					s := ps.sdk
					if s.typ != "server" {
						continue
					}
					relay, _ := relayFor(p, e.key, s)
					for _, v := range s.versions {
						a := baseAtom(p, e)
						a.attrs[dSDK], a.attrs[dSDKType], a.attrs[dVersion], a.attrs[dApp] = s.name, s.typ, v.v, appID(p, s)
						a.attrs[dConnType], a.attrs[dRelay] = "sdk", ""
						if relay != "" {
							a.attrs[dConnType], a.attrs[dRelay] = "relay", relay
						}
						a.base = ps.mau / 70 * envConn[ei] * v.share / 30.4
						a.season = 0.08
						out = append(out, a.finish())
					}
				}
			}
		}
		return out
	}}

	// Projects only (observability, Vega AI).
	uProjects = &universe{build: func() []*atom {
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
	uSingle = &universe{build: func() []*atom {
		a := &atom{base: 1}
		return []*atom{a.finish()}
	}}
)

// flagAtoms are the variations a flag served in one environment: two or
// three, with shares and volume derived from the flag key. Unknown projects
// and environments have none.
func flagAtoms(projectKey, envKey, flagKey string, seed uint64) []*atom {
	p := projectByKey(projectKey)
	if p == nil {
		return nil
	}
	var env *environment
	for i := range p.envs {
		if p.envs[i].key == envKey {
			env = &p.envs[i]
		}
	}
	if env == nil {
		return nil
	}
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
		a := baseAtom(p, *env)
		a.attrs[dVariation] = strconv.Itoa(i)
		a.base = perDay * s
		a.season = 0.9
		out[i] = a.finish()
	}
	return out
}
