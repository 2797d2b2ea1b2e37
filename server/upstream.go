package server

import (
	"net/http"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// maxIdleUpstream is how many idle connections to LaunchDarkly are kept.
// http.DefaultTransport keeps two per host: with more calls in flight, each
// extra one opened a new connection (with LaunchDarkly, a TLS handshake).
const maxIdleUpstream = 32

// newClient builds the LaunchDarkly client (or, with Demo, one of the
// in-process emulator) behind the resilience layers.
func (s *Server) newClient() *client.Client {
	base, key := s.cfg.ServerURL, s.cfg.APIKey
	upstream := http.DefaultTransport.(*http.Transport).Clone()
	upstream.MaxIdleConnsPerHost = maxIdleUpstream
	var rt http.RoundTripper = upstream
	if s.cfg.Demo {
		base, key = "http://demo.emulator.invalid", client.Key(emulator.DemoKey)
		rt = s.emu.Transport()
	}
	return client.New(base, key,
		client.WithUserAgent("ld-usage-mcp/"+s.cfg.Version),
		client.WithHTTPClient(&http.Client{Transport: s.resilient(rt)}),
	)
}

// resilient stacks the response cache, retries with backoff and rate-limit
// pacing over rt (see client.NewTransport), and reports what they do to the
// metrics and, at debug level, to the log. The per-call deadline set by the
// tools bounds every wait.
func (s *Server) resilient(rt http.RoundTripper) http.RoundTripper {
	logger := s.logger
	return client.NewTransport(rt, client.ResilienceOptions{
		NoCache: s.cfg.NoCache,
		Shared:  s.shared,
		OnEvent: func(e client.Event) {
			s.metrics.onUpstream(e)
			if e.Kind != client.EventUpstream && e.Kind != client.EventCacheMiss {
				logger.Debug("upstream", "event", e.Kind.String(), "path", e.Path, "status", e.Status, "wait_ms", e.Wait.Milliseconds(), "remaining", e.Remaining)
			}
		},
	})
}
