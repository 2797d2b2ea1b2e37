package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/apispec"
)

// requestOf builds a GET of an operation with plain path arguments, as the
// request a fixture answers.
func requestOf(t *testing.T, op *apispec.Operation) *http.Request {
	t.Helper()
	plain := map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "source": "client", "type": "received"}
	p := op.Path
	for _, pp := range op.PathParams() {
		p = strings.Replace(p, "{"+pp.Name+"}", plain[pp.Name], 1)
	}
	r, err := http.NewRequest(op.Method, "http://127.0.0.1:1"+p, nil)
	require.NoError(t, err)
	r.Header.Set("Authorization", "api-test")
	return r
}

var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

// TestResponseFixturesMatchSpec: every fixture under testdata/responses (and
// variants/) is a valid 200 of the operation of the tool it is named after.
func TestResponseFixturesMatchSpec(t *testing.T) {
	s := loadSpec(t)
	var files []string
	for _, glob := range []string{"*.json", "variants/*.json"} {
		m, err := filepath.Glob(filepath.Join("..", "testdata", "responses", glob))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		tool, _, _ := strings.Cut(name, ".") // get_x.json, get_x.float.json
		t.Run(strings.TrimPrefix(f, "../testdata/responses/"), func(t *testing.T) {
			ep := client.Lookup(tool)
			require.NotNil(t, ep, "%s is named after no tool", name)
			if ep.Path == removedUpstream {
				t.Skipf("%s answers %s, which today's API no longer has", name, ep.Path)
			}
			op := s.OperationAt(http.MethodGet, ep.Path)
			require.NotNil(t, op, "the document has no GET %s", ep.Path)
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			if err := s.ValidateResponse(requestOf(t, op), http.StatusOK, jsonHeader, body); err != nil {
				t.Errorf("%s is not a valid 200 of %s:\n  %s", name, op.ID, problemLines(err))
			}
		})
	}
}

func problemLines(err error) string {
	var e *apispec.Error
	if errors.As(err, &e) {
		return strings.Join(e.Problems, "\n  ")
	}
	return err.Error()
}

// TestErrorFixturesMatchSpec: every error fixture is a valid error answer of
// its status for every operation that declares that status.
//
// One known deviation is kept, and checked to be exactly that: LaunchDarkly
// answers a request without `LD-API-Version: beta` with 403 and a body of only
// {"message": ...} (403_beta.http), while the document's ForbiddenErrorRep
// requires `code` too. The real API sends it, so the fixture keeps it; the test
// checks that `code` missing is its one and only problem.
func TestErrorFixturesMatchSpec(t *testing.T) {
	s := loadSpec(t)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "errors", "*.http"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			rec := readRecorded(t, f) // client_test.go
			status, header, body := rec.Status, rec.Header, rec.Body
			var declaring []*apispec.Operation
			for _, op := range s.Operations() {
				if op.Declares(status) {
					declaring = append(declaring, op)
				}
			}
			if len(declaring) == 0 {
				// 502 comes from a proxy in front of LaunchDarkly, not from the API.
				t.Logf("%s: no operation declares %d; nothing to hold it to", name, status)
				assert.Equal(t, http.StatusBadGateway, status, "only the proxy's 502 is outside the document")
				return
			}
			for _, op := range declaring {
				err := s.ValidateResponse(requestOf(t, op), status, header, body)
				if name != "403_beta.http" {
					assert.NoError(t, err, "%s as %d of %s", name, status, op.ID)
					continue
				}
				// The known deviation: only `code` is missing.
				var e *apispec.Error
				require.ErrorAs(t, err, &e, "%s: the beta 403 has no code, which ForbiddenErrorRep requires", op.ID)
				if assert.Len(t, e.Problems, 1, "%s: %v", op.ID, e.Problems) {
					assert.Contains(t, e.Problems[0], `property "code" is missing`)
				}
				var m map[string]any
				require.NoError(t, json.Unmarshal(body, &m))
				assert.Equal(t, []string{"message"}, keys(m), "the beta 403 body is only a message")
				m["code"] = "forbidden"
				fixed, err := json.Marshal(m)
				require.NoError(t, err)
				assert.NoError(t, s.ValidateResponse(requestOf(t, op), status, header, fixed), "%s: with a code it would be valid", op.ID)
			}
		})
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
