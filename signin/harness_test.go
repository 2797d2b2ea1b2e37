package signin

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/ldoauthtest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

// env is a sign-in server in front of the fake LaunchDarkly, with a stand-in
// protected resource at /mcp that calls LaunchDarkly as the person.
type env struct {
	t     testing.TB
	ld    *ldoauthtest.LD
	s     *Server
	srv   *httptest.Server
	url   string
	clock *clock
	logs  *syncBuffer
}

type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (loggers).
type syncBuffer = mcptest.LockedBuffer

// newEnv starts a sign-in server; mod adjusts its configuration.
func newEnv(t testing.TB, mod func(*Config)) *env {
	t.Helper()
	e := &env{t: t, ld: ldoauthtest.Start(t), clock: &clock{}, logs: &syncBuffer{}}
	e.srv = httptest.NewUnstartedServer(nil)
	e.url = "http://" + e.srv.Listener.Addr().String()
	cfg := Config{
		PublicURL: e.url, ClientID: e.ld.ClientID, ClientSecret: e.ld.ClientSecret, ServerURL: e.ld.URL,
		Secret: []byte("test deployment secret"), Now: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	require.NoError(t, err)
	e.s = s
	e.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Owns(r.URL.Path) {
			s.ServeHTTP(w, r)
			return
		}
		if r.URL.Path != "/mcp" {
			http.NotFound(w, r)
			return
		}
		p, ok := s.Authenticate(w, r)
		if !ok {
			return
		}
		// The stand-in resource: one usage call to LaunchDarkly as the person.
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, e.ld.URL+"/api/v2/usage/mau", nil)
		req.Header.Set("Authorization", "Bearer "+p.LaunchDarklyToken)
		req.Header.Set("LD-API-Version", "beta")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		fmt.Fprintf(w, "upstream %d", resp.StatusCode)
	})
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// register registers a client by dynamic registration and returns its ID.
func (e *env) register(redirects ...string) string {
	e.t.Helper()
	status, body := e.postJSON(PathRegister, map[string]any{"client_name": "Test client", "redirect_uris": redirects})
	require.Equal(e.t, http.StatusCreated, status, "%v", body)
	return body["client_id"].(string)
}

func (e *env) postJSON(path string, v any) (int, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(e.url+path, "application/json", bytes.NewReader(b))
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// token posts a form to the token endpoint.
func (e *env) token(form url.Values) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.PostForm(e.url+PathToken, form)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

type authReq struct {
	clientID, redirect, challenge, state, resource string
	extra                                          url.Values
}

func pkce() (verifier, challenge string) {
	verifier = oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func (e *env) authURL(a authReq) string {
	q := url.Values{"response_type": {"code"}, "client_id": {a.clientID}, "redirect_uri": {a.redirect},
		"code_challenge": {a.challenge}, "code_challenge_method": {"S256"}, "state": {a.state}, "resource": {a.resource}, "scope": {"reader"}}
	for k, v := range a.extra {
		q[k] = v
	}
	for k, v := range q {
		if len(v) == 1 && v[0] == "" {
			delete(q, k)
		}
	}
	return e.url + PathAuthorize + "?" + q.Encode()
}

func (e *env) browser() *ldoauthtest.Browser { return ldoauthtest.NewBrowser(e.t, e.url, e.ld.URL) }

// grant is a signed-in client's tokens.
type grant struct {
	clientID, redirect, access, refresh string
}

// signIn runs the whole flow for a new client and returns its tokens.
func (e *env) signIn() grant {
	e.t.Helper()
	redirect := "http://127.0.0.1:9/callback"
	id := e.register(redirect)
	code, verifier := e.code(id, redirect)
	status, body := e.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {redirect}, "client_id": {id}, "resource": {e.url + "/mcp"}})
	require.Equal(e.t, http.StatusOK, status, "%v", body)
	return grant{clientID: id, redirect: redirect, access: body["access_token"].(string), refresh: body["refresh_token"].(string)}
}

// code runs the browser part of the flow and returns the code and its verifier.
func (e *env) code(clientID, redirect string) (code, verifier string) {
	e.t.Helper()
	verifier, challenge := pkce()
	back, err := e.browser().Consent(e.authURL(authReq{clientID: clientID, redirect: redirect, challenge: challenge, state: "st-1", resource: e.url + "/mcp"}))
	require.NoError(e.t, err)
	require.Equal(e.t, "st-1", back.Query().Get("state"))
	require.NotEmpty(e.t, back.Query().Get("code"), "%s", back)
	return back.Query().Get("code"), verifier
}

// call calls the stand-in resource with an access token.
func (e *env) call(access string) (int, string, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/mcp", nil)
	if access != "" {
		req.Header.Set("Authorization", "Bearer "+access)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (e *env) refreshForm(g grant, refresh string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {g.clientID}}
}
