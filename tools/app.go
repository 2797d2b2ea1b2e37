package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/ui"
)

// This file serves the MCP App (the MCP Apps extension, SEP-1865): the server
// declares the extension, lists and serves one ui:// resource, the app of
// package ui, and every tool whose result the app can draw links it through
// _meta.ui.resourceUri. Hosts without MCP Apps support ignore all three: the
// text and structuredContent of a result are the same either way.

// The MCP Apps extension's names.
const (
	// AppExtension is the extension's identifier in capabilities.extensions.
	AppExtension = "io.modelcontextprotocol/ui"
	// AppMIMEType is the type of an MCP App's HTML resource.
	AppMIMEType = "text/html;profile=mcp-app"
	// AppURI names the app's resource; it is short because every linked tool
	// repeats it in tools/list.
	AppURI = "ui://ld-usage/app"
)

// appDraws says whether the app can draw an answer of this shape.
func appDraws(k client.Kind) bool {
	switch k {
	case client.SeriesList, client.SeriesIntervals, client.SDKList, client.SDKVersionList, client.SDKVersionDetails:
		return true
	}
	return false
}

// appLink is the _meta of a tool whose results the app draws: the link to
// the app, about 50 bytes of tools/list per tool.
func appLink() *mcp.Meta {
	return &mcp.Meta{AdditionalFields: map[string]any{"ui": map[string]any{"resourceUri": AppURI}}}
}

// appMeta is the _meta of an endpoint's tool: the app link where the app
// draws its answers, nil for others.
func appMeta(ep *client.Endpoint) *mcp.Meta {
	if !appDraws(ep.Kind) {
		return nil
	}
	return appLink()
}

// appServerOptions declares the extension: the server offers MCP Apps HTML.
func appServerOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithExtensions(map[string]any{AppExtension: map[string]any{"mimeTypes": []string{AppMIMEType}}}),
	}
}

// appUIMeta is the resource's _meta.ui: no network at all (no csp domains:
// hosts apply the restrictive default) and a border drawn by the host.
var appUIMeta = map[string]any{"ui": map[string]any{"prefersBorder": true}}

// addApp lists the app's resource and serves it with resources/read.
func addApp(srv *server.MCPServer) {
	srv.AddResource(mcp.Resource{
		URI:         AppURI,
		Name:        "usage-view",
		Title:       "LaunchDarkly usage view",
		Description: "Interactive view of a usage tool's result: a time chart and table per series result, the SDK lists with their end-of-life status, the usage overview.",
		MIMEType:    AppMIMEType,
		Meta:        &mcp.Meta{AdditionalFields: appUIMeta},
	}, func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		if req.Params.URI != AppURI {
			return nil, fmt.Errorf("unknown resource %q: the app is %s", req.Params.URI, AppURI)
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{
			URI:      AppURI,
			MIMEType: AppMIMEType,
			Text:     ui.HTML(),
			Meta:     appUIMeta,
		}}, nil
	})
}
