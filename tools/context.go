package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

type ctxKey int

const (
	keyCtx ctxKey = iota
	narrowCtx
)

// ContextWithKey attaches a caller's own LaunchDarkly token to ctx; the calls
// made with ctx use it instead of the server's key (per-request credentials).
func ContextWithKey(ctx context.Context, k client.Key) context.Context {
	if k == "" {
		return ctx
	}
	return context.WithValue(ctx, keyCtx, k)
}

// KeyFromContext returns the caller's token attached by ContextWithKey.
func KeyFromContext(ctx context.Context) (client.Key, bool) {
	k, ok := ctx.Value(keyCtx).(client.Key)
	return k, ok && k != ""
}

// ContextWithNarrowing limits the tools visible and callable with ctx to the
// given names (a request header may narrow the server's set, never widen it).
func ContextWithNarrowing(ctx context.Context, names []string) context.Context {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return context.WithValue(ctx, narrowCtx, set)
}

func narrowedOut(ctx context.Context, name string) bool {
	set, ok := ctx.Value(narrowCtx).(map[string]bool)
	return ok && !set[name]
}

// narrowFilter hides, at list time, the tools a request narrowed away.
func narrowFilter(ctx context.Context, tools []mcp.Tool) []mcp.Tool {
	if _, ok := ctx.Value(narrowCtx).(map[string]bool); !ok {
		return tools
	}
	out := tools[:0:0]
	for _, t := range tools {
		if !narrowedOut(ctx, t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// refuseUnselected answers a tools/call of a tool that exists but is not
// enabled (by --toolsets/--tools/--exclude-tools or a narrowing header) with a
// clear error instead of a bare "tool not found".
func (s *Server) refuseUnselected(ctx context.Context, _ any, message any) error {
	var raw []byte
	switch m := message.(type) {
	case json.RawMessage:
		raw = m
	case []byte:
		raw = m
	default:
		return nil
	}
	if !strings.Contains(string(raw), `"tools/call"`) {
		return nil
	}
	var msg struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	if json.Unmarshal(raw, &msg) != nil || msg.Method != "tools/call" {
		return nil
	}
	name := msg.Params.Name
	toolset := ToolsetOf(name)
	if toolset == "" {
		return nil
	}
	if !s.Has(name) {
		return fmt.Errorf("tool %s is not enabled on this server: it belongs to toolset %q; enable it with --toolsets %s or --tools %s", name, toolset, toolset, name)
	}
	if narrowedOut(ctx, name) {
		return fmt.Errorf("tool %s is not enabled for this request: the request's tool header narrows the tools to a set without it", name)
	}
	return nil
}
