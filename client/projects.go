package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Names maps LaunchDarkly's project and environment ids, which usage series
// carry in their metadata (projectId, environmentId), to the keys people know
// their projects and environments by.
type Names struct {
	projects map[string]string // project id → project key
	envs     map[string]string // environment id → "<project key>/<environment key>"
}

// Project returns the key of the project with the given id.
func (n *Names) Project(id string) (string, bool) {
	if n == nil {
		return "", false
	}
	k, ok := n.projects[id]
	return k, ok
}

// Environment returns "<project key>/<environment key>" for an environment id.
func (n *Names) Environment(id string) (string, bool) {
	if n == nil {
		return "", false
	}
	k, ok := n.envs[id]
	return k, ok
}

// Len is the number of projects and environments known.
func (n *Names) Len() int {
	if n == nil {
		return 0
	}
	return len(n.projects) + len(n.envs)
}

// Limits of the projects walk: a page of projects (LaunchDarkly's default is
// 20), and how many pages are read at most.
const (
	projectsPage     = 100
	projectsMaxPages = 50
)

// The wire shapes of the projects API that are read: ids, keys, names.
type projectsRep struct {
	Items      []projectRep `json:"items"`
	TotalCount int          `json:"totalCount"`
}

type projectRep struct {
	ID           string           `json:"_id"`
	Key          string           `json:"key"`
	Environments *environmentsRep `json:"environments"`
}

type environmentsRep struct {
	Items      []environmentRep `json:"items"`
	TotalCount int              `json:"totalCount"`
}

type environmentRep struct {
	ID  string `json:"_id"`
	Key string `json:"key"`
}

// ProjectNames reads every project of the account with its environments
// (GET /api/v2/projects?expand=environments, page by page; a project whose
// environments do not all come expanded is read from its environments list).
// It needs a token whose role may read projects; a refusal is an *APIError.
func (c *Client) ProjectNames(ctx context.Context) (*Names, error) {
	if c.key == "" {
		return nil, ErrNoKey
	}
	n := &Names{projects: map[string]string{}, envs: map[string]string{}}
	for page := 0; page < projectsMaxPages; page++ {
		var rep projectsRep
		q := url.Values{"expand": {"environments"}, "limit": {strconv.Itoa(projectsPage)}, "offset": {strconv.Itoa(page * projectsPage)}}
		if err := c.getJSON(ctx, "/api/v2/projects", q, &rep); err != nil {
			return nil, err
		}
		for _, p := range rep.Items {
			n.projects[p.ID] = p.Key
			envs := p.Environments
			if envs == nil || envs.TotalCount > len(envs.Items) {
				all, err := c.environments(ctx, p.Key)
				if err != nil {
					return nil, err
				}
				envs = &environmentsRep{Items: all}
			}
			for _, e := range envs.Items {
				n.envs[e.ID] = p.Key + "/" + e.Key
			}
		}
		if len(rep.Items) == 0 || (page+1)*projectsPage >= rep.TotalCount {
			break
		}
	}
	return n, nil
}

// environments reads every environment of one project.
func (c *Client) environments(ctx context.Context, project string) ([]environmentRep, error) {
	var out []environmentRep
	for page := 0; page < projectsMaxPages; page++ {
		var rep environmentsRep
		q := url.Values{"limit": {strconv.Itoa(projectsPage)}, "offset": {strconv.Itoa(page * projectsPage)}}
		if err := c.getJSON(ctx, "/api/v2/projects/"+escapeSegment(project)+"/environments", q, &rep); err != nil {
			return nil, err
		}
		out = append(out, rep.Items...)
		if len(rep.Items) == 0 || len(out) >= rep.TotalCount {
			break
		}
	}
	return out, nil
}

// getJSON GETs a path of LaunchDarkly's REST API (not a usage endpoint: no
// beta header) and decodes its JSON body into v.
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", c.key.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return &TransportError{Op: "getProjects", Err: c.scrub(scrubURLError(err))}
	}
	defer resp.Body.Close()
	body, err := readBounded(resp.Body, c.maxBody)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(resp, body)
	}
	if err != nil {
		return &TransportError{Op: "getProjects", Err: c.scrub(err)}
	}
	if err := json.Unmarshal(c.redact(body), v); err != nil {
		return &DecodeError{Op: "getProjects", Status: resp.StatusCode, Err: errors.New("not a projects list")}
	}
	return nil
}

// redact hides the client's key in a body a server may have echoed it into.
func (c *Client) redact(body []byte) []byte {
	if c.key.secret() == "" {
		return body
	}
	return bytes.ReplaceAll(body, []byte(c.key.secret()), []byte(redacted))
}

// apiError describes a refusal, the key redacted from its body, and notes
// whether the call was made as a signed-in person.
func (c *Client) apiError(resp *http.Response, body []byte) *APIError {
	e := newAPIError(resp, c.redact(body))
	e.SignedIn = c.key.IsOAuth()
	return e
}

// KeyID identifies the client's token without revealing it: a hash, for
// per-token caches. It is "" without a token.
func (c *Client) KeyID() string {
	if c.key == "" {
		return ""
	}
	h := sha256.Sum256([]byte("ld-usage-mcp key id\x00" + string(c.key)))
	return hex.EncodeToString(h[:16])
}
