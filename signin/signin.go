// Package signin signs people in with their LaunchDarkly account, as the MCP
// authorization specification (2025-11-25) lays it out: it is the OAuth 2.1
// authorization server that MCP clients see (metadata, dynamic registration,
// client ID metadata documents, its own consent page, authorization code
// with PKCE, rotating refresh tokens, revocation) in front of LaunchDarkly's
// OAuth, whose one registered client it is; and it checks the access tokens
// it issued on every request to the protected resource (/mcp), handing the
// signed-in person's LaunchDarkly token to the calls made for them.
//
// Its tokens never reach LaunchDarkly and LaunchDarkly's never reach the
// client. Its state goes through a Store (memory, or Redis shared by the
// replicas), sealed with a key derived from the deployment secret.
//
// The server package mounts it on --transport http when a public URL and a
// LaunchDarkly OAuth client are given.
package signin

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// Scope is the one scope this server grants, and asks of LaunchDarkly.
const Scope = "reader"

// Lifetimes.
const (
	AccessTokenTTL   = time.Hour
	RefreshTokenTTL  = 30 * 24 * time.Hour
	codeTTL          = time.Minute
	pendingTTL       = 10 * time.Minute // from the authorization request to LaunchDarkly's callback
	clientTTL        = 180 * 24 * time.Hour
	usedMarkerTTL    = RefreshTokenTTL // how long a rotated refresh token (or used code) is recognized
	upstreamEarly    = 2 * time.Minute // LaunchDarkly's token is refreshed this long before it expires
	upstreamLockTTL  = 20 * time.Second
	sessionExtraLife = 24 * time.Hour // a session outlives its last refresh token by this much
)

// Paths served, relative to the public URL.
const (
	PathResourceMetadata = "/.well-known/oauth-protected-resource"
	PathServerMetadata   = "/.well-known/oauth-authorization-server"
	PathAuthorize        = "/authorize"
	PathConsent          = "/authorize/consent"
	PathCallback         = "/oauth/callback"
	PathToken            = "/token"
	PathRegister         = "/register"
	PathRevoke           = "/revoke"
	ResourcePath         = "/mcp"
)

// Config configures New.
type Config struct {
	// PublicURL is the address clients use, e.g. https://usage.example.com.
	// It must be https, or http on a loopback host.
	PublicURL string
	// ClientID and ClientSecret are the LaunchDarkly OAuth client's.
	ClientID, ClientSecret string
	// ServerURL is LaunchDarkly's base URL: /trust/oauth/authorize,
	// /trust/oauth/token and /api/v2/caller-identity hang off it.
	ServerURL string
	// AuthorizeURL, when set, replaces {ServerURL}/trust/oauth/authorize as
	// the page people are sent to (e.g. an emulator mounted elsewhere).
	AuthorizeURL string
	// HTTPClient makes the calls to LaunchDarkly (default: a client with a
	// 20-second timeout).
	HTTPClient *http.Client
	// Secret is the deployment secret: it keys the store's encryption and
	// token hashes. Empty: a random one (a single process with a MemoryStore).
	Secret []byte
	// Store keeps the state (default: a MemoryStore).
	Store Store
	// KeyPrefix namespaces the store's keys (default "ld-usage-mcp:signin:v1:").
	KeyPrefix string
	Logger    *slog.Logger
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	// AllowLoopbackClientMetadata lets client ID metadata documents be
	// fetched from loopback addresses (tests and local use only); it is
	// always so when the public URL itself is loopback.
	AllowLoopbackClientMetadata bool
	// MetadataRootCAs, when set, are the roots trusted for client ID metadata
	// documents (tests); default: the system's.
	MetadataRootCAs *x509.CertPool
	// Version names this server in the User-Agent of its fetches.
	Version string
}

// Server is the authorization server and the resource checks.
type Server struct {
	cfg      Config
	public   string // public URL without trailing slash
	resource string // public + /mcp
	rec      *records
	up       *oauth2.Config
	upHTTP   *http.Client
	identity string // caller-identity URL
	cimd     *cimdFetcher
	held     *heldTokens
	logger   *slog.Logger
	now      func() time.Time
	mux      *http.ServeMux
	secure   bool // public URL is https: cookies are Secure and __Host-
	// writes bounds what requests that need no token make the store keep
	// (registrations, pending authorizations), so that a flood cannot fill it.
	writes *rate.Limiter
}

// Bounds of the writes of unauthenticated requests, per replica.
const (
	writesPerSecond = 20
	writesBurst     = 200
)

// CheckPublicURL says whether u may be the public URL: https, or http on a
// loopback host; no path, query or fragment.
func CheckPublicURL(u string) (string, error) {
	p, err := url.Parse(strings.TrimSuffix(u, "/"))
	if err != nil || p.Host == "" || p.User != nil || p.RawQuery != "" || p.Fragment != "" || (p.Path != "" && p.Path != "/") {
		return "", fmt.Errorf("--public-url %q is not like https://usage.example.com (scheme and host, no path)", u)
	}
	switch p.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(p.Hostname()) {
			return "", fmt.Errorf("--public-url %q must be https (plain http only on 127.0.0.1 or localhost); put TLS in front of the server", u)
		}
	default:
		return "", fmt.Errorf("--public-url %q must be https", u)
	}
	host := strings.ToLower(p.Host)
	if (p.Scheme == "https" && p.Port() == "443") || (p.Scheme == "http" && p.Port() == "80") {
		host = strings.TrimSuffix(host, ":"+p.Port()) // as browsers write the Origin
	}
	return p.Scheme + "://" + host, nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	public, err := CheckPublicURL(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("sign-in needs the LaunchDarkly OAuth client: --oauth-client-id (or LAUNCHDARKLY_OAUTH_CLIENT_ID) and LAUNCHDARKLY_OAUTH_CLIENT_SECRET (or LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE)")
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.ServerURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("sign-in: LaunchDarkly's URL %q is not an http(s) URL", cfg.ServerURL)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "ld-usage-mcp:signin:v1:"
	}
	secret := cfg.Secret
	if len(secret) == 0 {
		if _, shared := cfg.Store.(*MemoryStore); !shared {
			return nil, errors.New("sign-in with a shared store (Redis) needs the deployment secret: set LD_USAGE_MCP_SECRET (or --secret, or LD_USAGE_MCP_SECRET_FILE), the same on every replica")
		}
		secret = []byte(newToken())
	}
	k, err := newKeys(secret)
	if err != nil {
		return nil, err
	}
	authorize := cfg.AuthorizeURL
	if authorize == "" {
		authorize = base.String() + "/trust/oauth/authorize"
	}
	s := &Server{
		cfg:      cfg,
		public:   public,
		resource: public + ResourcePath,
		rec:      &records{st: cfg.Store, k: k, prefix: cfg.KeyPrefix},
		up: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint: oauth2.Endpoint{
				AuthURL:   authorize,
				TokenURL:  base.String() + "/trust/oauth/token",
				AuthStyle: oauth2.AuthStyleInParams,
			},
			RedirectURL: public + PathCallback,
			Scopes:      []string{Scope},
		},
		upHTTP:   cfg.HTTPClient,
		identity: base.String() + "/api/v2/caller-identity",
		held:     newHeldTokens(),
		logger:   cfg.Logger,
		now:      cfg.Now,
		secure:   strings.HasPrefix(public, "https://"),
		writes:   rate.NewLimiter(writesPerSecond, writesBurst),
	}
	// A server whose public URL is loopback is local (tests, a laptop):
	// client ID metadata documents may be served on loopback too.
	pu, _ := url.Parse(public)
	s.cimd = newCIMDFetcher(cfg.AllowLoopbackClientMetadata || isLoopbackHost(pu.Hostname()), cfg.MetadataRootCAs, cfg.Version)
	s.routes()
	return s, nil
}

// PublicURL is the public URL, normalized.
func (s *Server) PublicURL() string { return s.public }

// Resource is the protected resource's identifier: <public-url>/mcp.
func (s *Server) Resource() string { return s.resource }

func (s *Server) routes() {
	prm := mcpserver.NewProtectedResourceMetadataHandler(mcpserver.ProtectedResourceMetadataConfig{
		Resource:               s.resource,
		AuthorizationServers:   []string{s.public},
		ScopesSupported:        []string{Scope},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "LaunchDarkly account usage (ld-usage-mcp)",
	})
	m := http.NewServeMux()
	m.Handle(PathResourceMetadata+ResourcePath, prm)
	m.Handle(PathResourceMetadata, prm)
	m.HandleFunc(PathServerMetadata, s.serveServerMetadata)
	m.HandleFunc(PathAuthorize, s.serveAuthorize)
	m.HandleFunc(PathConsent, s.serveConsent)
	m.HandleFunc(PathCallback, s.serveCallback)
	m.HandleFunc(PathToken, s.serveToken)
	m.HandleFunc(PathRegister, s.serveRegister)
	m.HandleFunc(PathRevoke, s.serveRevoke)
	s.mux = m
}

// Owns says whether path is one of the sign-in endpoints.
func Owns(path string) bool {
	switch path {
	case PathResourceMetadata + ResourcePath, PathResourceMetadata, PathServerMetadata,
		PathAuthorize, PathConsent, PathCallback, PathToken, PathRegister, PathRevoke:
		return true
	}
	return false
}

// ServeHTTP serves the sign-in endpoints (see Owns).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// serveServerMetadata answers RFC 8414 authorization server metadata.
func (s *Server) serveServerMetadata(w http.ResponseWriter, r *http.Request) {
	if !allowCORS(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                     s.public,
		"authorization_endpoint":                     s.public + PathAuthorize,
		"token_endpoint":                             s.public + PathToken,
		"registration_endpoint":                      s.public + PathRegister,
		"revocation_endpoint":                        s.public + PathRevoke,
		"scopes_supported":                           []string{Scope},
		"response_types_supported":                   []string{"code"},
		"response_modes_supported":                   []string{"query"},
		"grant_types_supported":                      []string{"authorization_code", "refresh_token"},
		"token_endpoint_auth_methods_supported":      []string{"none", "client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported": []string{"none"},
		"code_challenge_methods_supported":           []string{"S256"},
		"client_id_metadata_document_supported":      true,
		"service_documentation":                      "https://github.com/ld-usage-mcp/ld-usage-mcp#remote-for-a-team",
	})
}

// allowCORS lets browser-based clients read the metadata, register and trade
// codes (no cookie is involved). It answers a preflight itself (false) and
// refuses other methods than the allowed ones.
func allowCORS(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", strings.Join(append(methods, http.MethodOptions), ", "))
	h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, Mcp-Protocol-Version")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	for _, m := range methods {
		if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
			return true
		}
	}
	h.Set("Allow", strings.Join(append(methods, http.MethodOptions), ", "))
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request", "error_description": "method not allowed: use " + strings.Join(methods, " or ")})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// isStoreDown says whether err is the shared store failing (as opposed to a record being absent).
func isStoreDown(err error) bool {
	var se *StoreError
	return errors.As(err, &se) || errors.Is(err, context.DeadlineExceeded)
}
