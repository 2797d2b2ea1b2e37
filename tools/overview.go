package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/sync/errgroup"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/schemas"
)

// This file is the overview (get_usage_overview): one call that answers
// "what did we use this month?". It is a client of the endpoint tools: each
// measure is one call of its tool through Server.run (the same validation,
// client, resilience layers and summary figures), and the overview only adds
// the comparison with last month, the movers and the entitlements.

// overviewMeasure is one billed measure: its name (in entitlements and the
// summary), its title, and the tool that reads it.
type overviewMeasure struct {
	Name, Title, Tool string
	// Optional measures (observability) are shown where there is usage or an
	// entitlement; the others always.
	Optional bool
}

// overviewMeasures are the billed measures, the billed MAU first.
var overviewMeasures = []overviewMeasure{
	{Name: "client-mau", Title: "Client-side MAU", Tool: "get_clientside_mau_usage"},
	{Name: "mau", Title: "Primary-context MAU", Tool: "get_total_mau_usage"},
	{Name: "service-connections", Title: "Service connections", Tool: "get_service_connection_usage"},
	{Name: "experimentation-keys", Title: "Experimentation keys", Tool: "get_experimentation_keys_usage"},
	{Name: "data-export-events", Title: "Data export events", Tool: "get_data_export_events_usage"},
	{Name: "ai-runs", Title: "AI Config runs", Tool: "get_ai_runs_usage"},
	{Name: "observability-errors", Title: "Observability errors", Tool: "get_observability_errors_usage", Optional: true},
	{Name: "observability-logs", Title: "Observability logs", Tool: "get_observability_logs_usage", Optional: true},
	{Name: "observability-sessions", Title: "Observability sessions", Tool: "get_observability_sessions_usage", Optional: true},
	{Name: "observability-traces", Title: "Observability traces", Tool: "get_observability_traces_usage", Optional: true},
	{Name: "observability-metrics", Title: "Observability metrics", Tool: "get_observability_metrics_usage", Optional: true},
}

const (
	overviewTitle       = "Usage overview"
	overviewDescription = "Month to date of every billed measure beside last month at the same point, with movers and entitlement shares. Start here."
	// overviewParallel bounds the endpoint calls of one overview in flight;
	// each goes through the same pacing as any other call.
	overviewParallel = 4
	// moverPct is the change, in percent, from which a measure is a mover;
	// at most maxMovers are named.
	moverPct  = 10
	maxMovers = 3
)

// overviewTool is the overview's own part: its schema and the endpoint tools
// it calls, one per measure (whether or not they are selected themselves).
type overviewTool struct {
	measures  []*Tool // parallel to overviewMeasures
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
	}
	for _, m := range overviewMeasures {
		ep := client.Lookup(m.Tool)
		if ep == nil {
			return nil, fmt.Errorf("overview: no endpoint %s", m.Tool)
		}
		t, err := newTool(ep)
		if err != nil {
			return nil, err
		}
		o.measures = append(o.measures, t)
	}
	return o, nil
}

// Definition is the overview as tools/list shows it.
func (o *overviewTool) Definition() mcp.Tool {
	yes, no := true, false
	return mcp.Tool{
		Name:            OverviewTool,
		Title:           overviewTitle,
		Description:     overviewDescription,
		RawInputSchema:  o.validator.raw,
		RawOutputSchema: schemas.OverviewOutput,
		Annotations: mcp.ToolAnnotation{
			Title:           overviewTitle,
			ReadOnlyHint:    &yes,
			DestructiveHint: &no,
			IdempotentHint:  &yes,
			OpenWorldHint:   &yes,
		},
		Meta: appLink(), // the app draws the overview as a dashboard
	}
}

// OverviewSummary is the overview's structuredContent.summary.
type OverviewSummary struct {
	Kind  string `json:"kind"` // "overview"
	Asked string `json:"asked"`
	// Month is the month reported (2006-01); Through is how far it is read
	// (now for the running month, else the month's end), RFC 3339; Status
	// is inProgress for the running month, else complete.
	Month   string `json:"month"`
	Through string `json:"through"`
	Status  string `json:"status"`
	// PreviousMonth is the month compared with; PreviousThrough the point
	// of it compared with (the same day and time, or its end).
	PreviousMonth   string            `json:"previousMonth"`
	PreviousThrough string            `json:"previousThrough"`
	Demo            bool              `json:"demo,omitempty"`
	Headline        *OverviewHeadline `json:"headline,omitempty"`
	Measures        []MeasureFigure   `json:"measures"`
	Movers          []string          `json:"movers"` // measure names, biggest change first
	Gaps            []Gap             `json:"gaps"`
	Notes           []string          `json:"notes,omitempty"`
}

// OverviewHeadline is the figure of the Answer line: the billed MAU measure's.
type OverviewHeadline struct {
	Measure string  `json:"measure"`
	Value   float64 `json:"value"`
	Text    string  `json:"text"`
}

// MeasureFigure is one measure of the overview.
type MeasureFigure struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Tool  string `json:"tool"`
	Unit  string `json:"unit"`
	// Value is the month's figure (so far, for the running month); Previous
	// that of the month before at the same point; ChangePct the change in
	// percent (absent when Previous is 0).
	Value     float64  `json:"value"`
	Previous  float64  `json:"previous"`
	ChangePct *float64 `json:"changePct,omitempty"`
	// Billed is Value in the unit LaunchDarkly bills, where it differs
	// (connection minutes ÷ 43,800 = service connections).
	Billed     *float64 `json:"billed,omitempty"`
	BilledUnit string   `json:"billedUnit,omitempty"`
	// With an entitlement (in BilledUnit where set, else Unit): Share is the
	// part of it used (1 = all of it); Estimate where the running month is
	// heading, in the same unit, made as EstimateNote says; Over is set when
	// the measure is past its entitlement or heading past it.
	Entitlement  *float64 `json:"entitlement,omitempty"`
	Share        *float64 `json:"share,omitempty"`
	Estimate     *float64 `json:"estimate,omitempty"`
	EstimateNote string   `json:"estimateNote,omitempty"`
	Over         bool     `json:"over,omitempty"`
	// Status is the month figure's: inProgress, complete or partial.
	Status string `json:"status"`

	per       float64 // units per billed unit (0: none)
	whole     bool    // the measure counts whole things: derived figures are rounded
	prevWhole float64 // the month before's whole figure
	prevDone  bool    // the month before is complete in the data
}

// Gap is a measure the overview could not read, and why.
type Gap struct {
	Name  string `json:"name"`
	Tool  string `json:"tool"`
	Error string `json:"error"`

	short string // for the text
}

// overviewResult is the overview's structuredContent.
type overviewResult struct {
	Summary *OverviewSummary           `json:"summary"`
	Raw     map[string]json.RawMessage `json:"raw"`
}

// period is what one overview covers: the month [start, end), read through
// an instant (now for the running month, else its end), and the month
// before, compared at prevAt, the same point of it.
type period struct {
	month, prevMonth      string // 2006-01
	start, end, prevStart time.Time
	through, prevAt       time.Time
	running               bool
}

func (p period) prevName() string { return p.prevStart.Format("January") }

// overviewPeriod reads the month argument ("" for the running month) as of now (UTC).
func overviewPeriod(month string, now time.Time) (period, error) {
	now = now.UTC()
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := cur
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return period{}, argErrorf("argument `month` must be a month as YYYY-MM, e.g. %s (got %q)", cur.AddDate(0, -1, 0).Format("2006-01"), smCut(month, 40))
		}
		if t.After(cur) {
			return period{}, argErrorf("argument `month` (%s) is after the running month (%s): give a month up to %s", month, cur.Format("2006-01"), cur.Format("2006-01"))
		}
		if t.Before(time.Date(2000, 2, 1, 0, 0, 0, 0, time.UTC)) {
			return period{}, argErrorf("argument `month` (%s) is before 2000-02: give a month LaunchDarkly has usage for", month)
		}
		start = t
	}
	p := period{start: start, end: start.AddDate(0, 1, 0), prevStart: start.AddDate(0, -1, 0), running: start.Equal(cur)}
	p.month, p.prevMonth = start.Format("2006-01"), p.prevStart.Format("2006-01")
	if p.running {
		p.through = now
		// The same day and time of the month before, or its end when it is
		// shorter (the 31st against a 30-day month).
		p.prevAt = p.prevStart.Add(now.Sub(start))
		if p.prevAt.After(start) {
			p.prevAt = start
		}
	} else {
		p.through, p.prevAt = p.end, start
	}
	return p, nil
}

// measureArgs are the arguments of one measure's call: both months,
// month_to_date, daily, in UTC.
func (p period) measureArgs(projectKey string) map[string]any {
	args := map[string]any{
		"from":            p.prevStart.Format(time.RFC3339),
		"aggregationType": "month_to_date",
		"granularity":     "daily",
	}
	if !p.running {
		args["to"] = p.end.AddDate(0, 0, -1).Format("2006-01-02") // a date: the whole day
	}
	if projectKey != "" {
		args["projectKey"] = []any{projectKey}
	}
	return args
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

	results := o.fanOut(ctx, s, p.measureArgs(args.ProjectKey), now)

	sum := &OverviewSummary{
		Kind: "overview", Asked: overviewAsked(args), Month: p.month, PreviousMonth: p.prevMonth,
		Through: smRFC3339(p.through), PreviousThrough: smRFC3339(p.prevAt), Status: monthComplete,
		Demo: s.cfg.Demo, Measures: []MeasureFigure{}, Movers: []string{}, Gaps: []Gap{},
	}
	if p.running {
		sum.Status = monthInProgress
	}
	rawBodies := map[string]json.RawMessage{}
	var absent []string
	for i, m := range overviewMeasures {
		r := results[i]
		if r.err != nil {
			sum.Gaps = append(sum.Gaps, Gap{Name: m.Name, Tool: m.Tool, Error: r.errText, short: shortError(r.err, r.errText)})
			info.Status = max(info.Status, r.status)
			continue
		}
		rawBodies[m.Tool] = r.resp.Raw
		mf := measureFigure(m, o.measures[i].Endpoint, r, p)
		ent, hasEnt := s.cfg.Entitlements[m.Name]
		if m.Optional && !hasEnt && mf.Value == 0 && mf.Previous == 0 && mf.prevWhole == 0 {
			absent = append(absent, strings.TrimPrefix(m.Name, "observability-"))
			continue
		}
		if hasEnt {
			mf.judge(ent, p)
		}
		sum.Measures = append(sum.Measures, mf)
	}
	if len(sum.Measures) == 0 && len(absent) == 0 {
		info.Outcome = "upstream_error"
		return mcp.NewToolResultError(noMeasureText(sum.Gaps))
	}
	info.Status = http.StatusOK
	sum.Movers = movers(sum.Measures)
	sum.Headline = headlineOf(sum.Measures, s.cfg.Entitlements, p)
	sum.Notes = overviewNotes(sum, p, args.ProjectKey != "" && len(s.cfg.Entitlements) > 0, absent)
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(sum.Text(p))},
		StructuredContent: overviewResult{Summary: sum, Raw: rawBodies},
	}
}

// parseArgs validates the overview's arguments against its schema and reads the month.
func (o *overviewTool) parseArgs(raw map[string]any, now time.Time) (overviewParams, period, error) {
	var args overviewParams
	if err := checkSize(raw); err != nil {
		return args, period{}, err
	}
	norm := make(map[string]any, len(raw))
	for k, v := range raw {
		norm[k] = scalarString(v)
	}
	sch, err := o.validator.compiled()
	if err != nil {
		return args, period{}, fmt.Errorf("schema of %s: %w", OverviewTool, err)
	}
	if err := sch.Validate(norm); err != nil {
		return args, period{}, schemaError(o.args, err)
	}
	args.ProjectKey, _ = norm["projectKey"].(string)
	args.Month, _ = norm["month"].(string)
	args.ProjectKey, args.Month = strings.TrimSpace(args.ProjectKey), strings.TrimSpace(args.Month)
	p, err := overviewPeriod(args.Month, now)
	return args, p, err
}

func overviewAsked(a overviewParams) string {
	out := OverviewTool
	if a.Month != "" {
		out += " month=" + a.Month
	}
	if a.ProjectKey != "" {
		out += " projectKey=" + trimLabel(a.ProjectKey, 80)
	}
	return out
}

// fanOut calls every measure's tool, at most overviewParallel at a time,
// within the call's budget; each call has half of it, so that one endpoint
// that does not answer leaves time for the others.
func (o *overviewTool) fanOut(ctx context.Context, s *Server, args map[string]any, now time.Time) []runResult {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	budget := s.cfg.CallTimeout / 2
	results := make([]runResult, len(o.measures))
	var g errgroup.Group
	g.SetLimit(overviewParallel)
	for i, t := range o.measures {
		g.Go(func() error {
			defer func() {
				if r := recover(); r != nil {
					s.cfg.Logger.Error("panic in overview measure", "tool", t.Endpoint.Tool, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err := errors.New("internal error")
					results[i] = runResult{err: err, errText: "internal error in " + t.Endpoint.Tool + "; please report it", outcome: "error"}
				}
			}()
			results[i] = s.run(ctx, t, args, now, budget)
			if results[i].err != nil {
				s.cfg.Logger.Debug("overview measure not read", "tool", t.Endpoint.Tool, "outcome", results[i].outcome, "upstream_status", results[i].status)
			}
			return nil
		})
	}
	_ = g.Wait()
	return results
}

// shortError says in a few words why a measure could not be read, for the text.
func shortError(err error, text string) string {
	var ae *client.APIError
	switch {
	case errors.As(err, &ae):
		s := fmt.Sprintf("%d %s", ae.Status, http.StatusText(ae.Status))
		switch ae.Status {
		case http.StatusUnauthorized:
			s += ": check the token"
		case http.StatusForbidden:
			s += ": the token's role may not read it"
		}
		return s
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	}
	return smCut(text, 80)
}

// noMeasureText is the tool error when no measure could be read: the
// errors, once each.
func noMeasureText(gaps []Gap) string {
	var seen []string
	for _, g := range gaps {
		if !slices.Contains(seen, g.Error) {
			seen = append(seen, g.Error)
		}
	}
	if len(seen) == 1 {
		return "No measure of the overview could be read: every one failed the same way. " + seen[0]
	}
	parts := make([]string, 0, len(gaps))
	for _, g := range gaps {
		parts = append(parts, g.Name+": "+g.short)
	}
	return "No measure of the overview could be read: " + strings.Join(parts, "; ") + "."
}
