// Command baremcp is the reference ld-usage-mcp's start-up is judged against:
// a bare mcp-go server on stdio exposing the same tool definitions (names,
// titles, descriptions, input and output schemas, annotations), each
// answering with a fixed text, and nothing else: no argument validation, no
// LaunchDarkly client, no emulator, no metrics, no flags. It is wired as
// ld-usage-mcp wires mcp-go (tool capabilities, one AddTools batch,
// StdioServer.Listen), so the difference in cold start and memory between the
// two is what ld-usage-mcp adds.
//
// bench/run builds it with the tools/list answer of the ld-usage-mcp it
// measures in place of tools.json (ldbench -dump-tools, then go build
// -overlay), so the definitions are the same bytes; the tools.json checked in
// holds none, and the binary refuses to start without them.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

//go:embed tools.json
var toolsJSON []byte

// definition is one tool of a tools/list result.
type definition struct {
	Name         string             `json:"name"`
	Title        string             `json:"title"`
	Description  string             `json:"description"`
	InputSchema  json.RawMessage    `json:"inputSchema"`
	OutputSchema json.RawMessage    `json:"outputSchema"`
	Annotations  mcp.ToolAnnotation `json:"annotations"`
}

func main() {
	var list struct {
		Tools []definition `json:"tools"`
	}
	if err := json.Unmarshal(toolsJSON, &list); err != nil || len(list.Tools) == 0 {
		fmt.Fprintln(os.Stderr, "baremcp: no tool definitions embedded; bench/run builds it with ld-usage-mcp's (go build -overlay)")
		os.Exit(2)
	}
	srv := server.NewMCPServer("baremcp", "1", server.WithToolCapabilities(false))
	tools := make([]server.ServerTool, len(list.Tools))
	for i, d := range list.Tools {
		tools[i] = server.ServerTool{
			Tool: mcp.Tool{
				Name:            d.Name,
				Title:           d.Title,
				Description:     d.Description,
				RawInputSchema:  d.InputSchema,
				RawOutputSchema: d.OutputSchema,
				Annotations:     d.Annotations,
			},
			Handler: func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return mcp.NewToolResultText("bare"), nil
			},
		}
	}
	srv.AddTools(tools...)
	if err := server.NewStdioServer(srv).Listen(context.Background(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "baremcp:", err)
	}
}
