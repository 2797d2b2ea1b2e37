package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
	"golang.org/x/net/netutil"

	"github.com/ld-usage-mcp/ld-usage-mcp/signin"
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
	// DefaultMaxBody bounds a request body. Tool arguments are tiny; the bound
	// is loose enough that an oversized argument still reaches the validator
	// and gets a tool error that names it.
	DefaultMaxBody = 4 << 20
	// shutdownTimeout bounds the wait for calls in flight on shutdown.
	shutdownTimeout = 10 * time.Second
	// sseKeepAlive is the interval of the pings on an SSE stream, so that
	// proxies do not close a quiet stream.
	sseKeepAlive = 30 * time.Second
	// sseCloseGrace is the pause on shutdown between the last answer
	// written on an SSE stream and the end of the streams.
	sseCloseGrace = 250 * time.Millisecond
)

// ServeListener serves the HTTP transport (http or sse) on ln, which it
// closes, until ctx is cancelled. On cancellation it stops accepting, lets the
// calls in flight finish (at most shutdownTimeout), and returns.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	hs, err := s.newHTTPServer()
	if err != nil {
		_ = ln.Close()
		return err
	}
	cfg, logger := s.cfg, s.logger
	s.connectShared(ctx)
	addr := ln.Addr().String()
	path := "/mcp"
	if cfg.Transport == "sse" {
		path = "/sse"
	}
	logger.Info("serving MCP over HTTP", "transport", cfg.Transport, "addr", addr, "url", "http://"+addr+path,
		"version", cfg.Version, "tools", len(s.tools.List()), "demo", cfg.Demo, "key_set", cfg.APIKey != "",
		"auth_token", cfg.HTTP.AuthToken != "", "metrics", s.metrics != nil, "redis", s.shared != nil, "sign_in", s.signin != nil)
	if s.signin != nil {
		logger.Info("sign-in with LaunchDarkly is on: /mcp needs an access token this server issued", "public_url", s.signin.PublicURL(), "resource", s.signin.Resource())
	} else if cfg.HTTP.AuthToken == "" && !isLoopbackListener(ln.Addr()) {
		logger.Warn("WARNING: listening on a non-loopback address without an auth token: anyone who can reach " + addr +
			" can call the tools, with the server's LaunchDarkly key if it has one. Set LD_USAGE_MCP_AUTH_TOKEN (or --auth-token), or listen on 127.0.0.1.")
	}

	ln = netutil.LimitListener(ln, s.cfg.HTTP.withDefaults().MaxConnections)
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
	mcp       http.Handler         // the streamable HTTP server, or the SSE server
	sse       *mcpserver.SSEServer // nil with --transport http
	owed      *owedAnswers         // SSE answers owed, for shutdown
	transport string               // "http" or "sse"
	metrics   *metricsSet          // nil without --metrics
	logger    *slog.Logger
	limits    HTTPConfig     // the bounds (sessions, calls, timeouts), defaults filled in
	sessions  atomic.Int64   // SSE streams open
	signin    *signin.Server // nil without sign-in
	demoLD    http.Handler   // in demo with sign-in: the emulator's sign-in page
}

func (s *Server) newHTTPServer() (*httpServer, error) {
	p, err := newAccessPolicy(s.cfg.HTTP, s.cfg.Addr)
	if err != nil {
		return nil, err
	}
	logger, ts := s.logger, s.tools
	hs := &httpServer{policy: p, transport: s.cfg.Transport, metrics: s.metrics, logger: logger, owed: newOwedAnswers(),
		limits: s.cfg.HTTP.withDefaults()}
	if s.signin != nil {
		hs.signin = s.signin
		p.hosts[publicHost(s.signin.PublicURL())] = true
		if s.emu != nil {
			hs.demoLD = s.emu
		}
	}
	switch s.cfg.Transport {
	case "http":
		// Stateless: no session is kept between requests, so any replica
		// behind a load balancer can answer any request. The server sends
		// nothing unasked, so the standalone GET stream is refused (405, as
		// the spec allows).
		hs.mcp = mcpserver.NewStreamableHTTPServer(ts.MCP(),
			mcpserver.WithStateLess(true),
			mcpserver.WithDisableStreaming(true),
			mcpserver.WithHTTPContextFunc(hs.requestContext),
			mcpserver.WithDisableLocalhostProtection(true), // done by accessPolicy, with the allow-lists
			mcpserver.WithStreamableHTTPLogger(logger),
		)
	case "sse":
		hs.sse = mcpserver.NewSSEServer(ts.MCP(),
			mcpserver.WithSSEContextFunc(hs.requestContext),
			mcpserver.WithSSEDisableLocalhostProtection(true),
			mcpserver.WithKeepAlive(true),
			mcpserver.WithKeepAliveInterval(sseKeepAlive),
		)
		hs.mcp = hs.sse
	default:
		return nil, fmt.Errorf("unknown HTTP transport %q", s.cfg.Transport)
	}
	return hs, nil
}

// requestContext attaches the caller's LaunchDarkly token and tool narrowing
// of one HTTP request (for SSE: of the POST /message that carries the call).
func (hs *httpServer) requestContext(ctx context.Context, r *http.Request) context.Context {
	if hs.signin != nil {
		// Signed in: the person's LaunchDarkly token, and nothing else, stands in.
		ctx = tools.ContextWithKey(ctx, personKeyFrom(r.Context()))
	} else {
		ctx = tools.ContextWithKey(ctx, hs.policy.callerKey(r))
	}
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
		hs.metrics.httpRequest(route, rec.status())
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
	if hs.serveSignIn(w, r, route) {
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
	if hs.signin != nil && route == "/mcp" {
		p, ok := hs.signin.Authenticate(w, r)
		if !ok {
			return
		}
		r = r.WithContext(withPerson(r.Context(), p))
	} else if !hs.policy.authorized(r) {
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
		if r.Method == http.MethodGet {
			if hs.sessions.Add(1) > int64(hs.limits.MaxSessions) {
				hs.sessions.Add(-1)
				w.Header().Set("Retry-After", "5")
				w.Header().Set("Connection", "close") // nor is the connection kept
				http.Error(w, fmt.Sprintf("Service Unavailable: this server has %d SSE sessions open, its limit (--max-sessions); retry later", hs.limits.MaxSessions), http.StatusServiceUnavailable)
				return
			}
			defer hs.sessions.Add(-1)
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		r = r.WithContext(ctx)
		dl := &deadlineWriter{rc: http.NewResponseController(w), timeout: hs.limits.StreamWriteTimeout, cancel: cancel}
		sw := &sseStream{ResponseWriter: w, dl: dl, owed: hs.owed, origin: w.Header().Get("Access-Control-Allow-Origin")}
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
	case demoAuthorizePath:
		if hs.demoLD != nil {
			return path
		}
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
	if hs.signin != nil && signin.Owns(path) {
		return path
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
	// A read deadline for the body only (a client sending a byte now and
	// then holds no connection past it); lifted once it is read, so that
	// the connection's watch for a client going away does not time out
	// during a long call.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(hs.limits.BodyTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		var mbe *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &mbe):
			tooLarge()
		case errors.As(err, &ne) && ne.Timeout():
			w.Header().Set("Connection", "close")
			http.Error(w, fmt.Sprintf("Request Timeout: the body was not sent within %s", hs.limits.BodyTimeout), http.StatusRequestTimeout)
		default:
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
	// Each call accepted waits for its answer to be written on the stream:
	// a session whose stream is not read would pile them up without bound.
	if owes && !hs.owed.tryAdd(session, hs.limits.MaxSessionCalls) {
		w.Header().Set("Retry-After", "1")
		writeJSONRPCError(w, http.StatusTooManyRequests, -32000,
			fmt.Sprintf("too many calls in flight on this SSE session (at most %d, --max-session-calls): wait for their answers on the stream", hs.limits.MaxSessionCalls))
		return
	}
	rec := &statusWriter{ResponseWriter: w}
	hs.mcp.ServeHTTP(rec, r)
	if owes && rec.status() != http.StatusAccepted {
		hs.owed.add(session, -1) // refused: no answer will come on the stream
	}
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
