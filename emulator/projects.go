package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The projects API (not in beta), so that the product can name the projects
// and environments whose ids usage metadata carries:
//
//	GET /api/v2/projects[?limit=&offset=&expand=environments]
//	GET /api/v2/projects/{projectKey}[?expand=environments]
//	GET /api/v2/projects/{projectKey}/environments[?limit=&offset=]
//	GET /api/v2/projects/{projectKey}/environments/{environmentKey}
//
// Ids derive from keys (projectID, envID), so the ids in usage metadata are
// the ids listed here, for the account's projects and for synthetic ones. The
// list holds the account's projects, then the synthetic projects requests
// have named (in the order first named), each with the standard environments
// and any synthetic environment requests have named. A project or
// environment asked for by key always exists (the demo answers whatever is
// asked). No SDK keys or mobile keys are served.

type projRoute struct {
	template string
	segs     []string
}

var projRoutes = []projRoute{
	{"/api/v2/projects", nil},
	{"/api/v2/projects/{projectKey}", nil},
	{"/api/v2/projects/{projectKey}/environments", nil},
	{"/api/v2/projects/{projectKey}/environments/{environmentKey}", nil},
}

func init() {
	for i := range projRoutes {
		projRoutes[i].segs = strings.Split(projRoutes[i].template, "/")
	}
}

// matchProjects finds the projects route of an escaped path and its arguments.
func matchProjects(escaped string) (*projRoute, map[string]string) {
	segs := strings.Split(escaped, "/")
next:
	for i := range projRoutes {
		r := &projRoutes[i]
		if len(r.segs) != len(segs) {
			continue
		}
		args := map[string]string{}
		for j, t := range r.segs {
			if name, ok := strings.CutPrefix(t, "{"); ok {
				v, err := url.PathUnescape(segs[j])
				if err != nil || v == "" {
					continue next
				}
				args[strings.TrimSuffix(name, "}")] = v
			} else if t != segs[j] {
				continue next
			}
		}
		return r, args
	}
	return nil, nil
}

type link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

type links map[string]link

func self(href string) links { return links{"self": {href, "application/json"}} }

type clientSideAvailability struct {
	UsingMobileKey     bool `json:"usingMobileKey"`
	UsingEnvironmentID bool `json:"usingEnvironmentId"`
}

type projectRep struct {
	Links                         links                  `json:"_links"`
	ID                            string                 `json:"_id"`
	Key                           string                 `json:"key"`
	Name                          string                 `json:"name"`
	Tags                          []string               `json:"tags"`
	IncludeInSnippetByDefault     bool                   `json:"includeInSnippetByDefault"`
	DefaultClientSideAvailability clientSideAvailability `json:"defaultClientSideAvailability"`
	Environments                  *envList               `json:"environments,omitempty"`
}

type envList struct {
	Links      links    `json:"_links"`
	TotalCount int      `json:"totalCount"`
	Items      []envRep `json:"items"`
}

type envRep struct {
	Links              links    `json:"_links"`
	ID                 string   `json:"_id"`
	Key                string   `json:"key"`
	Name               string   `json:"name"`
	Color              string   `json:"color"`
	DefaultTTL         int      `json:"defaultTtl"`
	SecureMode         bool     `json:"secureMode"`
	DefaultTrackEvents bool     `json:"defaultTrackEvents"`
	RequireComments    bool     `json:"requireComments"`
	ConfirmChanges     bool     `json:"confirmChanges"`
	Critical           bool     `json:"critical"`
	Tags               []string `json:"tags"`
}

type projectList struct {
	Links      links        `json:"_links"`
	Items      []projectRep `json:"items"`
	TotalCount int          `json:"totalCount"`
}

// projectInfo is a project of the list: key, name and environment keys.
type projectInfo struct {
	key, name string
	envs      []string
}

// projectList is every project the API lists, in order.
func (e *Emulator) projectInfos() []projectInfo {
	synthetic, extra := e.named.snapshot()
	var out []projectInfo
	add := func(key, name string) {
		p := projectInfo{key: key, name: name}
		for _, env := range standardEnvs {
			p.envs = append(p.envs, env.key)
		}
		p.envs = append(p.envs, extra[key]...)
		out = append(out, p)
	}
	for _, p := range projects {
		add(p.key, p.name)
	}
	for _, k := range synthetic {
		add(k, titleOf(k))
	}
	return out
}

// projectFor returns the project of key, synthetic if the account has none.
func (e *Emulator) projectFor(key string) projectInfo {
	for _, p := range e.projectInfos() {
		if p.key == key {
			return p
		}
	}
	e.named.note(key, "")
	p := projectInfo{key: key, name: titleOf(key)}
	for _, env := range standardEnvs {
		p.envs = append(p.envs, env.key)
	}
	return p
}

func envName(key string) string {
	for _, e := range standardEnvs {
		if e.key == key {
			return e.name
		}
	}
	return titleOf(key)
}

var envColors = []string{"417505", "F5A623", "7B42BC", "0B6BCB", "D0021B", "50E3C2"}

func envRepOf(project, env string) envRep {
	href := "/api/v2/projects/" + url.PathEscape(project) + "/environments/" + url.PathEscape(env)
	return envRep{
		Links: self(href), ID: envID(project, env), Key: env, Name: envName(env),
		Color:      envColors[hashString(project+"/"+env)%uint64(len(envColors))],
		SecureMode: false, DefaultTrackEvents: false,
		RequireComments: env == "production", ConfirmChanges: env == "production", Critical: env == "production",
		Tags: []string{},
	}
}

func envListOf(p projectInfo, from, to int, base string) *envList {
	l := &envList{Links: self(base), TotalCount: len(p.envs), Items: []envRep{}}
	for _, env := range p.envs[from:to] {
		l.Items = append(l.Items, envRepOf(p.key, env))
	}
	return l
}

func projectRepOf(p projectInfo, expand bool) projectRep {
	href := "/api/v2/projects/" + url.PathEscape(p.key)
	r := projectRep{
		Links: links{"self": {href, "application/json"}, "environments": {href + "/environments", "application/json"}},
		ID:    projectID(p.key), Key: p.key, Name: p.name, Tags: []string{},
		DefaultClientSideAvailability: clientSideAvailability{UsingEnvironmentID: true, UsingMobileKey: true},
	}
	if expand {
		r.Environments = envListOf(p, 0, len(p.envs), href+"/environments")
	}
	return r
}

// validKey is what LaunchDarkly accepts as a project or environment key.
func validKey(k string) bool {
	if k == "" || len(k) > 256 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// page reads limit and offset (limit defaults to 20, at most 1000).
func page(q url.Values, n int) (from, to, limit int, err error) {
	limit = 20
	if s := q.Get("limit"); s != "" {
		v, e := strconv.Atoi(s)
		if e != nil || v < 1 || v > 1000 {
			return 0, 0, 0, fmt.Errorf("limit must be an integer from 1 to 1000, got %q", s)
		}
		limit = v
	}
	if s := q.Get("offset"); s != "" {
		v, e := strconv.Atoi(s)
		if e != nil || v < 0 {
			return 0, 0, 0, fmt.Errorf("offset must be a non-negative integer, got %q", s)
		}
		from = v
	}
	from = min(from, n)
	return from, min(from+limit, n), limit, nil
}

// pageLinks are the _links of a page: self, first, last, and prev/next
// where there is such a page.
func pageLinks(base string, extra url.Values, from, limit, n int) links {
	at := func(off int) link {
		v := url.Values{}
		for k, vs := range extra {
			v[k] = vs
		}
		v.Set("limit", strconv.Itoa(limit))
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		return link{base + "?" + v.Encode(), "application/json"}
	}
	l := links{"self": at(from), "first": at(0)}
	last := 0
	if n > 0 {
		last = (n - 1) / limit * limit
	}
	l["last"] = at(last)
	if from+limit < n {
		l["next"] = at(from + limit)
	}
	if from > 0 {
		l["prev"] = at(max(from-limit, 0))
	}
	return l
}

func expands(q url.Values, what string) bool {
	for _, v := range q["expand"] {
		if slices.Contains(strings.Split(v, ","), what) {
			return true
		}
	}
	return false
}

// projectsAPI answers a projects route.
func (e *Emulator) projectsAPI(r *projRoute, args map[string]string, q url.Values) (int, []byte) {
	fail := func(status int, code, msg string) (int, []byte) {
		b, _ := json.Marshal(map[string]string{"code": code, "message": msg})
		return status, b
	}
	ok := func(v any) (int, []byte) {
		b, _ := json.Marshal(v)
		return http.StatusOK, b
	}
	key := args["projectKey"]
	if key != "" && !validKey(key) || args["environmentKey"] != "" && !validKey(args["environmentKey"]) {
		return fail(http.StatusNotFound, "not_found", "Unknown resource")
	}
	expand := expands(q, "environments")
	switch r.template {
	case "/api/v2/projects":
		all := e.projectInfos()
		from, to, limit, err := page(q, len(all))
		if err != nil {
			return fail(http.StatusBadRequest, "invalid_request", err.Error())
		}
		extra := url.Values{}
		if vs := q["expand"]; len(vs) > 0 {
			extra["expand"] = vs
		}
		out := projectList{Links: pageLinks("/api/v2/projects", extra, from, limit, len(all)), Items: []projectRep{}, TotalCount: len(all)}
		for _, p := range all[from:to] {
			out.Items = append(out.Items, projectRepOf(p, expand))
		}
		return ok(out)
	case "/api/v2/projects/{projectKey}":
		return ok(projectRepOf(e.projectFor(key), expand))
	case "/api/v2/projects/{projectKey}/environments":
		p := e.projectFor(key)
		from, to, limit, err := page(q, len(p.envs))
		if err != nil {
			return fail(http.StatusBadRequest, "invalid_request", err.Error())
		}
		base := "/api/v2/projects/" + url.PathEscape(key) + "/environments"
		l := envListOf(p, from, to, base)
		l.Links = pageLinks(base, nil, from, limit, len(p.envs))
		return ok(l)
	default:
		env := args["environmentKey"]
		e.named.note(key, env)
		return ok(envRepOf(key, env))
	}
}
