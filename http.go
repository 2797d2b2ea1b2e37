package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// Headers a caller may send.
const (
	// headerAPIKey carries the caller's own LaunchDarkly access token.
	headerAPIKey = "X-LaunchDarkly-Api-Key"
	// headerTools narrows the tools of one request: comma-separated tool or
	// toolset names, intersected with the server's selection.
	headerTools = "X-LD-Usage-Tools"
)

const (
	// defaultMaxBody bounds a request body. Tool arguments are tiny; the bound
	// is loose enough that an oversized argument still reaches the validator
	// and gets a tool error that names it.
	defaultMaxBody = 4 << 20
	// shutdownTimeout bounds the wait for calls in flight on shutdown.
	shutdownTimeout = 10 * time.Second
	// sseKeepAlive is the interval of the pings on an SSE stream, so that
	// proxies do not close a quiet stream.
	sseKeepAlive = 30 * time.Second
	// sseCloseGrace is the pause on shutdown between the last answer
	// written on an SSE stream and the end of the streams.
	sseCloseGrace = 250 * time.Millisecond
)

// httpOptions are the flags of the HTTP transports (sse, http) and the
// metrics they serve.
type httpOptions struct {
	authToken      string
	allowedOrigins string
	allowedHosts   string
	metrics        bool
	maxBody        int64

	prepareOnce sync.Once
	m           *metricsSet // nil unless --metrics
}

func (h *httpOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&h.authToken, "auth-token", "", "sse/http: require every request but /healthz to carry Authorization: Bearer `token` (default $LD_USAGE_MCP_AUTH_TOKEN)")
	fs.StringVar(&h.allowedOrigins, "allowed-origins", "", "sse/http: comma-separated browser origins allowed besides loopback ones, e.g. https://chat.example.com (their hosts are allowed too); * allows any")
	fs.StringVar(&h.allowedHosts, "allowed-hosts", "", "sse/http: comma-separated host names the Host header may carry besides loopback ones, e.g. mcp.example.com; * allows any")
	fs.BoolVar(&h.metrics, "metrics", false, "sse/http: serve Prometheus metrics at /metrics")
	fs.Int64Var(&h.maxBody, "max-request-bytes", defaultMaxBody, "sse/http: largest request body accepted (larger ones get 413)")
}

func (h *httpOptions) fromEnv(getenv func(string) string) {
	if h.authToken == "" {
		h.authToken = getenv("LD_USAGE_MCP_AUTH_TOKEN")
	}
	h.prepare()
}

// prepare builds the metrics when asked for; it runs once, before any call.
func (h *httpOptions) prepare() {
	h.prepareOnce.Do(func() {
		if h.metrics {
			h.m = newMetrics()
		}
	})
}

// serveHTTP serves MCP over the transport o.transport ("http" or "sse") on
// o.addr until ctx is cancelled, then shuts down gracefully.
func serveHTTP(ctx context.Context, o *options, ts *tools.Server, logger *slog.Logger) error {
	if _, err := newAccessPolicy(&o.http, o.addr); err != nil {
		return err // before listening: a bad flag is not a bind error
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	return serveListener(ctx, ln, o, ts, logger)
}

// serveListener serves on ln (which it closes) until ctx is cancelled. On
// cancellation it stops accepting, lets the calls in flight finish (at most
// shutdownTimeout), and returns.
func serveListener(ctx context.Context, ln net.Listener, o *options, ts *tools.Server, logger *slog.Logger) error {
	hs, err := newHTTPServer(o, ts, logger)
	if err != nil {
		_ = ln.Close()
		return err
	}
	addr := ln.Addr().String()
	path := "/mcp"
	if o.transport == "sse" {
		path = "/sse"
	}
	logger.Info("serving MCP over HTTP", "transport", o.transport, "addr", addr, "url", "http://"+addr+path,
		"version", version, "tools", len(ts.Tools()), "demo", o.demo, "key_set", o.apiKey != "",
		"auth_token", o.http.authToken != "", "metrics", o.http.m != nil)
	if o.http.authToken == "" && !isLoopbackListener(ln.Addr()) {
		logger.Warn("WARNING: listening on a non-loopback address without an auth token: anyone who can reach " + addr +
			" can call the tools, with the server's LaunchDarkly key if it has one. Set LD_USAGE_MCP_AUTH_TOKEN (or --auth-token), or listen on 127.0.0.1.")
	}

	srv := &http.Server{
		Handler:           hs,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	logger.Info("shutting down: finishing the calls in flight", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(sctx) }()
	if hs.sse != nil {
		// An SSE call's answer travels on the client's long-lived GET stream:
		// wait until every answer owed is written, then end the streams so
		// that Shutdown, which waits for connections to go idle, can finish.
		// The grace lets clients take in the last answers before their
		// stream ends (some drop what is queued when the stream closes).
		hs.owed.wait(sctx)
		select {
		case <-time.After(sseCloseGrace):
		case <-sctx.Done():
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
	closing:
		for {
			hs.sse.CloseSessions()
			select {
			case err = <-shut:
				break closing
			case <-tick.C: // streams opened while the listener was closing
			}
		}
	} else {
		err = <-shut
	}
	if err != nil {
		logger.Warn("shutdown: calls still in flight after the timeout were cut", "timeout", shutdownTimeout)
		_ = srv.Close()
	}
	<-served
	logger.Info("server stopped")
	return nil
}

func isLoopbackListener(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return false
}

// httpServer is the HTTP face of the tools: access control in front of the
// MCP transport, /healthz and /metrics.
type httpServer struct {
	policy    *accessPolicy
	mcp       http.Handler      // the streamable HTTP server, or the SSE server
	sse       *server.SSEServer // nil with --transport http
	owed      *owedAnswers      // SSE answers owed, for shutdown
	transport string            // "http" or "sse"
	metrics   *metricsSet       // nil without --metrics
	logger    *slog.Logger
}

func newHTTPServer(o *options, ts *tools.Server, logger *slog.Logger) (*httpServer, error) {
	o.http.prepare()
	p, err := newAccessPolicy(&o.http, o.addr)
	if err != nil {
		return nil, err
	}
	hs := &httpServer{policy: p, transport: o.transport, metrics: o.http.m, logger: logger, owed: newOwedAnswers()}
	switch o.transport {
	case "http":
		// Stateless: no session is kept between requests, so any replica
		// behind a load balancer can answer any request. The server sends
		// nothing unasked, so the standalone GET stream is refused (405, as
		// the spec allows).
		hs.mcp = server.NewStreamableHTTPServer(ts.MCP(),
			server.WithStateLess(true),
			server.WithDisableStreaming(true),
			server.WithHTTPContextFunc(hs.requestContext),
			server.WithDisableLocalhostProtection(true), // done by accessPolicy, with the allow-lists
			server.WithStreamableHTTPLogger(logger),
		)
	case "sse":
		hs.sse = server.NewSSEServer(ts.MCP(),
			server.WithSSEContextFunc(hs.requestContext),
			server.WithSSEDisableLocalhostProtection(true),
			server.WithKeepAlive(true),
			server.WithKeepAliveInterval(sseKeepAlive),
		)
		hs.mcp = hs.sse
	default:
		return nil, fmt.Errorf("unknown HTTP transport %q", o.transport)
	}
	return hs, nil
}

// requestContext attaches the caller's LaunchDarkly token and tool narrowing
// of one HTTP request (for SSE: of the POST /message that carries the call).
func (hs *httpServer) requestContext(ctx context.Context, r *http.Request) context.Context {
	ctx = tools.ContextWithKey(ctx, hs.policy.callerKey(r))
	if names, err := narrowing(r.Header.Get(headerTools)); err == nil && names != nil {
		ctx = tools.ContextWithNarrowing(ctx, names)
	}
	return ctx
}

// ServeHTTP checks the request (Host, Origin, bearer token, body size, tool
// header) and routes it.
func (hs *httpServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := hs.route(r.URL.Path)
	rec := &statusWriter{ResponseWriter: w}
	start := time.Now()
	defer func() {
		if hs.metrics != nil {
			hs.metrics.httpRequest(route, rec.status())
		}
		hs.logger.Debug("http request", "method", r.Method, "path", route, "status", rec.status(), "duration_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
	}()
	w = rec

	if route == "/healthz" {
		// Open to load balancers and probes: no Host, Origin or token check;
		// it tells nothing but "up".
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	if !hs.policy.hostAllowed(r.Host) {
		hs.logger.Warn("refused a request: Host not allowed (DNS rebinding protection)", "host", r.Host, "remote", r.RemoteAddr, "hint", "add the name with --allowed-hosts if it is yours")
		http.Error(w, fmt.Sprintf("Forbidden: Host %q is not allowed; if this name is yours, start the server with --allowed-hosts %s", r.Host, hostOnly(r.Host)), http.StatusForbidden)
		return
	}
	origin := r.Header.Get("Origin")
	if origin != "" {
		if !hs.policy.originAllowed(origin) {
			hs.logger.Warn("refused a request: Origin not allowed", "origin", origin, "remote", r.RemoteAddr, "hint", "add it with --allowed-origins if it is yours")
			http.Error(w, fmt.Sprintf("Forbidden: Origin %q is not allowed; if it is yours, start the server with --allowed-origins %s", origin, origin), http.StatusForbidden)
			return
		}
		setCORS(w.Header(), origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			setPreflight(w.Header())
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if !hs.policy.authorized(r) {
		hs.logger.Warn("refused a request: missing or wrong bearer token", "path", route, "remote", r.RemoteAddr)
		challenge := `Bearer realm="ld-usage-mcp"`
		if r.Header.Get("Authorization") != "" {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		http.Error(w, "Unauthorized: send the server's token as Authorization: Bearer <token>", http.StatusUnauthorized)
		return
	}
	if route == "" {
		http.NotFound(w, r)
		return
	}
	if route == "/metrics" {
		hs.metrics.handler().ServeHTTP(w, r)
		return
	}
	if v := r.Header.Get(headerTools); v != "" {
		if _, err := narrowing(v); err != nil {
			http.Error(w, "Bad Request: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody && (r.Method == http.MethodPost || r.ContentLength > 0) {
		var ok bool
		if body, ok = hs.readBody(w, r); !ok {
			return
		}
	}

	switch route {
	case "/sse":
		sw := &sseStream{ResponseWriter: w, owed: hs.owed, origin: w.Header().Get("Access-Control-Allow-Origin")}
		defer sw.finish()
		hs.mcp.ServeHTTP(sw, r)
	case "/message":
		hs.serveMessage(w, r, body)
	default:
		hs.mcp.ServeHTTP(w, r)
	}
}

// route names the endpoint of path ("" when there is none), also used as the
// metrics label.
func (hs *httpServer) route(path string) string {
	switch path {
	case "/healthz":
		return path
	case "/metrics":
		if hs.metrics != nil {
			return path
		}
	case "/mcp":
		if hs.transport == "http" {
			return path
		}
	case "/sse", "/message":
		if hs.transport == "sse" {
			return path
		}
	}
	return ""
}

// readBody reads the whole body, bounded, and puts it back for the handler.
// It answers 413 when the body is too large.
func (hs *httpServer) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := hs.policy.maxBody
	tooLarge := func() {
		w.Header().Set("Connection", "close")
		writeJSONRPCError(w, http.StatusRequestEntityTooLarge, -32600,
			fmt.Sprintf("request body too large: the limit is %d bytes", limit))
	}
	if r.ContentLength > limit {
		tooLarge()
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
		} else {
			http.Error(w, "Bad Request: could not read the body", http.StatusBadRequest)
		}
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return body, true
}

func writeJSONRPCError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"jsonrpc": "2.0",
		"id":      nil,
		"error":   map[string]any{"code": code, "message": msg},
	})
}

// serveMessage hands a POST /message of the SSE transport to the SSE server,
// counting the answer it owes on the session's stream when it accepts it.
func (hs *httpServer) serveMessage(w http.ResponseWriter, r *http.Request, body []byte) {
	session := r.URL.Query().Get("sessionId")
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	owes := session != "" && json.Unmarshal(body, &msg) == nil && msg.Method != "" &&
		len(msg.ID) > 0 && string(msg.ID) != "null"
	if owes {
		hs.owed.add(session, 1)
	}
	rec := &statusWriter{ResponseWriter: w}
	hs.mcp.ServeHTTP(rec, r)
	if owes && rec.status() != http.StatusAccepted {
		hs.owed.add(session, -1) // refused: no answer will come on the stream
	}
}

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

func newAccessPolicy(h *httpOptions, addr string) (*accessPolicy, error) {
	p := &accessPolicy{hosts: map[string]bool{}, origins: map[string]bool{}, maxBody: h.maxBody}
	if p.maxBody <= 0 {
		p.maxBody = defaultMaxBody
	}
	if h.authToken != "" {
		sum := sha256.Sum256([]byte(h.authToken))
		p.tokenHash, p.hasToken = &sum, true
	}
	for _, o := range splitList(h.allowedOrigins) {
		if o == "*" {
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
	for _, hst := range splitList(h.allowedHosts) {
		if hst == "*" {
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
// or, when the server requires no bearer token of its own, Authorization
// (with or without "Bearer "). Empty means: use the server's key.
func (p *accessPolicy) callerKey(r *http.Request) client.Key {
	if k := strings.TrimSpace(r.Header.Get(headerAPIKey)); k != "" {
		return client.Key(k)
	}
	if p.hasToken {
		return ""
	}
	a := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, tok, ok := strings.Cut(a, " "); ok && strings.EqualFold(scheme, "Bearer") {
		a = strings.TrimSpace(tok)
	}
	return client.Key(a)
}

// narrowing parses the tool header: tool names (or operation ids) and toolset
// names. Nil means no narrowing.
func narrowing(v string) ([]string, error) {
	list := splitList(v)
	if len(list) == 0 {
		return nil, nil
	}
	sets := map[string]bool{}
	for _, ts := range tools.Toolsets() {
		sets[ts] = true
	}
	names := []string{}
	for _, n := range list {
		if ep := client.Lookup(n); ep != nil {
			names = append(names, ep.Tool)
			continue
		}
		if !sets[n] {
			return nil, fmt.Errorf("%s: unknown tool or toolset %q; run `ld-usage-mcp tools` to list them", headerTools, n)
		}
		for _, ep := range client.Endpoints {
			if ep.Toolset == n {
				names = append(names, ep.Tool)
			}
		}
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

// statusWriter records the status of an answer. It keeps http.Flusher, which
// the streaming transports need.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// sseStream wraps the GET /sse stream: it learns the session id from the
// endpoint event, counts the answers written (for shutdown), and keeps the
// CORS answer to the allowed origin (the SSE server would say "*").
type sseStream struct {
	http.ResponseWriter
	owed    *owedAnswers
	origin  string // Access-Control-Allow-Origin set by the policy, or ""
	session string
	started bool
}

func (s *sseStream) start() {
	if s.started {
		return
	}
	s.started = true
	if s.origin != "" {
		s.Header().Set("Access-Control-Allow-Origin", s.origin)
	} else {
		s.Header().Del("Access-Control-Allow-Origin")
	}
}

func (s *sseStream) WriteHeader(code int) {
	s.start()
	s.ResponseWriter.WriteHeader(code)
}

// Write sees whole events: the SSE server writes each with one call.
func (s *sseStream) Write(p []byte) (int, error) {
	s.start()
	switch {
	case s.session == "" && bytes.HasPrefix(p, []byte("event: endpoint\n")):
		if _, data, ok := bytes.Cut(p, []byte("data:")); ok {
			if u, err := url.Parse(string(bytes.TrimSpace(data))); err == nil {
				s.session = u.Query().Get("sessionId")
			}
		}
	case s.session != "" && bytes.HasPrefix(p, []byte("event: message\n")):
		if _, data, ok := bytes.Cut(p, []byte("data:")); ok {
			var msg struct {
				ID     json.RawMessage `json:"id"`
				Method string          `json:"method"`
			}
			if json.Unmarshal(bytes.TrimSpace(data), &msg) == nil && msg.Method == "" && len(msg.ID) > 0 {
				defer s.owed.add(s.session, -1) // once written
			}
		}
	}
	return s.ResponseWriter.Write(p)
}

func (s *sseStream) Flush() {
	s.start()
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *sseStream) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// finish forgets what the ended stream still owed: nobody reads it any more.
func (s *sseStream) finish() {
	if s.session != "" {
		s.owed.forget(s.session)
	}
}

// owedAnswers counts, per SSE session, the answers accepted but not yet
// written on the session's stream.
type owedAnswers struct {
	mu      sync.Mutex
	n       map[string]int
	changed chan struct{} // closed and replaced on every change
}

func newOwedAnswers() *owedAnswers {
	return &owedAnswers{n: map[string]int{}, changed: make(chan struct{})}
}

func (o *owedAnswers) add(session string, d int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v := o.n[session] + d; v > 0 {
		o.n[session] = v
	} else {
		delete(o.n, session)
	}
	o.signal()
}

func (o *owedAnswers) forget(session string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.n, session)
	o.signal()
}

// signal wakes the waiters; o.mu is held.
func (o *owedAnswers) signal() {
	close(o.changed)
	o.changed = make(chan struct{})
}

func (o *owedAnswers) count(session string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[session]
}

// wait returns when nothing is owed or ctx is done.
func (o *owedAnswers) wait(ctx context.Context) {
	for {
		o.mu.Lock()
		empty, changed := len(o.n) == 0, o.changed
		o.mu.Unlock()
		if empty {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}
