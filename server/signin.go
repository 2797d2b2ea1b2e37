package server

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/signin"
)

// SignInConfig turns on sign-in with LaunchDarkly (OAuth, package signin) on
// --transport http: every /mcp request then needs an access token this
// server issued, and the tools call LaunchDarkly as the signed-in person.
// The deployment secret (Config.Secret) keys what sign-in stores.
type SignInConfig struct {
	PublicURL    string // the address clients use, e.g. https://usage.example.com
	ClientID     string // the LaunchDarkly OAuth client's
	ClientSecret string
	// AllowLoopbackClientMetadata lets client ID metadata documents be
	// fetched from loopback addresses (tests and local use).
	AllowLoopbackClientMetadata bool
	// MetadataRootCAs, when set, are the roots trusted for client ID
	// metadata documents (tests); default: the system's.
	MetadataRootCAs *x509.CertPool
}

// The demo's LaunchDarkly OAuth client, as the emulator registers it.
const (
	demoOAuthClientID     = emulator.DemoOAuthClientID
	demoOAuthClientSecret = emulator.DemoOAuthClientSecret
	demoUpstream          = "http://demo.emulator.invalid"
)

// newSignIn builds the sign-in server of cfg.SignIn, nil without one.
func (s *Server) newSignIn() (*signin.Server, error) {
	sc := s.cfg.SignIn
	if sc == nil {
		return nil, nil
	}
	if s.cfg.Transport != "http" {
		return nil, errors.New("sign-in with LaunchDarkly (--public-url) needs --transport http")
	}
	if s.cfg.HTTP.AuthToken != "" {
		return nil, errors.New("--auth-token and sign-in with LaunchDarkly (--public-url) exclude each other: with sign-in, every request carries the person's own access token")
	}
	c := signin.Config{
		PublicURL:                   sc.PublicURL,
		ClientID:                    sc.ClientID,
		ClientSecret:                sc.ClientSecret,
		ServerURL:                   s.cfg.ServerURL,
		Secret:                      []byte(s.cfg.Secret), // keys the encryption of stored tokens and the token hashes
		Logger:                      s.logger.With("component", "signin"),
		AllowLoopbackClientMetadata: sc.AllowLoopbackClientMetadata,
		MetadataRootCAs:             sc.MetadataRootCAs,
		Version:                     s.cfg.Version,
	}
	if s.cfg.Demo {
		// The emulator plays LaunchDarkly: its sign-in page is served on
		// this server's own address, its token endpoint in process.
		public, err := signin.CheckPublicURL(sc.PublicURL)
		if err != nil {
			return nil, err
		}
		if c.ClientID == "" {
			c.ClientID, c.ClientSecret = demoOAuthClientID, demoOAuthClientSecret
		}
		c.ServerURL = demoUpstream
		c.AuthorizeURL = public + demoAuthorizePath
		c.HTTPClient = &http.Client{Transport: s.emu.Transport()}
	}
	if s.cfg.Redis != "" {
		st, err := signin.NewRedisStore(s.cfg.Redis, s.cfg.RedisPassword)
		if err != nil {
			return nil, err
		}
		c.Store = st
		s.closers = append(s.closers, st.Close)
	}
	return signin.New(c)
}

// demoAuthorizePath is where, in demo, the emulator's LaunchDarkly sign-in page is served.
const demoAuthorizePath = "/trust/oauth/authorize"

type personKey struct{}

// withPerson attaches the signed-in person to a request's context.
func withPerson(ctx context.Context, p *signin.Person) context.Context {
	return context.WithValue(ctx, personKey{}, p)
}

// personKeyFrom returns the LaunchDarkly credentials of the signed-in person
// of ctx: their OAuth access token, sent as "Authorization: Bearer <token>".
func personKeyFrom(ctx context.Context) client.Key {
	p, _ := ctx.Value(personKey{}).(*signin.Person)
	if p == nil || p.LaunchDarklyToken == "" {
		return ""
	}
	return client.OAuthKey(p.LaunchDarklyToken)
}

// serveSignIn routes the sign-in endpoints and, in demo, the emulator's
// sign-in page; it says whether it answered.
func (hs *httpServer) serveSignIn(w http.ResponseWriter, r *http.Request, route string) bool {
	if hs.signin == nil {
		return false
	}
	switch {
	case signin.Owns(route):
		hs.signin.ServeHTTP(w, r)
		return true
	case route == demoAuthorizePath && hs.demoLD != nil:
		hs.demoLD.ServeHTTP(w, r)
		return true
	}
	return false
}

// publicHost is the host of the public URL, which the Host check allows.
func publicHost(public string) string {
	_, rest, _ := strings.Cut(public, "://")
	return hostOnly(rest)
}
