package signin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/ldoauthtest"
)

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, u)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func TestMetadataAndChallenge(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		prm := getJSON(t, e.url+p)
		assert.Equal(t, e.url+"/mcp", prm["resource"], p)
		assert.Equal(t, []any{e.url}, prm["authorization_servers"], p)
	}
	asm := getJSON(t, e.url+"/.well-known/oauth-authorization-server")
	assert.Equal(t, e.url, asm["issuer"])
	assert.Equal(t, e.url+"/authorize", asm["authorization_endpoint"])
	assert.Equal(t, e.url+"/token", asm["token_endpoint"])
	assert.Equal(t, e.url+"/register", asm["registration_endpoint"])
	assert.Equal(t, e.url+"/revoke", asm["revocation_endpoint"])
	assert.Equal(t, []any{"S256"}, asm["code_challenge_methods_supported"])
	assert.Equal(t, true, asm["client_id_metadata_document_supported"])

	status, _, h := e.call("")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, `Bearer resource_metadata="`+e.url+`/.well-known/oauth-protected-resource/mcp", scope="reader"`, h.Get("WWW-Authenticate"))
	status, _, h = e.call("not-a-token-of-ours")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, h.Get("WWW-Authenticate"), `error="invalid_token"`)
}

func TestWholeFlowCallsAsThePerson(t *testing.T) {
	e := newEnv(t, nil)
	g := e.signIn()
	status, body, _ := e.call(g.access)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "upstream 200", body)
	// LaunchDarkly saw its own token, never ours.
	auths := e.ld.UsageAuthorizations()
	require.Len(t, auths, 1)
	tok, ok := strings.CutPrefix(auths[0], "Bearer ")
	require.True(t, ok)
	assert.True(t, e.ld.IsAccess(tok), "the usage call carries the LaunchDarkly access token")
	assert.NotContains(t, auths[0], g.access)
	// The upstream authorization request is LaunchDarkly's, as CONTRACT pins it.
	qs := e.ld.AuthorizeQueries()
	require.Len(t, qs, 1)
	q, _ := url.ParseQuery(qs[0])
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, e.ld.ClientID, q.Get("client_id"))
	assert.Equal(t, e.url+"/oauth/callback", q.Get("redirect_uri"))
	assert.Equal(t, "reader", q.Get("scope"))
	assert.NotEmpty(t, q.Get("state"))
	// Who signed in, for the logs: the id from caller-identity, the email
	// from the member (LaunchDarkly's caller-identity has none).
	assert.Contains(t, e.logs.String(), "member_id="+ldoauthtest.MemberID)
	assert.Contains(t, e.logs.String(), "email="+ldoauthtest.MemberEmail)
}

func tokenForm(clientID, code, verifier, redirect string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}, "redirect_uri": {redirect}, "client_id": {clientID}}
}

func TestRefusedPKCEVerifierMissing(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	code, _ := e.code(id, redirect)
	f := tokenForm(id, code, "", redirect)
	f.Del("code_verifier")
	status, body := e.token(f)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_request", body["error"])
}

func TestRefusedPKCEVerifierWrong(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	code, verifier := e.code(id, redirect)
	wrong := verifier[:len(verifier)-1] + string("AB"[strings.IndexByte("AB", verifier[len(verifier)-1])+1&1])
	status, body := e.token(tokenForm(id, code, wrong, redirect))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	// The code is spent: the right verifier now fails too.
	status, body = e.token(tokenForm(id, code, verifier, redirect))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

func TestRefusedCodeReused(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	code, verifier := e.code(id, redirect)
	status, body := e.token(tokenForm(id, code, verifier, redirect))
	require.Equal(t, http.StatusOK, status, body)
	access := body["access_token"].(string)
	st, _, _ := e.call(access)
	require.Equal(t, http.StatusOK, st)

	status, body = e.token(tokenForm(id, code, verifier, redirect))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	// RFC 6749 §4.1.2: the tokens issued for a reused code are revoked.
	st, _, _ = e.call(access)
	assert.Equal(t, http.StatusUnauthorized, st)
}

func TestRefusedRedirectURIOneCharacterOff(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/callback"
	id := e.register(redirect)
	_, challenge := pkce()
	// At the authorization endpoint: an error page, no redirect.
	page, err := e.browser().Get(e.authURL(authReq{clientID: id, redirect: "http://127.0.0.1:9/callbacK", challenge: challenge, state: "s", resource: e.url + "/mcp"}))
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, page.Status)
	assert.Empty(t, page.Location)
	assert.Contains(t, page.Body, "redirect URI is not one this client registered")
	// At the token endpoint.
	code, verifier := e.code(id, redirect)
	status, body := e.token(tokenForm(id, code, verifier, "http://127.0.0.1:9/callbacx"))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

func TestRefusedTokenForAnotherResource(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	_, challenge := pkce()
	page, err := e.browser().Get(e.authURL(authReq{clientID: id, redirect: redirect, challenge: challenge, state: "s", resource: "https://other.example.com/mcp"}))
	require.NoError(t, err)
	back, err := url.Parse(page.Location)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9", back.Host)
	assert.Equal(t, "invalid_target", back.Query().Get("error"))

	code, verifier := e.code(id, redirect)
	f := tokenForm(id, code, verifier, redirect)
	f.Set("resource", "https://other.example.com/mcp")
	status, body := e.token(f)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_target", body["error"])

	// A token issued by a server for another resource (same store and
	// secret, another public URL) is refused by this one.
	other := newEnv(t, func(c *Config) { c.Store = e.s.cfg.Store })
	g := other.signIn()
	st, _, h := e.call(g.access)
	assert.Equal(t, http.StatusUnauthorized, st)
	assert.Contains(t, h.Get("WWW-Authenticate"), "another resource")
	st, _, _ = other.call(g.access)
	assert.Equal(t, http.StatusOK, st)
}

func TestRefusedExpiredAccessToken(t *testing.T) {
	e := newEnv(t, nil)
	g := e.signIn()
	st, _, _ := e.call(g.access)
	require.Equal(t, http.StatusOK, st)
	e.clock.advance(AccessTokenTTL + time.Second)
	st, _, h := e.call(g.access)
	assert.Equal(t, http.StatusUnauthorized, st)
	assert.Contains(t, h.Get("WWW-Authenticate"), `error="invalid_token"`)
	// The refresh token still works and brings a working access token.
	status, body := e.token(e.refreshForm(g, g.refresh))
	require.Equal(t, http.StatusOK, status, body)
	st, _, _ = e.call(body["access_token"].(string))
	assert.Equal(t, http.StatusOK, st)
}

func TestRefusedReplayedRefreshTokenRevokesFamily(t *testing.T) {
	e := newEnv(t, nil)
	g := e.signIn()
	status, body := e.token(e.refreshForm(g, g.refresh))
	require.Equal(t, http.StatusOK, status, body)
	newAccess, newRefresh := body["access_token"].(string), body["refresh_token"].(string)
	assert.NotEqual(t, g.refresh, newRefresh, "refresh tokens rotate")
	st, _, _ := e.call(newAccess)
	require.Equal(t, http.StatusOK, st)

	status, body = e.token(e.refreshForm(g, g.refresh)) // replayed
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	// The whole family is revoked: the newest refresh token and the access tokens.
	status, body = e.token(e.refreshForm(g, newRefresh))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	for _, a := range []string{g.access, newAccess} {
		st, _, _ := e.call(a)
		assert.Equal(t, http.StatusUnauthorized, st)
	}
}

func TestRevocation(t *testing.T) {
	e := newEnv(t, nil)
	g := e.signIn()
	resp, err := http.PostForm(e.url+"/revoke", url.Values{"token": {g.access}, "client_id": {g.clientID}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	st, _, _ := e.call(g.access)
	assert.Equal(t, http.StatusUnauthorized, st)

	g = e.signIn()
	resp, err = http.PostForm(e.url+"/revoke", url.Values{"token": {g.refresh}, "token_type_hint": {"refresh_token"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	st, _, _ = e.call(g.access)
	assert.Equal(t, http.StatusUnauthorized, st, "revoking the refresh token revokes its grant")
	status, _ := e.token(e.refreshForm(g, g.refresh))
	assert.Equal(t, http.StatusBadRequest, status)

	resp, err = http.PostForm(e.url+"/revoke", url.Values{"token": {"unknown"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "RFC 7009: an unknown token is no error")
}

func TestRefusedConsentWithoutCSRF(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	_, challenge := pkce()
	open := func() (*ldoauthtest.Browser, *ldoauthtest.Form) {
		b := e.browser()
		page, err := b.Get(e.authURL(authReq{clientID: id, redirect: redirect, challenge: challenge, state: "s", resource: e.url + "/mcp"}))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, page.Status)
		assert.Contains(t, page.Body, "Test client")
		assert.Contains(t, page.Body, redirect)
		assert.Contains(t, page.Body, `name="approve"`)
		f := ldoauthtest.ParseForm(page)
		require.NotNil(t, f)
		return b, f
	}
	// No CSRF token in the form.
	b, f := open()
	f.Fields.Del("csrf")
	page, err := b.Submit(f, url.Values{"approve": {"yes"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, page.Status)
	assert.Empty(t, page.Location)
	// The form's token, but from another browser (no cookie).
	_, f = open()
	page, err = e.browser().Submit(f, url.Values{"approve": {"yes"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, page.Status)
	assert.Empty(t, page.Location)
	assert.Empty(t, e.ld.AuthorizeQueries(), "nobody was sent to LaunchDarkly")
	// A form posted from another site.
	b, f = open()
	req, _ := http.NewRequest(http.MethodPost, f.Action, strings.NewReader(f.Fields.Encode()+"&approve=yes"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := b.C.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestRefusedCallbackWithForeignState(t *testing.T) {
	e := newEnv(t, nil)
	page, err := e.browser().Get(e.url + "/oauth/callback?code=ldcode-x&state=" + url.QueryEscape("forged-state"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, page.Status)
	assert.Empty(t, page.Location)
	assert.Contains(t, page.Body, "state")

	// A real state, but brought back by another browser than the one that consented.
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	_, challenge := pkce()
	b := e.browser()
	page, err = b.Get(e.authURL(authReq{clientID: id, redirect: redirect, challenge: challenge, state: "s", resource: e.url + "/mcp"}))
	require.NoError(t, err)
	f := ldoauthtest.ParseForm(page)
	noFollow := *b.C
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest(http.MethodPost, f.Action, strings.NewReader(f.Fields.Encode()+"&approve=yes"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noFollow.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	toLD := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(toLD, e.ld.URL), toLD)
	resp, err = noFollow.Get(toLD) // LaunchDarkly redirects back…
	require.NoError(t, err)
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	page, err = e.browser().Get(callback) // …into another browser
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, page.Status)
	assert.Empty(t, page.Location)
}

func TestRefusedOpenRedirects(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	_, challenge := pkce()
	evil := "https://evil.example/steal"
	good := authReq{clientID: id, redirect: redirect, challenge: challenge, state: "s", resource: e.url + "/mcp"}
	cases := map[string]authReq{}
	for _, p := range []string{"redirect_uri", "client_id", "state", "resource", "scope", "code_challenge", "response_type", "redirect", "next", "return_to"} {
		a := good
		a.extra = url.Values{p: {evil}}
		cases[p] = a
	}
	both := good
	both.clientID, both.redirect = "unknown-client", evil
	cases["unknown client with evil redirect_uri"] = both
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			b := e.browser()
			page, err := b.Get(e.authURL(a))
			require.NoError(t, err)
			if f := ldoauthtest.ParseForm(page); f != nil {
				page, err = b.Submit(f, url.Values{"approve": {"yes"}})
				require.NoError(t, err)
			}
			if page.Location != "" {
				u, err := url.Parse(page.Location)
				require.NoError(t, err)
				assert.Equal(t, "http://127.0.0.1:9/cb", u.Scheme+"://"+u.Host+u.Path, "sent to %s", page.Location)
			}
		})
	}
	// The callback and the consent endpoint take no destination of their own.
	page, err := e.browser().Get(e.url + "/oauth/callback?state=x&code=y&redirect_uri=" + url.QueryEscape(evil))
	require.NoError(t, err)
	assert.Empty(t, page.Location)
	resp, err := http.PostForm(e.url+"/authorize/consent", url.Values{"redirect_uri": {evil}, "approve": {"yes"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Empty(t, resp.Header.Get("Location"))
	assert.NotContains(t, string(b), "evil.example")
}

func TestDeniedConsentAndDeniedAtLaunchDarkly(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	_, challenge := pkce()
	req := authReq{clientID: id, redirect: redirect, challenge: challenge, state: "st-deny", resource: e.url + "/mcp"}

	b := e.browser()
	page, err := b.Get(e.authURL(req))
	require.NoError(t, err)
	page, err = b.Submit(ldoauthtest.ParseForm(page), url.Values{"deny": {"yes"}})
	require.NoError(t, err)
	back, err := url.Parse(page.Location)
	require.NoError(t, err)
	assert.Equal(t, "access_denied", back.Query().Get("error"))
	assert.Equal(t, "st-deny", back.Query().Get("state"))
	assert.Empty(t, e.ld.AuthorizeQueries(), "a denial sends nobody to LaunchDarkly")

	// LaunchDarkly answers the callback with an error: the client hears access_denied.
	b = e.browser()
	page, err = b.Get(e.authURL(req))
	require.NoError(t, err)
	f := ldoauthtest.ParseForm(page)
	noFollow := *b.C
	r, _ := http.NewRequest(http.MethodPost, f.Action, strings.NewReader(f.Fields.Encode()+"&approve=yes"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noFollow.Do(r)
	require.NoError(t, err)
	resp.Body.Close()
	toLD, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	page, err = b.Get(e.url + "/oauth/callback?error=access_denied&state=" + url.QueryEscape(toLD.Query().Get("state")))
	require.NoError(t, err)
	back, err = url.Parse(page.Location)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9", back.Host)
	assert.Equal(t, "access_denied", back.Query().Get("error"))
	assert.Equal(t, "st-deny", back.Query().Get("state"))
	assert.Empty(t, back.Query().Get("code"))
}

func TestTwoSignInsInTwoTabs(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:9/cb"
	id := e.register(redirect)
	b := e.browser()
	var forms []*ldoauthtest.Form
	for _, st := range []string{"tab-1", "tab-2"} {
		_, challenge := pkce()
		page, err := b.Get(e.authURL(authReq{clientID: id, redirect: redirect, challenge: challenge, state: st, resource: e.url + "/mcp"}))
		require.NoError(t, err)
		forms = append(forms, ldoauthtest.ParseForm(page))
	}
	// Approved in the opposite order, both complete; a form answered twice does not.
	for i, st := range []string{"tab-2", "tab-1"} {
		page, err := b.Submit(forms[1-i], url.Values{"approve": {"yes"}})
		require.NoError(t, err)
		back, err := url.Parse(page.Location)
		require.NoError(t, err, page.Body)
		assert.Equal(t, st, back.Query().Get("state"))
		assert.NotEmpty(t, back.Query().Get("code"))
	}
	page, err := b.Submit(forms[0], url.Values{"approve": {"yes"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, page.Status)
	assert.Empty(t, page.Location)
}
