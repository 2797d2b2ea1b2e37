package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// clientRec is a registered client: by dynamic registration (RFC 7591), or
// read from its client ID metadata document (its ID is the document's URL).
type clientRec struct {
	ID           string   `json:"client_id"`
	Name         string   `json:"client_name,omitempty"`
	URI          string   `json:"client_uri,omitempty"`
	RedirectURIs []string `json:"redirect_uris"`
	FromDocument bool     `json:"from_document,omitempty"`
	// AuthMethod and SecretHash: a client that registered for
	// client_secret_basic or client_secret_post authenticates with the
	// secret issued to it (kept as its hash); others are public (none).
	AuthMethod string `json:"auth_method,omitempty"`
	SecretHash string `json:"secret_hash,omitempty"`
}

// displayName is how the consent page names the client: the name it chose
// itself, followed, for a metadata document, by the host serving it (which
// the client cannot choose), so that "Claude" served from evil.example says so.
func (c *clientRec) displayName() string {
	name := c.Name
	if name == "" {
		name = "An unnamed client"
	}
	if c.FromDocument {
		if u, err := url.Parse(c.ID); err == nil {
			name += " (" + u.Host + ")"
		}
	}
	return name
}

// registration is what a client sends to register (the fields used).
type registration struct {
	RedirectURIs            []string `json:"redirect_uris"`
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Scope                   string   `json:"scope"`
}

const (
	maxRegistrationBytes = 64 << 10
	maxRedirectURIs      = 10
	maxNameRunes         = 120
)

// checkRedirectURI accepts an absolute https URI, or an http one on a
// loopback host (native clients, RFC 8252); never a fragment or credentials.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("redirect URI %q is not an absolute URL", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect URI %q has a fragment", raw)
	}
	if u.User != nil {
		return fmt.Errorf("redirect URI %q carries credentials", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("redirect URI %q: plain http is accepted only on a loopback host (127.0.0.1, [::1], localhost); use https", raw)
	}
	return fmt.Errorf("redirect URI %q: the scheme must be https (or http on a loopback host)", raw)
}

// checkMetadata checks a registration or a metadata document's content.
func checkMetadata(m *registration) error {
	if len(m.RedirectURIs) == 0 {
		return errors.New("redirect_uris is required")
	}
	if len(m.RedirectURIs) > maxRedirectURIs {
		return fmt.Errorf("at most %d redirect_uris", maxRedirectURIs)
	}
	for _, u := range m.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return &regError{code: "invalid_redirect_uri", msg: err.Error()}
		}
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return fmt.Errorf("grant type %q is not supported: authorization_code and refresh_token only", g)
		}
	}
	for _, rt := range m.ResponseTypes {
		if rt != "code" {
			return fmt.Errorf("response type %q is not supported: code only", rt)
		}
	}
	if len([]rune(m.ClientName)) > maxNameRunes {
		return fmt.Errorf("client_name is longer than %d characters", maxNameRunes)
	}
	if m.ClientURI != "" {
		if u, err := url.Parse(m.ClientURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return errors.New("client_uri must be an http(s) URL")
		}
	}
	return nil
}

type regError struct{ code, msg string }

func (e *regError) Error() string { return e.msg }

// serveRegister is dynamic client registration (RFC 7591). Clients register
// as public clients: they authenticate by PKCE, not by a secret.
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	if !allowCORS(w, r, http.MethodPost) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistrationBytes))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_client_metadata", fmt.Sprintf("the registration must be a JSON object of at most %d bytes", maxRegistrationBytes)))
		return
	}
	var m registration
	if err := json.Unmarshal(body, &m); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_client_metadata", "the registration is not a JSON object with redirect_uris (RFC 7591)"))
		return
	}
	if err := checkMetadata(&m); err != nil {
		code := "invalid_client_metadata"
		var re *regError
		if errors.As(err, &re) {
			code = re.code
		}
		writeJSON(w, http.StatusBadRequest, oauthError(code, err.Error()))
		return
	}
	method := m.TokenEndpointAuthMethod
	switch method {
	case "client_secret_basic", "client_secret_post", "none":
	default:
		// RFC 7591 §3.2.1 lets the server replace a value it does not
		// support (and the default, client_secret_basic, is for clients
		// that said nothing); the client learns it from the answer.
		method = "none"
	}
	if !s.writes.Allow() {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, oauthError("temporarily_unavailable", "too many registrations at once; try again in a second"))
		return
	}
	c := clientRec{ID: "dcr_" + newToken(), Name: m.ClientName, URI: m.ClientURI, RedirectURIs: m.RedirectURIs, AuthMethod: method}
	var secret string
	if method != "none" {
		secret = newToken()
		c.SecretHash = s.rec.k.hash("client_secret", secret)
	}
	if err := s.rec.put(r.Context(), "client", c.ID, &c, clientTTL); err != nil {
		s.logger.Error("registration not stored", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, oauthError("temporarily_unavailable", "the sign-in store is unavailable; try again shortly"))
		return
	}
	s.logger.Info("client registered", "client_id", c.ID, "client_name", c.Name, "redirect_uris", c.RedirectURIs, "auth_method", method)
	answer := map[string]any{
		"client_id":                  c.ID,
		"client_id_issued_at":        s.now().Unix(),
		"client_name":                c.Name,
		"redirect_uris":              c.RedirectURIs,
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": method,
		"scope":                      Scope,
	}
	if secret != "" {
		answer["client_secret"] = secret
		answer["client_secret_expires_at"] = 0 // never
	}
	writeJSON(w, http.StatusCreated, answer)
}

// errUnknownClient: the client_id names no client this server knows.
var errUnknownClient = errors.New("unknown client")

// client resolves a client_id: a registered client, or (an https URL) the
// client ID metadata document at that URL.
func (s *Server) client(ctx context.Context, id string) (*clientRec, error) {
	if id == "" {
		return nil, errUnknownClient
	}
	if strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://") {
		return s.cimd.fetch(ctx, id)
	}
	var c clientRec
	if err := s.rec.get(ctx, "client", id, &c); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, errUnknownClient
		}
		return nil, err
	}
	return &c, nil
}

func oauthError(code, desc string) map[string]string {
	return map[string]string{"error": code, "error_description": desc}
}
