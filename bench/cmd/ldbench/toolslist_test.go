package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// toolsListLine is the tools/list answer of a server with the selection,
// as a JSON-RPC line.
func toolsListLine(t *testing.T, sel tools.Selection) []byte {
	t.Helper()
	ts, err := tools.New(tools.Config{Selection: sel})
	if err != nil {
		t.Fatal(err)
	}
	msg := ts.MCP().HandleMessage(context.Background(), json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestToolsListFigures: the tools/list of the whole server (every
// endpoint's tool and the overview) and of the seed tools pass the check
// bench/run makes, with their sizes; a list without a tool or with one
// the product does not declare fails it, sizes still given.
func TestToolsListFigures(t *testing.T) {
	seeds := seedTools()
	all := toolsListLine(t, tools.Selection{})
	seed := toolsListLine(t, tools.Selection{Tools: seeds})
	var tl ToolsList
	if err := toolsListFigures(&tl, all, seed, seeds); err != nil {
		t.Fatalf("the server's own tools/list: %v", err)
	}
	if tl.AllTools != len(client.Endpoints)+1 || tl.SeedTools != len(seeds) {
		t.Errorf("counted %d and %d tools, want %d and %d", tl.AllTools, tl.SeedTools, len(client.Endpoints)+1, len(seeds))
	}
	if tl.AllTokens == 0 || tl.AllTokens != len(all)/4 || tl.SeedTokens != len(seed)/4 {
		t.Errorf("tokens %d and %d for %d and %d bytes", tl.AllTokens, tl.SeedTokens, len(all), len(seed))
	}

	without := toolsListLine(t, tools.Selection{Exclude: []string{tools.OverviewTool}})
	tl = ToolsList{}
	if err := toolsListFigures(&tl, without, seed, seeds); err == nil || !strings.Contains(err.Error(), tools.OverviewTool) {
		t.Errorf("a list without the overview: %v", err)
	}
	if tl.AllTokens == 0 {
		t.Error("no size for a list that failed the check")
	}
}
