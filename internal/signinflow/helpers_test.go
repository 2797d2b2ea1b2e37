package signinflow

import (
	"context"
	"encoding/json"
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

// The deployment secret of the server under test.
const deploySecret = "deployment-secret-for-tests-0123456789"

// launchDarkly serves the emulator as LaunchDarkly on 127.0.0.1.
func launchDarkly(t *testing.T, o emulator.Options) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(o)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: emu}}
	srv.Start()
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

// readmeRegistration is the body of the README's request that registers the
// LaunchDarkly OAuth client ("Register the LaunchDarkly OAuth client").
func readmeRegistration(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(b)
	i := strings.Index(readme, "/api/v2/oauth/clients \\\n")
	require.NotEqual(t, -1, i, "the README registers the OAuth client with POST /api/v2/oauth/clients")
	_, body, ok := strings.Cut(readme[i:], "-d '")
	require.True(t, ok)
	body, _, ok = strings.Cut(body, "'")
	require.True(t, ok)
	return body
}

// registerOAuthClient registers the server at public with LaunchDarkly (the
// emulator at ldURL) as the README says, with an admin's access token, and
// returns the client id and secret LaunchDarkly answers.
func registerOAuthClient(t *testing.T, ldURL, public string) (id, secret string) {
	t.Helper()
	body := strings.ReplaceAll(readmeRegistration(t), "https://usage.example.com", public)
	req, err := http.NewRequest(http.MethodPost, ldURL+"/api/v2/oauth/clients", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", emulator.DemoKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var c struct {
		ID          string `json:"_clientId"`
		Secret      string `json:"_clientSecret"`
		RedirectURI string `json:"redirectUri"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&c))
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Equal(t, public+"/oauth/callback", c.RedirectURI)
	return c.ID, c.Secret
}

// startSignedInServer starts the server in front of the emulator as
// LaunchDarkly with sign-in on: the OAuth client registered as the README
// says, its secret from the environment, no access token of the server's own.
func startSignedInServer(t *testing.T, o emulator.Options) (*server, *emulator.Emulator, string) {
	t.Helper()
	addr := freeAddr(t)
	public := "http://" + addr
	emu, ldURL := launchDarkly(t, o)
	id, secret := registerOAuthClient(t, ldURL, public)
	s := &server{public: public, logs: &mcptest.LockedBuffer{}}
	startAt(t, s, addr, []string{"LAUNCHDARKLY_OAUTH_CLIENT_SECRET=" + secret, "LD_USAGE_MCP_SECRET=" + deploySecret},
		"--server-url", ldURL, "--oauth-client-id", id)
	return s, emu, secret
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
