package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEmulator serves a fake LaunchDarkly on loopback that accepts keys.
func startEmulator(t *testing.T, keys ...string) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(emulator.Options{Keys: keys})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

// httpTestServer is serveListener running on 127.0.0.1 with an emulator upstream.
type httpTestServer struct {
	url    string // http://127.0.0.1:port
	addr   string
	logs   *lockedBuffer
	ts     *tools.Server
	cancel context.CancelFunc
	done   chan error
}

// startHTTPServer serves o (transport, keys, http options) in front of the
// emulator at emuURL and stops it at the end of the test.
func startHTTPServer(t *testing.T, o *options, emuURL string) *httpTestServer {
	t.Helper()
	o.serverURL = emuURL
	o.noCache = true
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts, err := newTools(o, logger)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	s := &httpTestServer{url: "http://" + ln.Addr().String(), addr: ln.Addr().String(), logs: logs, ts: ts, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- serveListener(ctx, ln, o, ts, logger) }()
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

// headerTransport adds headers to every request, as an MCP client configured
// with custom headers does.
type headerTransport struct {
	base http.RoundTripper
	h    map[string]string
}

func (rt headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range rt.h {
		r.Header.Set(k, v)
	}
	return rt.base.RoundTrip(r)
}

// mcpSession is an MCP client session, whatever the library.
type mcpSession interface {
	listTools(ctx context.Context) ([]string, error)
	call(ctx context.Context, name string, args map[string]any) (text string, isError bool, err error)
	close()
}

type sdkSession struct{ cs *sdk.ClientSession }

func (s sdkSession) listTools(ctx context.Context) ([]string, error) {
	res, err := s.cs.ListTools(ctx, nil)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range res.Tools {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names, nil
}

func (s sdkSession) call(ctx context.Context, name string, args map[string]any) (string, bool, error) {
	res, err := s.cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		return "", false, err
	}
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	return strings.Join(text, "\n"), res.IsError, nil
}

func (s sdkSession) close() { _ = s.cs.Close() }

type mcpgoSession struct{ c *mcpclient.Client }

func (s mcpgoSession) listTools(ctx context.Context) ([]string, error) {
	res, err := s.c.ListTools(ctx, mcpgo.ListToolsRequest{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range res.Tools {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names, nil
}

func (s mcpgoSession) call(ctx context.Context, name string, args map[string]any) (string, bool, error) {
	req := mcpgo.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		return "", false, err
	}
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(mcpgo.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	return strings.Join(text, "\n"), res.IsError, nil
}

func (s mcpgoSession) close() { _ = s.c.Close() }

// connectMCP opens a session with library lib ("sdk" or "mcp-go") over
// transport ("http" or "sse"), sending headers on every request.
func connectMCP(ctx context.Context, lib, transport, baseURL string, headers map[string]string) (mcpSession, error) {
	switch lib {
	case "sdk":
		hc := &http.Client{Transport: headerTransport{base: http.DefaultTransport, h: headers}}
		var tr sdk.Transport
		if transport == "http" {
			tr = &sdk.StreamableClientTransport{Endpoint: baseURL + "/mcp", HTTPClient: hc, MaxRetries: -1}
		} else {
			tr = &sdk.SSEClientTransport{Endpoint: baseURL + "/sse", HTTPClient: hc}
		}
		cs, err := sdk.NewClient(&sdk.Implementation{Name: "http-test", Version: "1"}, nil).Connect(ctx, tr, nil)
		if err != nil {
			return nil, err
		}
		return sdkSession{cs}, nil
	case "mcp-go":
		var c *mcpclient.Client
		var err error
		if transport == "http" {
			c, err = mcpclient.NewStreamableHttpClient(baseURL+"/mcp", mcptransport.WithHTTPHeaders(headers))
		} else {
			c, err = mcpclient.NewSSEMCPClient(baseURL+"/sse", mcptransport.WithHeaders(headers))
		}
		if err != nil {
			return nil, err
		}
		if err := c.Start(ctx); err != nil {
			_ = c.Close()
			return nil, err
		}
		init := mcpgo.InitializeRequest{}
		init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcpgo.Implementation{Name: "http-test", Version: "1"}
		if _, err := c.Initialize(ctx, init); err != nil {
			_ = c.Close()
			return nil, err
		}
		return mcpgoSession{c}, nil
	}
	return nil, fmt.Errorf("unknown client library %q", lib)
}

func mustConnectMCP(t *testing.T, ctx context.Context, lib, transport, baseURL string, headers map[string]string) mcpSession {
	t.Helper()
	s, err := connectMCP(ctx, lib, transport, baseURL, headers)
	require.NoError(t, err, "%s client over %s", lib, transport)
	t.Cleanup(s.close)
	return s
}

func httpTestCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// evalArgs asks for one flag's evaluations: the flag key tells the upstream
// requests of different calls apart.
func evalArgs(flag string) map[string]any {
	return map[string]any{"projectKey": "default", "environmentKey": "production", "featureFlagKey": flag}
}

// requestsFor returns the upstream requests for flag.
func requestsFor(emu *emulator.Emulator, flag string) []emulator.Recorded {
	var out []emulator.Recorded
	for _, r := range emu.Requests() {
		if strings.HasSuffix(r.Path, "/"+flag) {
			out = append(out, r)
		}
	}
	return out
}

var httpTransports = []string{"http", "sse"}

func TestHTTPListAndCall(t *testing.T) {
	const key = "api-server-key-0001"
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, key)
			o := &options{transport: tr, apiKey: key}
			srv := startHTTPServer(t, o, emuURL)
			var want []string
			for _, tool := range srv.ts.Tools() {
				want = append(want, tool.Endpoint.Tool)
			}
			sort.Strings(want)
			for _, lib := range []string{"sdk", "mcp-go"} {
				t.Run(lib, func(t *testing.T) {
					ctx := httpTestCtx(t)
					s := mustConnectMCP(t, ctx, lib, tr, srv.url, nil)
					names, err := s.listTools(ctx)
					require.NoError(t, err)
					assert.Equal(t, want, names)

					flag := "list-call-" + tr + "-" + lib
					text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs(flag))
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
			srv := startHTTPServer(t, &options{transport: tr}, emuURL) // no server key: a missing token would fail
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
					defer s.close()
					for call := range 2 {
						text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs(fmt.Sprintf("leak-%02d", i)))
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
			srv := startHTTPServer(t, &options{transport: tr}, emuURL)
			ctx := httpTestCtx(t)
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, nil)
			text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs("no-key"))
			require.NoError(t, err)
			assert.True(t, isErr)
			assert.Equal(t, tools.NoKeyMessage, text)
			assert.Zero(t, emu.Count(), "nothing is sent without a key")
		})
	}
}

// httpDo sends one raw HTTP request.
func httpDo(t *testing.T, method, url, body string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
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
			o := &options{transport: tr, apiKey: serverKey}
			o.http.authToken = bearer
			o.http.metrics = true
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
			text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs("auth-server-key"))
			require.NoError(t, err)
			require.False(t, isErr, text)
			reqs := requestsFor(emu, "auth-server-key")
			require.Len(t, reqs, 1)
			assert.Equal(t, serverKey, reqs[0].Header.Get("Authorization"))

			// The caller's own token goes in X-LaunchDarkly-Api-Key.
			s = mustConnectMCP(t, ctx, "mcp-go", tr, srv.url, map[string]string{"Authorization": "Bearer " + bearer, headerAPIKey: callerKey})
			text, isErr, err = s.call(ctx, "get_evaluations_usage", evalArgs("auth-caller-key"))
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
			o := &options{transport: tr}
			o.http.allowedOrigins = "https://chat.example.com"
			o.http.allowedHosts = "mcp.internal"
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
	_, err := newAccessPolicy(&httpOptions{allowedOrigins: "chat.example.com"}, "127.0.0.1:0")
	assert.ErrorContains(t, err, "not an origin")
	_, err = newAccessPolicy(&httpOptions{allowedHosts: "https://mcp.example.com"}, "127.0.0.1:0")
	assert.ErrorContains(t, err, "not a host name")

	p, err := newAccessPolicy(&httpOptions{}, "10.0.0.5:8080")
	require.NoError(t, err)
	assert.True(t, p.hostAllowed("10.0.0.5:8080"), "the address listened on is allowed")
	assert.False(t, p.hostAllowed("10.0.0.6:8080"))
	p, err = newAccessPolicy(&httpOptions{}, "0.0.0.0:8080")
	require.NoError(t, err)
	assert.False(t, p.hostAllowed("0.0.0.0:8080"))
	assert.False(t, p.hostAllowed(""))
	p, err = newAccessPolicy(&httpOptions{allowedHosts: "*", allowedOrigins: "*"}, "0.0.0.0:8080")
	require.NoError(t, err)
	assert.True(t, p.hostAllowed("anything.example"))
	assert.True(t, p.originAllowed("https://anything.example"))
}

func TestHTTPBodyLimit(t *testing.T) {
	const key = "api-body-limit"
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			emu, emuURL := startEmulator(t, key)
			o := &options{transport: tr, apiKey: key}
			o.http.maxBody = 256 << 10
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
			_, isErr, err := s.call(ctx, "get_evaluations_usage", args)
			require.NoError(t, err)
			assert.True(t, isErr)
			text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs("after-big"))
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
			o := &options{transport: tr, apiKey: key, tools: "get_mau_usage,get_evaluations_usage"}
			srv := startHTTPServer(t, o, emuURL)
			ctx := httpTestCtx(t)

			all := mustConnectMCP(t, ctx, "sdk", tr, srv.url, nil)
			names, err := all.listTools(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"get_evaluations_usage", "get_mau_usage"}, names)

			for _, lib := range []string{"sdk", "mcp-go"} {
				// get_stream_usage is not on the server: the header cannot add it.
				s := mustConnectMCP(t, ctx, lib, tr, srv.url, map[string]string{headerTools: "get_mau_usage, get_stream_usage"})
				names, err := s.listTools(ctx)
				require.NoError(t, err)
				assert.Equal(t, []string{"get_mau_usage"}, names, lib)
				text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs("narrowed-"+lib))
				assert.True(t, err != nil || isErr, "a narrowed-away tool is refused (%s): %s", lib, text)
				_, _, err = s.call(ctx, "get_stream_usage", map[string]any{"source": "server"})
				assert.Error(t, err, "a tool off the server stays off")
				assert.Empty(t, requestsFor(emu, "narrowed-"+lib))
			}
			// Toolset names work too; the other session is not narrowed.
			s := mustConnectMCP(t, ctx, "sdk", tr, srv.url, map[string]string{headerTools: "evaluations"})
			names, err = s.listTools(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"get_evaluations_usage"}, names)
			names, err = all.listTools(ctx)
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
			srv := startHTTPServer(t, &options{transport: tr, apiKey: key}, emuURL)
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
				text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs("slow"))
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

func TestHTTPMetrics(t *testing.T) {
	const key = "api-metrics"
	emu, emuURL := startEmulator(t, key)
	o := &options{transport: "http", apiKey: key}
	o.http.metrics = true
	srv := startHTTPServer(t, o, emuURL)
	ctx := httpTestCtx(t)
	s := mustConnectMCP(t, ctx, "sdk", "http", srv.url, nil)
	_, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs("metrics"))
	require.NoError(t, err)
	require.False(t, isErr)
	_, isErr, err = s.call(ctx, "get_evaluations_usage", map[string]any{"nope": 1})
	require.NoError(t, err)
	require.True(t, isErr)
	require.Equal(t, 1, emu.Count())

	resp := httpDo(t, http.MethodGet, srv.url+"/metrics", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(b)
	for _, want := range []string{
		`ld_usage_mcp_tool_calls_total{outcome="ok",tool="get_evaluations_usage"} 1`,
		`ld_usage_mcp_tool_calls_total{outcome="invalid",tool="get_evaluations_usage"} 1`,
		`ld_usage_mcp_tool_call_duration_seconds_count{outcome="ok",tool="get_evaluations_usage"} 1`,
		`ld_usage_mcp_http_requests_total{code="200",path="/mcp"}`,
		`ld_usage_mcp_upstream_requests_total{status="200"} 1`, // through resilient's OnEvent
		`ld_usage_mcp_build_info{version="` + version + `"} 1`,
		`go_goroutines`,
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, key)

	// The upstream events come from the client's resilience layers
	// (client.ResilienceOptions.OnEvent); fed here directly, to a metrics set
	// of their own so that the count does not depend on the wiring.
	h := &httpOptions{metrics: true}
	h.prepare()
	h.onUpstream(client.Event{Kind: client.EventUpstream, Status: 429, Remaining: 0, Reset: time.Unix(1700000000, 0)})
	h.onUpstream(client.Event{Kind: client.EventUpstream, Status: 200, Remaining: 17})
	h.onUpstream(client.Event{Kind: client.EventUpstream, Status: 0, Remaining: -1})
	h.onUpstream(client.Event{Kind: client.EventRetry, Status: 429, Wait: time.Second})
	h.onUpstream(client.Event{Kind: client.EventGiveUp, Status: 429})
	h.onUpstream(client.Event{Kind: client.EventCacheHit})
	h.onUpstream(client.Event{Kind: client.EventCacheHit})
	h.onUpstream(client.Event{Kind: client.EventCacheMiss})
	h.onUpstream(client.Event{Kind: client.EventPace, Wait: 1500 * time.Millisecond})
	rec := httptest.NewRecorder()
	h.m.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body = rec.Body.String()
	for _, want := range []string{
		`ld_usage_mcp_upstream_requests_total{status="429"} 1`,
		`ld_usage_mcp_upstream_requests_total{status="200"} 1`,
		`ld_usage_mcp_upstream_requests_total{status="none"} 1`,
		`ld_usage_mcp_upstream_retries_total{status="429"} 1`,
		`ld_usage_mcp_upstream_give_ups_total 1`,
		`ld_usage_mcp_upstream_ratelimit_remaining 17`,
		`ld_usage_mcp_upstream_ratelimit_reset_timestamp_seconds 1.7e+09`,
		`ld_usage_mcp_upstream_pacing_seconds_total 1.5`,
		`ld_usage_mcp_cache_requests_total{result="hit"} 2`,
		`ld_usage_mcp_cache_requests_total{result="miss"} 1`,
	} {
		assert.Contains(t, body, want)
	}

	// Without --metrics there is no /metrics, and the hooks are no-ops.
	var off httpOptions
	off.prepare()
	off.onCall(tools.CallInfo{Tool: "x", Outcome: "ok"})
	off.onUpstream(client.Event{Kind: client.EventUpstream, Status: 200})
	assert.Nil(t, off.m)
	srv2 := startHTTPServer(t, &options{transport: "http"}, emuURL)
	resp = httpDo(t, http.MethodGet, srv2.url+"/metrics", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestHTTPHealthzAndRoutes(t *testing.T) {
	_, emuURL := startEmulator(t)
	for _, tr := range httpTransports {
		t.Run(tr, func(t *testing.T) {
			srv := startHTTPServer(t, &options{transport: tr}, emuURL)
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
	o := &options{transport: "http", serverURL: emuURL}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	ts, err := newTools(o, logger)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveListener(ctx, ln, o, ts, logger) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "serving MCP") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, logs.String(), "WARNING: listening on a non-loopback address without an auth token")
}

// TestEndToEndBinary builds the server and drives it with the official SDK
// over stdio, streamable HTTP and SSE, against an emulator as LaunchDarkly.
func TestEndToEndBinary(t *testing.T) {
	const key = "api-end-to-end"
	bin := testBinary(t) // main_test.go: built once per run
	emu, emuURL := startEmulator(t, key)
	env := cleanEnv("LAUNCHDARKLY_API_KEY=" + key)
	check := func(t *testing.T, ctx context.Context, cs *sdk.ClientSession, flag string) {
		t.Helper()
		s := sdkSession{cs}
		names, err := s.listTools(ctx)
		require.NoError(t, err)
		assert.Contains(t, names, "get_evaluations_usage")
		text, isErr, err := s.call(ctx, "get_evaluations_usage", evalArgs(flag))
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
