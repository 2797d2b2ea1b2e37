package emulator

import (
	"fmt"
	"net/url"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// Model is a read-only view of the synthetic account an emulator serves:
// the atoms (smallest combinations of dimensions) each endpoint counts and
// their primitives (model.go), so that tests can compute expected figures
// by aggregating atoms themselves, without the emulator's series code or
// the product's meaning table.
type Model struct{ seed uint64 }

// Account returns the model of the account served by an emulator whose
// Options.Seed is seed.
func Account(seed uint64) *Model { return &Model{seed: seed} }

// Atom is one atom as one endpoint measures it. Its methods are pure
// functions of the atom and time (the same for every call and every
// emulator of the seed). The atoms of one Atoms or Select call share
// caches: use them from one goroutine at a time.
type Atom struct{ x *inst }

// Atoms returns every atom the operation (operationId or tool name) may
// count for its path arguments, before any filter: also before the filters
// an endpoint applies by itself (the client side of client-side MAU, the
// primary context kind "user" of MAU, the SDK side of a stream source).
// Path arguments choose the flag of evaluations (any keys: unknown ones are
// synthetic) and scale streams (source) and events (type).
func (m *Model) Atoms(op string, path map[string]string) ([]Atom, error) {
	ep, p, err := m.endpoint(op)
	if err != nil {
		return nil, err
	}
	all, _ := p.universeOf(path, m.seed)
	return m.wrap(ep, p, path, all), nil
}

// Select returns the atoms an emulator counts for a request with these path
// arguments and query: its filters applied as the emulator applies them,
// values the account does not have synthesised.
func (m *Model) Select(op string, path map[string]string, query url.Values) ([]Atom, error) {
	ep, p, err := m.endpoint(op)
	if err != nil {
		return nil, err
	}
	all, known := p.universeOf(path, m.seed)
	sel := applyFilters(all, known, p.filters(ep, path, query), m.seed, nil)
	return m.wrap(ep, p, path, sel), nil
}

func (m *Model) endpoint(op string) (*client.Endpoint, *profile, error) {
	ep := client.Lookup(op)
	if ep == nil {
		return nil, nil, fmt.Errorf("emulator: no operation %q", op)
	}
	p, ok := profiles[ep.Operation]
	if !ok {
		return nil, nil, fmt.Errorf("emulator: %s has no model", ep.Operation)
	}
	return ep, p, nil
}

func (m *Model) wrap(ep *client.Endpoint, p *profile, path map[string]string, atoms []*atom) []Atom {
	uni := "flag"
	if p.u != nil {
		uni = p.u.name
	}
	scale := p.scaleOf(ep, path)
	sh := newShared(m.seed)
	out := make([]Atom, len(atoms))
	for i, a := range atoms {
		out[i] = Atom{newInst(a, p.measure(), scale, uni, m.seed, sh)}
	}
	return out
}

// Dims returns the atom's dimensions by name: projectKey, projectId,
// environmentKey, environmentId, sdktype (client or server), sdkType
// (browser, mobile or server), category, sdkName, sdkVersion, sdkAppId,
// anonymous, contextKind, variation, experimentId, eventKind, eventKey,
// destination, connectionType, relayVersion; only those it has. The atoms
// of the SDK version endpoints also have eolStatus, relayEolStatus and
// ldLatestVersion.
func (a Atom) Dims() map[string]string {
	out := map[string]string{}
	for d, v := range a.x.a.attrs {
		if v != "" {
			out[dimNames[d]] = v
		}
	}
	if v := a.x.a.ver; v != nil {
		out["eolStatus"], out["ldLatestVersion"] = v.eol, v.latest
		if v.relayEOL != "" {
			out["relayEolStatus"] = v.relayEOL
		}
	}
	return out
}

// Dim returns one dimension of the atom ("" when it has none).
func (a Atom) Dim(name string) string { return a.Dims()[name] }

// Measure is what the atom counts: "unique", "count" or "level".
func (a Atom) Measure() string { return a.x.m.String() }

// Unique is the number of distinct contexts active in [from, to).
func (a Atom) Unique(from, to time.Time) int64 {
	a.must(mUnique)
	return a.x.unique(from, to)
}

// Active is the number of distinct contexts active on the UTC day holding day.
func (a Atom) Active(day time.Time) int64 {
	d := dayStart(dayIndex(day))
	return a.Unique(d, d.Add(24*time.Hour))
}

// FirstSeen is the number of contexts active in [from, to) that were not
// active earlier in their UTC month; from and to lie in one month (to may be
// the next month's start).
func (a Atom) FirstSeen(from, to time.Time) int64 {
	ms := monthStart(from)
	if to.After(ms.AddDate(0, 1, 0)) {
		panic("emulator: FirstSeen across a month boundary")
	}
	return a.Unique(ms, to) - a.Unique(ms, from)
}

// Count is what happened in [from, to): events, evaluations, rows, runs, or
// hundredths of a connection minute for service connections.
func (a Atom) Count(from, to time.Time) int64 {
	a.must(mCount)
	return int64(a.x.count(from, to))
}

// Level is the number of connections open in the minute starting at minute.
func (a Atom) Level(minute time.Time) int64 {
	a.must(mLevel)
	return int64(a.x.minuteLevel(minute.Truncate(time.Minute)))
}

func (a Atom) must(m measure) {
	if a.x.m != m {
		panic(fmt.Sprintf("emulator: a %s atom has no %s figures", a.x.m, m))
	}
}

// Project is a project of the account with its environments.
type Project struct {
	Key, Name, ID string
	Environments  []Environment
}

// Environment is an environment of a project.
type Environment struct{ Key, Name, ID string }

// Projects returns the account's own projects (synthetic ones, named by
// requests, are not in the model: their ids derive from their keys as
// these do).
func (m *Model) Projects() []Project {
	var out []Project
	for _, p := range projects {
		pr := Project{Key: p.key, Name: p.name, ID: p.id}
		for _, e := range p.envs {
			pr.Environments = append(pr.Environments, Environment{e.key, e.name, e.id})
		}
		out = append(out, pr)
	}
	return out
}
