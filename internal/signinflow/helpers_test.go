package signinflow

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

// cleanups run after all tests (the built binary, the npm project).
var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	mcptest.Cleanup()
	os.Exit(code)
}

// freeAddr picks a free port on 127.0.0.1: the public URL must be known
// before the server starts, so --addr cannot be :0.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// server is the built binary serving MCP over HTTP at its public URL.
type server struct {
	public string
	logs   *mcptest.LockedBuffer
}

// startServer runs the binary on --transport http at a free loopback port
// with --public-url naming it, plus args and env; it waits for /healthz.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{public: "http://" + addr, logs: &mcptest.LockedBuffer{}}
	startAt(t, s, addr, env, args...)
	return s
}

// The LaunchDarkly OAuth client registered for the server under test.
const (
	ldClientID     = "3f5e2c1a-usage-mcp-test-client"
	ldClientSecret = "ld-oauth-client-secret-for-tests"
	deploySecret   = "deployment-secret-for-tests-0123456789"
)

// launchDarkly serves the emulator as LaunchDarkly on 127.0.0.1 with the
// OAuth client registered for a server at public.
func launchDarkly(t *testing.T, public string) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(emulator.Options{OAuthClients: []emulator.OAuthClient{{
		ID: ldClientID, Secret: ldClientSecret, Name: "LaunchDarkly usage (test)", RedirectURI: public + "/oauth/callback",
	}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: emu}}
	srv.Start()
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

// startSignedInServer starts the server in front of the emulator at ldURL
// with sign-in on: no access token of its own, the OAuth client's secret
// from the environment.
func startSignedInServer(t *testing.T) (*server, *emulator.Emulator) {
	t.Helper()
	// The public URL is chosen before the emulator registers it, and the
	// server started on it after.
	addr := freeAddr(t)
	public := "http://" + addr
	emu, ldURL := launchDarkly(t, public)
	s := &server{public: public, logs: &mcptest.LockedBuffer{}}
	startAt(t, s, addr, []string{"LAUNCHDARKLY_OAUTH_CLIENT_SECRET=" + ldClientSecret, "LD_USAGE_MCP_SECRET=" + deploySecret},
		"--server-url", ldURL, "--oauth-client-id", ldClientID)
	return s, emu
}

// startAt is startServer at a given address.
func startAt(t *testing.T, s *server, addr string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(mcptest.Binary(t), append([]string{"--transport", "http", "--addr", addr, "--public-url", s.public}, args...)...)
	cmd.Env = append([]string{"HOME=" + t.TempDir()}, env...)
	cmd.Stderr, cmd.Stdout = s.logs, s.logs
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.public+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			t.Fatalf("the server exited; its output:\n%s", s.logs.String())
		case <-ctx.Done():
			t.Fatalf("the server did not answer /healthz; its output:\n%s", s.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// noSecretsIn fails when any of the secrets appears in text.
func noSecretsIn(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a secret (%.6s…)", what, s)
		}
	}
}
