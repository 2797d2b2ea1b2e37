// Package emulator serves LaunchDarkly's Account usage (beta) API from a small
// synthetic account, so that tests, benchmarks and the server's --demo mode
// run with no account and no network.
//
// An *Emulator is an http.Handler that answers every endpoint of
// client.Endpoints as LaunchDarkly does: the same authentication, beta header,
// validation, error bodies, rate-limit headers and response shapes, with
// deterministic, plausible data computed on demand from the request (nothing
// is precomputed: construction is cheap). Faults (429, 503, slow, truncated,
// HTML, oversized or dropped answers) can be switched on to test clients.
// It also signs the account's members in as LaunchDarkly's OAuth does
// (oauth.go, members.go), so that sign-in runs end to end in tests and --demo.
package emulator

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DemoKey is an access token that every emulator accepts.
const DemoKey = "api-demo0000-0000-0000-0000-000000000000"

// Options configure an Emulator. The zero value is usable.
type Options struct {
	Now       func() time.Time // default time.Now
	Keys      []string         // accepted tokens; when empty, any token starting with "api-" is accepted
	RateLimit int              // requests allowed per Window across the account (0 = unlimited)
	Window    time.Duration    // rate-limit window, default 10s
	Seed      uint64           // varies the synthetic data deterministically

	// TokenRateLimit is the window of each access token (API v24): requests
	// allowed per Window to one token (0 = none). With it, answers carry
	// X-Ratelimit-Auth-Token-Limit, -Remaining and -Reset, and, as
	// LaunchDarkly documents, no X-Ratelimit-Reset: "access token rate limits
	// report their own reset time in X-Ratelimit-Auth-Token-Reset instead".
	TokenRateLimit int

	// Removed makes the operations LaunchDarkly has removed from its API
	// (client.Endpoint.Removed: experimentation units) answer 404 not_found
	// as today's API does. By default they keep answering their seed shape,
	// for --demo.
	Removed bool
	// NoProjectAccess lists accepted tokens whose role may not read projects:
	// the projects API answers them 403 forbidden (usage endpoints still answer).
	NoProjectAccess []string

	// OAuthClients are the OAuth clients registered with the account, which
	// may sign members in (see oauth.go). When empty, the demo's client is
	// registered for a server at http://127.0.0.1:8080 (DemoOAuthClient).
	OAuthClients []OAuthClient
	// AccessTTL, CodeTTL and RefreshTTL are the lifetimes of issued OAuth
	// access tokens, codes and refresh tokens (defaults DefaultAccessTTL,
	// DefaultCodeTTL, DefaultRefreshTTL).
	AccessTTL, CodeTTL, RefreshTTL time.Duration
}

// Recorded is one request the emulator received.
type Recorded struct {
	Method, Path, RawQuery string
	Query                  url.Values
	Header                 http.Header
	At                     time.Time
}

// maxRecorded bounds the request log so that a long-running demo server does
// not grow without limit; Count keeps counting past it.
const maxRecorded = 10000

// Emulator is a fake LaunchDarkly usage API. It is safe for concurrent use.
type Emulator struct {
	now    func() time.Time
	keys   []string
	limit  int
	window time.Duration
	seed   uint64

	removed   bool
	noProject []string
	named     named // synthetic projects and environments requests have named

	clientsMu                      sync.Mutex
	clients                        []OAuthClient
	accessTTL, codeTTL, refreshTTL time.Duration
	oauth                          oauthStore

	recMu sync.Mutex
	reqs  []Recorded
	count int

	faultMu sync.Mutex
	fault   Fault

	tokenLimit int

	rlMu     sync.Mutex
	rlWindow int64 // index of the current window
	rlGlobal int
	rlRoutes map[string]int
	rlTokens map[string]int
}

// New returns an emulator. It does no work beyond storing the options.
func New(o Options) *Emulator {
	e := &Emulator{now: o.Now, limit: o.RateLimit, tokenLimit: o.TokenRateLimit, window: o.Window, seed: o.Seed,
		removed: o.Removed, noProject: append([]string(nil), o.NoProjectAccess...)}
	if e.now == nil {
		e.now = time.Now
	}
	if e.window <= 0 {
		e.window = 10 * time.Second
	}
	e.keys = append([]string(nil), o.Keys...)
	e.clients = append([]OAuthClient(nil), o.OAuthClients...)
	if len(e.clients) == 0 {
		e.clients = []OAuthClient{DemoOAuthClient("http://127.0.0.1:8080")}
	}
	e.accessTTL = cmp.Or(max(o.AccessTTL, 0), DefaultAccessTTL)
	e.codeTTL = cmp.Or(max(o.CodeTTL, 0), DefaultCodeTTL)
	e.refreshTTL = cmp.Or(max(o.RefreshTTL, 0), DefaultRefreshTTL)
	return e
}

// Requests returns a copy of the requests received, oldest first. Only the
// most recent ones are kept (between 5000 and 10000) so that a long-running
// demo server does not grow; Count counts them all.
func (e *Emulator) Requests() []Recorded {
	e.recMu.Lock()
	defer e.recMu.Unlock()
	return append([]Recorded(nil), e.reqs...)
}

// ResetRequests forgets the requests received and resets Count.
func (e *Emulator) ResetRequests() {
	e.recMu.Lock()
	defer e.recMu.Unlock()
	e.reqs, e.count = nil, 0
}

// Count returns the number of requests received.
func (e *Emulator) Count() int {
	e.recMu.Lock()
	defer e.recMu.Unlock()
	return e.count
}

func (e *Emulator) record(r *http.Request, at time.Time) {
	rec := Recorded{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Query: r.URL.Query(), Header: r.Header.Clone(), At: at,
	}
	e.recMu.Lock()
	defer e.recMu.Unlock()
	e.count++
	if len(e.reqs) >= maxRecorded {
		// Forget the older half at once, so that recording stays cheap.
		n := copy(e.reqs, e.reqs[len(e.reqs)-maxRecorded/2:])
		clear(e.reqs[n:])
		e.reqs = e.reqs[:n]
	}
	e.reqs = append(e.reqs, rec)
}

// ServeHTTP answers one request as LaunchDarkly would, unless a fault applies.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.record(r, e.now())
	if f, ok := e.takeFault(r.URL.Path); ok {
		if e.applyFault(f, w, r) {
			return
		}
	}
	e.serve(w, r)
}

// serve is the fault-free answer: auth, rate limit, route, method, beta
// header, validation, data.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	now := e.now().UTC()
	if strings.HasPrefix(r.URL.Path, "/trust/oauth/") {
		e.serveOAuth(w, r)
		return
	}
	who, ok := e.caller(r.Header.Get("Authorization"), now)
	if !ok {
		writeError(w, http.StatusUnauthorized, "unauthorized", "Invalid access token")
		return
	}
	if identityRoute(r.URL.Path) {
		e.serveIdentity(w, r, who)
		return
	}
	if r.URL.Path == oauthClientsPath {
		e.registerClient(w, r, who)
		return
	}
	ep, pathArgs := match(r.URL.EscapedPath())
	pr, prArgs := matchProjects(r.URL.EscapedPath())
	routeKey := r.URL.Path
	switch {
	case ep != nil:
		routeKey = ep.Path
	case pr != nil:
		routeKey = pr.template
	}
	if !e.rateLimit(w.Header(), routeKey, r.Header.Get("Authorization"), now) {
		writeError(w, http.StatusTooManyRequests, "rate_limited", "You've exceeded the API rate limit. Try again later.")
		return
	}
	if ep == nil && pr == nil || ep != nil && ep.Removed && e.removed {
		writeError(w, http.StatusNotFound, "not_found", "Invalid resource identifier")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed")
		return
	}
	if who.oauth && !who.member.ReadsUsage { // LaunchDarkly's 403 for a role without access
		writeError(w, http.StatusForbidden, "forbidden", "Forbidden. Access to the requested resource was denied.")
		return
	}
	if pr != nil { // the projects API is not in beta: no LD-API-Version needed
		if e.tokenIn(r.Header.Get("Authorization"), e.noProject) {
			writeError(w, http.StatusForbidden, "forbidden", "Access to the requested resource was denied")
			return
		}
		status, body := e.projectsAPI(pr, prArgs, r.URL.Query())
		writeJSON(w, status, body)
		return
	}
	if strings.TrimSpace(r.Header.Get("LD-API-Version")) != "beta" {
		writeJSON(w, http.StatusForbidden, []byte(`{"message":"This API is in beta. To use it, your request must include the header `+"`LD-API-Version: beta`"+`."}`))
		return
	}
	q, aerr := e.parse(ep, pathArgs, r.URL.Query(), now)
	if aerr != nil {
		writeError(w, aerr.status, aerr.code, aerr.message)
		return
	}
	body, aerr := e.answer(q)
	if aerr != nil {
		writeError(w, aerr.status, aerr.code, aerr.message)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// caller says who an Authorization header authenticates: an unexpired OAuth
// access token the emulator issued ("Bearer <token>"), or an accepted access
// token (bare), which acts as the account's admin.
func (e *Emulator) caller(header string, now time.Time) (caller, bool) {
	if tok, ok := bearer(header); ok {
		return e.oauthCaller(tok, now)
	}
	return caller{member: Admin}, e.authorized(header)
}

// authorized reports whether token is an accepted access token. SDK keys and
// mobile keys are refused as LaunchDarkly refuses them.
func (e *Emulator) authorized(token string) bool {
	if token == "" || strings.HasPrefix(token, "sdk-") || strings.HasPrefix(token, "mob-") {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(DemoKey)) == 1 {
		return true
	}
	if len(e.keys) == 0 {
		return strings.HasPrefix(token, "api-")
	}
	return e.tokenIn(token, e.keys)
}

// tokenIn reports whether token is one of keys, in constant time per key.
func (e *Emulator) tokenIn(token string, keys []string) bool {
	ok := false
	for _, k := range keys {
		if subtle.ConstantTimeCompare([]byte(token), []byte(k)) == 1 {
			ok = true
		}
	}
	return ok
}

// rateLimit counts the request in the current fixed window, sets the
// rate-limit headers (API v24's included) and reports whether the request
// is within the limits.
func (e *Emulator) rateLimit(h http.Header, route, token string, now time.Time) bool {
	tokenLimited := e.tokenLimit > 0 && strings.HasPrefix(token, "api-")
	if e.limit <= 0 && !tokenLimited {
		return true
	}
	win := now.UnixNano() / int64(e.window)
	e.rlMu.Lock()
	if win != e.rlWindow || e.rlRoutes == nil {
		e.rlWindow, e.rlGlobal, e.rlRoutes, e.rlTokens = win, 0, map[string]int{}, map[string]int{}
	}
	e.rlGlobal++
	e.rlRoutes[route]++
	// The token itself is not kept: its hash names its count.
	tk := tokenCounter(token)
	e.rlTokens[tk]++
	global, routeN, tokenN := e.rlGlobal, e.rlRoutes[route], e.rlTokens[tk]
	e.rlMu.Unlock()

	reset := strconv.FormatInt(time.Unix(0, (win+1)*int64(e.window)).UnixMilli(), 10)
	ok := true
	if e.limit > 0 {
		limit := strconv.Itoa(e.limit)
		h.Set("X-Ratelimit-Global-Limit", limit)
		h.Set("X-Ratelimit-Route-Limit", limit)
		h.Set("X-Ratelimit-Global-Remaining", strconv.Itoa(max(e.limit-global, 0)))
		h.Set("X-Ratelimit-Route-Remaining", strconv.Itoa(max(e.limit-routeN, 0)))
		ok = global <= e.limit && routeN <= e.limit
	}
	if tokenLimited {
		h.Set("X-Ratelimit-Auth-Token-Limit", strconv.Itoa(e.tokenLimit))
		h.Set("X-Ratelimit-Auth-Token-Remaining", strconv.Itoa(max(e.tokenLimit-tokenN, 0)))
		h.Set("X-Ratelimit-Auth-Token-Reset", reset)
		return ok && tokenN <= e.tokenLimit
	}
	h.Set("X-Ratelimit-Reset", reset)
	return ok
}

// tokenCounter names a token's count in the window without keeping the token.
func tokenCounter(token string) string {
	sum := sha256.Sum256([]byte(token))
	return string(sum[:16])
}

// apiError is an error answer in LaunchDarkly's shape.
type apiError struct {
	status        int
	code, message string
}

func invalid(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "invalid_request", message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
