package tools_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	mcpserver "github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
	"github.com/ld-usage-mcp/ld-usage-mcp/ui"
)

// appSession connects the official SDK's client, declaring MCP Apps support
// as a host does, over streamable HTTP on loopback.
func appSession(t *testing.T) *sdk.ClientSession {
	t.Helper()
	ts, err := tools.New(tools.Config{})
	require.NoError(t, err)
	srv := httptest.NewServer(mcpserver.NewStreamableHTTPServer(ts.MCP(), mcpserver.WithStateLess(true)))
	t.Cleanup(srv.Close)
	c := sdk.NewClient(&sdk.Implementation{Name: "apps-host", Version: "1"}, &sdk.ClientOptions{
		Capabilities: &sdk.ClientCapabilities{Extensions: map[string]any{
			"io.modelcontextprotocol/ui": map[string]any{"mimeTypes": []string{"text/html;profile=mcp-app"}},
		}},
	})
	cs, err := c.Connect(mcptest.Ctx(t), &sdk.StreamableClientTransport{Endpoint: srv.URL, MaxRetries: -1}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// TestAppExtensionAndResource: the server declares the MCP Apps extension,
// lists one ui:// resource of the MCP Apps type and serves the embedded app
// with resources/read; an unknown ui:// address is an error.
func TestAppExtensionAndResource(t *testing.T) {
	cs := appSession(t)
	ctx := mcptest.Ctx(t)

	ext, ok := cs.InitializeResult().Capabilities.Extensions["io.modelcontextprotocol/ui"].(map[string]any)
	require.True(t, ok, "capabilities.extensions declares io.modelcontextprotocol/ui: %v", cs.InitializeResult().Capabilities.Extensions)
	assert.Equal(t, []any{"text/html;profile=mcp-app"}, ext["mimeTypes"])

	list, err := cs.ListResources(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list.Resources, 1)
	r := list.Resources[0]
	assert.True(t, strings.HasPrefix(r.URI, "ui://"), r.URI)
	assert.Equal(t, "text/html;profile=mcp-app", r.MIMEType)
	assert.NotEmpty(t, r.Description)

	read, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: r.URI})
	require.NoError(t, err)
	require.Len(t, read.Contents, 1)
	c := read.Contents[0]
	assert.Equal(t, r.URI, c.URI)
	assert.Equal(t, "text/html;profile=mcp-app", c.MIMEType)
	assert.Equal(t, ui.HTML(), c.Text, "the embedded app, unchanged")
	assert.True(t, strings.HasPrefix(c.Text, "<!doctype html>"), "an HTML5 document")
	assert.Equal(t, map[string]any{"prefersBorder": true}, c.Meta["ui"])

	_, err = cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "ui://ld-usage/other"})
	assert.Error(t, err)
}

// TestAppLinkedFromTools: every tool links the listed resource through
// _meta.ui.resourceUri — the endpoint tools (series and SDK lists, whose
// answers the app draws as charts and tables) and the overview (a
// dashboard) — and the link costs at most 80 bytes of tools/list per tool.
func TestAppLinkedFromTools(t *testing.T) {
	cs := appSession(t)
	ctx := mcptest.Ctx(t)
	res, err := cs.ListResources(ctx, nil)
	require.NoError(t, err)
	require.Len(t, res.Resources, 1)
	uri := res.Resources[0].URI

	list, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list.Tools, len(client.Endpoints)+1)
	names := map[string]bool{}
	for _, tl := range list.Tools {
		names[tl.Name] = true
		assert.Equal(t, map[string]any{"ui": map[string]any{"resourceUri": uri}}, map[string]any(tl.Meta), tl.Name)
		link, err := json.Marshal(tl.Meta)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(`,"_meta":`)+len(link), 80, "%s: bytes the app link adds to tools/list", tl.Name)
	}
	assert.True(t, names[tools.OverviewTool], "the overview is linked too")
}
