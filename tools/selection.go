package tools

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
)

// OverviewTool is the composite tool that answers "what did we use this
// month?" in one call; it is the one tool of the toolset OverviewToolset.
const (
	OverviewTool    = overview.Tool
	OverviewToolset = "overview"
)

// Selection chooses which tools a server exposes.
type Selection struct {
	Toolsets []string // toolset names; empty means all
	Tools    []string // tool names added to (or, alone, replacing) the toolsets
	Exclude  []string // tool names removed at the end
}

// Toolsets lists every toolset name: the endpoints' in table order, then the overview's.
func Toolsets() []string {
	var out []string
	for _, ep := range client.Endpoints {
		if !slices.Contains(out, ep.Toolset) {
			out = append(out, ep.Toolset)
		}
	}
	return append(out, OverviewToolset)
}

// ToolsetOf names the toolset of a tool, or "" when there is no such tool.
func ToolsetOf(tool string) string {
	if tool == OverviewTool {
		return OverviewToolset
	}
	if ep := client.Lookup(tool); ep != nil && ep.Tool == tool {
		return ep.Toolset
	}
	return ""
}

// Expand returns the tool names a name stands for: a tool (or its
// endpoint's operationId) itself, a toolset its tools. ok is false for a
// name that is neither.
func Expand(name string) (names []string, ok bool) {
	if name == OverviewTool || name == OverviewToolset {
		return []string{OverviewTool}, true
	}
	if ep := client.Lookup(name); ep != nil {
		return []string{ep.Tool}, true
	}
	for _, ep := range client.Endpoints {
		if ep.Toolset == name {
			names = append(names, ep.Tool)
		}
	}
	return names, len(names) > 0
}

// Apply returns the selected endpoints in table order, or an error naming an
// unknown toolset or tool, or saying that the selection leaves no tool.
func (sel Selection) Apply(all []*client.Endpoint) ([]*client.Endpoint, error) {
	eps, _, err := sel.resolve(all)
	return eps, err
}

// resolve returns the selected endpoints in table order and whether the
// overview is selected.
func (sel Selection) resolve(all []*client.Endpoint) (eps []*client.Endpoint, overview bool, err error) {
	sets := map[string]bool{}
	for _, n := range sel.Toolsets {
		if n == "all" {
			for _, ts := range Toolsets() {
				sets[ts] = true
			}
			continue
		}
		if !slices.Contains(Toolsets(), n) {
			return nil, false, fmt.Errorf("unknown toolset %q; toolsets: all, %s", n, strings.Join(Toolsets(), ", "))
		}
		sets[n] = true
	}
	for _, n := range append(append([]string{}, sel.Tools...), sel.Exclude...) {
		if ToolsetOf(n) == "" {
			return nil, false, fmt.Errorf("unknown tool %q; run `ld-usage-mcp tools` to list them", n)
		}
	}
	everything := len(sel.Toolsets) == 0 && len(sel.Tools) == 0
	chosen := func(tool, toolset string) bool {
		return (everything || sets[toolset] || slices.Contains(sel.Tools, tool)) && !slices.Contains(sel.Exclude, tool)
	}
	for _, ep := range all {
		if chosen(ep.Tool, ep.Toolset) {
			eps = append(eps, ep)
		}
	}
	overview = chosen(OverviewTool, OverviewToolset)
	if len(eps) == 0 && !overview {
		return nil, false, errors.New("the tool selection leaves no tool")
	}
	return eps, overview, nil
}
