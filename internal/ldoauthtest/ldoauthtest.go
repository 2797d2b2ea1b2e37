// Package ldoauthtest is a small fake of LaunchDarkly's OAuth for the
// sign-in tests: /trust/oauth/authorize redirects straight back with a code
// (no login page), /trust/oauth/token trades codes and refresh tokens,
// /api/v2/caller-identity says who a token is, and the usage API is the
// emulator's, reached only with a token the fake issued. It also holds a
// Browser that walks the consent page as a person would. Only tests import it.
package ldoauthtest

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// LD is the fake LaunchDarkly.
type LD struct {
	URL                    string
	ClientID, ClientSecret string
	// ExpiresIn is the lifetime of the access tokens it issues (seconds; default 3600).
	ExpiresIn int

	mu          sync.Mutex
	codes       map[string]string // code → redirect_uri
	access      map[string]bool
	refresh     map[string]bool
	issued      []string // every token issued, access and refresh
	usageAuth   []string // Authorization headers of usage calls
	refreshes   int
	authorizeQs []string
	noIdentity  bool
	emu         *emulator.Emulator
}

// WithoutIdentity makes /api/v2/caller-identity answer 404, as a fake of
// LaunchDarkly's OAuth alone would.
func (ld *LD) WithoutIdentity() {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	ld.noIdentity = true
}

// Member is who every token of the fake belongs to.
const (
	MemberID    = "member-reader-1"
	MemberEmail = "reader@example.com"
)

// Start starts the fake, closed at the end of the test.
func Start(t testing.TB) *LD {
	ld := &LD{ClientID: "ld-client-" + rand.Text()[:8], ClientSecret: "ld-secret-" + rand.Text(), ExpiresIn: 3600,
		codes: map[string]string{}, access: map[string]bool{}, refresh: map[string]bool{}, emu: emulator.New(emulator.Options{})}
	srv := httptest.NewServer(ld)
	t.Cleanup(srv.Close)
	ld.URL = srv.URL
	return ld
}

func (ld *LD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/trust/oauth/authorize":
		ld.authorize(w, r)
	case "/trust/oauth/token":
		ld.token(w, r)
	case "/api/v2/caller-identity":
		ld.mu.Lock()
		none := ld.noIdentity
		ld.mu.Unlock()
		if none {
			http.NotFound(w, r)
			return
		}
		if !ld.validAccess(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "unauthorized", "message": "Invalid access token"})
			return
		}
		// As LaunchDarkly's CallerIdentityRep: the member's id, no email.
		writeJSON(w, http.StatusOK, map[string]string{"memberId": MemberID, "authKind": "oauth"})
	case "/api/v2/members/" + MemberID:
		if !ld.validAccess(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "unauthorized", "message": "Invalid access token"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"_id": MemberID, "email": MemberEmail, "role": "reader"})
	default:
		ld.mu.Lock()
		ld.usageAuth = append(ld.usageAuth, r.Header.Get("Authorization"))
		ld.mu.Unlock()
		if !ld.validAccess(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "unauthorized", "message": "Invalid access token"})
			return
		}
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", emulator.DemoKey)
		ld.emu.ServeHTTP(w, r)
	}
}

func (ld *LD) validAccess(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return ok && ld.access[tok]
}

func (ld *LD) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ld.mu.Lock()
	ld.authorizeQs = append(ld.authorizeQs, r.URL.RawQuery)
	ld.mu.Unlock()
	if q.Get("response_type") != "code" || q.Get("client_id") != ld.ClientID || q.Get("scope") != "reader" || q.Get("state") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := "ldcode-" + rand.Text()
	ld.mu.Lock()
	ld.codes[code] = q.Get("redirect_uri")
	ld.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+q.Get("state"), http.StatusFound)
}

func (ld *LD) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	if f.Get("client_id") != ld.ClientID || f.Get("client_secret") != ld.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	ld.mu.Lock()
	defer ld.mu.Unlock()
	switch f.Get("grant_type") {
	case "authorization_code":
		redirect, ok := ld.codes[f.Get("code")]
		delete(ld.codes, f.Get("code"))
		if !ok || redirect != f.Get("redirect_uri") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
	case "refresh_token":
		if !ld.refresh[f.Get("refresh_token")] {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		delete(ld.refresh, f.Get("refresh_token"))
		ld.refreshes++
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	at, rt := "ldat-"+rand.Text(), "ldrt-"+rand.Text()
	ld.access[at], ld.refresh[rt] = true, true
	ld.issued = append(ld.issued, at, rt)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": at, "refresh_token": rt, "token_type": "bearer", "expires_in": ld.ExpiresIn})
}

// Issued returns every token the fake issued (to look for in logs and stores).
func (ld *LD) Issued() []string {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return append([]string(nil), ld.issued...)
}

// UsageAuthorizations returns the Authorization headers of the usage calls received.
func (ld *LD) UsageAuthorizations() []string {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return append([]string(nil), ld.usageAuth...)
}

// Refreshes is how many refresh_token grants the fake answered.
func (ld *LD) Refreshes() int {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return ld.refreshes
}

// AuthorizeQueries are the query strings of the authorization requests received.
func (ld *LD) AuthorizeQueries() []string {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return append([]string(nil), ld.authorizeQs...)
}

// IsAccess says whether tok is an access token the fake issued.
func (ld *LD) IsAccess(tok string) bool {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return ld.access[tok]
}

// Revoke forgets every token the fake issued (LaunchDarkly ending the sessions).
func (ld *LD) Revoke() {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	clear(ld.access)
	clear(ld.refresh)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
