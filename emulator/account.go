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
	typ      string // client or server (the deprecated /usage/mau's sdktype)
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

// kind is the SDK's type as today's API names it (sdkType): browser, mobile or server.
func (s *sdkInfo) kind() string {
	if s.typ == "server" {
		return "server"
	}
	return s.category
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

// standardEnvs are the environments of every project, known or synthetic.
var standardEnvs = []environment{
	{key: "production", name: "Production", factor: 1},
	{key: "staging", name: "Staging", factor: 0.045},
	{key: "test", name: "Test", factor: 0.012},
}

func init() {
	for _, p := range projects {
		p.id = projectID(p.key)
		p.envs = append([]environment(nil), standardEnvs...)
		for i := range p.envs {
			p.envs[i].id = envID(p.key, p.envs[i].key)
		}
		for i := range p.experiments {
			p.experiments[i].id = idOf("experiment/" + p.key + "/" + p.experiments[i].key)
		}
	}
}

// projectID and envID are the identifiers of a project and an environment:
// derived from their keys, for known and synthetic projects alike, so that
// the ids in usage metadata are the ids the projects API lists.
func projectID(key string) string      { return idOf("project/" + key) }
func envID(project, env string) string { return idOf("env/" + project + "/" + env) }

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

// appID names the application an SDK of a category runs in, in a project.
func appID(project, sdk, category string) string {
	switch category {
	case "mobile":
		return "com.example." + strings.ReplaceAll(project, "-", "") + "." + strings.ToLower(sdk)
	case "browser":
		return project + "-frontend"
	default:
		n := strings.ToLower(strings.TrimPrefix(sdk, "."))
		n = strings.TrimSuffix(n, ".js")
		return project + "-" + n + "-service"
	}
}

// relayFor says whether a server SDK of a project environment connects
// through the Relay Proxy (connectionType proxy), and which version; "" when
// it connects directly.
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

// running is one SDK version in use in one project environment.
type running struct {
	p        *project
	ei       int // index in p.envs
	ps       projectSDK
	v        sdkVersion
	share    float64 // share of the SDK's contexts in this place on this version
	relay    string  // Relay Proxy version when it connects through one
	relayEOL string
}

func (r running) sdk() *sdkInfo      { return r.ps.sdk }
func (r running) env() environment   { return r.p.envs[r.ei] }
func (r running) versionKey() string { return r.ps.sdk.name + "\x00" + r.v.v }

// inventory is the account's one list of SDK versions and their places
// (project environments), newest version of each place first. Every SDK
// view draws from it: sdk-versions/details and all, the versions streams
// list and count, service connections per version, the SDKs MAU lists, so
// that they agree on which version runs where. A place runs the versions
// from its newest in use (newestInUse) to the oldest; their shares of the
// place are the SDK's version shares, renormalised over those versions.
var inventory = sync.OnceValue(func() []running {
	var out []running
	for _, p := range projects {
		for ei, env := range p.envs {
			for _, ps := range p.sdks {
				s := ps.sdk
				relay, relayEOL := relayFor(p, env.key, s)
				first := newestInUse(p, ei, s)
				var total float64
				for _, v := range s.versions[first:] {
					total += v.share
				}
				for _, v := range s.versions[first:] {
					out = append(out, running{p: p, ei: ei, ps: ps, v: v, share: v.share / total, relay: relay, relayEOL: relayEOL})
				}
			}
		}
	}
	return out
})
