package server

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/ldoauthtest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

// signInServer is a server with sign-in on, in front of the fake
// LaunchDarkly, listening on ln (its public URL is ln's address unless o
// names another).
type signInServer struct {
	url  string
	logs *lockedBuffer
	srv  *Server
}

const serverOwnKey = "api-server-own-key-never-used-with-sign-in"

func startSignInServer(t *testing.T, ld *ldoauthtest.LD, ln net.Listener, sc SignInConfig, redis string) *signInServer {
	t.Helper()
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
	}
	url := "http://" + ln.Addr().String()
	if sc.PublicURL == "" {
		sc.PublicURL = url
	}
	sc.ClientID, sc.ClientSecret = ld.ClientID, ld.ClientSecret
	logs := &lockedBuffer{}
	srv, err := New(Config{
		Transport: "http", ServerURL: ld.URL, APIKey: serverOwnKey, Version: testVersion, Redis: redis, HTTP: HTTPConfig{Metrics: true},
		Secret: "the deployment secret, the same on every replica",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SignIn: &sc,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("server did not stop within 15s")
		}
		_ = srv.Close()
	})
	return &signInServer{url: url, logs: logs, srv: srv}
}

// sdkOAuthClient is the official Go SDK's OAuth client: it discovers the
// authorization server from the 401, registers (by cfg), and authorizes in
// the browser, which approves the consent page.
func sdkOAuthClient(t *testing.T, browser *ldoauthtest.Browser, cfg *sdkauth.AuthorizationCodeHandlerConfig) *sdkauth.AuthorizationCodeHandler {
	t.Helper()
	cfg.AuthorizationCodeFetcher = func(ctx context.Context, args *sdkauth.AuthorizationArgs) (*sdkauth.AuthorizationResult, error) {
		back, err := browser.Consent(args.URL)
		if err != nil {
			return nil, err
		}
		return &sdkauth.AuthorizationResult{Code: back.Query().Get("code"), State: back.Query().Get("state"), Iss: back.Query().Get("iss")}, nil
	}
	h, err := sdkauth.NewAuthorizationCodeHandler(cfg)
	require.NoError(t, err)
	return h
}

func connectSDK(t *testing.T, ctx context.Context, endpoint string, h sdkauth.OAuthHandler, hc *http.Client) (*sdk.ClientSession, error) {
	t.Helper()
	tr := &sdk.StreamableClientTransport{Endpoint: endpoint, OAuthHandler: h, HTTPClient: hc, MaxRetries: -1}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "signin-test", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err == nil {
		t.Cleanup(func() { _ = cs.Close() })
	}
	return cs, err
}

// listAndCall lists the tools and calls one; it returns the call's text.
func listAndCall(t *testing.T, ctx context.Context, cs *sdk.ClientSession) string {
	t.Helper()
	tl, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	var names []string
	for _, tool := range tl.Tools {
		names = append(names, tool.Name)
	}
	require.Contains(t, names, "get_mau_usage")
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_mau_usage", Arguments: map[string]any{}})
	require.NoError(t, err)
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	require.False(t, res.IsError, strings.Join(text, "\n"))
	return strings.Join(text, "\n")
}

// assertCalledAsPerson checks that LaunchDarkly's usage calls carried its
// own OAuth token, never this server's tokens nor the server's key.
func assertCalledAsPerson(t *testing.T, ld *ldoauthtest.LD, ours ...string) {
	t.Helper()
	auths := ld.UsageAuthorizations()
	require.NotEmpty(t, auths)
	for _, a := range auths {
		tok, ok := strings.CutPrefix(a, "Bearer ")
		assert.True(t, ok && ld.IsAccess(tok), "a usage call carried %q", a)
		assert.NotContains(t, a, serverOwnKey)
		for _, o := range ours {
			assert.NotContains(t, a, o)
		}
	}
}

func TestSignInGoSDKDynamicRegistration(t *testing.T) {
	for _, method := range []string{"none", "client_secret_basic"} {
		t.Run(method, func(t *testing.T) { testSignInGoSDKDynamicRegistration(t, method) })
	}
}

func testSignInGoSDKDynamicRegistration(t *testing.T, method string) {
	ld := ldoauthtest.Start(t)
	s := startSignInServer(t, ld, nil, SignInConfig{}, "")
	ctx := mcptest.Ctx(t)
	h := sdkOAuthClient(t, ldoauthtest.NewBrowser(t, s.url, ld.URL), &sdkauth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &sdkauth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
			ClientName: "Go SDK test client", RedirectURIs: []string{"http://127.0.0.1:33418/callback"},
			GrantTypes: []string{"authorization_code", "refresh_token"}, TokenEndpointAuthMethod: method,
		}},
	})
	cs, err := connectSDK(t, ctx, s.url+"/mcp", h, nil)
	require.NoError(t, err)
	text := listAndCall(t, ctx, cs)
	assert.Contains(t, text, "get_mau_usage")
	ts, err := h.TokenSource(ctx)
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, "Bearer", tok.TokenType)
	assertCalledAsPerson(t, ld, tok.AccessToken, tok.RefreshToken)
	logs := s.logs.String()
	assert.Contains(t, logs, "auth_method="+method)
	assert.Contains(t, logs, "signed in with LaunchDarkly")
	resp := mcptest.Do(t, http.MethodGet, s.url+"/metrics", "", nil)
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(metrics), `path="/token"`)
	for _, secret := range append(ld.Issued(), tok.AccessToken, tok.RefreshToken, ld.ClientSecret) {
		assert.NotContains(t, logs, secret)
		assert.NotContains(t, text, secret)
		assert.NotContains(t, string(metrics), secret)
	}
}

func TestSignInGoSDKClientIDMetadataDocument(t *testing.T) {
	ld := ldoauthtest.Start(t)
	redirect := "http://127.0.0.1:33419/callback"
	var doc *httptest.Server
	doc = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"client_id": doc.URL + r.URL.Path, "client_name": "Metadata document client",
			"redirect_uris": []string{redirect}, "grant_types": []string{"authorization_code", "refresh_token"},
			"token_endpoint_auth_method": "none",
		})
	}))
	t.Cleanup(doc.Close)
	roots := x509.NewCertPool()
	roots.AddCert(doc.Certificate())
	s := startSignInServer(t, ld, nil, SignInConfig{AllowLoopbackClientMetadata: true, MetadataRootCAs: roots}, "")
	ctx := mcptest.Ctx(t)
	browser := ldoauthtest.NewBrowser(t, s.url, ld.URL)
	h := sdkOAuthClient(t, browser, &sdkauth.AuthorizationCodeHandlerConfig{
		ClientIDMetadataDocumentConfig: &sdkauth.ClientIDMetadataDocumentConfig{URL: doc.URL + "/oauth/client.json"},
		RedirectURL:                    redirect,
	})
	cs, err := connectSDK(t, ctx, s.url+"/mcp", h, nil)
	require.NoError(t, err)
	listAndCall(t, ctx, cs)
	assertCalledAsPerson(t, ld)
	assert.NotContains(t, s.logs.String(), "client registered", "no dynamic registration happened")
}

func TestSignInOtherCredentialsDoNotStandIn(t *testing.T) {
	ld := ldoauthtest.Start(t)
	s := startSignInServer(t, ld, nil, SignInConfig{}, "")
	for name, h := range map[string]map[string]string{
		"none":                       nil,
		"X-LaunchDarkly-Api-Key":     {"X-LaunchDarkly-Api-Key": serverOwnKey},
		"LaunchDarkly key as bearer": {"Authorization": "Bearer " + serverOwnKey},
	} {
		t.Run(name, func(t *testing.T) {
			resp := mcptest.Do(t, http.MethodPost, s.url+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, h)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, `Bearer resource_metadata="`+s.url+`/.well-known/oauth-protected-resource/mcp", scope="reader"`,
				strings.Split(resp.Header.Get("WWW-Authenticate"), `, error=`)[0])
		})
	}
	assert.Empty(t, ld.UsageAuthorizations(), "nothing reached LaunchDarkly")
	// The metadata is served through the server's Host and access checks.
	resp := mcptest.Do(t, http.MethodGet, s.url+"/.well-known/oauth-protected-resource/mcp", "", nil)
	var prm map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&prm))
	resp.Body.Close()
	assert.Equal(t, s.url+"/mcp", prm["resource"])
}

func TestSignInConfigurationRefused(t *testing.T) {
	ld := ldoauthtest.Start(t)
	for name, c := range map[string]Config{
		"sse":               {Transport: "sse", SignIn: &SignInConfig{PublicURL: "http://127.0.0.1:8080", ClientID: "c", ClientSecret: "s"}},
		"auth token too":    {Transport: "http", HTTP: HTTPConfig{AuthToken: "t"}, SignIn: &SignInConfig{PublicURL: "http://127.0.0.1:8080", ClientID: "c", ClientSecret: "s"}},
		"plain http public": {Transport: "http", SignIn: &SignInConfig{PublicURL: "http://usage.example.com", ClientID: "c", ClientSecret: "s"}},
		"no client secret":  {Transport: "http", SignIn: &SignInConfig{PublicURL: "https://usage.example.com", ClientID: "c"}},
		"redis, no secret":  {Transport: "http", Redis: "redis://127.0.0.1:1/0", SignIn: &SignInConfig{PublicURL: "https://usage.example.com", ClientID: "c", ClientSecret: "s"}},
	} {
		c.ServerURL = ld.URL
		_, err := New(c)
		assert.Error(t, err, name)
	}
	_, err := url.Parse(ld.URL)
	require.NoError(t, err)
}
