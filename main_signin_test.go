package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/ldoauthtest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestBinarySignIn: the built binary with the CONTRACT's flags and
// environment signs a person in through the Go SDK's OAuth client and calls
// a tool as them.
func TestBinarySignIn(t *testing.T) {
	ld := ldoauthtest.Start(t)
	addr := freeLoopbackAddr(t)
	secretFile := filepath.Join(t.TempDir(), "client-secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(ld.ClientSecret+"\n"), 0o600))
	r := startReplica(t, cleanEnv("LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE="+secretFile, "LAUNCHDARKLY_SERVER_URL="+ld.URL,
		"LAUNCHDARKLY_API_KEY=api-server-own-key", "LD_USAGE_MCP_SECRET=binary test secret"),
		"--addr", addr, "--public-url", "http://"+addr, "--oauth-client-id", ld.ClientID)
	browser := ldoauthtest.NewBrowser(t, r.url, ld.URL)
	h, err := sdkauth.NewAuthorizationCodeHandler(&sdkauth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &sdkauth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
			ClientName: "binary test", RedirectURIs: []string{"http://127.0.0.1:33421/callback"},
		}},
		AuthorizationCodeFetcher: func(ctx context.Context, args *sdkauth.AuthorizationArgs) (*sdkauth.AuthorizationResult, error) {
			back, err := browser.Consent(args.URL)
			if err != nil {
				return nil, err
			}
			return &sdkauth.AuthorizationResult{Code: back.Query().Get("code"), State: back.Query().Get("state")}, nil
		},
	})
	require.NoError(t, err)
	ctx := mcptest.Ctx(t)
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "binary-signin", Version: "1"}, nil).Connect(ctx,
		&sdk.StreamableClientTransport{Endpoint: r.url + "/mcp", OAuthHandler: h, MaxRetries: -1}, nil)
	require.NoError(t, err)
	defer cs.Close()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_mau_usage", Arguments: map[string]any{}})
	require.NoError(t, err)
	require.False(t, res.IsError)
	auths := ld.UsageAuthorizations()
	require.NotEmpty(t, auths)
	for _, a := range auths {
		assert.True(t, strings.HasPrefix(a, "Bearer ldat-"), "the person's LaunchDarkly token, not the server's key: %q", a)
	}
	logs := r.logs.String()
	assert.Contains(t, logs, "sign_in=true")
	for _, s := range append(ld.Issued(), ld.ClientSecret, "binary test secret") {
		assert.NotContains(t, logs, s)
	}
}

func TestSignInFlagsRefused(t *testing.T) {
	env := cleanEnv()
	for name, args := range map[string][]string{
		"no OAuth client":   {"--transport", "http", "--public-url", "https://usage.example.com"},
		"plain http public": {"--transport", "http", "--public-url", "http://usage.example.com", "--oauth-client-id", "c"},
		"stdio":             {"--public-url", "https://usage.example.com", "--oauth-client-id", "c"},
	} {
		_, stderr, code := runCLI(t, append(env, "LAUNCHDARKLY_OAUTH_CLIENT_SECRET=s3cr3t-value"), args...)
		assert.Equal(t, exitUsage, code, name)
		assert.Contains(t, stderr, "public-url", name)
		assert.NotContains(t, stderr, "s3cr3t-value", name)
	}
	_, stderr, code := runCLI(t, append(env, "LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE=/nonexistent/secret"),
		"--transport", "http", "--public-url", "https://usage.example.com", "--oauth-client-id", "c")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE")
	// One-shot commands ignore the sign-in environment.
	_, _, code = runCLI(t, append(env, "LD_USAGE_MCP_PUBLIC_URL=https://usage.example.com"), "tools")
	assert.Equal(t, 0, code)
}
