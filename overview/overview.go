// Package overview is the composite answer to "what did we use this month?":
// it reads every billed measure through the same per-endpoint path the tools
// take (a caller-supplied function: it owns no HTTP and no parsing), then
// compares the month with the month before at the same point, names the
// movers and reads the figures against the plan's entitlements.
package overview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// Tool is the overview's tool name.
const Tool = "get_usage_overview"

// Measure is one billed measure: its name (in entitlements and the
// summary), its title, and the tool that reads it.
type Measure struct {
	Name, Title, Tool string
	// Optional measures (observability) are shown where there is usage or an
	// entitlement; the others always.
	Optional bool
}

// Measures are the billed measures, the billed MAU first.
var Measures = []Measure{
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
	Title       = "Usage overview"
	Description = "Month to date of every billed measure beside last month at the same point, with movers and entitlement shares. Start here."
	// Parallel bounds the endpoint calls of one overview in flight;
	// each goes through the same pacing as any other call.
	Parallel = 4
	// moverPct is the change, in percent, from which a measure is a mover;
	// at most maxMovers are named.
	moverPct  = 10
	maxMovers = 3
)

// Summary is the overview's structuredContent.summary.
type Summary struct {
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
	PreviousMonth   string          `json:"previousMonth"`
	PreviousThrough string          `json:"previousThrough"`
	Demo            bool            `json:"demo,omitempty"`
	Headline        *Headline       `json:"headline,omitempty"`
	Measures        []MeasureFigure `json:"measures"`
	Movers          []string        `json:"movers"` // measure names, biggest change first
	Gaps            []Gap           `json:"gaps"`
	Notes           []string        `json:"notes,omitempty"`
}

// Headline is the figure of the Answer line: the billed MAU measure's.
type Headline struct {
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

// Period is what one overview covers: the month [start, end), read through
// an instant (now for the running month, else its end), and the month
// before, compared at prevAt, the same point of it.
type Period struct {
	Month, PrevMonth      string // 2006-01
	Start, End, PrevStart time.Time
	Through, PrevAt       time.Time
	Running               bool
}

func (p Period) prevName() string { return p.PrevStart.Format("January") }

// ParsePeriod reads the month argument ("" for the running month) as of now (UTC).
func ParsePeriod(month string, now time.Time) (Period, error) {
	now = now.UTC()
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := cur
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return Period{}, fmt.Errorf("argument `month` must be a month as YYYY-MM, e.g. %s (got %q)", cur.AddDate(0, -1, 0).Format("2006-01"), answer.Cut(month, 40))
		}
		if t.After(cur) {
			return Period{}, fmt.Errorf("argument `month` (%s) is after the running month (%s): give a month up to %s", month, cur.Format("2006-01"), cur.Format("2006-01"))
		}
		if t.Before(time.Date(2000, 2, 1, 0, 0, 0, 0, time.UTC)) {
			return Period{}, fmt.Errorf("argument `month` (%s) is before 2000-02: give a month LaunchDarkly has usage for", month)
		}
		start = t
	}
	p := Period{Start: start, End: start.AddDate(0, 1, 0), PrevStart: start.AddDate(0, -1, 0), Running: start.Equal(cur)}
	p.Month, p.PrevMonth = start.Format("2006-01"), p.PrevStart.Format("2006-01")
	if p.Running {
		p.Through = now
		// The same day and time of the month before, or its end when it is
		// shorter (the 31st against a 30-day month).
		p.PrevAt = p.PrevStart.Add(now.Sub(start))
		if p.PrevAt.After(start) {
			p.PrevAt = start
		}
	} else {
		p.Through, p.PrevAt = p.End, start
	}
	return p, nil
}

// MeasureArgs are the arguments of one measure's call: both months,
// month_to_date, daily, in UTC.
func (p Period) MeasureArgs(projectKey string) map[string]any {
	args := map[string]any{
		"from":            p.PrevStart.Format(time.RFC3339),
		"aggregationType": "month_to_date",
		"granularity":     "daily",
	}
	if !p.Running {
		args["to"] = p.End.AddDate(0, 0, -1).Format("2006-01-02") // a date: the whole day
	}
	if projectKey != "" {
		args["projectKey"] = []any{projectKey}
	}
	return args
}

// Asked renders the overview's call as one line.
func Asked(projectKey, month string) string {
	out := Tool
	if month != "" {
		out += " month=" + month
	}
	if projectKey != "" {
		out += " projectKey=" + answer.TrimLabel(projectKey, 80)
	}
	return out
}

// Result is one measure's call of its endpoint tool: the summary and
// LaunchDarkly's decoded answer, or why it failed.
type Result struct {
	Summary  *answer.Summary
	Response *client.Response
	Err      error  // why the call failed (nil on success)
	ErrText  string // the tool error's text, what to do included ("" on success)
	Outcome  string // as the tools' call outcome: ok, invalid, no_key, upstream_error, error
	Status   int    // upstream HTTP status, 0 when no answer
}

// Run is the per-endpoint path: one call of the named tool with args, as of
// now, within budget.
type Run func(ctx context.Context, tool string, args map[string]any, now time.Time, budget time.Duration) Result

// FanOut calls every measure's tool through run, at most Parallel at a time,
// within timeout; each call has half of it, so that one endpoint that does
// not answer leaves time for the others. A panic in one call is that
// measure's failure.
func FanOut(ctx context.Context, run Run, args map[string]any, now time.Time, timeout time.Duration, log *slog.Logger) []Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	budget := timeout / 2
	results := make([]Result, len(Measures))
	var g errgroup.Group
	g.SetLimit(Parallel)
	for i, m := range Measures {
		g.Go(func() error {
			defer func() {
				if r := recover(); r != nil {
					log.Error("panic in overview measure", "tool", m.Tool, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					results[i] = Result{Err: errors.New("internal error"), ErrText: "internal error in " + m.Tool + "; please report it", Outcome: "error"}
				}
			}()
			results[i] = run(ctx, m.Tool, args, now, budget)
			if results[i].Err != nil {
				log.Debug("overview measure not read", "tool", m.Tool, "outcome", results[i].Outcome, "upstream_status", results[i].Status)
			}
			return nil
		})
	}
	_ = g.Wait()
	return results
}

// Input is what Build needs: the results of FanOut (parallel to Measures)
// and what they were asked for.
type Input struct {
	Results      []Result
	Period       Period
	ProjectKey   string
	Month        string // as asked ("" for the running month)
	Entitlements Entitlements
	Demo         bool
}

// Build makes the overview's summary from its measures' results, and
// LaunchDarkly's bodies by tool. It fails, with the text of the tool
// error, only when no measure could be read.
func Build(in Input) (*Summary, map[string]json.RawMessage, error) {
	p := in.Period
	sum := &Summary{
		Kind: "overview", Asked: Asked(in.ProjectKey, in.Month), Month: p.Month, PreviousMonth: p.PrevMonth,
		Through: answer.RFC3339(p.Through), PreviousThrough: answer.RFC3339(p.PrevAt), Status: answer.MonthComplete,
		Demo: in.Demo, Measures: []MeasureFigure{}, Movers: []string{}, Gaps: []Gap{},
	}
	if p.Running {
		sum.Status = answer.MonthInProgress
	}
	raw := map[string]json.RawMessage{}
	var absent []string
	for i, m := range Measures {
		r := in.Results[i]
		if r.Err != nil {
			sum.Gaps = append(sum.Gaps, Gap{Name: m.Name, Tool: m.Tool, Error: r.ErrText, short: shortError(r.Err, r.ErrText)})
			continue
		}
		raw[m.Tool] = r.Response.Raw
		mf := measureFigure(m, client.Lookup(m.Tool), r, p)
		ent, hasEnt := in.Entitlements[m.Name]
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
		return nil, nil, errors.New(noMeasureText(sum.Gaps))
	}
	sum.Movers = movers(sum.Measures)
	sum.Headline = headlineOf(sum.Measures, in.Entitlements, p)
	sum.Notes = overviewNotes(sum, p, in.ProjectKey != "" && len(in.Entitlements) > 0, absent)
	return sum, raw, nil
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
	return answer.Cut(text, 80)
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
