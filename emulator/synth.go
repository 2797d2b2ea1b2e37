package emulator

import (
	"slices"
	"strings"
	"sync"
	"unicode"
)

// The demo answers whatever is asked: a filter value the account does not
// have (an unknown project, environment, SDK, experiment, event kind…) is
// not an empty answer but a synthetic one. Its atoms are clones of the atoms
// of one value the account has (chosen by the unknown value's hash among the
// values still in play), renamed, rescaled by a factor from the hash, and
// with new ids (so new noise). Values the account has filter as they always
// did. The same request gives the same answer whatever was asked before.

type filter struct {
	d    dim
	vals []string
}

// clientKinds are today's sdkType values a filter "client" stands for.
var clientKinds = []string{"browser", "mobile"}

func (f filter) match(a *atom) bool {
	for _, v := range f.vals {
		if strings.EqualFold(a.attrs[f.d], v) {
			return true
		}
		if f.d == dSDKKind && strings.EqualFold(v, "client") && slices.Contains(clientKinds, a.attrs[dSDKKind]) {
			return true
		}
	}
	return false
}

// filterRank orders filters so that a synthetic value is cloned within what
// the earlier filters kept: a project before its environments, an SDK's type
// before its name, its name before its version.
var filterRank = func() (r [nDims]int) {
	order := []dim{dProject, dProjectID, dEnv, dEnvID, dSDKType, dSDKKind, dCategory, dSDK, dVersion, dApp,
		dAnon, dKind, dVariation, dExperiment, dEventKind, dEventKey, dDest, dConnType, dRelay}
	for i, d := range order {
		r[d] = i
	}
	return r
}()

// known reports whether the universe has a value of d (case-insensitive).
type knownFunc func(d dim, v string) bool

func knownIn(u *universe) knownFunc {
	u.init()
	return func(d dim, v string) bool {
		if d == dSDKKind && strings.EqualFold(v, "client") {
			return true
		}
		return u.known[d][strings.ToLower(v)]
	}
}

func knownAmong(atoms []*atom) knownFunc {
	return func(d dim, v string) bool {
		for _, a := range atoms {
			if strings.EqualFold(a.attrs[d], v) {
				return true
			}
		}
		return false
	}
}

// applyFilters keeps the atoms every filter matches, synthesising atoms for
// values the universe does not know. note, when set, is told of each
// synthetic project and environment.
func applyFilters(all []*atom, known knownFunc, filters []filter, seed uint64, note func(project, env string)) []*atom {
	filters = slices.Clone(filters)
	slices.SortStableFunc(filters, func(a, b filter) int { return filterRank[a.d] - filterRank[b.d] })
	cur := all
	for _, f := range filters {
		var next []*atom
		for _, a := range cur {
			if f.match(a) {
				next = append(next, a)
			}
		}
		var seen []string
		for _, v := range f.vals {
			lv := strings.ToLower(v)
			if v == "" || known(f.d, v) || slices.Contains(seen, lv) {
				continue
			}
			seen = append(seen, lv)
			clones := synthesize(cur, f.d, v, seed)
			next = append(next, clones...)
			if note != nil {
				for _, c := range clones {
					switch f.d {
					case dProject:
						note(c.attrs[dProject], "")
					case dEnv:
						note(c.attrs[dProject], c.attrs[dEnv])
					}
				}
			}
		}
		cur = next
	}
	return cur
}

// synthesize clones the atoms of one value of d in cur as value v.
func synthesize(cur []*atom, d dim, v string, seed uint64) []*atom {
	var vals []string
	for _, a := range cur {
		if t := a.attrs[d]; t != "" && !slices.Contains(vals, t) {
			vals = append(vals, t)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	slices.Sort(vals)
	h := mix(hashString(dimNames[d]+"\x00"+strings.ToLower(v)) ^ seed)
	t := vals[h%uint64(len(vals))]
	factor := 0.2 + 0.8*unit(mix(h+1))
	// An unknown project or environment is a scaled blend of all the
	// account's, so that it has every kind of usage they have (SDKs, proxy
	// connections, experiments) and any further filter finds something.
	whole := d == dProject || d == dProjectID || d == dEnv || d == dEnvID
	if whole {
		factor /= float64(len(vals))
	}
	var out []*atom
	for _, a := range cur {
		if a.attrs[d] == t || whole && a.attrs[d] != "" {
			out = append(out, cloneAs(a, d, v, factor))
		}
	}
	return out
}

// cloneAs copies a with dimension d set to v, the dimensions that derive
// from it rederived, and its level scaled by factor.
func cloneAs(a *atom, d dim, v string, factor float64) *atom {
	c := *a
	c.attrs[d] = v
	p, env := c.attrs[dProject], c.attrs[dEnv]
	switch d {
	case dProject:
		c.attrs[dProjectID] = projectID(v)
		if env != "" {
			c.attrs[dEnvID] = envID(v, env)
		}
	case dProjectID:
		c.attrs[dProject] = "project-" + strings.ToLower(v)
	case dEnv:
		if p != "" {
			c.attrs[dEnvID] = envID(p, v)
		}
	case dEnvID:
		c.attrs[dEnv] = "env-" + strings.ToLower(v)
	case dRelay:
		c.attrs[dConnType] = "proxy"
	case dConnType:
		if v == "direct" {
			c.attrs[dRelay] = ""
		}
	}
	if c.attrs[dApp] != "" && (d == dProject || d == dProjectID || d == dSDK) {
		c.attrs[dApp] = appID(c.attrs[dProject], c.attrs[dSDK], c.attrs[dCategory])
	}
	if c.ver != nil {
		vi := *c.ver
		switch d {
		case dProject, dProjectID:
			vi.projectName = titleOf(c.attrs[dProject])
		case dEnv, dEnvID:
			vi.envName = titleOf(c.attrs[dEnv])
		case dSDK:
			vi.repo = strings.ToLower(strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					return r
				}
				return '-'
			}, v)) + "-sdk"
		}
		c.ver = &vi
	}
	c.base *= factor
	return c.finish()
}

// titleOf makes a display name of a key: "mobile-app" → "Mobile App".
func titleOf(key string) string {
	words := strings.FieldsFunc(key, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' })
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	if len(words) == 0 {
		return key
	}
	return strings.Join(words, " ")
}

// named remembers the synthetic projects, and the synthetic environments of
// any project, that requests have named, so that the projects API lists them
// as it lists the account's own. It is bounded: a demo server that is asked
// for many keys stops remembering new ones (their ids stay derivable).
type named struct {
	mu       sync.Mutex
	projects []string            // synthetic projects, in the order first named
	envs     map[string][]string // extra environments per project
}

const (
	maxNamedProjects = 200
	maxNamedEnvs     = 20
)

func (n *named) note(project, env string) {
	if project == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if projectByKey(project) == nil && !slices.Contains(n.projects, project) {
		if len(n.projects) >= maxNamedProjects {
			return
		}
		n.projects = append(n.projects, project)
	}
	if env == "" {
		return
	}
	if _, ok := knownEnvFactor(env); ok {
		return
	}
	if n.envs == nil {
		n.envs = map[string][]string{}
	}
	if es := n.envs[project]; !slices.Contains(es, env) && len(es) < maxNamedEnvs {
		n.envs[project] = append(es, env)
	}
}

func (n *named) snapshot() (projects []string, envs map[string][]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	envs = make(map[string][]string, len(n.envs))
	for k, v := range n.envs {
		envs[k] = slices.Clone(v)
	}
	return slices.Clone(n.projects), envs
}
