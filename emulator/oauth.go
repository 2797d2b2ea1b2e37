package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// LaunchDarkly's OAuth, as an account's registered OAuth client sees it:
//
//	GET  /trust/oauth/authorize  response_type=code, client_id, redirect_uri, scope=reader|writer, state
//	     → a login page listing the account's members (Members); choosing
//	       one redirects to redirect_uri with code and state
//	POST /trust/oauth/token      grant_type=authorization_code (code, redirect_uri)
//	                             or refresh_token (refresh_token), with the
//	                             client's id and secret in the form or as HTTP Basic
//	     → {"access_token", "refresh_token", "token_type": "bearer", "expires_in", "scope"}
//
// The access token then authenticates API calls as "Authorization: Bearer
// <token>" (a bare OAuth token is refused, as a bare "Bearer" access token
// is). Codes are single-use and live CodeTTL; a reused code revokes the
// tokens issued for it (RFC 6749 §4.1.2). Refresh tokens rotate: each use
// returns a new one and the old one stops working.

// OAuthClient is an OAuth client registered with the account
// (POST /api/v2/oauth/clients): one exact redirect URI.
type OAuthClient struct {
	ID, Secret  string
	Name        string // shown on the login page
	RedirectURI string
}

// The demo's OAuth client: fixed, documented values, so that the server's
// --demo mode signs people in with no other flag.
const (
	DemoOAuthClientID     = "ld-usage-mcp-demo"
	DemoOAuthClientSecret = "demo-oauth-client-secret"
)

// DemoOAuthClient is the demo's OAuth client registered for a server at
// publicURL: its redirect URI is publicURL + "/oauth/callback".
func DemoOAuthClient(publicURL string) OAuthClient {
	return OAuthClient{ID: DemoOAuthClientID, Secret: DemoOAuthClientSecret, Name: "ld-usage-mcp (demo)",
		RedirectURI: strings.TrimRight(publicURL, "/") + "/oauth/callback"}
}

// Lifetimes of what the emulator issues, unless Options say otherwise.
const (
	DefaultAccessTTL  = time.Hour
	DefaultCodeTTL    = 5 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

// maxGrants bounds the codes and tokens kept, so that a long-running demo
// server does not grow without limit.
const maxGrants = 20000

const (
	authorizePath = "/trust/oauth/authorize"
	tokenPath     = "/trust/oauth/token"
)

// grant is one code or token: whom it was issued to and until when.
type grant struct {
	kind        byte // 'c' code, 'a' access, 'r' refresh
	family      string
	clientID    string
	redirectURI string
	scope       string
	member      Member
	expires     time.Time
	used        bool // a code already exchanged
}

type oauthStore struct {
	mu     sync.Mutex
	grants map[string]*grant // by token
}

func (s *oauthStore) put(tok string, g *grant, now time.Time) {
	if s.grants == nil {
		s.grants = map[string]*grant{}
	}
	if len(s.grants) >= maxGrants {
		for k, old := range s.grants {
			if !now.Before(old.expires) {
				delete(s.grants, k)
			}
		}
		for k := range s.grants { // still full: forget any one
			if len(s.grants) < maxGrants {
				break
			}
			delete(s.grants, k)
		}
	}
	s.grants[tok] = g
}

// revokeFamily forgets every token issued from one authorization.
func (s *oauthStore) revokeFamily(family string) {
	for k, g := range s.grants {
		if g.family == family && g.kind != 'c' {
			delete(s.grants, k)
		}
	}
}

// newToken returns a random opaque token with a prefix saying what it is.
func newToken(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// oauthCaller finds the member an unexpired OAuth access token was issued to.
func (e *Emulator) oauthCaller(tok string, now time.Time) (c caller, ok bool) {
	e.oauth.mu.Lock()
	defer e.oauth.mu.Unlock()
	g, found := e.oauth.grants[tok]
	if !found || g.kind != 'a' || !now.Before(g.expires) {
		return caller{}, false
	}
	return caller{member: g.member, oauth: true, clientID: g.clientID}, true
}

func (e *Emulator) oauthClient(id string) (OAuthClient, bool) {
	e.clientsMu.Lock()
	defer e.clientsMu.Unlock()
	for _, c := range e.clients {
		if id != "" && c.ID == id {
			return c, true
		}
	}
	return OAuthClient{}, false
}

// serveOAuth answers the two OAuth routes.
func (e *Emulator) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case authorizePath:
		e.authorize(w, r)
	case tokenPath:
		e.token(w, r)
	default:
		writeError(w, http.StatusNotFound, "not_found", "Invalid resource identifier")
	}
}

// maxForm bounds an OAuth form body.
const maxForm = 16 << 10

// authorize shows the login page (GET) or signs the chosen member in (POST).
func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request) {
	var q url.Values
	switch r.Method {
	case http.MethodGet:
		q = r.URL.Query()
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			e.errorPage(w, http.StatusBadRequest, "The form could not be read.")
			return
		}
		q = r.PostForm
	default:
		w.Header().Set("Allow", "GET, POST")
		e.errorPage(w, http.StatusMethodNotAllowed, "Method not allowed.")
		return
	}
	c, ok := e.oauthClient(q.Get("client_id"))
	if !ok {
		e.errorPage(w, http.StatusBadRequest, "Unknown OAuth client: no OAuth client with this client_id is registered with the account.")
		return
	}
	if ru := q.Get("redirect_uri"); ru == "" || ru != c.RedirectURI {
		e.errorPage(w, http.StatusBadRequest, "The redirect_uri does not match the redirect URI registered for this OAuth client.")
		return
	}
	// From here on errors go back to the client (RFC 6749 §4.1.2.1).
	back := func(params url.Values) {
		if s := q.Get("state"); s != "" {
			params.Set("state", s)
		}
		http.Redirect(w, r, withQuery(c.RedirectURI, params), http.StatusFound)
	}
	fail := func(code, desc string) {
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	scope := q.Get("scope")
	if scope != "reader" && scope != "writer" {
		fail("invalid_scope", "scope must be reader or writer")
		return
	}
	if r.Method == http.MethodGet {
		e.loginPage(w, c, q)
		return
	}
	if q.Get("deny") != "" {
		fail("access_denied", "the member declined")
		return
	}
	m, ok := memberByID(q.Get("member"))
	if !ok {
		e.errorPage(w, http.StatusBadRequest, "Choose a member to sign in as.")
		return
	}
	now := e.now()
	code := newToken("ldc-")
	e.oauth.mu.Lock()
	e.oauth.put(code, &grant{kind: 'c', family: newToken(""), clientID: c.ID, redirectURI: c.RedirectURI,
		scope: scope, member: m, expires: now.Add(e.codeTTL)}, now)
	e.oauth.mu.Unlock()
	back(url.Values{"code": {code}})
}

// withQuery adds params to u's query.
func withQuery(u string, params url.Values) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	for k, vs := range params {
		q[k] = vs
	}
	p.RawQuery = q.Encode()
	return p.String()
}

// tokenAnswer is the token endpoint's success body.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

// token exchanges a code or a refresh token for tokens.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the form could not be read")
		return
	}
	f := r.PostForm
	c, ok := e.clientAuth(r, f)
	if !ok {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="LaunchDarkly"`)
		}
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	now := e.now()
	e.oauth.mu.Lock()
	defer e.oauth.mu.Unlock()
	var from *grant
	switch f.Get("grant_type") {
	case "authorization_code":
		code := f.Get("code")
		if code == "" {
			oauthError(w, http.StatusBadRequest, "invalid_request", "code is missing")
			return
		}
		g, found := e.oauth.grants[code]
		switch {
		case !found || g.kind != 'c' || g.clientID != c.ID:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the code is not valid")
			return
		case g.used:
			e.oauth.revokeFamily(g.family) // a replayed code: its tokens are revoked
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the code was already used")
			return
		case !now.Before(g.expires):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the code has expired")
			return
		case f.Get("redirect_uri") != g.redirectURI:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
			return
		}
		g.used = true
		from = g
	case "refresh_token":
		rt := f.Get("refresh_token")
		if rt == "" {
			oauthError(w, http.StatusBadRequest, "invalid_request", "refresh_token is missing")
			return
		}
		g, found := e.oauth.grants[rt]
		if !found || g.kind != 'r' || g.clientID != c.ID || !now.Before(g.expires) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is not valid")
			return
		}
		delete(e.oauth.grants, rt) // rotated
		from = g
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	ans := tokenAnswer{AccessToken: newToken("ldo-"), RefreshToken: newToken("ldr-"), TokenType: "bearer",
		ExpiresIn: int64(e.accessTTL / time.Second), Scope: from.scope}
	base := grant{family: from.family, clientID: c.ID, scope: from.scope, member: from.member}
	access, refresh := base, base
	access.kind, access.expires = 'a', now.Add(e.accessTTL)
	refresh.kind, refresh.expires = 'r', now.Add(e.refreshTTL)
	e.oauth.put(ans.AccessToken, &access, now)
	e.oauth.put(ans.RefreshToken, &refresh, now)
	b, _ := json.Marshal(ans)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, b)
}

// clientAuth authenticates the client by HTTP Basic (client_secret_basic,
// its parts form-encoded as RFC 6749 §2.3.1 says) or by the form
// (client_secret_post), never both.
func (e *Emulator) clientAuth(r *http.Request, f url.Values) (OAuthClient, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if f.Has("client_secret") {
			return OAuthClient{}, false
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return OAuthClient{}, false
		}
	} else {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	c, ok := e.oauthClient(id)
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return OAuthClient{}, false
	}
	return c, true
}

// oauthError writes an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	b, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, desc})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, b)
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}
