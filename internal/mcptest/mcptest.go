// Package mcptest helps tests drive the server over MCP: client sessions with
// the official SDK or mcp-go over streamable HTTP or SSE, an emulator upstream
// on loopback, raw HTTP requests and a log sink. Only tests import it.
package mcptest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// LockedBuffer is a log sink safe for concurrent writers.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *LockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartEmulator serves a fake LaunchDarkly on loopback that accepts keys.
func StartEmulator(t testing.TB, keys ...string) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(emulator.Options{Keys: keys})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

// HeaderTransport adds headers to every request, as an MCP client configured
// with custom headers does.
type HeaderTransport struct {
	Base http.RoundTripper
	H    map[string]string
}

func (rt HeaderTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range rt.H {
		r.Header.Set(k, v)
	}
	return rt.Base.RoundTrip(r)
}

// Session is an MCP client session, whatever the library.
type Session interface {
	ListTools(ctx context.Context) ([]string, error)
	Call(ctx context.Context, name string, args map[string]any) (text string, isError bool, err error)
	Close()
}

// SDKSession is a session of the official MCP Go SDK.
type SDKSession struct{ CS *sdk.ClientSession }

func (s SDKSession) ListTools(ctx context.Context) ([]string, error) {
	res, err := s.CS.ListTools(ctx, nil)
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

func (s SDKSession) Call(ctx context.Context, name string, args map[string]any) (string, bool, error) {
	res, err := s.CS.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
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

func (s SDKSession) Close() { _ = s.CS.Close() }

type mcpgoSession struct{ c *mcpclient.Client }

func (s mcpgoSession) ListTools(ctx context.Context) ([]string, error) {
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

func (s mcpgoSession) Call(ctx context.Context, name string, args map[string]any) (string, bool, error) {
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

func (s mcpgoSession) Close() { _ = s.c.Close() }

// Connect opens a session with library lib ("sdk" or "mcp-go") over
// transport ("http" or "sse"), sending headers on every request.
func Connect(ctx context.Context, lib, transport, baseURL string, headers map[string]string) (Session, error) {
	switch lib {
	case "sdk":
		hc := &http.Client{Transport: HeaderTransport{Base: http.DefaultTransport, H: headers}}
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
		return SDKSession{cs}, nil
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

// MustConnect is Connect that fails the test on error and closes the session at its end.
func MustConnect(t testing.TB, ctx context.Context, lib, transport, baseURL string, headers map[string]string) Session {
	t.Helper()
	s, err := Connect(ctx, lib, transport, baseURL, headers)
	require.NoError(t, err, "%s client over %s", lib, transport)
	t.Cleanup(s.Close)
	return s
}

// Ctx is a context that ends after 30 s or with the test.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// EvalArgs asks for one flag's evaluations: the flag key tells the upstream
// requests of different calls apart.
func EvalArgs(flag string) map[string]any {
	return map[string]any{"projectKey": "default", "environmentKey": "production", "featureFlagKey": flag}
}

// RequestsFor returns the upstream requests for flag.
func RequestsFor(emu *emulator.Emulator, flag string) []emulator.Recorded {
	var out []emulator.Recorded
	for _, r := range emu.Requests() {
		if strings.HasSuffix(r.Path, "/"+flag) {
			out = append(out, r)
		}
	}
	return out
}

// Do sends one raw HTTP request; a "Host" entry of header sets the Host.
func Do(t testing.TB, method, url, body string, header map[string]string) *http.Response {
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
