package signin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// Bounds of fetching a client ID metadata document.
const (
	cimdMaxBytes    = 16 << 10
	cimdTimeout     = 5 * time.Second
	cimdCacheTTL    = 10 * time.Minute
	cimdCacheMax    = 512
	cimdMaxURLBytes = 2048
	// cimdFetchesPerSecond and cimdFetchesBurst bound the fetches (cache
	// misses) per replica.
	cimdFetchesPerSecond = 5
	cimdFetchesBurst     = 50
)

// DocumentError says why a client ID metadata document was refused.
type DocumentError struct{ Reason string }

func (e *DocumentError) Error() string { return "client ID metadata document refused: " + e.Reason }

// cimdFetcher fetches client ID metadata documents with guards against
// server-side request forgery: https only, no redirects, no proxy, and a
// connection only to a public address (checked on the address dialled, so
// that DNS cannot point a public name at an inner address), bounded in time
// and size; answers are cached.
type cimdFetcher struct {
	http          *http.Client
	local         *http.Client // documents on loopback addresses, when allowed
	allowLoopback bool
	ua            string

	mu    sync.Mutex
	cache map[string]cimdEntry
	// fetches bounds how often anyone can make this server fetch a URL.
	fetches *rate.Limiter
}

type cimdEntry struct {
	c   *clientRec
	exp time.Time
}

func newCIMDFetcher(allowLoopback bool, roots *x509.CertPool, version string) *cimdFetcher {
	f := &cimdFetcher{allowLoopback: allowLoopback, cache: map[string]cimdEntry{}, ua: "ld-usage-mcp/" + version,
		fetches: rate.NewLimiter(cimdFetchesPerSecond, cimdFetchesBurst)}
	f.http = f.client(f.checkDial, &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12})
	if allowLoopback {
		// Local use and tests: a document served on this machine, over TLS
		// whose certificate is checked against roots when given (a test
		// server's self-signed one cannot be otherwise).
		local := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, InsecureSkipVerify: roots == nil} //nolint:gosec // loopback only, see checkLoopbackDial
		f.local = f.client(checkLoopbackDial, local)
	}
	return f
}

func (f *cimdFetcher) client(control func(string, string, syscall.RawConn) error, tc *tls.Config) *http.Client {
	dialer := &net.Dialer{Timeout: cimdTimeout, Control: control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tc,
		TLSHandshakeTimeout:    cimdTimeout,
		ResponseHeaderTimeout:  cimdTimeout,
		MaxIdleConns:           8,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   cimdTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return &DocumentError{Reason: "it answered with a redirect; the document must be served at its URL"}
		},
	}
}

// checkLoopbackDial lets the local client connect to loopback addresses only.
func checkLoopbackDial(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return &DocumentError{Reason: "unexpected address"}
	}
	return nil
}

// checkDial refuses to connect to an address that is not public.
func (f *cimdFetcher) checkDial(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &DocumentError{Reason: "unexpected address"}
	}
	if !f.addrAllowed(ap.Addr()) {
		return &DocumentError{Reason: "its host resolves to a non-public address (" + ap.Addr().String() + ")"}
	}
	return nil
}

func (f *cimdFetcher) addrAllowed(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() {
		return f.allowLoopback
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// nonPublic are ranges that IsPrivate and friends do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("0.0.0.0/8"),      // this network
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 (could reach IPv4 inner addresses)
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4
}

// checkDocumentURL checks a client_id that is a URL: https, a host, a path
// other than /, no fragment, no credentials, no dot segments.
func checkDocumentURL(raw string) error {
	if len(raw) > cimdMaxURLBytes {
		return &DocumentError{Reason: "the client_id URL is too long"}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &DocumentError{Reason: "the client_id is not a URL"}
	}
	if u.Scheme != "https" {
		return &DocumentError{Reason: "the client_id URL must be https"}
	}
	if u.Path == "" || u.Path == "/" {
		return &DocumentError{Reason: "the client_id URL must have a path"}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") || u.User != nil {
		return &DocumentError{Reason: "the client_id URL must have no fragment or credentials"}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return &DocumentError{Reason: "the client_id URL must have no dot segments"}
		}
	}
	return nil
}

// fetch returns the client that the document at id describes.
func (f *cimdFetcher) fetch(ctx context.Context, id string) (*clientRec, error) {
	if err := checkDocumentURL(id); err != nil {
		return nil, err
	}
	now := time.Now()
	f.mu.Lock()
	if e, ok := f.cache[id]; ok && now.Before(e.exp) {
		f.mu.Unlock()
		return e.c, nil
	}
	f.mu.Unlock()

	if !f.fetches.Allow() {
		return nil, &DocumentError{Reason: "too many documents fetched at once; try again in a few seconds"}
	}
	c, err := f.get(ctx, id)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if len(f.cache) >= cimdCacheMax {
		for k, e := range f.cache {
			if now.After(e.exp) {
				delete(f.cache, k)
			}
		}
		if len(f.cache) >= cimdCacheMax {
			clear(f.cache)
		}
	}
	f.cache[id] = cimdEntry{c: c, exp: now.Add(cimdCacheTTL)}
	f.mu.Unlock()
	return c, nil
}

func (f *cimdFetcher) get(ctx context.Context, id string) (*clientRec, error) {
	ctx, cancel := context.WithTimeout(ctx, cimdTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, &DocumentError{Reason: "the client_id URL is not usable"}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", f.ua)
	hc := f.http
	if f.local != nil && isLoopbackHost(req.URL.Hostname()) {
		hc = f.local
	}
	resp, err := hc.Do(req)
	if err != nil {
		var de *DocumentError
		if errors.As(err, &de) {
			return nil, de
		}
		return nil, &DocumentError{Reason: "it could not be fetched (" + fetchFailure(err) + ")"}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &DocumentError{Reason: fmt.Sprintf("fetching it answered HTTP %d", resp.StatusCode)}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, &DocumentError{Reason: "it is not served as application/json"}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, cimdMaxBytes+1))
	if err != nil {
		return nil, &DocumentError{Reason: "it could not be read"}
	}
	if len(body) > cimdMaxBytes {
		return nil, &DocumentError{Reason: fmt.Sprintf("it is larger than %d bytes", cimdMaxBytes)}
	}
	var doc struct {
		ClientID string `json:"client_id"`
		registration
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, &DocumentError{Reason: "it is not a JSON object"}
	}
	if doc.ClientID != id {
		return nil, &DocumentError{Reason: "its client_id differs from its URL"}
	}
	if err := checkMetadata(&doc.registration); err != nil {
		return nil, &DocumentError{Reason: err.Error()}
	}
	if m := doc.TokenEndpointAuthMethod; m != "" && m != "none" {
		return nil, &DocumentError{Reason: fmt.Sprintf("token_endpoint_auth_method %q is not supported: use none (PKCE)", m)}
	}
	return &clientRec{ID: id, Name: doc.ClientName, URI: doc.ClientURI, RedirectURIs: doc.RedirectURIs, FromDocument: true}, nil
}

// fetchFailure says why a fetch failed, in words that name no secret.
func fetchFailure(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		return "its TLS certificate is not trusted"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
