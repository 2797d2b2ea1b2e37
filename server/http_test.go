package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// Helpers shared with the binary's tests.
type lockedBuffer = mcptest.LockedBuffer

var (
	startEmulator  = mcptest.StartEmulator
	connectMCP     = mcptest.Connect
	mustConnectMCP = mcptest.MustConnect
	httpTestCtx    = mcptest.Ctx
	evalArgs       = mcptest.EvalArgs
	requestsFor    = mcptest.RequestsFor
	httpDo         = mcptest.Do
)

// httpTestServer is ServeListener running on 127.0.0.1 with an emulator upstream.
type httpTestServer struct {
	url    string // http://127.0.0.1:port
	addr   string
	logs   *lockedBuffer
	ts     *tools.Server
	srv    *Server
	cancel context.CancelFunc
	done   chan error
}

// testVersion is the version the test servers report.
const testVersion = "0.0.0-test"

// startHTTPServer serves o (transport, keys, http options) in front of the
// emulator at emuURL and stops it at the end of the test.
func startHTTPServer(t testing.TB, o *Config, emuURL string) *httpTestServer {
	t.Helper()
	o.ServerURL = emuURL
	o.NoCache = true
	o.Version = testVersion
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	logs := &lockedBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(*o)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	s := &httpTestServer{url: "http://" + ln.Addr().String(), addr: ln.Addr().String(), logs: logs, ts: srv.Tools(), srv: srv, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- srv.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		// Connections the clients dialed but never used would hold Shutdown
		// for 5s (net/http waits that long for a first request on them).
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		cancel()
		select {
		case err := <-s.done:
			assert.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Error("server did not stop within 15s")
		}
	})
	return s
}

var httpTransports = []string{"http", "sse"}

func TestHTTPListAndCall(t *testing.T) {
	const key = "api-server-key-0001"
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, key)
			o := &Config{Transport: tr, APIKey: key}
			srv := startHTTPServer(t, o, emuURL)
			var want []string
			for _, tool := range srv.ts.List() {
				want = append(want, tool.Name)
			}
			require.Contains(t, want, "get_usage_overview")
			sort.Strings(want)
			for _, lib := range []string{"sdk", "mcp-go"} {
				t.Run(lib, func(t *testing.T) {
					ctx := httpTestCtx(t)
					s := mustConnectMCP(t, ctx, lib, tr, srv.url, nil)
					names, err := s.ListTools(ctx)
					require.NoError(t, err)
					assert.Equal(t, want, names)

					flag := "list-call-" + tr + "-" + lib
					text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs(flag))
					require.NoError(t, err)
					require.False(t, isErr, text)
					assert.Contains(t, text, "featureFlagKey="+flag)
					reqs := requestsFor(emu, flag)
					require.Len(t, reqs, 1)
					assert.Equal(t, key, reqs[0].Header.Get("Authorization"), "the server's key goes upstream")
					assert.Equal(t, "beta", reqs[0].Header.Get("LD-API-Version"))
				})
			}
			assert.NotContains(t, srv.logs.String(), key)
		})
	}
}

// TestHTTPPerRequestTokens runs 50 concurrent sessions, each with its own
// LaunchDarkly token sent in one of the three accepted ways, and checks that
// every upstream request carried its own session's token.
func TestHTTPPerRequestTokens(t *testing.T) {
	const n = 50
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("api-session-%02d-%08x", i, i*7919)
	}
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, tokens...)
			srv := startHTTPServer(t, &Config{Transport: tr}, emuURL) // no server key: a missing token would fail
			ctx := httpTestCtx(t)
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var h map[string]string
					switch i % 3 {
					case 0:
						h = map[string]string{headerAPIKey: tokens[i]}
					case 1:
						h = map[string]string{"Authorization": "Bearer " + tokens[i]}
					case 2:
						h = map[string]string{"Authorization": tokens[i]}
					}
					lib := []string{"sdk", "mcp-go"}[i%2]
					s, err := connectMCP(ctx, lib, tr, srv.url, h)
					if err != nil {
						errs <- fmt.Errorf("session %d (%s): connect: %w", i, lib, err)
						return
					}
					defer s.Close()
					for call := range 2 {
						text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs(fmt.Sprintf("leak-%02d", i)))
						if err != nil || isErr {
							errs <- fmt.Errorf("session %d (%s) call %d: err=%v isError=%v %s", i, lib, call, err, isErr, text)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			total := 0
			for i := range n {
				reqs := requestsFor(emu, fmt.Sprintf("leak-%02d", i))
				assert.Len(t, reqs, 2, "session %d", i)
				for _, r := range reqs {
					assert.Equal(t, tokens[i], r.Header.Get("Authorization"), "session %d's request carried another token", i)
				}
				total += len(reqs)
			}
			assert.Equal(t, 2*n, total)
			assert.Equal(t, 2*n, emu.Count(), "no other upstream request")
			logs := srv.logs.String()
			for _, tok := range tokens {
				require.NotContains(t, logs, tok, "a token was logged")
			}
		})
	}
}

func TestHTTPNoKey(t *testing.T) {
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t)
			srv := startHTTPServer(t, &Config{Transport: tr}, emuURL)
			ctx := httpTestCtx(t)
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, nil)
			text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("no-key"))
			require.NoError(t, err)
			assert.True(t, isErr)
			assert.Equal(t, tools.NoKeyMessage, text)
			assert.Zero(t, emu.Count(), "nothing is sent without a key")
		})
	}
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

func TestHTTPAuthToken(t *testing.T) {
	const (
		bearer    = "s3cret-bearer-token-abc"
		serverKey = "api-server-key-auth"
		callerKey = "api-caller-key-auth"
	)
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, serverKey, callerKey)
			o := &Config{Transport: tr, APIKey: serverKey}
			o.HTTP.AuthToken = bearer
			o.HTTP.Metrics = true
			srv := startHTTPServer(t, o, emuURL)
			path := map[string]string{"http": "/mcp", "sse": "/message?sessionId=x"}[tr]

			for name, h := range map[string]map[string]string{
				"none":         nil,
				"wrong bearer": {"Authorization": "Bearer not-the-token"},
				"no scheme":    {"Authorization": bearer},
				"basic":        {"Authorization": "Basic " + bearer},
				"prefix":       {"Authorization": "Bearer " + bearer[:len(bearer)-1]},
			} {
				resp := httpDo(t, http.MethodPost, srv.url+path, initializeBody, h)
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
				assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer", name)
			}
			resp := httpDo(t, http.MethodGet, srv.url+"/metrics", "", nil)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "/metrics needs the token")
			if tr == "sse" {
				resp := httpDo(t, http.MethodGet, srv.url+"/sse", "", nil)
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "/sse needs the token")
			}
			resp = httpDo(t, http.MethodGet, srv.url+"/healthz", "", nil)
			assert.Equal(t, http.StatusOK, resp.StatusCode, "/healthz is open")
			resp = httpDo(t, http.MethodGet, srv.url+"/metrics", "", map[string]string{"Authorization": "Bearer " + bearer})
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			if tr == "http" {
				resp := httpDo(t, http.MethodPost, srv.url+"/mcp", initializeBody, map[string]string{"Authorization": "bearer " + bearer})
				assert.Equal(t, http.StatusOK, resp.StatusCode, "right bearer")
			}

			ctx := httpTestCtx(t)
			// With the right bearer, the server's key is used; the bearer is
			// not a LaunchDarkly token and never goes upstream.
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, map[string]string{"Authorization": "Bearer " + bearer})
			text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("auth-server-key"))
			require.NoError(t, err)
			require.False(t, isErr, text)
			reqs := requestsFor(emu, "auth-server-key")
			require.Len(t, reqs, 1)
			assert.Equal(t, serverKey, reqs[0].Header.Get("Authorization"))

			// The caller's own token goes in X-LaunchDarkly-Api-Key.
			s = mustConnectMCP(t, ctx, "mcp-go", tr, srv.url, map[string]string{"Authorization": "Bearer " + bearer, headerAPIKey: callerKey})
			text, isErr, err = s.Call(ctx, "get_evaluations_usage", evalArgs("auth-caller-key"))
			require.NoError(t, err)
			require.False(t, isErr, text)
			reqs = requestsFor(emu, "auth-caller-key")
			require.Len(t, reqs, 1)
			assert.Equal(t, callerKey, reqs[0].Header.Get("Authorization"))

			for _, secret := range []string{bearer, serverKey, callerKey} {
				assert.NotContains(t, srv.logs.String(), secret)
			}
		})
	}
}

func TestHTTPHostAndOrigin(t *testing.T) {
	_, emuURL := startEmulator(t)
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			o := &Config{Transport: tr}
			o.HTTP.AllowedOrigins = []string{"https://chat.example.com"}
			o.HTTP.AllowedHosts = []string{"mcp.internal"}
			srv := startHTTPServer(t, o, emuURL)
			_, port, _ := net.SplitHostPort(srv.addr)
			// POST to the MCP endpoint; on sse an unknown session gets 400 once past the checks.
			path, passed := "/mcp", http.StatusOK
			if tr == "sse" {
				path, passed = "/message?sessionId=unknown", http.StatusBadRequest
			}
			for _, c := range []struct {
				name   string
				header map[string]string
				want   int
			}{
				{"default", nil, passed},
				{"evil host", map[string]string{"Host": "evil.example.com"}, http.StatusForbidden},
				{"evil host with port", map[string]string{"Host": "evil.example.com:" + port}, http.StatusForbidden},
				{"rebinding to loopback name", map[string]string{"Host": "127.0.0.1.nip.io:" + port}, http.StatusForbidden},
				{"evil origin", map[string]string{"Origin": "http://evil.example.com"}, http.StatusForbidden},
				{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
				{"origin lookalike", map[string]string{"Origin": "https://chat.example.com.evil.io"}, http.StatusForbidden},
				{"origin other scheme", map[string]string{"Origin": "http://chat.example.com"}, http.StatusForbidden},
				{"localhost", map[string]string{"Host": "localhost:" + port}, passed},
				{"ipv6 loopback", map[string]string{"Host": "[::1]:" + port}, passed},
				{"loopback origin", map[string]string{"Origin": "http://localhost:6274"}, passed},
				{"allowed origin", map[string]string{"Origin": "https://chat.example.com", "Host": "chat.example.com"}, passed},
				{"allowed origin default port", map[string]string{"Origin": "https://chat.example.com:443"}, passed},
				{"allowed host", map[string]string{"Host": "MCP.internal:8443"}, passed},
			} {
				resp := httpDo(t, http.MethodPost, srv.url+path, initializeBody, c.header)
				assert.Equal(t, c.want, resp.StatusCode, c.name)
				if c.want != http.StatusForbidden && c.header["Origin"] != "" {
					assert.Equal(t, c.header["Origin"], resp.Header.Get("Access-Control-Allow-Origin"), c.name)
				}
			}
			// /healthz answers whatever the Host, for load balancers.
			resp := httpDo(t, http.MethodGet, srv.url+"/healthz", "", map[string]string{"Host": "10.1.2.3:8080"})
			assert.Equal(t, http.StatusOK, resp.StatusCode)

			// A browser's preflight from an allowed origin.
			resp = httpDo(t, http.MethodOptions, srv.url+path, "", map[string]string{
				"Origin": "https://chat.example.com", "Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "content-type, x-launchdarkly-api-key",
			})
			assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			assert.Equal(t, "https://chat.example.com", resp.Header.Get("Access-Control-Allow-Origin"))
			assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), headerAPIKey)
		})
	}
}

func TestAccessPolicyFlags(t *testing.T) {
	_, err := newAccessPolicy(HTTPConfig{AllowedOrigins: []string{"chat.example.com"}}, "127.0.0.1:0")
	assert.ErrorContains(t, err, "not an origin")
	_, err = newAccessPolicy(HTTPConfig{AllowedHosts: []string{"https://mcp.example.com"}}, "127.0.0.1:0")
	assert.ErrorContains(t, err, "not a host name")

	p, err := newAccessPolicy(HTTPConfig{}, "10.0.0.5:8080")
	require.NoError(t, err)
	assert.True(t, p.hostAllowed("10.0.0.5:8080"), "the address listened on is allowed")
	assert.False(t, p.hostAllowed("10.0.0.6:8080"))
	p, err = newAccessPolicy(HTTPConfig{}, "0.0.0.0:8080")
	require.NoError(t, err)
	assert.False(t, p.hostAllowed("0.0.0.0:8080"))
	assert.False(t, p.hostAllowed(""))
	p, err = newAccessPolicy(HTTPConfig{AllowedHosts: []string{"*"}, AllowedOrigins: []string{"*"}}, "0.0.0.0:8080")
	require.NoError(t, err)
	assert.True(t, p.hostAllowed("anything.example"))
	assert.True(t, p.originAllowed("https://anything.example"))
}

func TestHTTPBodyLimit(t *testing.T) {
	const key = "api-body-limit"
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, key)
			o := &Config{Transport: tr, APIKey: key}
			o.HTTP.MaxBody = 256 << 10
			srv := startHTTPServer(t, o, emuURL)
			path := map[string]string{"http": "/mcp", "sse": "/message?sessionId=x"}[tr]
			big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 300<<10) + `"}}`
			resp := httpDo(t, http.MethodPost, srv.url+path, big, nil)
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
			// Sent chunked, without Content-Length.
			req, err := http.NewRequest(http.MethodPost, srv.url+path, io.MultiReader(strings.NewReader(big)))
			require.NoError(t, err)
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/json")
			resp2, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_ = resp2.Body.Close()
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp2.StatusCode)

			// Under the limit, an oversized argument reaches the validator and
			// gets a tool error; nothing goes upstream.
			ctx := httpTestCtx(t)
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, nil)
			args := evalArgs(strings.Repeat("f", 100<<10))
			_, isErr, err := s.Call(ctx, "get_evaluations_usage", args)
			require.NoError(t, err)
			assert.True(t, isErr)
			text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("after-big"))
			require.NoError(t, err)
			assert.False(t, isErr, "the server keeps serving: %s", text)
			assert.Equal(t, 1, emu.Count())
		})
	}
}

func TestHTTPNarrowing(t *testing.T) {
	const key = "api-narrowing"
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, key)
			o := &Config{Transport: tr, APIKey: key, Selection: tools.Selection{Tools: []string{"get_mau_usage", "get_evaluations_usage"}}}
			srv := startHTTPServer(t, o, emuURL)
			ctx := httpTestCtx(t)

			all := mustConnectMCP(t, ctx, "sdk", tr, srv.url, nil)
			names, err := all.ListTools(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"get_evaluations_usage", "get_mau_usage"}, names)

			for _, lib := range []string{"sdk", "mcp-go"} {
				// get_stream_usage is not on the server: the header cannot add it.
				s := mustConnectMCP(t, ctx, lib, tr, srv.url, map[string]string{headerTools: "get_mau_usage, get_stream_usage"})
				names, err := s.ListTools(ctx)
				require.NoError(t, err)
				assert.Equal(t, []string{"get_mau_usage"}, names, lib)
				text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("narrowed-"+lib))
				assert.True(t, err != nil || isErr, "a narrowed-away tool is refused (%s): %s", lib, text)
				_, _, err = s.Call(ctx, "get_stream_usage", map[string]any{"source": "server"})
				assert.Error(t, err, "a tool off the server stays off")
				assert.Empty(t, requestsFor(emu, "narrowed-"+lib))
			}
			// Toolset names work too; the other session is not narrowed.
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, map[string]string{headerTools: "evaluations"})
			names, err = s.ListTools(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"get_evaluations_usage"}, names)
			names, err = all.ListTools(ctx)
			require.NoError(t, err)
			assert.Len(t, names, 2)

			path := map[string]string{"http": "/mcp", "sse": "/message?sessionId=x"}[tr]
			resp := httpDo(t, http.MethodPost, srv.url+path, initializeBody, map[string]string{headerTools: "get_mau_usage,no_such_tool"})
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			b, _ := io.ReadAll(resp.Body)
			assert.Contains(t, string(b), "no_such_tool")
		})
	}
}

func TestHTTPShutdownDrains(t *testing.T) {
	const key = "api-shutdown"
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, key)
			srv := startHTTPServer(t, &Config{Transport: tr, APIKey: key}, emuURL)
			ctx := httpTestCtx(t)
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, nil)
			emu.SetFault(emulator.Fault{Kind: emulator.Slow, Delay: time.Second})

			type result struct {
				text  string
				isErr bool
				err   error
			}
			got := make(chan result, 1)
			go func() {
				text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("slow"))
				got <- result{text, isErr, err}
			}()
			deadline := time.Now().Add(10 * time.Second)
			for emu.Count() == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			require.Equal(t, 1, emu.Count(), "the call reached the upstream")
			srv.cancel() // as SIGTERM does

			select {
			case r := <-got:
				require.NoError(t, r.err, srv.logs.String())
				assert.False(t, r.isErr, r.text)
				assert.Contains(t, r.text, "featureFlagKey=slow")
			case <-time.After(12 * time.Second):
				t.Fatal("the call in flight did not finish")
			}
			select {
			case err := <-srv.done:
				require.NoError(t, err)
				srv.done <- nil // for the cleanup
			case <-time.After(12 * time.Second):
				t.Fatal("the server did not exit")
			}
			_, err := net.DialTimeout("tcp", srv.addr, time.Second)
			assert.Error(t, err, "the listener is closed")
			assert.Contains(t, srv.logs.String(), "server stopped")
		})
	}
}

func TestHTTPHealthzAndRoutes(t *testing.T) {
	_, emuURL := startEmulator(t)
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			srv := startHTTPServer(t, &Config{Transport: tr}, emuURL)
			resp := httpDo(t, http.MethodGet, srv.url+"/healthz", "", nil)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			other := map[string]string{"http": "/sse", "sse": "/mcp"}[tr]
			resp = httpDo(t, http.MethodPost, srv.url+other, initializeBody, nil)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s is not served on %s", other, tr)
			if tr == "http" {
				// Stateless: no session id, no standalone stream.
				resp := httpDo(t, http.MethodPost, srv.url+"/mcp", initializeBody, nil)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Empty(t, resp.Header.Get("Mcp-Session-Id"))
				resp = httpDo(t, http.MethodGet, srv.url+"/mcp", "", map[string]string{"Accept": "text/event-stream"})
				assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
			}
		})
	}
}

func TestNonLoopbackWarning(t *testing.T) {
	_, emuURL := startEmulator(t)
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on 0.0.0.0:", err)
	}
	logs := &lockedBuffer{}
	srv, err := New(Config{Transport: "http", ServerURL: emuURL, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "serving MCP") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, logs.String(), "WARNING: listening on a non-loopback address without an auth token")
}

// TestHTTPNarrowingToTheOverview: the tool header takes the overview's tool
// and toolset names like any other.
func TestHTTPNarrowingToTheOverview(t *testing.T) {
	const key = "api-narrowing-overview"
	_, emuURL := startEmulator(t, key)
	o := &Config{Transport: "http", APIKey: key, Selection: tools.Selection{Toolsets: []string{"overview", "mau"}}}
	srv := startHTTPServer(t, o, emuURL)
	ctx := httpTestCtx(t)
	for _, header := range []string{"overview", "get_usage_overview"} {
		s := mustConnectMCP(t, ctx, "sdk", "http", srv.url, map[string]string{headerTools: header})
		names, err := s.ListTools(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"get_usage_overview"}, names, header)
		text, isErr, err := s.Call(ctx, "get_usage_overview", nil)
		require.NoError(t, err)
		require.False(t, isErr, text)
		assert.Contains(t, text, "Answer: ")
		_, _, err = s.Call(ctx, "get_total_mau_usage", nil)
		assert.Error(t, err, "narrowed away")
	}
	s := mustConnectMCP(t, ctx, "mcp-go", "http", srv.url, map[string]string{headerTools: "mau"})
	names, err := s.ListTools(ctx)
	require.NoError(t, err)
	assert.NotContains(t, names, "get_usage_overview")
	assert.Len(t, names, 4)
}
