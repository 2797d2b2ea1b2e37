package main

import (
	"log/slog"
	"net/http"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// resilient stacks the response cache, retries with backoff and rate-limit
// pacing over rt (see client.NewTransport), and reports what they do to the
// metrics and, at debug level, to the log. The per-call deadline set by the
// tools bounds every wait.
func resilient(rt http.RoundTripper, o *options, logger *slog.Logger) http.RoundTripper {
	return client.NewTransport(rt, client.ResilienceOptions{
		NoCache: o.noCache,
		OnEvent: func(e client.Event) {
			o.http.onUpstream(e)
			if e.Kind != client.EventUpstream && e.Kind != client.EventCacheMiss {
				logger.Debug("upstream", "event", e.Kind.String(), "path", e.Path, "status", e.Status, "wait_ms", e.Wait.Milliseconds(), "remaining", e.Remaining)
			}
		},
	})
}
