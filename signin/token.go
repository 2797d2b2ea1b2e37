package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// family is one grant: the tokens descending from one authorization code by
// refresh. Deleting it revokes them all.
type family struct {
	ClientID string `json:"client_id"`
	Resource string `json:"resource"`
	Scope    string `json:"scope"`
	Session  string `json:"session"` // key of the LaunchDarkly session
}

// tokenRec is an access or refresh token this server issued, kept under its hash.
type tokenRec struct {
	Family   string    `json:"family"`
	ClientID string    `json:"client_id"`
	Resource string    `json:"resource"`
	Expires  time.Time `json:"expires"`
}

// usedRec marks a used code or a rotated refresh token: presented again, it
// revokes its family.
type usedRec struct {
	Family string `json:"family"`
}

var verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// serveToken is the token endpoint: authorization_code (with PKCE) and
// refresh_token (rotating) grants. Errors are 400 with a JSON error (RFC 6749 §5.2).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if !allowCORS(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_request", "the body must be an application/x-www-form-urlencoded form"))
		return
	}
	f := r.PostForm
	for _, p := range []string{"grant_type", "code", "code_verifier", "redirect_uri", "client_id", "refresh_token", "resource"} {
		if len(f[p]) > 1 {
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_request", "the parameter "+p+" is repeated"))
			return
		}
	}
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	user, pw, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the client's credentials are form-encoded in Basic.
		u, err1 := url.QueryUnescape(user)
		p, err2 := url.QueryUnescape(pw)
		if err1 != nil || err2 != nil || (clientID != "" && clientID != u) {
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_request", "the Basic credentials are malformed or name another client"))
			return
		}
		clientID, secret = u, p
	}
	var (
		access, refresh string
		err             *tokenError
	)
	if cerr := s.authenticateClient(r.Context(), clientID, secret); cerr != nil {
		s.logger.Info("token request refused", "client_id", clientID, "error", cerr.code, "reason", cerr.desc)
		status := http.StatusBadRequest // RFC 6749 §5.2: 401 when the client tried Basic
		switch {
		case cerr.code == "temporarily_unavailable":
			status = http.StatusServiceUnavailable
		case basic && cerr.code == "invalid_client":
			status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", `Basic realm="ld-usage-mcp"`)
		}
		writeJSON(w, status, oauthError(cerr.code, cerr.desc))
		return
	}
	switch f.Get("grant_type") {
	case "authorization_code":
		access, refresh, err = s.codeGrant(r.Context(), clientID, f.Get("code"), f.Get("code_verifier"), f.Get("redirect_uri"), f.Get("resource"))
	case "refresh_token":
		access, refresh, err = s.refreshGrant(r.Context(), clientID, f.Get("refresh_token"), f.Get("resource"))
	case "":
		err = &tokenError{"invalid_request", "grant_type is required"}
	default:
		err = &tokenError{"unsupported_grant_type", "grant types: authorization_code, refresh_token"}
	}
	if err != nil {
		status := http.StatusBadRequest
		if err.code == "temporarily_unavailable" {
			status = http.StatusServiceUnavailable
		}
		s.logger.Info("token request refused", "grant_type", f.Get("grant_type"), "client_id", clientID, "error", err.code, "reason", err.desc)
		writeJSON(w, status, oauthError(err.code, err.desc))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int(AccessTokenTTL.Seconds()),
		"refresh_token": refresh,
		"scope":         Scope,
	})
}

type tokenError struct{ code, desc string }

// authenticateClient checks a client's credentials at the token endpoint:
// none for public clients (PKCE is their proof), the secret issued at
// registration for the clients that asked for one.
func (s *Server) authenticateClient(ctx context.Context, id, secret string) *tokenError {
	if id == "" {
		return &tokenError{"invalid_request", "client_id is required"}
	}
	if strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://") {
		return nil // a client ID metadata document's client is public (checked at authorization)
	}
	var c clientRec
	if err := s.rec.get(ctx, "client", id, &c); err != nil {
		if isStoreDown(err) {
			return &tokenError{"temporarily_unavailable", "the sign-in store is unavailable; try again shortly"}
		}
		return &tokenError{"invalid_client", "the client is unknown"}
	}
	if c.SecretHash == "" {
		return nil
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(s.rec.k.hash("client_secret", secret)), []byte(c.SecretHash)) != 1 {
		return &tokenError{"invalid_client", "the client secret is missing or wrong"}
	}
	return nil
}

func storeErr(err error) *tokenError {
	if isStoreDown(err) {
		return &tokenError{"temporarily_unavailable", "the sign-in store is unavailable; try again shortly"}
	}
	return &tokenError{"invalid_grant", "the grant is unknown, expired or revoked"}
}

func (s *Server) codeGrant(ctx context.Context, clientID, code, verifier, redirect, resource string) (string, string, *tokenError) {
	if code == "" {
		return "", "", &tokenError{"invalid_request", "code is required"}
	}
	h := s.rec.k.hash("code", code)
	var cr codeRec
	if err := s.rec.take(ctx, "code", h, &cr); err != nil {
		if !errors.Is(err, ErrNotFound) {
			return "", "", storeErr(err)
		}
		var used usedRec
		if s.rec.get(ctx, "codeused", h, &used) == nil {
			s.revokeFamily(ctx, used.Family, "an authorization code was used twice")
		}
		return "", "", &tokenError{"invalid_grant", "the code is unknown, expired or already used"}
	}
	switch {
	case clientID == "" || clientID != cr.ClientID:
		return "", "", &tokenError{"invalid_grant", "the code was issued to another client"}
	case !s.now().Before(cr.Expires):
		return "", "", &tokenError{"invalid_grant", "the code expired"}
	case redirect != "" && redirect != cr.RedirectURI:
		return "", "", &tokenError{"invalid_grant", "redirect_uri differs from the authorization request's"}
	case verifier == "":
		return "", "", &tokenError{"invalid_request", "code_verifier is required (PKCE)"}
	case !verifierRE.MatchString(verifier):
		return "", "", &tokenError{"invalid_grant", "code_verifier is malformed"}
	case subtle.ConstantTimeCompare([]byte(oauth2.S256ChallengeFromVerifier(verifier)), []byte(cr.Challenge)) != 1:
		return "", "", &tokenError{"invalid_grant", "code_verifier does not match the code_challenge"}
	case resource != "" && resource != cr.Resource:
		return "", "", &tokenError{"invalid_target", "the code was issued for " + cr.Resource}
	}
	fid := newToken()
	fam := family{ClientID: cr.ClientID, Resource: cr.Resource, Scope: cr.Scope, Session: cr.Session}
	if err := s.rec.put(ctx, "family", fid, &fam, RefreshTokenTTL); err != nil {
		return "", "", storeErr(err)
	}
	_ = s.rec.put(ctx, "codeused", h, &usedRec{Family: fid}, pendingTTL)
	return s.issue(ctx, fid, &fam)
}

func (s *Server) refreshGrant(ctx context.Context, clientID, refresh, resource string) (string, string, *tokenError) {
	if refresh == "" {
		return "", "", &tokenError{"invalid_request", "refresh_token is required"}
	}
	h := s.rec.k.hash("rt", refresh)
	var rt tokenRec
	if err := s.rec.take(ctx, "rt", h, &rt); err != nil {
		if !errors.Is(err, ErrNotFound) {
			return "", "", storeErr(err)
		}
		var used usedRec
		if s.rec.get(ctx, "rtused", h, &used) == nil {
			s.revokeFamily(ctx, used.Family, "a rotated refresh token was used again")
			return "", "", &tokenError{"invalid_grant", "the refresh token was already used: every token of its grant is revoked; sign in again"}
		}
		return "", "", &tokenError{"invalid_grant", "the refresh token is unknown, expired or revoked"}
	}
	_ = s.rec.put(ctx, "rtused", h, &usedRec{Family: rt.Family}, usedMarkerTTL)
	if clientID != rt.ClientID {
		s.revokeFamily(ctx, rt.Family, "a refresh token was presented by another client")
		return "", "", &tokenError{"invalid_grant", "the refresh token was issued to another client"}
	}
	if !s.now().Before(rt.Expires) {
		return "", "", &tokenError{"invalid_grant", "the refresh token expired"}
	}
	if resource != "" && resource != rt.Resource {
		return "", "", &tokenError{"invalid_target", "the refresh token was issued for " + rt.Resource}
	}
	var fam family
	if err := s.rec.get(ctx, "family", rt.Family, &fam); err != nil {
		return "", "", storeErr(err)
	}
	return s.issue(ctx, rt.Family, &fam)
}

// issue makes a new access token and refresh token of family fid.
func (s *Server) issue(ctx context.Context, fid string, fam *family) (string, string, *tokenError) {
	now := s.now()
	access, refresh := newToken(), newToken()
	at := tokenRec{Family: fid, ClientID: fam.ClientID, Resource: fam.Resource, Expires: now.Add(AccessTokenTTL)}
	rt := tokenRec{Family: fid, ClientID: fam.ClientID, Resource: fam.Resource, Expires: now.Add(RefreshTokenTTL)}
	if err := s.rec.put(ctx, "at", s.rec.k.hash("at", access), &at, AccessTokenTTL); err != nil {
		return "", "", storeErr(err)
	}
	if err := s.rec.put(ctx, "rt", s.rec.k.hash("rt", refresh), &rt, RefreshTokenTTL); err != nil {
		return "", "", storeErr(err)
	}
	// The family lives as long as its newest refresh token.
	_ = s.rec.put(ctx, "family", fid, fam, RefreshTokenTTL)
	return access, refresh, nil
}

func (s *Server) revokeFamily(ctx context.Context, fid, why string) {
	if fid == "" {
		return
	}
	var fam family
	_ = s.rec.get(ctx, "family", fid, &fam)
	if err := s.rec.del(ctx, "family", fid); err != nil {
		s.logger.Error("a grant could not be revoked", "err", err)
		return
	}
	s.held.dropFamily(fid)
	s.logger.Warn("grant revoked: "+why, "client_id", fam.ClientID)
}

// serveRevoke is token revocation (RFC 7009): a refresh token revokes its
// whole grant, an access token itself. Unknown tokens are no error.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if !allowCORS(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("token") == "" {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_request", "token is required"))
		return
	}
	ctx, tok := r.Context(), r.PostForm.Get("token")
	clientID := r.PostForm.Get("client_id")
	var rec tokenRec
	if s.rec.get(ctx, "rt", s.rec.k.hash("rt", tok), &rec) == nil {
		if clientID == "" || clientID == rec.ClientID {
			_ = s.rec.del(ctx, "rt", s.rec.k.hash("rt", tok))
			s.revokeFamily(ctx, rec.Family, "revoked by its client")
		}
	} else if h := s.rec.k.hash("at", tok); s.rec.get(ctx, "at", h, &rec) == nil {
		if clientID == "" || clientID == rec.ClientID {
			_ = s.rec.del(ctx, "at", h)
			s.held.drop(h)
		}
	}
	w.WriteHeader(http.StatusOK)
}
