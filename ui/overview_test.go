package ui_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
	"github.com/ld-usage-mcp/ld-usage-mcp/ui"
)

// measure is one measure of the overview as testdata/overview.json gives it
// (the demo's answer with --entitlements, given movers and a gap).
type measure struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Value       float64  `json:"value"`
	Billed      *float64 `json:"billed"`
	BilledUnit  string   `json:"billedUnit"`
	Entitlement *float64 `json:"entitlement"`
	Share       *float64 `json:"share"`
	Over        bool     `json:"over"`
}

// overviewServer is a minimal MCP server of its own (not package tools) that
// serves the app and answers get_usage_overview with the fixture, with the
// host page at / (the same origin).
func overviewServer(t *testing.T, fixture []byte) string {
	return fixtureServer(t, "get_usage_overview", fixture)
}

// fixtureServer is overviewServer for any tool name.
func fixtureServer(t *testing.T, tool string, fixture []byte) string {
	t.Helper()
	srv := mcpserver.NewMCPServer("fixture", "1", mcpserver.WithExtensions(map[string]any{
		tools.AppExtension: map[string]any{"mimeTypes": []string{tools.AppMIMEType}},
	}))
	srv.AddResource(mcp.Resource{URI: tools.AppURI, Name: "app", MIMEType: tools.AppMIMEType},
		func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: tools.AppURI, MIMEType: tools.AppMIMEType, Text: ui.HTML()}}, nil
		})
	srv.AddTool(mcp.Tool{
		Name:        tool,
		Description: "fixture",
		InputSchema: mcp.ToolInputSchema{Type: "object"},
		Meta:        &mcp.Meta{AdditionalFields: map[string]any{"ui": map[string]any{"resourceUri": tools.AppURI}}},
	}, func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var sc map[string]any
		if err := json.Unmarshal(fixture, &sc); err != nil {
			return nil, err
		}
		return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(tool)}, StructuredContent: sc}, nil
	})
	host, err := os.ReadFile("dist/host.html")
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcpserver.NewStreamableHTTPServer(srv, mcpserver.WithStateLess(true)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(host)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestOverviewInBrowser: the overview as a dashboard — a card per measure
// with its figure, the measure heading past its entitlement marked and
// named, the movers badged, the share of the entitlement in billed units,
// the measures that could not be read listed.
func TestOverviewInBrowser(t *testing.T) {
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fixture, err := os.ReadFile("testdata/overview.json")
	require.NoError(t, err)
	var want struct {
		Summary struct {
			Measures []measure `json:"measures"`
			Movers   []string  `json:"movers"`
			Gaps     []struct {
				Name string `json:"name"`
			} `json:"gaps"`
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(fixture, &want))

	base := overviewServer(t, fixture)
	bctx, problems := browser(t, ctx, exe)
	calls := `[{"name":"get_usage_overview","arguments":{}}]`
	openHost(t, bctx, base+"/?theme=light&calls="+url.QueryEscape(calls)+"&mcp="+url.QueryEscape(base+"/mcp"))
	f := appFrames(t, bctx, "app0")["app0"]
	waitFor(t, f, `document.querySelectorAll(".card").length > 0`)

	type card struct {
		Name, Value, Share, Class, Border string
		Mover                             bool
	}
	type view struct {
		Cards []card
		Warn  string
		Gaps  []string
	}
	v := eval[view](t, f, `({
	  Cards: [...document.querySelectorAll(".card")].map((c) => ({
	    Name: c.dataset.measure, Value: c.querySelector(".value").firstChild.textContent,
	    Share: c.querySelector(".share")?.textContent ?? "", Class: c.className,
	    Border: getComputedStyle(c).borderTopColor, Mover: !!c.querySelector(".badge"),
	  })),
	  Warn: document.querySelector(".warn")?.textContent ?? "",
	  Gaps: [...document.querySelectorAll(".gap")].map((g) => g.textContent),
	})`)

	require.Len(t, v.Cards, len(want.Summary.Measures))
	for i, m := range want.Summary.Measures {
		c := v.Cards[i]
		assert.Equal(t, m.Name, c.Name)
		lead := m.Value
		if m.Billed != nil {
			lead = *m.Billed // billed units lead: service connections, not minutes
		}
		assert.Equal(t, math.Round(lead*100)/100, number(t, strings.TrimSpace(c.Value)), "%s: the month to date", m.Name)
		assert.Equal(t, m.Over, slices.Contains(strings.Fields(c.Class), "over"), "%s: marked when heading past its entitlement", m.Name)
		assert.Equal(t, slices.Contains(want.Summary.Movers, m.Name), c.Mover, "%s: a mover", m.Name)
		if m.Over {
			col := channels(t, c.Border)
			assert.Greater(t, col[0], col[1]+40, "%s: a red border, %s", m.Name, c.Border)
			assert.Contains(t, v.Warn, m.Title, "named as heading past its entitlement")
		}
		if m.Entitlement != nil && m.Billed != nil {
			assert.Contains(t, c.Share, " "+m.BilledUnit+" (", "%s: the entitlement counts billed units: %q", m.Name, c.Share)
		}
	}
	require.Len(t, v.Gaps, len(want.Summary.Gaps))
	for i, g := range want.Summary.Gaps {
		assert.True(t, strings.HasPrefix(v.Gaps[i], g.Name), v.Gaps[i])
	}
	noAppErrors(t, bctx)
	assert.Empty(t, problems())
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(artifacts(t), "overview-fixture-light.png"), png, 0o644))
}
