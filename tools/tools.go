// Package tools is the MCP binding: it turns the usage endpoints declared in
// package client (one declaration each, client.Endpoints) into MCP tools, with
// their schemas, argument validation, time ranges, error texts, selection, the
// app link and the prompts. A call goes from its arguments through the client
// to LaunchDarkly and hands the decoded answer to package answer, which makes
// the summary and its text; the overview (package overview) is bound here too.
package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/schemas"
)

// DefaultCallTimeout is the budget of one tool call, retries included.
const DefaultCallTimeout = 30 * time.Second

// Config configures the tool set.
type Config struct {
	Client      *client.Client   // configured with base URL, transport and the server's key (which may be empty)
	Demo        bool             // results come from the built-in emulator: every result says so
	Now         func() time.Time // default time.Now
	CallTimeout time.Duration    // default DefaultCallTimeout
	Logger      *slog.Logger     // default: discard
	Version     string
	Selection   Selection
	// Entitlements are the plan's monthly entitlements by measure name
	// (see ParseEntitlements); the overview reads its figures against them.
	Entitlements overview.Entitlements
	// OnCall, when set, is told of every finished call (for metrics).
	OnCall func(CallInfo)
}

// CallInfo describes a finished tool call.
type CallInfo struct {
	Tool     string
	Duration time.Duration
	Outcome  string // "ok", "invalid", "no_key", "upstream_error", "error"
	Status   int    // upstream HTTP status, 0 when no answer
}

// Tool is one MCP tool, bound to its endpoint.
type Tool struct {
	Endpoint  *client.Endpoint
	validator validator
	output    json.RawMessage // outputSchema, built from the endpoint's declaration
}

// Server is the set of selected tools with their configuration.
type Server struct {
	cfg      Config
	tools    []*Tool
	byName   map[string]*Tool
	overview *overviewTool // nil when the overview is not selected
	names    client.NameCache
}

// New selects the tools and prepares them. It does no reflection or schema
// compilation: schemas are embedded, validators compile on first use.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	eps, withOverview, err := cfg.Selection.resolve(client.Endpoints)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, byName: map[string]*Tool{}}
	for _, ep := range eps {
		t, err := newTool(ep)
		if err != nil {
			return nil, err
		}
		s.tools = append(s.tools, t)
		s.byName[ep.Tool] = t
	}
	if withOverview {
		if s.overview, err = newOverviewTool(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func newTool(ep *client.Endpoint) (*Tool, error) {
	raw, err := schemas.Input(ep.Tool)
	if err != nil {
		return nil, err
	}
	return &Tool{Endpoint: ep, validator: validator{raw: raw, name: ep.Tool}, output: schemas.Output(ep)}, nil
}

// Tools lists the selected endpoint tools in table order (the overview, a
// composite, is not among them: see List).
func (s *Server) Tools() []*Tool { return s.tools }

// Lookup returns a selected endpoint tool by name.
func (s *Server) Lookup(name string) *Tool { return s.byName[name] }

// Listed is one selected tool as `ld-usage-mcp tools` lists it.
type Listed struct {
	Name, Toolset, Description string
}

// List lists every selected tool: the endpoint tools in table order, then the overview.
func (s *Server) List() []Listed {
	out := make([]Listed, 0, len(s.tools)+1)
	for _, t := range s.tools {
		out = append(out, Listed{Name: t.Endpoint.Tool, Toolset: t.Endpoint.Toolset, Description: t.Endpoint.Description})
	}
	if s.overview != nil {
		out = append(out, Listed{Name: OverviewTool, Toolset: OverviewToolset, Description: overview.Description})
	}
	return out
}

// Has reports whether the named tool is selected.
func (s *Server) Has(name string) bool {
	return s.byName[name] != nil || name == OverviewTool && s.overview != nil
}

// Definition is the tool as tools/list shows it.
func (t *Tool) Definition() mcp.Tool {
	ep := t.Endpoint
	yes, no := true, false
	tool := mcp.Tool{
		Name:            ep.Tool,
		Title:           ep.Title,
		Description:     ep.Description,
		RawInputSchema:  t.validator.raw,
		RawOutputSchema: t.output,
		Annotations: mcp.ToolAnnotation{
			Title:           ep.Title,
			ReadOnlyHint:    &yes,
			DestructiveHint: &no,
			IdempotentHint:  &yes,
			OpenWorldHint:   &yes,
		},
		Meta: appMeta(ep),
	}
	return tool
}

// MCP builds the MCP server that serves the selected tools.
func (s *Server) MCP() *server.MCPServer {
	hooks := &server.Hooks{}
	hooks.AddOnRequestInitialization(s.refuseUnselected)
	srv := server.NewMCPServer("ld-usage-mcp", s.cfg.Version, append([]server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithPromptCapabilities(false),
		server.WithInstructions(Instructions),
		server.WithHooks(hooks),
		server.WithToolFilter(narrowFilter),
	}, appServerOptions()...)...)
	addApp(srv)
	entries := make([]server.ServerTool, len(s.tools), len(s.tools)+1)
	for i, t := range s.tools {
		entries[i] = server.ServerTool{Tool: t.Definition(), Handler: s.handler(t)}
	}
	if s.overview != nil {
		entries = append(entries, server.ServerTool{Tool: s.overview.Definition(), Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return s.Overview(ctx, req.Params.Arguments), nil
		}})
	}
	srv.AddTools(entries...)
	s.addPrompts(srv)
	return srv
}

func (s *Server) handler(t *Tool) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return s.Call(ctx, t, req.Params.Arguments), nil
	}
}

// Call runs one call of t with the given arguments (a JSON object as decoded
// by encoding/json) and returns its result; failures are tool errors, never Go
// errors, and panics are recovered into tool errors.
func (s *Server) Call(ctx context.Context, t *Tool, arguments any) *mcp.CallToolResult {
	return s.observe(ctx, t.Endpoint.Tool, func(info *CallInfo) *mcp.CallToolResult {
		raw, ok := arguments.(map[string]any)
		if !ok && arguments != nil {
			info.Outcome = "invalid"
			return mcp.NewToolResultError(fmt.Sprintf("arguments of %s must be a JSON object, got %s", t.Endpoint.Tool, jsonType(arguments)))
		}
		r := s.run(ctx, t, raw, s.cfg.Now(), s.cfg.CallTimeout)
		info.Outcome, info.Status = r.outcome, r.status
		if r.errText != "" {
			return mcp.NewToolResultError(r.errText)
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{mcp.NewTextContent(r.sum.Text())},
			StructuredContent: structured{Summary: r.sum, Raw: r.resp.Raw},
		}
	})
}

// observe runs one tool call: it recovers a panic into a tool error, marks
// errors made in demo mode, and logs and reports the call (for metrics).
func (s *Server) observe(ctx context.Context, tool string, call func(*CallInfo) *mcp.CallToolResult) (res *mcp.CallToolResult) {
	start := time.Now()
	info := CallInfo{Tool: tool, Outcome: "ok"}
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logger.Error("panic in tool handler", "tool", tool, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			info.Outcome = "error"
			res = mcp.NewToolResultError(fmt.Sprintf("internal error in %s; the server keeps serving, please report it", tool))
		}
		if s.cfg.Demo && res != nil && res.IsError {
			// Every result made in demo mode says so, errors included.
			res.Content = append(res.Content, mcp.NewTextContent("DEMO MODE: the built-in emulator answers, not LaunchDarkly."))
		}
		info.Duration = time.Since(start)
		level := slog.LevelInfo
		if info.Outcome != "ok" {
			level = slog.LevelWarn
		}
		s.cfg.Logger.Log(ctx, level, "tool call", "tool", info.Tool, "duration_ms", info.Duration.Milliseconds(), "outcome", info.Outcome, "upstream_status", info.Status)
		if s.cfg.OnCall != nil {
			s.cfg.OnCall(info)
		}
	}()
	return call(&info)
}

// runResult is one call of an endpoint's tool before it becomes an MCP
// result: the summary and LaunchDarkly's decoded answer, or the text of the
// tool error.
type runResult struct {
	sum     *answer.Summary
	resp    *client.Response
	err     error  // why the call failed (nil on success)
	errText string // the tool error's text, what to do included ("" on success)
	outcome string // as CallInfo.Outcome
	status  int    // upstream HTTP status, 0 when no answer
}

// run validates raw, calls the endpoint within budget and summarises the
// answer, all as of now. It is the one path from arguments to figures: the
// tools and the overview both take it.
func (s *Server) run(ctx context.Context, t *Tool, raw map[string]any, now time.Time, budget time.Duration) runResult {
	c, err := t.parseArgs(raw, now)
	if err != nil {
		return runResult{err: err, errText: err.Error(), outcome: "invalid"}
	}

	cl := s.clientFor(ctx)
	if cl == nil || !cl.HasKey() {
		return runResult{err: client.ErrNoKey, errText: NoKeyMessage, outcome: "no_key"}
	}

	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	resp, err := cl.Do(ctx, t.Endpoint, c.req)
	if err != nil {
		r := runResult{err: err, errText: s.errorText(t.Endpoint, c, err, ctx, budget), outcome: "upstream_error"}
		var ae *client.APIError
		if errors.As(err, &ae) {
			r.status = ae.Status
		}
		return r
	}

	in := answer.SummaryInput{
		Endpoint:    t.Endpoint,
		Response:    resp,
		Aggregation: c.aggregation,
		AggDefault:  c.aggDefault,
		Granularity: expectedGranularity(t.Endpoint, c, now),
		Asked:       asked(t.Endpoint, c),
		GroupBy:     first(append(c.args["groupBy"], c.args["groupby"]...)),
		From:        c.from,
		To:          c.to,
		Now:         now,
		Loc:         c.loc,
		Notes:       endpointNotes(t.Endpoint),
		Demo:        s.cfg.Demo,
	}
	if answer.HasIDs(resp) {
		names, err := s.names.Lookup(ctx, cl, now)
		if err != nil {
			s.cfg.Logger.Debug("project names not read", "tool", t.Endpoint.Tool, "err", err)
			in.Notes = append(in.Notes, answer.NamesNote(err))
		}
		in.Names = names
	}
	return runResult{sum: answer.Summarize(in), resp: resp, outcome: "ok", status: resp.Status}
}

// clientFor is the client of a call: with the caller's own token where the
// request brought one (nil when the server has no client).
func (s *Server) clientFor(ctx context.Context) *client.Client {
	cl := s.cfg.Client
	if k, ok := KeyFromContext(ctx); ok && cl != nil {
		cl = cl.WithKey(k)
	}
	return cl
}

// endpointNotes are what every answer of a deprecated or removed endpoint says.
func endpointNotes(ep *client.Endpoint) []string {
	switch {
	case ep.Removed:
		return []string{"this operation was removed from LaunchDarkly's API: use " + ep.Prefer + "."}
	case ep.Prefer != "":
		return []string{"deprecated by LaunchDarkly: prefer " + ep.Prefer + "."}
	}
	return nil
}

// expectedGranularity is the bucket size LaunchDarkly answers the call with,
// by the endpoint's rule, for answers too short to tell by their timestamps.
func expectedGranularity(ep *client.Endpoint, c *call, now time.Time) string {
	switch ep.Granularity {
	case client.Daily:
		return "daily"
	case client.Chosen:
		if g := first(c.args["granularity"]); g != "" {
			return g
		}
		if gs := ep.GranNames(); len(gs) > 0 {
			return gs[0]
		}
		return "daily"
	case client.ByAge:
		switch age := now.Sub(c.from); {
		case age <= 2*time.Hour:
			return "minutely"
		case age <= 48*time.Hour:
			return "hourly"
		}
		return "daily"
	}
	return ""
}

// structured is structuredContent: the summary and LaunchDarkly's body, unchanged.
type structured struct {
	Summary *answer.Summary `json:"summary"`
	Raw     json.RawMessage `json:"raw"`
}

// asked renders the call as one line: the tool and its arguments, sorted.
func asked(ep *client.Endpoint, c *call) string {
	var parts []string
	for _, p := range ep.Spec() {
		if p.Time {
			continue
		}
		if v := c.args[p.Name]; len(v) > 0 {
			parts = append(parts, p.Name+"="+strings.Join(v, ","))
		}
	}
	sort.Strings(parts)
	return strings.TrimSpace(ep.Tool + " " + strings.Join(parts, " "))
}
