package signin

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// pending is an authorization request between its checks and LaunchDarkly's
// callback. It is kept under the hash of a random ID.
type pending struct {
	ClientID     string `json:"client_id"`
	ClientName   string `json:"client_name,omitempty"`
	FromDocument bool   `json:"from_document,omitempty"`
	RedirectURI  string `json:"redirect_uri"`
	State        string `json:"state,omitempty"`
	Challenge    string `json:"code_challenge"`
	Resource     string `json:"resource"`
	Scope        string `json:"scope"`
	CSRF         string `json:"csrf"`    // hash of the consent form's CSRF token
	Browser      string `json:"browser"` // hash of the consenting browser's cookie, which LaunchDarkly's callback must carry too
}

// codeRec is an authorization code this server issued, kept under its hash.
type codeRec struct {
	ClientID    string    `json:"client_id"`
	RedirectURI string    `json:"redirect_uri"`
	Challenge   string    `json:"code_challenge"`
	Resource    string    `json:"resource"`
	Scope       string    `json:"scope"`
	Session     string    `json:"session"`
	Expires     time.Time `json:"expires"`
}

// Cookies of the browser flow.
const (
	cookieBrowser = "ld_usage_signin" // a browser's random ID, which its consent forms and callbacks are bound to
	maxFormBytes  = 16 << 10
)

var challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func (s *Server) cookieName(base string) string {
	if s.secure {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// serveAuthorize checks an authorization request and shows the consent page.
// An unknown client or a redirect URI that is not registered gets an error
// page (never a redirect); other errors go back to the client's redirect URI.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		s.errorPage(w, http.StatusMethodNotAllowed, "The authorization endpoint answers GET.")
		return
	}
	q := r.URL.Query()
	for _, p := range []string{"client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method", "resource", "scope"} {
		if len(q[p]) > 1 {
			s.errorPage(w, http.StatusBadRequest, "The parameter "+p+" is repeated.")
			return
		}
	}
	c, err := s.client(r.Context(), q.Get("client_id"))
	if err != nil {
		s.clientErrorPage(w, err)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" && len(c.RedirectURIs) == 1 {
		redirect = c.RedirectURIs[0]
	}
	if !slices.Contains(c.RedirectURIs, redirect) {
		s.logger.Warn("authorization refused: redirect URI not registered", "client_id", c.ID)
		s.errorPage(w, http.StatusBadRequest, "The redirect URI is not one this client registered. Nothing was sent to it.")
		return
	}
	state := q.Get("state")
	back := func(code, desc string) {
		s.logger.Info("authorization refused", "client_id", c.ID, "error", code, "reason", desc)
		http.Redirect(w, r, withQuery(redirect, "error", code, "error_description", desc, "state", state), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		back("unsupported_response_type", "only response_type=code is supported")
		return
	}
	challenge := q.Get("code_challenge")
	if challenge == "" {
		back("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256")
		return
	}
	if q.Get("code_challenge_method") != "S256" {
		back("invalid_request", "code_challenge_method must be S256")
		return
	}
	if !challengeRE.MatchString(challenge) {
		back("invalid_request", "code_challenge is not a base64url SHA-256 (43 characters)")
		return
	}
	resource := q.Get("resource")
	if resource == "" {
		resource = s.resource
	}
	if resource != s.resource {
		back("invalid_target", "this server issues tokens for "+s.resource+" only")
		return
	}

	if !s.writes.Allow() {
		w.Header().Set("Retry-After", "1")
		s.errorPage(w, http.StatusTooManyRequests, "Too many sign-ins at once: try again in a second.")
		return
	}
	id, csrf := newToken(), newToken()
	browser := s.cookie(r, cookieBrowser)
	if len(browser) < 32 {
		browser = newToken() // kept when present, so that two sign-ins in two tabs both work
	}
	p := pending{
		ClientID: c.ID, ClientName: c.Name, FromDocument: c.FromDocument,
		RedirectURI: redirect, State: state, Challenge: challenge,
		Resource: resource, Scope: Scope, CSRF: s.rec.k.hash("csrf", csrf), Browser: s.rec.k.hash("browser", browser),
	}
	if err := s.rec.put(r.Context(), "pending", s.rec.k.hash("pending", id), &p, pendingTTL); err != nil {
		s.storeDownPage(w, err)
		return
	}
	s.setCookie(w, cookieBrowser, browser, int(pendingTTL.Seconds()))
	s.renderConsent(w, c, redirect, id, csrf)
}

// serveConsent takes the consent form. Approved, it sends the person to
// LaunchDarkly's sign-in; denied, back to the client with access_denied.
func (s *Server) serveConsent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.errorPage(w, http.StatusMethodNotAllowed, "The consent form is sent with POST.")
		return
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !strings.EqualFold(o, s.public) {
		s.errorPage(w, http.StatusForbidden, "The consent form was sent from another site.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "The consent form could not be read.")
		return
	}
	form, cookie := r.PostForm.Get("csrf"), s.cookie(r, cookieBrowser)
	if form == "" || cookie == "" {
		s.csrfRefused(w, r)
		return
	}
	pid := s.rec.k.hash("pending", r.PostForm.Get("request"))
	var p pending
	if err := s.rec.get(r.Context(), "pending", pid, &p); err != nil {
		if isStoreDown(err) {
			s.storeDownPage(w, err)
			return
		}
		s.errorPage(w, http.StatusBadRequest, "This sign-in request is unknown, was already answered, or expired. Start again from your MCP client.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(s.rec.k.hash("csrf", form)), []byte(p.CSRF)) != 1 ||
		subtle.ConstantTimeCompare([]byte(s.rec.k.hash("browser", cookie)), []byte(p.Browser)) != 1 {
		s.csrfRefused(w, r)
		return
	}
	if err := s.rec.take(r.Context(), "pending", pid, &p); err != nil { // answered once only
		if isStoreDown(err) {
			s.storeDownPage(w, err)
			return
		}
		s.errorPage(w, http.StatusBadRequest, "This sign-in request was already answered. Start again from your MCP client.")
		return
	}
	if r.PostForm.Get("approve") == "" {
		s.logger.Info("consent denied", "client_id", p.ClientID)
		http.Redirect(w, r, withQuery(p.RedirectURI, "error", "access_denied", "error_description", "the person declined", "state", p.State), http.StatusSeeOther)
		return
	}
	state := newToken()
	if err := s.rec.put(r.Context(), "upstream", s.rec.k.hash("upstream", state), &p, pendingTTL); err != nil {
		s.storeDownPage(w, err)
		return
	}
	http.Redirect(w, r, s.up.AuthCodeURL(state), http.StatusSeeOther)
}

func (s *Server) csrfRefused(w http.ResponseWriter, r *http.Request) {
	s.logger.Warn("consent refused: CSRF check failed", "remote", r.RemoteAddr)
	s.errorPage(w, http.StatusForbidden, "The consent form failed its CSRF check (its token is missing, or it was not opened in this browser). Start again from your MCP client.")
}

// serveCallback is LaunchDarkly's redirect back: it trades LaunchDarkly's
// code for its tokens, learns who signed in, and sends the client its own code.
func (s *Server) serveCallback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		s.errorPage(w, http.StatusMethodNotAllowed, "The callback answers GET.")
		return
	}
	q := r.URL.Query()
	var p pending
	if err := s.rec.take(r.Context(), "upstream", s.rec.k.hash("upstream", q.Get("state")), &p); err != nil {
		if isStoreDown(err) {
			s.storeDownPage(w, err)
			return
		}
		s.logger.Warn("callback refused: unknown state", "remote", r.RemoteAddr)
		s.errorPage(w, http.StatusBadRequest, "This sign-in is unknown or expired (its state is not one this server sent). Start again from your MCP client.")
		return
	}
	browser := s.cookie(r, cookieBrowser)
	if browser == "" || subtle.ConstantTimeCompare([]byte(s.rec.k.hash("browser", browser)), []byte(p.Browser)) != 1 {
		s.logger.Warn("callback refused: not the browser that consented", "client_id", p.ClientID)
		s.errorPage(w, http.StatusBadRequest, "This sign-in was started in another browser. Start again from your MCP client.")
		return
	}
	back := func(code, desc string) {
		http.Redirect(w, r, withQuery(p.RedirectURI, "error", code, "error_description", desc, "state", p.State), http.StatusFound)
	}
	if e := q.Get("error"); e != "" {
		s.logger.Info("LaunchDarkly sign-in not completed", "client_id", p.ClientID, "error", e)
		back("access_denied", "the LaunchDarkly sign-in was not completed ("+e+")")
		return
	}
	if q.Get("code") == "" {
		back("server_error", "LaunchDarkly answered without a code")
		return
	}
	sess, err := s.signIn(r.Context(), q.Get("code"))
	if err != nil {
		s.logger.Warn("LaunchDarkly sign-in failed", "client_id", p.ClientID, "err", err)
		var se *StoreError
		if errors.As(err, &se) {
			back("temporarily_unavailable", "the sign-in store is unavailable; try again shortly")
			return
		}
		back("server_error", err.Error())
		return
	}
	code := newToken()
	cr := codeRec{ClientID: p.ClientID, RedirectURI: p.RedirectURI, Challenge: p.Challenge, Resource: p.Resource,
		Scope: p.Scope, Session: sess, Expires: s.now().Add(codeTTL)}
	if err := s.rec.put(r.Context(), "code", s.rec.k.hash("code", code), &cr, codeTTL); err != nil {
		back("temporarily_unavailable", "the sign-in store is unavailable; try again shortly")
		return
	}
	http.Redirect(w, r, withQuery(p.RedirectURI, "code", code, "state", p.State), http.StatusFound)
}

// withQuery adds parameters to a registered redirect URI, keeping its own
// query; empty values are left out.
func withQuery(base string, kv ...string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base // registered URIs were checked; not reached
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Server) clientErrorPage(w http.ResponseWriter, err error) {
	var de *DocumentError
	switch {
	case errors.Is(err, errUnknownClient):
		s.errorPage(w, http.StatusBadRequest, "The client is unknown to this server (unregistered client_id). Nothing was sent to it.")
	case errors.As(err, &de):
		s.logger.Warn("authorization refused: client ID metadata document", "reason", de.Reason)
		s.errorPage(w, http.StatusBadRequest, "The client's "+de.Error()+". Nothing was sent to it.")
	default:
		s.storeDownPage(w, err)
	}
}

func (s *Server) storeDownPage(w http.ResponseWriter, err error) {
	s.logger.Error("sign-in store unavailable", "err", err)
	s.errorPage(w, http.StatusServiceUnavailable, "Sign-in is unavailable right now: this server cannot reach its sign-in store (Redis). People already signed in can go on; try signing in again shortly.")
}
