// Package server serves the tools over MCP: on stdio, or over HTTP (the
// streamable HTTP transport at /mcp, or the legacy SSE transport) behind an
// access policy, with /healthz and /metrics. It builds the upstream side too:
// the LaunchDarkly client (or, with Demo, the built-in emulator) behind the
// resilience layers of package client. With SignIn (on --transport http),
// package signin's authorization server is mounted beside /mcp and checks
// every /mcp request's token; the tools then call LaunchDarkly as the
// signed-in person.
//
// The layers read: main (flags) → server (stdio/HTTP) → tools → client → LaunchDarkly.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/signin"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// Config is what the server is started with: the command line's flags and
// environment, parsed.
type Config struct {
	Transport string // "stdio", "http" or "sse"
	Addr      string // listen address of http/sse, e.g. 127.0.0.1:8080
	Version   string // of the server: logs, User-Agent, build_info
	Logger    *slog.Logger

	APIKey      client.Key // the server's LaunchDarkly token; may be empty
	ServerURL   string     // LaunchDarkly's base URL
	Demo        bool       // serve the built-in emulator's synthetic data
	NoCache     bool       // do not cache LaunchDarkly's answers
	CallTimeout time.Duration
	Selection   tools.Selection
	// Entitlements are the plan's monthly entitlements, for the overview.
	Entitlements overview.Entitlements

	// Redis, when set (redis:// or rediss://), keeps the answers, the
	// flights of identical requests and the rate-limit windows in Redis,
	// shared by every replica that names it. RedisPassword is used when the
	// URL carries none. Neither is ever logged.
	Redis         string
	RedisPassword string
	RedisTimeout  time.Duration // bound of one Redis operation (default client.DefaultRedisTimeout)
	// Secret is the deployment's secret, the same on every replica: it
	// authenticates what is written to Redis (required with Redis). Never logged.
	Secret string

	HTTP HTTPConfig
	// SignIn, when set, signs people in with LaunchDarkly (--transport http only).
	SignIn *SignInConfig
}

// HTTPConfig configures the HTTP transports.
type HTTPConfig struct {
	AuthToken      string   // every request but /healthz must carry Authorization: Bearer AuthToken
	AllowedOrigins []string // browser origins allowed besides loopback ones; "*" allows any
	AllowedHosts   []string // Host names allowed besides loopback ones; "*" allows any
	Metrics        bool     // serve /metrics
	MaxBody        int64    // largest request body (default DefaultMaxBody)
	// MaxSessions bounds the SSE streams open at once (default
	// DefaultMaxSessions); beyond it, GET /sse answers 503.
	MaxSessions int
	// MaxSessionCalls bounds the calls in flight (accepted, answer not yet
	// written) of one SSE session (default DefaultMaxSessionCalls); beyond
	// it, POST /message answers 429.
	MaxSessionCalls int
	// MaxConnections bounds the client connections open at once (default
	// DefaultMaxConnections); more wait to be accepted.
	MaxConnections int
	// BodyTimeout bounds the reading of a request body (default
	// DefaultBodyTimeout); a client slower than that is cut off.
	BodyTimeout time.Duration
	// StreamWriteTimeout bounds one write on an SSE stream (default
	// DefaultStreamWriteTimeout); a reader that does not read is dropped.
	StreamWriteTimeout time.Duration
}

// Server is the tool set with its transports.
type Server struct {
	cfg     Config
	tools   *tools.Server
	metrics *metricsSet        // nil without HTTP.Metrics
	shared  *client.RedisStore // nil without Redis
	logger  *slog.Logger
	// rejectedOnce: a value from Redis that failed its check was logged.
	rejectedOnce atomic.Bool
	signin       *signin.Server     // nil without sign-in
	emu          *emulator.Emulator // the demo's LaunchDarkly, nil without Demo
	closers      []func() error     // what Close releases besides shared
}

// New builds the upstream client, the tools and the metrics. It listens on nothing yet.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.ServerURL == "" {
		cfg.ServerURL = client.Commercial
	}
	s := &Server{cfg: cfg, logger: cfg.Logger}
	if cfg.HTTP.Metrics {
		s.metrics = newMetrics(cfg.Version, cfg.Redis != "")
	}
	if cfg.Redis != "" {
		st, err := client.NewRedisStore(client.RedisOptions{URL: cfg.Redis, Password: cfg.RedisPassword, Timeout: cfg.RedisTimeout,
			Secret: []byte(cfg.Secret), OnEvent: s.onShared})
		if err != nil {
			return nil, err
		}
		s.shared = st
	}
	if cfg.Demo {
		// The demo's LaunchDarkly knows the demo's OAuth client, registered
		// for this server's public URL (emulator.DemoOAuthClient).
		o := emulator.Options{}
		if cfg.SignIn != nil {
			if public, err := signin.CheckPublicURL(cfg.SignIn.PublicURL); err == nil {
				o.OAuthClients = []emulator.OAuthClient{emulator.DemoOAuthClient(public)}
			}
		}
		s.emu = emulator.New(o)
	}
	ts, err := tools.New(tools.Config{
		Client:       s.newClient(),
		Demo:         cfg.Demo,
		CallTimeout:  cfg.CallTimeout,
		Logger:       cfg.Logger,
		Version:      cfg.Version,
		Selection:    cfg.Selection,
		Entitlements: cfg.Entitlements,
		OnCall:       s.metrics.onCall,
	})
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	s.tools = ts
	if s.signin, err = s.newSignIn(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases what New holds (the connections to Redis).
func (s *Server) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	if s.shared != nil {
		errs = append(errs, s.shared.Close())
	}
	return errors.Join(errs...)
}

// connectShared checks Redis once at start; the outcome is logged by onShared.
func (s *Server) connectShared(ctx context.Context) {
	if s.shared != nil {
		_ = s.shared.Ping(ctx)
	}
}

// onShared is told when Redis goes down or comes back, and of fallbacks.
func (s *Server) onShared(e client.Event) {
	s.metrics.onUpstream(e)
	switch e.Kind {
	case client.EventSharedDown:
		s.logger.Warn("redis unreachable: serving from this replica's own cache and pacing until it is back", "redis", s.shared.Addr(), "err", e.Err)
	case client.EventSharedUp:
		s.logger.Info("redis reachable: answers, identical requests and rate-limit windows are shared", "redis", s.shared.Addr())
	case client.EventSharedRejected:
		if s.rejectedOnce.CompareAndSwap(false, true) {
			s.logger.Warn("redis held a value that failed its check (not written by a replica with this deployment's secret, or not what replicas keep): ignored, as a miss; "+
				"either the replicas' secrets differ or something else writes to this Redis. Counted in ld_usage_mcp_redis_rejected_total; reported once",
				"redis", s.shared.Addr(), "kind", e.Path)
		}
	}
}

// Tools is the tool set, for the command line's tools and call commands.
func (s *Server) Tools() *tools.Server { return s.tools }

// Serve serves MCP over the configured transport until ctx is cancelled;
// stdin and stdout carry the stdio transport.
func (s *Server) Serve(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	switch s.cfg.Transport {
	case "", "stdio":
		return s.ServeStdio(ctx, stdin, stdout)
	case "http", "sse":
		return s.ListenAndServe(ctx)
	}
	return fmt.Errorf("unknown --transport %q: use stdio, sse or http", s.cfg.Transport)
}

// ServeStdio serves MCP on stdin/stdout until ctx is cancelled or stdin ends.
func (s *Server) ServeStdio(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	s.connectShared(ctx)
	s.logger.Info("serving MCP on stdio", "version", s.cfg.Version, "tools", len(s.tools.List()), "demo", s.cfg.Demo, "key_set", s.cfg.APIKey != "")
	err := mcpserver.NewStdioServer(s.tools.MCP()).Listen(ctx, stdin, stdout)
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("stdio server stopped: %w", err)
	}
	return nil
}

// ListenAndServe serves MCP over the HTTP transport (http or sse) on
// cfg.Addr until ctx is cancelled, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if _, err := newAccessPolicy(s.cfg.HTTP, s.cfg.Addr); err != nil {
		return err // before listening: a bad flag is not a bind error
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.ServeListener(ctx, ln)
}
