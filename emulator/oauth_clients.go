package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
)

// LaunchDarkly's OAuth2 client API, the part an admin uses to register a
// server (README, "Register the LaunchDarkly OAuth client"):
//
//	POST /api/v2/oauth/clients  {"name", "redirectUri", "description"}
//	→ 201 the client with its _clientId and, this once, its _clientSecret
//
// Only a member whose role is admin (or an access token, which acts as the
// admin) may register; redirectUri must be an absolute https URI without
// query or fragment (the emulator also takes loopback http, for local use).

const oauthClientsPath = "/api/v2/oauth/clients"

// maxClients bounds the registered clients of a long-running demo.
const maxClients = 100

// clientRep is LaunchDarkly's Client representation.
type clientRep struct {
	Links        links  `json:"_links"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	AccountID    string `json:"_accountId"`
	ClientID     string `json:"_clientId"`
	ClientSecret string `json:"_clientSecret,omitempty"`
	RedirectURI  string `json:"redirectUri"`
	CreationDate int64  `json:"_creationDate"`
}

// registerClient answers POST /api/v2/oauth/clients for an authorised caller.
func (e *Emulator) registerClient(w http.ResponseWriter, r *http.Request, who caller) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed")
		return
	}
	if who.member.Role != "admin" {
		writeError(w, http.StatusForbidden, "forbidden", "Forbidden. Access to the requested resource was denied.")
		return
	}
	var body struct {
		Name        string `json:"name"`
		RedirectURI string `json:"redirectUri"`
		Description string `json:"description"`
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxForm+1))
	if err != nil || len(b) > maxForm || json.Unmarshal(b, &body) != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "Invalid request body")
		return
	}
	if body.Name == "" || !registrableRedirect(body.RedirectURI) {
		writeError(w, http.StatusBadRequest, "invalid_request", "name and an absolute https redirectUri without query parameters are required")
		return
	}
	c := OAuthClient{ID: newToken("")[:32], Secret: newToken(""), Name: body.Name, RedirectURI: body.RedirectURI}
	e.clientsMu.Lock()
	if len(e.clients) >= maxClients {
		e.clientsMu.Unlock()
		writeError(w, http.StatusBadRequest, "invalid_request", "too many OAuth clients")
		return
	}
	e.clients = append(e.clients, c)
	e.clientsMu.Unlock()
	out, _ := json.Marshal(clientRep{Links: self(oauthClientsPath + "/" + c.ID), Name: c.Name, Description: body.Description,
		AccountID: AccountID, ClientID: c.ID, ClientSecret: c.Secret, RedirectURI: c.RedirectURI,
		CreationDate: e.now().UnixMilli()})
	writeJSON(w, http.StatusCreated, out)
}

// registrableRedirect: absolute https (or loopback http), no query or fragment.
func registrableRedirect(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "127.0.0.1" || h == "localhost" || h == "::1"
	}
	return false
}
