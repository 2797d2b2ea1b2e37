package answer

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// named returns meta with project and environment ids replaced by their keys
// where names knows them: projectId=<id> becomes project=<key>, and
// environmentId=<id> environment=<project key>/<environment key>. Ids it does
// not know stay as they are.
func named(meta map[string]any, names *client.Names) map[string]any {
	if names == nil || len(meta) == 0 {
		return meta
	}
	_, p := meta["projectId"]
	_, e := meta["environmentId"]
	if !p && !e {
		return meta
	}
	out := make(map[string]any, len(meta))
	for k, v := range meta {
		id, _ := v.(string)
		switch k {
		case "projectId":
			if key, ok := names.Project(id); ok {
				out["project"] = key
				continue
			}
		case "environmentId":
			if key, ok := names.Environment(id); ok {
				out["environment"] = key
				continue
			}
		}
		out[k] = v
	}
	return out
}

// HasIDs reports whether any series is keyed by a project or environment id.
func HasIDs(resp *client.Response) bool {
	for _, sr := range resp.Series {
		if _, ok := sr.Meta["projectId"]; ok {
			return true
		}
		if _, ok := sr.Meta["environmentId"]; ok {
			return true
		}
	}
	return false
}

// NamesNote says, once, why series show ids instead of keys.
func NamesNote(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
		return "series show project and environment ids: this token's role cannot list projects (" + strconv.Itoa(ae.Status) + "), so their keys could not be looked up."
	}
	return "series show project and environment ids: their keys could not be looked up this time (the projects list did not answer)."
}
