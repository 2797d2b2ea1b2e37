// Package demoserver serves the built-in demo over streamable HTTP on
// loopback, for the tests that look at the MCP App in a host.
package demoserver

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/server"
)

// Start serves --demo --transport http with the given --entitlements on a
// free loopback port until ctx ends or the test does, and returns its /mcp URL.
func Start(t testing.TB, ctx context.Context, entitlements string) string {
	t.Helper()
	ent, err := overview.ParseEntitlements(entitlements)
	require.NoError(t, err)
	srv, err := server.New(server.Config{Transport: "http", Addr: "127.0.0.1:0", Demo: true, Version: "test", Entitlements: ent})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.ServeListener(sctx, ln) }()
	t.Cleanup(func() { stop(); <-served })
	return "http://" + ln.Addr().String() + "/mcp"
}
