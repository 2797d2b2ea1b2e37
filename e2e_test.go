package main

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
)

// Helpers shared with the server package's tests.
type lockedBuffer = mcptest.LockedBuffer

var (
	startEmulator = mcptest.StartEmulator
	httpTestCtx   = mcptest.Ctx
	evalArgs      = mcptest.EvalArgs
	requestsFor   = mcptest.RequestsFor
	httpDo        = mcptest.Do
)

var httpTransports = []string{"http", "sse"}

// TestEndToEndBinary builds the server and drives it with the official SDK
// over stdio, streamable HTTP and SSE, against an emulator as LaunchDarkly.
func TestEndToEndBinary(t *testing.T) {
	const key = "api-end-to-end"
	bin := testBinary(t) // main_test.go: built once per run
	emu, emuURL := startEmulator(t, key)
	env := cleanEnv("LAUNCHDARKLY_API_KEY=" + key)
	check := func(t *testing.T, ctx context.Context, cs *sdk.ClientSession, flag string) {
		t.Helper()
		s := mcptest.SDKSession{CS: cs}
		names, err := s.ListTools(ctx)
		require.NoError(t, err)
		assert.Contains(t, names, "get_evaluations_usage")
		text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs(flag))
		require.NoError(t, err)
		require.False(t, isErr, text)
		reqs := requestsFor(emu, flag)
		require.Len(t, reqs, 1)
		assert.Equal(t, key, reqs[0].Header.Get("Authorization"))
	}

	t.Run("stdio", func(t *testing.T) {
		ctx := httpTestCtx(t)
		cmd := exec.Command(bin, "--server-url", emuURL)
		cmd.Env = env
		cs, err := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
		require.NoError(t, err)
		defer cs.Close()
		check(t, ctx, cs, "e2e-stdio")
	})

	addrRE := regexp.MustCompile(`msg="serving MCP over HTTP".* addr=(\S+)`)
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			ctx := httpTestCtx(t)
			cmd := exec.Command(bin, "--transport", tr, "--addr", "127.0.0.1:0", "--server-url", emuURL)
			cmd.Env = env
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			exited := make(chan error, 1)
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
			})
			logs := &lockedBuffer{}
			addrc := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					line := sc.Text()
					_, _ = logs.Write([]byte(line + "\n"))
					if m := addrRE.FindStringSubmatch(line); m != nil {
						addrc <- m[1]
					}
				}
				exited <- cmd.Wait()
			}()
			var addr string
			select {
			case addr = <-addrc:
			case <-time.After(15 * time.Second):
				t.Fatalf("no listening address logged; stderr:\n%s", logs.String())
			}
			var tport sdk.Transport = &sdk.StreamableClientTransport{Endpoint: "http://" + addr + "/mcp", MaxRetries: -1}
			if tr == "sse" {
				tport = &sdk.SSEClientTransport{Endpoint: "http://" + addr + "/sse"}
			}
			cs, err := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, tport, nil)
			require.NoError(t, err)
			check(t, ctx, cs, "e2e-"+tr)
			resp := httpDo(t, http.MethodGet, "http://"+addr+"/healthz", "", nil)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			_ = cs.Close()

			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			select {
			case err := <-exited:
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Fatalf("exit status %d after SIGTERM; stderr:\n%s", ee.ExitCode(), logs.String())
				}
				require.NoError(t, err)
			case <-time.After(15 * time.Second):
				t.Fatalf("the server did not exit after SIGTERM; stderr:\n%s", logs.String())
			}
			assert.NotContains(t, logs.String(), key)
			assert.Contains(t, logs.String(), "server stopped")
		})
	}
}
