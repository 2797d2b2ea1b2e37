package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// accessPolicy decides which requests are served.
type accessPolicy struct {
	tokenHash *[sha256.Size]byte // nil: no bearer token required
	anyHost   bool
	hosts     map[string]bool // lower-case host names, without port
	anyOrigin bool
	origins   map[string]bool // normalized origins
	maxBody   int64
	hasToken  bool
}

func newAccessPolicy(h HTTPConfig, addr string) (*accessPolicy, error) {
	p := &accessPolicy{hosts: map[string]bool{}, origins: map[string]bool{}, maxBody: h.MaxBody}
	if p.maxBody <= 0 {
		p.maxBody = DefaultMaxBody
	}
	if h.AuthToken != "" {
		sum := sha256.Sum256([]byte(h.AuthToken))
		p.tokenHash, p.hasToken = &sum, true
	}
	for _, o := range h.AllowedOrigins {
		switch o = strings.TrimSpace(o); o {
		case "":
			continue
		case "*":
			p.anyOrigin = true
			continue
		}
		n, host, err := normalizeOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("--allowed-origins: %w", err)
		}
		p.origins[n] = true
		p.hosts[host] = true
	}
	for _, hst := range h.AllowedHosts {
		switch hst = strings.TrimSpace(hst); hst {
		case "":
			continue
		case "*":
			p.anyHost = true
			continue
		}
		if strings.Contains(hst, "/") {
			return nil, fmt.Errorf("--allowed-hosts: %q is not a host name (give mcp.example.com, not a URL)", hst)
		}
		p.hosts[hostOnly(hst)] = true
	}
	// A server listening on one specific name or address answers to it.
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" {
		if ip, err := netip.ParseAddr(host); err != nil || !ip.IsUnspecified() {
			p.hosts[hostOnly(host)] = true
		}
	}
	return p, nil
}

// hostOnly returns the lower-case host name of a Host header value or host
// name, without port, brackets or trailing dot.
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return strings.ToLower(host)
}

func isLoopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (p *accessPolicy) hostAllowed(hostport string) bool {
	if p.anyHost {
		return true
	}
	host := hostOnly(hostport)
	return host != "" && (isLoopbackName(host) || p.hosts[host])
}

func (p *accessPolicy) originAllowed(origin string) bool {
	if p.anyOrigin {
		return true
	}
	n, host, err := normalizeOrigin(origin)
	if err != nil {
		return false // "null" and other opaque origins
	}
	return isLoopbackName(host) || p.origins[n]
}

// normalizeOrigin parses scheme://host[:port] and returns it in canonical form
// (lower case, default port dropped) with its host name.
func normalizeOrigin(o string) (norm, host string, err error) {
	u, perr := url.Parse(strings.TrimSuffix(strings.TrimSpace(o), "/"))
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
		return "", "", fmt.Errorf("%q is not an origin like https://chat.example.com", o)
	}
	scheme := strings.ToLower(u.Scheme)
	host = hostOnly(u.Host)
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	hp := host
	if strings.Contains(host, ":") {
		hp = "[" + host + "]"
	}
	if port != "" {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return "", "", fmt.Errorf("%q has a bad port", o)
		}
		hp += ":" + port
	}
	return scheme + "://" + hp, host, nil
}

// authorized says whether r carries the server's bearer token (when one is set).
func (p *accessPolicy) authorized(r *http.Request) bool {
	if p.tokenHash == nil {
		return true
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	// Hashes have equal lengths, so the comparison time tells nothing, not even the length.
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(sum[:], p.tokenHash[:]) == 1
}

// callerKey returns the caller's own LaunchDarkly token: X-LaunchDarkly-Api-Key,
// or, when the server requires no bearer token of its own, Authorization when
// it holds a LaunchDarkly access token (see authorizationKey). Empty means:
// use the server's key.
func (p *accessPolicy) callerKey(r *http.Request) client.Key {
	if k := strings.TrimSpace(r.Header.Get(headerAPIKey)); k != "" {
		return client.Key(k)
	}
	if p.hasToken {
		return ""
	}
	return authorizationKey(r.Header.Get("Authorization"))
}

// authorizationKey is the LaunchDarkly access token an Authorization header
// carries (bare or after "Bearer "), or "" when it carries anything else: a
// proxy's Basic or OAuth credential in front of this server must not reach
// a third party. LaunchDarkly's access tokens are "api-" and a UUID; the
// shape accepted is "api-" and 1 to 200 letters, digits and dashes.
func authorizationKey(v string) client.Key {
	a := strings.TrimSpace(v)
	if scheme, tok, ok := strings.Cut(a, " "); ok && strings.EqualFold(scheme, "Bearer") {
		a = strings.TrimSpace(tok)
	}
	if !accessTokenShape(a) {
		return ""
	}
	return client.Key(a)
}

// accessTokenShape reports whether s looks like a LaunchDarkly access token.
func accessTokenShape(s string) bool {
	rest, ok := strings.CutPrefix(s, "api-")
	if !ok || len(rest) == 0 || len(rest) > 200 {
		return false
	}
	for _, c := range rest {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// narrowing parses the tool header: tool names (or operation ids) and toolset
// names. Nil means no narrowing.
func narrowing(v string) ([]string, error) {
	list := SplitList(v)
	if len(list) == 0 {
		return nil, nil
	}
	names := []string{}
	for _, n := range list {
		expanded, ok := tools.Expand(n)
		if !ok {
			return nil, fmt.Errorf("%s: unknown tool or toolset %q; run `ld-usage-mcp tools` to list them", headerTools, n)
		}
		names = append(names, expanded...)
	}
	return names, nil
}

var corsAllowHeaders = strings.Join([]string{
	"Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "Mcp-Protocol-Version",
	"Last-Event-ID", headerAPIKey, headerTools,
}, ", ")

// setCORS lets an allowed browser origin read the answer.
func setCORS(h http.Header, origin string) {
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate")
}

func setPreflight(h http.Header) {
	h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", "600")
}

// SplitList splits a comma-separated list, trimming spaces and dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
