package signin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegistrationRedirectURIs(t *testing.T) {
	e := newEnv(t, nil)
	for _, ok := range []string{"https://app.example.com/cb", "http://127.0.0.1:33418/callback", "http://localhost:8765/cb", "http://[::1]:9/cb"} {
		status, body := e.postJSON(PathRegister, map[string]any{"redirect_uris": []string{ok}})
		assert.Equal(t, http.StatusCreated, status, "%s: %v", ok, body)
		assert.Equal(t, "none", body["token_endpoint_auth_method"])
	}
	for _, bad := range []string{"http://app.example.com/cb", "javascript:alert(1)", "https://app.example.com/cb#frag", "https://user:pw@app.example.com/cb", "/relative", "ftp://x/y"} {
		status, body := e.postJSON(PathRegister, map[string]any{"redirect_uris": []string{bad}})
		assert.Equal(t, http.StatusBadRequest, status, bad)
		assert.Equal(t, "invalid_redirect_uri", body["error"], bad)
	}
	status, body := e.postJSON(PathRegister, map[string]any{"client_name": "x"})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_client_metadata", body["error"])
	status, _ = e.postJSON(PathRegister, map[string]any{"redirect_uris": []string{"https://a.example/cb"}, "grant_types": []string{"client_credentials"}})
	assert.Equal(t, http.StatusBadRequest, status)
}

// metadataServer serves a client ID metadata document over TLS on loopback.
type metadataServer struct {
	srv   *httptest.Server
	doc   func(url string) any
	ctype string
	hits  atomic.Int32
}

func newMetadataServer(t *testing.T, doc func(url string) any) *metadataServer {
	m := &metadataServer{doc: doc, ctype: "application/json"}
	m.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.hits.Add(1)
		w.Header().Set("Content-Type", m.ctype)
		_ = json.NewEncoder(w).Encode(m.doc(m.srv.URL + r.URL.Path))
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func withMetadata(m *metadataServer, loopback bool) func(*Config) {
	return func(c *Config) {
		c.AllowLoopbackClientMetadata = loopback
		c.MetadataRootCAs = m.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	}
}

func TestClientIDMetadataDocument(t *testing.T) {
	redirect := "http://127.0.0.1:9/cb"
	m := newMetadataServer(t, func(u string) any {
		return map[string]any{"client_id": u, "client_name": "Doc Client", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "none"}
	})
	e := newEnv(t, withMetadata(m, true))
	id := m.srv.URL + "/client.json"
	code, verifier := e.code(id, redirect)
	status, body := e.token(tokenForm(id, code, verifier, redirect))
	require.Equal(t, http.StatusOK, status, body)
	st, _, _ := e.call(body["access_token"].(string))
	assert.Equal(t, http.StatusOK, st)
	// The consent page names it; the document was fetched once (cached).
	_, challenge := pkce()
	page, err := e.browser().Get(e.authURL(authReq{clientID: id, redirect: redirect, challenge: challenge, state: "s"}))
	require.NoError(t, err)
	assert.Contains(t, page.Body, "Doc Client ("+strings.TrimPrefix(m.srv.URL, "https://")+")", "the document's host follows its self-chosen name")
	assert.Contains(t, page.Body, id)
	assert.Equal(t, int32(1), m.hits.Load())
}

func TestRefusedMetadataDocuments(t *testing.T) {
	redirect := "http://127.0.0.1:9/cb"
	differs := newMetadataServer(t, func(u string) any {
		return map[string]any{"client_id": u + "x", "client_name": "Liar", "redirect_uris": []string{redirect}}
	})
	good := newMetadataServer(t, func(u string) any {
		return map[string]any{"client_id": u, "redirect_uris": []string{redirect}}
	})
	_, challenge := pkce()
	refused := func(e *env, id, want string) {
		t.Helper()
		page, err := e.browser().Get(e.authURL(authReq{clientID: id, redirect: redirect, challenge: challenge, state: "s"}))
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, page.Status, id)
		assert.Empty(t, page.Location, "no redirect for a refused client")
		assert.Contains(t, page.Body, want, id)
	}
	e := newEnv(t, withMetadata(differs, true))
	refused(e, differs.srv.URL+"/client.json", "client_id differs from its URL")
	e = newEnv(t, withMetadata(good, true))
	refused(e, strings.Replace(good.srv.URL, "https://", "http://", 1)+"/client.json", "must be https")
	refused(e, good.srv.URL, "must have a path")
	good.ctype = "text/html"
	refused(e, good.srv.URL+"/html.json", "application/json")
	good.ctype = "application/json"
	// A server with a public (not loopback) URL and without the test flag:
	// a loopback address is not public, refused before any request.
	hits := good.hits.Load()
	public, err := New(Config{PublicURL: "https://usage.example.com", ClientID: "c", ClientSecret: "s", ServerURL: "https://app.example.com"})
	require.NoError(t, err)
	_, err = public.client(context.Background(), good.srv.URL+"/client.json")
	var de *DocumentError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Reason, "non-public address")
	assert.Equal(t, hits, good.hits.Load())
	// A redirect URI the document does not list.
	e = newEnv(t, withMetadata(good, true))
	page, err := e.browser().Get(e.authURL(authReq{clientID: good.srv.URL + "/client.json", redirect: "http://127.0.0.1:9/other", challenge: challenge, state: "s"}))
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, page.Status)
	assert.Empty(t, page.Location)
}

func TestMetadataDocumentAddresses(t *testing.T) {
	f := newCIMDFetcher(false, nil, "test")
	for _, a := range []string{"10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1", "fc00::1", "0.0.0.0", "::ffff:10.0.0.1", "64:ff9b::a00:1"} {
		assert.False(t, f.addrAllowed(mustAddr(t, a)), a)
	}
	for _, a := range []string{"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"} {
		assert.True(t, f.addrAllowed(mustAddr(t, a)), a)
	}
	u, _ := url.Parse("https://x.example/a/../b")
	assert.Error(t, checkDocumentURL(u.String()))
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	require.NoError(t, err)
	return a
}

func TestCheckPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://Usage.Example.com/":     "https://usage.example.com",
		"https://usage.example.com:443":  "https://usage.example.com",
		"https://usage.example.com:8443": "https://usage.example.com:8443",
		"http://127.0.0.1:8080":          "http://127.0.0.1:8080",
		"http://localhost:8080":          "http://localhost:8080",
		"http://[::1]:8080":              "http://[::1]:8080",
	} {
		got, err := CheckPublicURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"http://usage.example.com", "https://usage.example.com/mcp", "usage.example.com", "https://u:p@usage.example.com", "https://usage.example.com?x=1", "ftp://usage.example.com"} {
		_, err := CheckPublicURL(bad)
		assert.Error(t, err, bad)
	}
}

func TestRegistrationFloodBounded(t *testing.T) {
	s, err := New(Config{PublicURL: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s", ServerURL: "http://127.0.0.1:2"})
	require.NoError(t, err)
	st := s.cfg.Store.(*MemoryStore)
	limited := 0
	for range 3 * writesBurst {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PathRegister, strings.NewReader(`{"redirect_uris":["https://a.example/cb"]}`)))
		if rec.Code == http.StatusTooManyRequests {
			limited++
			assert.Equal(t, "1", rec.Header().Get("Retry-After"))
		}
	}
	assert.Positive(t, limited)
	st.mu.Lock()
	defer st.mu.Unlock()
	assert.Less(t, len(st.m), 3*writesBurst, "the refused registrations were not kept")
}

func TestConfidentialClientSecret(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	status, reg := e.postJSON(PathRegister, map[string]any{"redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_post"})
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "client_secret_post", reg["token_endpoint_auth_method"])
	id, secret := reg["client_id"].(string), reg["client_secret"].(string)
	require.NotEmpty(t, secret)
	assert.NotContains(t, e.logs.String(), secret)

	code, verifier := e.code(id, redirect)
	f := tokenForm(id, code, verifier, redirect)
	for name, sec := range map[string]string{"missing": "", "wrong": secret + "x"} {
		f.Set("client_secret", sec)
		status, body := e.token(f)
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.Equal(t, "invalid_client", body["error"], name)
	}
	f.Set("client_secret", secret)
	status, body := e.token(f)
	require.Equal(t, http.StatusOK, status, body)

	// Basic credentials (form-encoded, RFC 6749 §2.3.1) work too, for refresh.
	req, _ := http.NewRequest(http.MethodPost, e.url+PathToken, strings.NewReader(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {body["refresh_token"].(string)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// A public client needs no secret; an unknown client is refused.
	status, body = e.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {"dcr_unknown"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_client", body["error"])
	req, _ = http.NewRequest(http.MethodPost, e.url+PathToken, strings.NewReader(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), "wrong")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a client that tried Basic hears 401")
	assert.NotEmpty(t, resp.Header.Get("WWW-Authenticate"))
}

func TestMetadataDocumentOnLoopbackForALoopbackServer(t *testing.T) {
	// A server whose public URL is loopback (local use, tests) reads a
	// document served on loopback over TLS, even self-signed, with no flag.
	redirect := "http://127.0.0.1:9/cb"
	m := newMetadataServer(t, func(u string) any { return map[string]any{"client_id": u, "redirect_uris": []string{redirect}} })
	e := newEnv(t, nil)
	code, verifier := e.code(m.srv.URL+"/c.json", redirect)
	status, body := e.token(tokenForm(m.srv.URL+"/c.json", code, verifier, redirect))
	assert.Equal(t, http.StatusOK, status, body)
}
