package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

const testRedirect = "https://usage.example.com/oauth/callback"

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// oauthEnv is an emulator with one registered OAuth client, served on
// 127.0.0.1, and an HTTP client that does not follow redirects.
type oauthEnv struct {
	t     *testing.T
	emu   *Emulator
	clock *clock
	base  string
	http  *http.Client
	oc    OAuthClient
}

func newOAuthEnv(t *testing.T) *oauthEnv {
	t.Helper()
	clk := &clock{t: testNow}
	oc := OAuthClient{ID: "client-1", Secret: "s3cret/+&=", Name: "Usage MCP", RedirectURI: testRedirect}
	e := New(Options{Now: clk.now, OAuthClients: []OAuthClient{oc}})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	hc := srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &oauthEnv{t: t, emu: e, clock: clk, base: srv.URL, http: hc, oc: oc}
}

func (o *oauthEnv) authParams() url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {o.oc.ID}, "redirect_uri": {o.oc.RedirectURI},
		"scope": {"reader"}, "state": {"st-42"}}
}

func (o *oauthEnv) do(req *http.Request) answer {
	o.t.Helper()
	resp, err := o.http.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

func (o *oauthEnv) getPage(q url.Values) answer {
	req, _ := http.NewRequest(http.MethodGet, o.base+authorizePath+"?"+q.Encode(), nil)
	return o.do(req)
}

func (o *oauthEnv) postForm(path string, f url.Values, basic bool) answer {
	o.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, o.base+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(o.oc.ID), url.QueryEscape(o.oc.Secret))
	}
	return o.do(req)
}

// signIn approves the login page as m and returns the redirect's query.
func (o *oauthEnv) signIn(m Member) url.Values {
	o.t.Helper()
	f := o.authParams()
	f.Set("member", m.ID)
	a := o.postForm(authorizePath, f, false)
	if a.status != http.StatusFound {
		o.t.Fatalf("sign-in answered %d: %s", a.status, a.body)
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil || loc.Scheme+"://"+loc.Host+loc.Path != testRedirect {
		o.t.Fatalf("redirected to %q, want %s", a.header.Get("Location"), testRedirect)
	}
	return loc.Query()
}

func (o *oauthEnv) exchange(code string) (tokenAnswer, answer) {
	o.t.Helper()
	a := o.postForm(tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "client_id": {o.oc.ID}, "client_secret": {o.oc.Secret}}, false)
	var tok tokenAnswer
	if a.status == http.StatusOK {
		if err := json.Unmarshal(a.body, &tok); err != nil {
			o.t.Fatal(err)
		}
	}
	return tok, a
}

func (o *oauthEnv) refresh(rt string) (tokenAnswer, answer) {
	o.t.Helper()
	a := o.postForm(tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, true)
	var tok tokenAnswer
	if a.status == http.StatusOK {
		if err := json.Unmarshal(a.body, &tok); err != nil {
			o.t.Fatal(err)
		}
	}
	return tok, a
}

// call makes a usage (or any API) GET with the given Authorization header.
func (o *oauthEnv) call(path, authorization string) answer {
	o.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, o.base+path, nil)
	req.Header.Set("Authorization", authorization)
	req.Header.Set("LD-API-Version", "beta")
	return o.do(req)
}

func oauthErrorCode(t *testing.T, a answer) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("not an OAuth error body: %s", a.body)
	}
	return e.Error
}

func TestOAuthWholeFlow(t *testing.T) {
	o := newOAuthEnv(t)
	page := o.getPage(o.authParams())
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %d %s", page.status, page.header.Get("Content-Type"))
	}
	for _, m := range Members() {
		if !strings.Contains(string(page.body), m.Email) || !strings.Contains(string(page.body), `value="`+m.ID+`"`) {
			t.Errorf("login page does not offer %s", m.Email)
		}
	}
	if !strings.Contains(string(page.body), "Usage MCP") {
		t.Error("login page does not name the OAuth client")
	}

	q := o.signIn(Reader)
	if q.Get("state") != "st-42" || q.Get("code") == "" {
		t.Fatalf("redirect query %v: want the state back and a code", q)
	}
	tok, a := o.exchange(q.Get("code"))
	if a.status != http.StatusOK {
		t.Fatalf("token: %d %s", a.status, a.body)
	}
	if tok.TokenType != "bearer" || tok.ExpiresIn != int64(DefaultAccessTTL/time.Second) || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token answer %+v", tok)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Error("token answer may be cached")
	}

	// Who signed in.
	id := o.call(callerIdentityPath, "Bearer "+tok.AccessToken)
	var ci map[string]any
	if id.status != http.StatusOK || json.Unmarshal(id.body, &ci) != nil {
		t.Fatalf("caller-identity: %d %s", id.status, id.body)
	}
	if ci["memberId"] != Reader.ID || ci["accountId"] != AccountID || ci["authKind"] != "oauth" || ci["clientId"] != o.oc.ID {
		t.Fatalf("caller-identity %v", ci)
	}
	mem := o.call(membersPrefix+Reader.ID, "Bearer "+tok.AccessToken)
	if mem.status != http.StatusOK || !strings.Contains(string(mem.body), `"email":"`+Reader.Email+`"`) {
		t.Fatalf("member: %d %s", mem.status, mem.body)
	}

	// Usage as the person, only with the Bearer prefix.
	if a := o.call("/api/v2/usage/mau", "Bearer "+tok.AccessToken); a.status != http.StatusOK {
		t.Fatalf("usage with the OAuth token: %d %s", a.status, a.body)
	}
	if a := o.call("/api/v2/usage/mau", tok.AccessToken); a.status != http.StatusUnauthorized {
		t.Fatalf("a bare OAuth token answered %d, want 401", a.status)
	}
	// And an access token keeps the bare form.
	if a := o.call("/api/v2/usage/mau", "Bearer "+DemoKey); a.status != http.StatusUnauthorized {
		t.Fatalf("an access token as Bearer answered %d, want 401", a.status)
	}

	// Refresh rotates: the new refresh token works once, the old one never again.
	tok2, a := o.refresh(tok.RefreshToken)
	if a.status != http.StatusOK || tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	if _, a := o.refresh(tok.RefreshToken); a.status != http.StatusBadRequest || oauthErrorCode(t, a) != "invalid_grant" {
		t.Fatalf("a rotated refresh token answered %d %s", a.status, a.body)
	}
	if a := o.call("/api/v2/usage/mau", "Bearer "+tok2.AccessToken); a.status != http.StatusOK {
		t.Fatalf("usage with the refreshed token: %d", a.status)
	}
}

func TestOAuthAuthorizeRefusals(t *testing.T) {
	o := newOAuthEnv(t)
	noRedirect := func(name string, q url.Values) {
		t.Helper()
		a := o.getPage(q)
		if a.status != http.StatusBadRequest || a.header.Get("Location") != "" || !strings.Contains(string(a.body), "<h1>Sign-in error</h1>") {
			t.Errorf("%s: %d Location=%q, want a 400 error page and no redirect", name, a.status, a.header.Get("Location"))
		}
	}
	q := o.authParams()
	q.Set("client_id", "client-2")
	noRedirect("unknown client", q)
	q = o.authParams()
	q.Set("redirect_uri", testRedirect+"x")
	noRedirect("redirect URI one character longer", q)
	q = o.authParams()
	q.Set("redirect_uri", strings.Replace(testRedirect, "callback", "callbacK", 1))
	noRedirect("redirect URI one character different", q)
	q = o.authParams()
	q.Set("redirect_uri", "https://evil.example/oauth/callback")
	noRedirect("foreign redirect URI", q)
	q = o.authParams()
	q.Del("redirect_uri")
	noRedirect("no redirect URI", q)

	back := func(name string, q url.Values, wantErr string) {
		t.Helper()
		a := o.getPage(q)
		loc, _ := url.Parse(a.header.Get("Location"))
		if a.status != http.StatusFound || loc == nil || loc.Query().Get("error") != wantErr || loc.Query().Get("state") != "st-42" {
			t.Errorf("%s: %d Location=%q, want a redirect with error=%s and the state", name, a.status, a.header.Get("Location"), wantErr)
		}
	}
	q = o.authParams()
	q.Set("response_type", "token")
	back("implicit grant", q, "unsupported_response_type")
	q = o.authParams()
	q.Set("scope", "admin")
	back("unknown scope", q, "invalid_scope")

	f := o.authParams()
	f.Set("deny", "1")
	a := o.postForm(authorizePath, f, false)
	if loc, _ := url.Parse(a.header.Get("Location")); a.status != http.StatusFound || loc.Query().Get("error") != "access_denied" {
		t.Errorf("cancel: %d %q, want error=access_denied", a.status, a.header.Get("Location"))
	}
	f = o.authParams()
	f.Set("member", "nobody")
	if a := o.postForm(authorizePath, f, false); a.status != http.StatusBadRequest || a.header.Get("Location") != "" {
		t.Errorf("unknown member: %d %q", a.status, a.header.Get("Location"))
	}
}

func TestOAuthTokenRefusals(t *testing.T) {
	o := newOAuthEnv(t)
	code := o.signIn(Admin).Get("code")

	// A wrong secret, in the form or as Basic.
	a := o.postForm(tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {o.oc.ID}, "client_secret": {o.oc.Secret + "x"}}, false)
	if a.status != http.StatusUnauthorized || oauthErrorCode(t, a) != "invalid_client" {
		t.Fatalf("bad secret: %d %s", a.status, a.body)
	}
	req, _ := http.NewRequest(http.MethodPost, o.base+tokenPath, strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(o.oc.ID, "wrong")
	if a := o.do(req); a.status != http.StatusUnauthorized || a.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("bad Basic secret: %d %v", a.status, a.header)
	}
	// A redirect URI that differs from the authorization request's.
	a = o.postForm(tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect + "/"}}, true)
	if a.status != http.StatusBadRequest || oauthErrorCode(t, a) != "invalid_grant" {
		t.Fatalf("other redirect_uri: %d %s", a.status, a.body)
	}
	// Unknown grant types and missing fields.
	for f, want := range map[string]string{
		"grant_type=password&username=a&password=b": "unsupported_grant_type",
		"code=" + code:                                    "invalid_request",
		"grant_type=authorization_code":                   "invalid_request",
		"grant_type=refresh_token":                        "invalid_request",
		"grant_type=refresh_token&refresh_token=ldr-nope": "invalid_grant",
	} {
		req, _ := http.NewRequest(http.MethodPost, o.base+tokenPath, strings.NewReader(f))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(o.oc.ID, url.QueryEscape(o.oc.Secret))
		if a := o.do(req); a.status != http.StatusBadRequest || oauthErrorCode(t, a) != want {
			t.Errorf("%s: %d %s, want %s", f, a.status, a.body, want)
		}
	}

	// The code still works once (the refusals above did not use it up) ...
	tok, a := o.exchange(code)
	if a.status != http.StatusOK {
		t.Fatalf("first exchange: %d %s", a.status, a.body)
	}
	// ... and never again: the replay also revokes what it gave.
	if _, a := o.exchange(code); a.status != http.StatusBadRequest || oauthErrorCode(t, a) != "invalid_grant" {
		t.Fatalf("reused code: %d %s", a.status, a.body)
	}
	if a := o.call("/api/v2/usage/mau", "Bearer "+tok.AccessToken); a.status != http.StatusUnauthorized {
		t.Fatalf("access token of a replayed code answered %d, want 401", a.status)
	}
	if _, a := o.refresh(tok.RefreshToken); a.status != http.StatusBadRequest {
		t.Fatalf("refresh token of a replayed code answered %d, want 400", a.status)
	}

	// Another client cannot redeem this client's code.
	code = o.signIn(Admin).Get("code")
	a = o.postForm(tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {DemoOAuthClientID}, "client_secret": {DemoOAuthClientSecret}}, false)
	if a.status != http.StatusUnauthorized { // the demo client is not registered here
		t.Fatalf("unregistered client: %d %s", a.status, a.body)
	}
}

func TestOAuthExpiry(t *testing.T) {
	o := newOAuthEnv(t)
	code := o.signIn(Reader).Get("code")
	o.clock.add(DefaultCodeTTL)
	if _, a := o.exchange(code); a.status != http.StatusBadRequest || oauthErrorCode(t, a) != "invalid_grant" {
		t.Fatalf("expired code: %d %s", a.status, a.body)
	}
	tok, a := o.exchange(o.signIn(Reader).Get("code"))
	if a.status != http.StatusOK {
		t.Fatal(a.status)
	}
	o.clock.add(DefaultAccessTTL - time.Second)
	if a := o.call("/api/v2/usage/mau", "Bearer "+tok.AccessToken); a.status != http.StatusOK {
		t.Fatalf("a token one second before it expires answered %d", a.status)
	}
	o.clock.add(time.Second)
	a = o.call("/api/v2/usage/mau", "Bearer "+tok.AccessToken)
	var body struct{ Code, Message string }
	if a.status != http.StatusUnauthorized || json.Unmarshal(a.body, &body) != nil || body.Code != "unauthorized" {
		t.Fatalf("expired token: %d %s, want LaunchDarkly's 401", a.status, a.body)
	}
	// The refresh token outlives it.
	if _, a := o.refresh(tok.RefreshToken); a.status != http.StatusOK {
		t.Fatalf("refresh after the access token expired: %d %s", a.status, a.body)
	}
}

func TestOAuthMemberWithoutUsageAccess(t *testing.T) {
	o := newOAuthEnv(t)
	tok, a := o.exchange(o.signIn(NoAccess).Get("code"))
	if a.status != http.StatusOK {
		t.Fatal(a.status)
	}
	for _, p := range []string{"/api/v2/usage/mau", "/api/v2/usage/streams/client", "/api/v2/projects"} {
		a := o.call(p, "Bearer "+tok.AccessToken)
		var body struct{ Code, Message string }
		if a.status != http.StatusForbidden || json.Unmarshal(a.body, &body) != nil || body.Code != "forbidden" {
			t.Errorf("%s: %d %s, want LaunchDarkly's 403", p, a.status, a.body)
		}
	}
	// Who they are is still known.
	id := o.call(callerIdentityPath, "Bearer "+tok.AccessToken)
	if id.status != http.StatusOK || !strings.Contains(string(id.body), NoAccess.ID) {
		t.Fatalf("caller-identity: %d %s", id.status, id.body)
	}
	// The admin may read usage.
	tok, _ = o.exchange(o.signIn(Admin).Get("code"))
	if a := o.call("/api/v2/usage/mau", "Bearer "+tok.AccessToken); a.status != http.StatusOK {
		t.Fatalf("admin: %d", a.status)
	}
}

// The in-process Transport carries the token form, so --demo can sign in
// without a socket.
func TestOAuthThroughTransport(t *testing.T) {
	e := New(Options{OAuthClients: []OAuthClient{DemoOAuthClient("http://127.0.0.1:9999")}})
	hc := &http.Client{Transport: e.Transport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f := url.Values{"response_type": {"code"}, "client_id": {DemoOAuthClientID}, "redirect_uri": {"http://127.0.0.1:9999/oauth/callback"},
		"scope": {"reader"}, "member": {Admin.ID}}
	resp, err := hc.PostForm(client.Commercial+authorizePath, f)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = hc.PostForm(client.Commercial+tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"http://127.0.0.1:9999/oauth/callback"}, "client_id": {DemoOAuthClientID}, "client_secret": {DemoOAuthClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok tokenAnswer
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token through Transport: %d %v %+v", resp.StatusCode, err, tok)
	}
}

// An admin registers an OAuth client (POST /api/v2/oauth/clients) and members
// sign in through it; others may not register, and redirect URIs are checked.
func TestOAuthClientRegistration(t *testing.T) {
	o := newOAuthEnv(t)
	register := func(authorization, body string) answer {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, o.base+oauthClientsPath, strings.NewReader(body))
		req.Header.Set("Authorization", authorization)
		req.Header.Set("Content-Type", "application/json")
		return o.do(req)
	}
	const redirect = "https://usage.example.org/oauth/callback"
	a := register(DemoKey, `{"name":"Usage MCP","redirectUri":"`+redirect+`","description":"d"}`)
	must := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Fatalf(format, args...)
		}
	}
	must(a.status == http.StatusCreated, "register: %d %s", a.status, a.body)
	var rep clientRep
	must(json.Unmarshal(a.body, &rep) == nil && rep.ClientID != "" && rep.ClientSecret != "" && rep.RedirectURI == redirect,
		"client answer %s", a.body)

	tok, err := SignIn(t.Context(), o.http, o.base, OAuthClient{ID: rep.ClientID, Secret: rep.ClientSecret, RedirectURI: redirect}, Reader)
	must(err == nil && tok.AccessToken != "", "sign-in through the registered client: %v", err)
	_, err = SignIn(t.Context(), o.http, o.base, OAuthClient{ID: rep.ClientID, Secret: rep.ClientSecret + "x", RedirectURI: redirect}, Reader)
	must(err != nil, "a wrong secret signed in")

	// A reader may not register; nor may anyone register a bad redirect URI.
	a = register("Bearer "+tok.AccessToken, `{"name":"x","redirectUri":"`+redirect+`"}`)
	must(a.status == http.StatusForbidden, "a reader registered: %d", a.status)
	for _, body := range []string{
		`{"name":"x","redirectUri":"http://usage.example.org/oauth/callback"}`,
		`{"name":"x","redirectUri":"https://usage.example.org/oauth/callback?x=1"}`,
		`{"name":"x","redirectUri":"/oauth/callback"}`,
		`{"redirectUri":"` + redirect + `"}`,
		`not json`,
	} {
		a := register(DemoKey, body)
		must(a.status == http.StatusBadRequest, "%s: %d %s", body, a.status, a.body)
	}
	if a := register("", `{}`); a.status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", a.status)
	}
}
