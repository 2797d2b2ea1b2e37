package signinflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// node finds node (v20 or later), or skips: only where node is absent.
func node(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		t.Skip("TypeScript SDK sign-in test skipped: node is not installed (Debian: apt-get install -y nodejs npm)")
	}
	return p
}

// tsClient installs the pinned npm project (package-lock.json, npm ci) in a
// temporary directory, once per test process, and returns it.
func tsClient(t *testing.T) string {
	t.Helper()
	node(t)
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("TypeScript SDK sign-in test skipped: npm is not installed")
	}
	npmOnce.Do(func() { npmDir, npmErr = npmCI(npm) })
	require.NoError(t, npmErr)
	return npmDir
}

var (
	npmOnce sync.Once
	npmDir  string
	npmErr  error
)

func npmCI(npm string) (string, error) {
	dir, err := os.MkdirTemp("", "ld-usage-mcp-tsclient")
	if err != nil {
		return "", err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	for _, f := range []string{"package.json", "package-lock.json", "client.mjs"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci: %w: %s", err, out)
	}
	return dir, nil
}

// tsResult is what client.mjs prints.
type tsResult struct {
	Steps              []string `json:"steps"`
	RegisteredClientID string   `json:"registeredClientID"`
	AuthorizationURL   string   `json:"authorizationURL"`
	TokenType          string   `json:"tokenType"`
	AccessToken        string   `json:"accessToken"`
	Tools              []string `json:"tools"`
	RefreshRotated     bool     `json:"refreshRotated"`
	AfterRefresh       int      `json:"afterRefresh"`
	Replay             struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
	} `json:"replay"`
	NewestAfterReplay int `json:"newestAfterReplay"`
	Result            struct {
		IsError bool `json:"isError"`
		Content []struct {
			Type, Text string
		} `json:"content"`
		StructuredContent map[string]any `json:"structuredContent"`
	} `json:"result"`
}

func runTSClient(t *testing.T, dir, mcpURL string, m emulator.Member, tool string, args map[string]any) tsResult {
	t.Helper()
	a, err := json.Marshal(args)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node(t), "client.mjs", mcpURL, m.ID, tool, string(a))
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node client.mjs: %s", stderr.String())
	var r tsResult
	require.NoError(t, json.Unmarshal(out, &r), "%s", out)
	return r
}

// The TypeScript SDK discovers the authorization server from the 401,
// registers (DCR), authorizes with PKCE, and after consent and LaunchDarkly's
// sign-in calls a tool as the member; LaunchDarkly sees that member's own
// OAuth token, never the server's.
func TestTypeScriptSDKSignsIn(t *testing.T) {
	dir := tsClient(t)
	s, emu, clientSecret := startSignedInServer(t, emulator.Options{})

	r := runTSClient(t, dir, s.public+"/mcp", emulator.Reader, "get_mau_usage", map[string]any{"groupby": "sdk", "from": "-7d"})
	assert.NotEmpty(t, r.RegisteredClientID, "the SDK registered itself")
	assert.Contains(t, r.AuthorizationURL, "code_challenge_method=S256")
	assert.Contains(t, r.Steps, "consent approved")
	assert.Contains(t, r.Steps, "signed in at LaunchDarkly")
	assert.True(t, strings.EqualFold(r.TokenType, "bearer"), "token type %q", r.TokenType)
	assert.Contains(t, r.Tools, "get_mau_usage")
	require.False(t, r.Result.IsError, "tool error: %+v", r.Result.Content)
	require.NotEmpty(t, r.Result.Content)
	assert.NotEmpty(t, r.Result.StructuredContent["raw"], "LaunchDarkly's answer")

	// The SDK refreshed on a 401 and got a new refresh token; replaying the
	// old one was refused and revoked the family (the newest token too).
	assert.True(t, r.RefreshRotated, "the refresh token rotated")
	assert.Equal(t, len(r.Tools), r.AfterRefresh, "tools listed after the refresh")
	assert.Equal(t, http.StatusBadRequest, r.Replay.Status)
	assert.Equal(t, "invalid_grant", r.Replay.Error)
	assert.Equal(t, http.StatusUnauthorized, r.NewestAfterReplay, "a replayed refresh token revokes its whole family")

	// Upstream: the usage calls carried a LaunchDarkly OAuth token of the
	// emulator's as Bearer, and who signed in was asked.
	var usage, identity int
	var ldTokens []string
	for _, rec := range emu.Requests() {
		auth := rec.Header.Get("Authorization")
		switch {
		case strings.HasPrefix(rec.Path, "/api/v2/usage/"):
			usage++
			tok, ok := strings.CutPrefix(auth, "Bearer ")
			assert.True(t, ok, "usage call without Bearer: %q", auth)
			ldTokens = append(ldTokens, tok)
		case rec.Path == "/api/v2/caller-identity":
			identity++
		}
		if r.AccessToken != "" {
			assert.NotContains(t, auth, r.AccessToken, "the server's token reached LaunchDarkly")
		}
	}
	assert.Positive(t, usage, "no usage call reached LaunchDarkly")
	assert.Positive(t, identity, "the server did not ask LaunchDarkly who signed in")
	logs := s.logs.String()
	noSecretsIn(t, "the server's log", logs, append(ldTokens, r.AccessToken, clientSecret, deploySecret)...)
	noSecretsIn(t, "the tool result", r.Result.Content[0].Text, ldTokens...)
}

// A member whose LaunchDarkly role cannot read usage signs in, and the tool
// error says why and whom to ask.
func TestTypeScriptSDKMemberWithoutUsageAccess(t *testing.T) {
	dir := tsClient(t)
	s, _, _ := startSignedInServer(t, emulator.Options{})
	r := runTSClient(t, dir, s.public+"/mcp", emulator.NoAccess, "get_mau_usage", map[string]any{})
	require.True(t, r.Result.IsError, "%+v", r.Result)
	require.NotEmpty(t, r.Result.Content)
	text := r.Result.Content[0].Text
	assert.Contains(t, text, "403")
	assert.Contains(t, text, "your LaunchDarkly role cannot read account usage; ask an admin")
}

// LaunchDarkly's access token is refreshed before it expires: with tokens
// that live less than the server's margin, a call after signing in makes the
// server use its LaunchDarkly refresh token (the emulator rotates it), and
// the call goes through with the new access token.
func TestServerRefreshesLaunchDarklyToken(t *testing.T) {
	dir := tsClient(t)
	s, emu, _ := startSignedInServer(t, emulator.Options{AccessTTL: time.Minute})
	r := runTSClient(t, dir, s.public+"/mcp", emulator.Admin, "get_mau_usage", map[string]any{})
	require.False(t, r.Result.IsError, "%+v", r.Result.Content)
	var exchanges int
	bearers := map[string]bool{}
	for _, rec := range emu.Requests() {
		if rec.Method == http.MethodPost && rec.Path == "/trust/oauth/token" {
			exchanges++
		}
		if strings.HasPrefix(rec.Path, "/api/v2/") {
			bearers[rec.Header.Get("Authorization")] = true
		}
	}
	assert.GreaterOrEqual(t, exchanges, 2, "the code exchange, then at least one refresh")
	assert.GreaterOrEqual(t, len(bearers), 2, "calls went out with the refreshed LaunchDarkly token")
}
