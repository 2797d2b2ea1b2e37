package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// toolHelp prints a tool's arguments as `ld-usage-mcp tools NAME` and
// `ld-usage-mcp call NAME --help` show them: each argument's type, allowed
// values, default and description, read from the input schema the tool
// lists (the embedded schemas/input), in the schema's order.
func toolHelp(w io.Writer, def mcp.Tool) error {
	var sch struct {
		Properties json.RawMessage `json:"properties"`
		Required   []string        `json:"required"`
	}
	if err := json.Unmarshal(def.RawInputSchema, &sch); err != nil {
		return fmt.Errorf("input schema of %s: %w", def.Name, err)
	}
	names, props, err := orderedProperties(sch.Properties)
	if err != nil {
		return fmt.Errorf("input schema of %s: %w", def.Name, err)
	}
	ep := client.Lookup(def.Name)

	fmt.Fprintf(w, "%s: %s\n", def.Name, def.Description)
	if ep != nil {
		fmt.Fprintf(w, "LaunchDarkly: GET %s\n", ep.Path)
	}
	fmt.Fprintf(w, "\nUsage:\n  ld-usage-mcp [flags] call %s", def.Name)
	for _, r := range sch.Required {
		fmt.Fprintf(w, " %s=…", r)
	}
	fmt.Fprint(w, " [name=value ...] [--json]\n\n")
	if len(names) == 0 {
		fmt.Fprintln(w, "Arguments: none.")
		return nil
	}
	fmt.Fprintln(w, "Arguments (a repeated name=value makes an array):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		p := props[n]
		kind := p.kind()
		if slices.Contains(sch.Required, n) {
			kind += ", required"
		}
		desc := p.Description
		if d := defaultOf(ep, n, p); d != "" && !strings.Contains(desc, "default "+d) {
			desc += " (default " + d + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", n, kind, desc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	first := true
	for _, n := range names {
		if vals := props[n].values(); len(vals) > 0 {
			if first {
				fmt.Fprintln(w, "\nAllowed values:")
				first = false
			}
			fmt.Fprintf(w, "  %s: %s\n", n, strings.Join(vals, " | "))
		}
	}
	if slices.Contains(names, "from") {
		fmt.Fprintln(w, "\nTimes (from, to): RFC 3339, a date (as to, its whole day), now, -7d / now-24h / -90m, or Unix seconds or milliseconds.")
	}
	return nil
}

// property is what the help shows of one argument's schema.
type property struct {
	Type        any       `json:"type"`
	Description string    `json:"description"`
	Enum        []any     `json:"enum"`
	Default     any       `json:"default"`
	Items       *property `json:"items"`
}

// kind names the argument's type: string, integer, array of strings…
func (p property) kind() string {
	switch {
	case p.Items != nil:
		return "list of " + p.Items.kind() + "s"
	case len(p.Enum) > 0 && p.Type == nil:
		return "string"
	}
	switch t := p.Type.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, " or ")
	}
	return "any"
}

// values lists the allowed values (of the items, for a list).
func (p property) values() []string {
	enum := p.Enum
	if p.Items != nil {
		enum = p.Items.Enum
	}
	out := make([]string, len(enum))
	for i, v := range enum {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// defaultOf is an argument's default: the schema's, else what LaunchDarkly
// applies to the endpoint's aggregation and granularity.
func defaultOf(ep *client.Endpoint, name string, p property) string {
	if p.Default != nil {
		return fmt.Sprint(p.Default)
	}
	if ep == nil {
		return ""
	}
	switch name {
	case "aggregationType":
		return ep.DefaultAgg()
	case "granularity":
		if a, ok := ep.Agg(""); ok && len(a.Grans) > 0 {
			return a.Grans[0]
		}
	}
	return ""
}

// orderedProperties decodes a schema's properties keeping their order.
func orderedProperties(raw json.RawMessage) ([]string, map[string]property, error) {
	props := map[string]property{}
	if len(raw) == 0 {
		return nil, props, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		name, _ := tok.(string)
		var p property
		if err := dec.Decode(&p); err != nil {
			return nil, nil, fmt.Errorf("property %s: %w", name, err)
		}
		names = append(names, name)
		props[name] = p
	}
	return names, props, nil
}

// takeHelp removes -h, -help and --help from the flags (not after "--"):
// after `call TOOL` or `tools TOOL` they ask for the tool's help, elsewhere
// for the usage.
func takeHelp(args []string) ([]string, bool) {
	out := make([]string, 0, len(args))
	help := false
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...), help
		}
		switch a {
		case "-h", "-help", "--help", "--h":
			help = true
		default:
			out = append(out, a)
		}
	}
	return out, help
}

// showToolHelp prints the help of a selected tool, or says why it cannot.
func showToolHelp(ts *tools.Server, name string, stdout, stderr io.Writer) int {
	def, ok := ts.Describe(name)
	if !ok {
		if toolset := tools.ToolsetOf(name); toolset != "" {
			fmt.Fprintf(stderr, "ld-usage-mcp: tool %s is not enabled: it belongs to toolset %q (see --toolsets, --tools, --exclude-tools)\n", name, toolset)
		} else {
			fmt.Fprintf(stderr, "ld-usage-mcp: unknown tool %q; run `ld-usage-mcp tools` to list them\n", name)
		}
		return exitUsage
	}
	if err := toolHelp(stdout, def); err != nil {
		fmt.Fprintln(stderr, "ld-usage-mcp:", err)
		return 1
	}
	return exitOK
}
