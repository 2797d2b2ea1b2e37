package signinflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/chromiumtest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

// redirectCatcher is a native client's loopback redirect URI: it keeps the
// query the browser brings back.
type redirectCatcher struct {
	url string
	mu  sync.Mutex
	got url.Values
}

func catchRedirect(t *testing.T) *redirectCatcher {
	t.Helper()
	c := &redirectCatcher{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" { // e.g. the browser's /favicon.ico
			http.NotFound(w, r)
			return
		}
		c.mu.Lock()
		c.got = r.URL.Query()
		c.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, `<!doctype html><title>Signed in</title><h1 id="done">Signed in: you may close this window.</h1>`)
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	c.url = srv.URL + "/callback"
	return c
}

func (c *redirectCatcher) query() url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got
}

// register discovers the authorization server from the 401 of /mcp, as the
// MCP specification lays out, and registers a client (RFC 7591).
func register(t *testing.T, public, redirect string) (oauth2.Config, string) {
	t.Helper()
	resp := mcptest.Do(t, http.MethodPost, public+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, nil)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	challenge := resp.Header.Get("WWW-Authenticate")
	_, prm, ok := strings.Cut(challenge, `resource_metadata="`)
	require.True(t, ok, "WWW-Authenticate: %q", challenge)
	prm, _, _ = strings.Cut(prm, `"`)

	var rm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	getJSON(t, prm, &rm)
	require.Equal(t, public+"/mcp", rm.Resource)
	require.NotEmpty(t, rm.AuthorizationServers)
	var as struct {
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Registration  string `json:"registration_endpoint"`
	}
	getJSON(t, strings.TrimSuffix(rm.AuthorizationServers[0], "/")+"/.well-known/oauth-authorization-server", &as)

	body, _ := json.Marshal(map[string]any{"client_name": "Chromium sign-in test", "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"}})
	resp, err := http.Post(as.Registration, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var reg struct {
		ClientID string `json:"client_id"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&reg))
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	return oauth2.Config{ClientID: reg.ClientID, RedirectURL: redirect, Scopes: []string{"reader"},
		Endpoint: oauth2.Endpoint{AuthURL: as.Authorization, TokenURL: as.Token, AuthStyle: oauth2.AuthStyleInParams}}, rm.Resource
}

// waitFor waits until sel is visible, or fails with the page the browser shows.
func waitFor(t *testing.T, bctx context.Context, sel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		loc, _ := chromedp.Run(bctx, chromedp.Location())
		text, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`body`)))
		t.Fatalf("%s never showed (%v); the browser is at %s showing:\n%.800s", sel, err, loc, text)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, u)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v), u)
}

// The README's demo flow, in a browser: `--demo --transport http
// --public-url http://127.0.0.1:PORT` and no other flag. Chromium approves
// the server's consent page and picks a member on the demo's LaunchDarkly
// sign-in page by clicks; the code it brings back is exchanged with PKCE and
// the token calls a tool: as Rey Reader it answers, as Noa Noaccess (whose
// role cannot read usage) it is a tool error that says why.
func TestDemoSignInInBrowser(t *testing.T) {
	exe := chromiumtest.Path(t)
	s := startServer(t, nil, "--demo")
	catcher := catchRedirect(t)
	cfg, resource := register(t, s.public, catcher.url)

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	bctx, _ := chromiumtest.Start(t, ctx, exe, 1280, 1000, nil)

	call := func(m emulator.Member) (string, bool) {
		tok, code := signInInBrowser(t, ctx, bctx, s, cfg, resource, catcher, m)
		sess := mcptest.MustConnect(t, ctx, "sdk", "http", s.public, map[string]string{"Authorization": "Bearer " + tok.AccessToken})
		text, isErr, err := sess.Call(ctx, "get_mau_usage", map[string]any{"groupby": "sdk", "from": "-7d"})
		require.NoError(t, err)
		noSecretsIn(t, "the server's log", s.logs.String(), tok.AccessToken, tok.RefreshToken, code, emulator.DemoOAuthClientSecret)
		return text, isErr
	}
	text, isErr := call(emulator.Reader)
	require.False(t, isErr, text)
	assert.Contains(t, strings.ToLower(text), "demo")

	text, isErr = call(emulator.NoAccess)
	require.True(t, isErr, text)
	assert.Contains(t, text, "your LaunchDarkly role cannot read account usage; ask an admin")
}

// signInInBrowser walks one authorization by clicks, as m, and exchanges the
// code it brings back (with the PKCE verifier); it returns the token and the code.
func signInInBrowser(t *testing.T, ctx, bctx context.Context, s *server, cfg oauth2.Config, resource string, catcher *redirectCatcher, m emulator.Member) (*oauth2.Token, string) {
	t.Helper()
	verifier, state := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", resource))

	// The server's consent page names the client and where it sends you.
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(authURL)))
	waitFor(t, bctx, `button[name=approve]`)
	consent, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`body`)))
	require.NoError(t, err)
	assert.Contains(t, consent, "Chromium sign-in test")
	assert.Contains(t, consent, catcher.url)
	require.NoError(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[name=approve]`))))

	// LaunchDarkly's (emulated) sign-in page lists the members.
	button := `button#member-` + m.Role
	waitFor(t, bctx, button)
	login, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`body`)))
	require.NoError(t, err)
	for _, m := range emulator.Members() {
		assert.Contains(t, login, m.Email)
	}
	loc, err := chromedp.Run(bctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(loc, s.public+"/trust/oauth/authorize?"), "the demo's LaunchDarkly is served at the public URL: %s", loc)
	require.NoError(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS(button))))
	waitFor(t, bctx, `#done`)

	back := catcher.query()
	require.NotNil(t, back, "the browser never came back to the client")
	require.Empty(t, back.Get("error"), "%v", back)
	require.Equal(t, state, back.Get("state"), "%v", back)
	tok, err := cfg.Exchange(ctx, back.Get("code"), oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", resource))
	require.NoError(t, err)
	return tok, back.Get("code")
}
