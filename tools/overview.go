package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/schemas"
)

// This file binds the overview (package overview) as an MCP tool: its
// schema, its arguments, and each measure's call through Server.run, the
// same path from arguments to figures as every endpoint tool.

// overviewTool is the overview's own part: its schema and the endpoint tools
// it calls, one per measure (whether or not they are selected themselves).
type overviewTool struct {
	measures  map[string]*Tool // by tool name, one per overview.Measures
	validator validator
	args      *client.Endpoint // names the tool and its arguments in argument errors
}

// overviewParams are the overview's arguments.
type overviewParams struct {
	ProjectKey string `json:"projectKey,omitempty"`
	Month      string `json:"month,omitempty"`
}

func newOverviewTool() (*overviewTool, error) {
	o := &overviewTool{
		validator: validator{raw: schemas.OverviewInput, name: OverviewTool},
		args:      &client.Endpoint{Tool: OverviewTool, Params: overviewParams{}},
		measures:  map[string]*Tool{},
	}
	for _, m := range overview.Measures {
		ep := client.Lookup(m.Tool)
		if ep == nil {
			return nil, fmt.Errorf("overview: no endpoint %s", m.Tool)
		}
		t, err := newTool(ep)
		if err != nil {
			return nil, err
		}
		o.measures[m.Tool] = t
	}
	return o, nil
}

// Definition is the overview as tools/list shows it.
func (o *overviewTool) Definition() mcp.Tool {
	yes, no := true, false
	return mcp.Tool{
		Name:            OverviewTool,
		Title:           overview.Title,
		Description:     overview.Description,
		RawInputSchema:  o.validator.raw,
		RawOutputSchema: schemas.OverviewOutput,
		Annotations: mcp.ToolAnnotation{
			Title:           overview.Title,
			ReadOnlyHint:    &yes,
			DestructiveHint: &no,
			IdempotentHint:  &yes,
			OpenWorldHint:   &yes,
		},
		Meta: appLink(), // the app draws the overview as a dashboard
	}
}

// overviewResult is the overview's structuredContent.
type overviewResult struct {
	Summary *overview.Summary          `json:"summary"`
	Raw     map[string]json.RawMessage `json:"raw"`
}

// Overview runs one call of the overview with the given arguments (a JSON
// object as decoded by encoding/json). Failures are tool errors; a measure
// that cannot be read is a gap in a partial answer.
func (s *Server) Overview(ctx context.Context, arguments any) *mcp.CallToolResult {
	return s.observe(ctx, OverviewTool, func(info *CallInfo) *mcp.CallToolResult {
		if s.overview == nil {
			info.Outcome = "invalid"
			return mcp.NewToolResultError("tool " + OverviewTool + " is not enabled on this server: enable it with --toolsets " + OverviewToolset)
		}
		return s.overview.call(ctx, s, arguments, info)
	})
}

func (o *overviewTool) call(ctx context.Context, s *Server, arguments any, info *CallInfo) *mcp.CallToolResult {
	raw, ok := arguments.(map[string]any)
	if !ok && arguments != nil {
		info.Outcome = "invalid"
		return mcp.NewToolResultError(fmt.Sprintf("arguments of %s must be a JSON object, got %s", OverviewTool, jsonType(arguments)))
	}
	now := s.cfg.Now()
	args, p, err := o.parseArgs(raw, now)
	if err != nil {
		info.Outcome = "invalid"
		return mcp.NewToolResultError(err.Error())
	}
	if cl := s.clientFor(ctx); cl == nil || !cl.HasKey() {
		info.Outcome = "no_key"
		return mcp.NewToolResultError(NoKeyMessage)
	}

	run := func(ctx context.Context, tool string, args map[string]any, now time.Time, budget time.Duration) overview.Result {
		r := s.run(ctx, o.measures[tool], args, now, budget)
		return overview.Result{Summary: r.sum, Response: r.resp, Err: r.err, ErrText: r.errText, Outcome: r.outcome, Status: r.status}
	}
	results := overview.FanOut(ctx, run, p.MeasureArgs(args.ProjectKey), now, s.cfg.CallTimeout, s.cfg.Logger)
	for _, r := range results {
		if r.Err != nil {
			info.Status = max(info.Status, r.Status)
		}
	}
	sum, bodies, err := overview.Build(overview.Input{
		Results: results, Period: p, ProjectKey: args.ProjectKey, Month: args.Month,
		Entitlements: s.cfg.Entitlements, Demo: s.cfg.Demo,
	})
	if err != nil {
		info.Outcome = "upstream_error"
		return mcp.NewToolResultError(err.Error())
	}
	info.Status = http.StatusOK
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(sum.Text(p))},
		StructuredContent: overviewResult{Summary: sum, Raw: bodies},
	}
}

// parseArgs validates the overview's arguments against its schema and reads the month.
func (o *overviewTool) parseArgs(raw map[string]any, now time.Time) (overviewParams, overview.Period, error) {
	var args overviewParams
	if err := checkSize(raw); err != nil {
		return args, overview.Period{}, err
	}
	norm := make(map[string]any, len(raw))
	for k, v := range raw {
		norm[k] = scalarString(v)
	}
	sch, err := o.validator.compiled()
	if err != nil {
		return args, overview.Period{}, fmt.Errorf("schema of %s: %w", OverviewTool, err)
	}
	if err := sch.Validate(norm); err != nil {
		return args, overview.Period{}, schemaError(o.args, err)
	}
	args.ProjectKey, _ = norm["projectKey"].(string)
	args.Month, _ = norm["month"].(string)
	args.ProjectKey, args.Month = strings.TrimSpace(args.ProjectKey), strings.TrimSpace(args.Month)
	p, err := overview.ParsePeriod(args.Month, now)
	if err != nil {
		return args, p, &ArgError{Msg: err.Error()}
	}
	return args, p, nil
}
