package tools

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
)

// This file holds the prompts (MCP prompts/list, prompts/get): short
// recipes a person picks in their client, each a few steps naming the tools
// to call with their arguments filled in from the declarations, and what to
// write. A prompt is offered when the tools it starts from are selected.

// promptArg is one argument of a prompt.
type promptArg struct {
	name, description string
	required          bool
}

// prompt is one recipe.
type prompt struct {
	name, title, description string
	args                     []promptArg
	needs                    func(s *Server) bool // whether the server has the tools it starts from
	render                   func(s *Server, args map[string]string) (string, error)
}

var prompts = []prompt{
	{
		name:        "usage_review",
		title:       "Monthly usage review",
		description: "A month's usage review for finance and platform owners, starting from get_usage_overview.",
		args: []promptArg{
			{name: "month", description: "Month to review, YYYY-MM (default: the running month)"},
			{name: "projectKey", description: "One project (default: the whole account)"},
		},
		needs:  func(s *Server) bool { return s.Has(OverviewTool) },
		render: renderUsageReview,
	},
	{
		name:        "sdk_upgrade_plan",
		title:       "SDK upgrade plan",
		description: "SDK versions past or near end of life, ordered by how much they connect.",
		args: []promptArg{
			{name: "projectKey", description: "One project (default: every project)"},
			{name: "from", description: "Start of the window that weighs SDKs by their connections (default -7d)"},
		},
		needs: func(s *Server) bool {
			return (s.Has("get_sdk_all_versions") || s.Has("get_sdk_versions_details")) && s.Has("get_stream_usage_by_sdk_version")
		},
		render: renderSDKUpgradePlan,
	},
	{
		name:        "usage_spike",
		title:       "Find a usage spike",
		description: "When and where a measure jumped, drilling down by group.",
		args: []promptArg{
			{name: "measure", description: "A measure (client-mau, mau, service-connections, experimentation-keys, data-export-events, ai-runs, observability-logs, …) or a usage tool such as get_stream_usage", required: true},
			{name: "from", description: "Start of the search (default -30d)"},
			{name: "projectKey", description: "One project (default: the whole account)"},
		},
		needs: func(s *Server) bool {
			return slices.ContainsFunc(s.tools, func(t *Tool) bool { return t.Endpoint.Kind.IsSeries() })
		},
		render: renderUsageSpike,
	},
}

// addPrompts registers the prompts whose tools are selected, and declares
// the prompts capability.
func (s *Server) addPrompts(srv *server.MCPServer) {
	for _, p := range prompts {
		if !p.needs(s) {
			continue
		}
		opts := []mcp.PromptOption{mcp.WithPromptTitle(p.title), mcp.WithPromptDescription(p.description)}
		for _, a := range p.args {
			aopts := []mcp.ArgumentOption{mcp.ArgumentDescription(a.description)}
			if a.required {
				aopts = append(aopts, mcp.RequiredArgument())
			}
			opts = append(opts, mcp.WithArgument(a.name, aopts...))
		}
		srv.AddPrompt(mcp.NewPrompt(p.name, opts...), s.promptHandler(p))
	}
}

// invalidParams is a prompt argument the caller got wrong: JSON-RPC
// -32602 (invalid params), not the internal error (-32603) mcp-go makes of
// a handler's other errors. server.NewHandlerError lets it through.
type invalidParams struct{ err error }

func (e invalidParams) Error() string { return e.err.Error() }
func (e invalidParams) Unwrap() error { return e.err }

func (e invalidParams) JSONRPCError() mcp.JSONRPCError {
	return mcp.JSONRPCError{
		JSONRPC: mcp.JSONRPC_VERSION,
		Error:   mcp.NewJSONRPCErrorDetails(mcp.INVALID_PARAMS, e.err.Error(), nil),
	}
}

// promptHandler checks the arguments (a required one missing, an unknown
// one, a bad value: an invalid-params error that says what is allowed) and
// fills them in.
func (s *Server) promptHandler(p prompt) server.PromptHandlerFunc {
	check := s.checkPrompt(p)
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		res, err := check(ctx, req)
		if err != nil {
			return nil, server.NewHandlerError(invalidParams{err})
		}
		return res, nil
	}
}

func (s *Server) checkPrompt(p prompt) server.PromptHandlerFunc {
	return func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		args := map[string]string{}
		for k, v := range req.Params.Arguments {
			if !slices.ContainsFunc(p.args, func(a promptArg) bool { return a.name == k }) {
				names := make([]string, len(p.args))
				for i, a := range p.args {
					names[i] = a.name
				}
				return nil, fmt.Errorf("prompt %s: unknown argument %q; it takes %s", p.name, answer.Cut(k, 40), strings.Join(names, ", "))
			}
			if len(v) > maxArgLen {
				return nil, fmt.Errorf("prompt %s: argument %s is %d bytes long; at most %d are accepted", p.name, k, len(v), maxArgLen)
			}
			if v = strings.TrimSpace(v); v != "" {
				args[k] = v
			}
		}
		for _, a := range p.args {
			if a.required && args[a.name] == "" {
				return nil, fmt.Errorf("prompt %s: missing required argument %s (%s)", p.name, a.name, a.description)
			}
		}
		text, err := p.render(s, args)
		if err != nil {
			return nil, fmt.Errorf("prompt %s: %w", p.name, err)
		}
		return mcp.NewGetPromptResult(p.description, []mcp.PromptMessage{
			mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text)),
		}), nil
	}
}

// argList renders tool arguments as name=value, in the order given.
func argList(pairs ...string) string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, pairs[i]+"="+pairs[i+1])
		}
	}
	if len(out) == 0 {
		return "no arguments"
	}
	return strings.Join(out, " ")
}

func renderUsageReview(s *Server, args map[string]string) (string, error) {
	p, err := overview.ParsePeriod(args["month"], s.cfg.Now())
	if err != nil {
		return "", err
	}
	project := args["projectKey"]
	scope := "the whole account"
	if project != "" {
		scope = "project " + project
	}
	when := answer.MonthName(p.Month)
	from, to := p.Start.Format("2006-01-02"), p.End.AddDate(0, 0, -1).Format("2006-01-02")
	if p.Running {
		when += " (the running month, so far)"
		to = ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Review LaunchDarkly usage of %s for %s, for finance and platform owners.\n\n", when, scope)
	against := answer.MonthName(p.PrevMonth) + " at the same point"
	if !p.Running {
		against = "the whole of " + answer.MonthName(p.PrevMonth)
	}
	fmt.Fprintf(&b, "1. Call %s with %s. It gives every billed measure beside %s, the biggest movers, and, where entitlements are set, each measure's share and the month-end estimate.\n",
		OverviewTool, argList("month", args["month"], "projectKey", project), against)
	fmt.Fprintf(&b, "2. For each measure in summary.movers, call its tool (summary.measures[].tool) with %s and groupBy=projectId (or environmentId) to find which projects drive the change.\n",
		argList("from", from, "to", to, "projectKey", project))
	b.WriteString("3. Name each gap (summary.gaps) and what reading it would take (e.g. a token whose role can read usage).\n\n")
	b.WriteString("Write three parts: for finance, the billed figures (service connections in service connections), each against last month and its entitlement, saying which figures are estimates and how they were made (estimateNote); for platform owners, the movers, where they come from, and what is heading past an entitlement; then the gaps and open questions. ")
	b.WriteString("Quote figures as the tools give them; never add MAU or other unique counts across days, projects or SDKs.")
	return b.String(), nil
}

// promptFrom is a prompt's from argument, def when absent, checked as the tools check it.
func promptFrom(s *Server, args map[string]string, def string) (string, error) {
	from := args["from"]
	if from == "" {
		from = def
	}
	if _, err := ParseTime(from, s.cfg.Now()); err != nil {
		return "", fmt.Errorf("argument from: %v; use %s", err, TimeFormats)
	}
	return from, nil
}

func renderSDKUpgradePlan(s *Server, args map[string]string) (string, error) {
	from, err := promptFrom(s, args, "-7d")
	if err != nil {
		return "", err
	}
	project := args["projectKey"]
	scope, only := "every project", ""
	if project != "" {
		scope, only = "project "+project, " in project "+project
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Plan the SDK upgrades of %s, the most used first.\n\n", scope)
	if s.Has("get_sdk_all_versions") {
		fmt.Fprintf(&b, "1. Call get_sdk_all_versions (no arguments): every SDK version in use in every project environment over the last 24 hours, with its end-of-life status (get_sdk_versions_details gives only the newest version per environment and misses older ones still running).")
	} else {
		fmt.Fprintf(&b, "1. Call get_sdk_versions_details (no arguments): the newest SDK version in use per environment over the last 24 hours, with its end-of-life status (older versions still running elsewhere are not in it: say so).")
	}
	fmt.Fprintf(&b, " Keep the versions past end of life (summary.eolPast) and near it (summary.eolNear)%s, and any Relay Proxy past end of life. Each entry is one version in one project environment: every one is a place to upgrade. Count versions (summary.eolPastVersions) and places (summary.eolPastPlaces) apart, and say which you count.\n", only)
	fmt.Fprintf(&b, "2. Weigh each by how much it connects: call get_stream_usage_by_sdk_version with %s, then with source=client: one series per SDK and version; read its peak (connections are a level, never a sum over time; versions partition the connections, so the account's total is the per-bucket sum).",
		argList("source", "server", "from", from))
	if s.Has("get_service_connection_usage") {
		fmt.Fprintf(&b, " Call get_service_connection_usage with %s for the service connections each bills (43,800 connection minutes = 1).",
			argList("from", from, "groupBy", "[sdkName, sdkVersion]", "projectKey", project))
	}
	b.WriteString("\n3. Order them: past end of life first, then near it; within each, the most connections first.\n\n")
	b.WriteString("Write a table with one row per version and project environment (SDK, version in use → latest, status, project/environment, peak connections, service connections), leaving out no place, then the upgrade order with one line per SDK, saying where a major version is available. Name versions exactly as the tools give them.")
	return b.String(), nil
}

// spikeTarget finds the tool a usage_spike measure names: an overview
// measure's name or a selected time-series tool.
func spikeTarget(s *Server, measure string) (*client.Endpoint, string, error) {
	name, title := measure, ""
	for _, m := range overview.Measures {
		if m.Name == measure {
			name, title = m.Tool, m.Title
		}
	}
	ep := client.Lookup(name)
	if ep == nil || ep.Tool != name || !ep.Kind.IsSeries() {
		return nil, "", fmt.Errorf("argument measure: unknown measure %q; give one of %s, or a usage tool that answers a time series (e.g. get_stream_usage)",
			answer.Cut(measure, 60), strings.Join(overview.EntitlementNames(), ", "))
	}
	if !s.Has(ep.Tool) {
		return nil, "", fmt.Errorf("argument measure: tool %s is not enabled on this server (toolset %s)", ep.Tool, ep.Toolset)
	}
	if title == "" {
		title = ep.Title
	}
	return ep, title, nil
}

func renderUsageSpike(s *Server, args map[string]string) (string, error) {
	ep, title, err := spikeTarget(s, args["measure"])
	if err != nil {
		return "", err
	}
	from, err := promptFrom(s, args, "-30d")
	if err != nil {
		return "", err
	}
	project := args["projectKey"]

	// Per-bucket figures show a jump where cumulative ones hide it: the
	// endpoint's incremental aggregation where it has one.
	var call []string
	for _, p := range ep.PathParams() {
		prm, _ := ep.Param(p)
		v := "<the " + p + " in question>"
		if len(prm.Enum) > 0 {
			v = strings.Join(prm.Enum, " or ")
		}
		call = append(call, p, v)
	}
	call = append(call, "from", from)
	agg := ""
	for _, a := range []string{"incremental", "daily_incremental"} {
		if _, ok := ep.Agg(a); ok && ep.TakesAggregation() {
			agg = a
			break
		}
	}
	call = append(call, "aggregationType", agg)
	if _, ok := ep.Param("granularity"); ok {
		call = append(call, "granularity", "daily")
	}
	if project != "" {
		if prm, ok := ep.Param("projectKey"); ok && !prm.Path {
			call = append(call, "projectKey", project)
		} else if _, ok := ep.Param("project"); ok {
			call = append(call, "project", project)
		}
	}
	m, _ := ep.Meaning(agg)

	var groups []string
	for _, g := range []string{"groupBy", "groupby"} {
		if prm, ok := ep.Param(g); ok {
			for _, v := range prm.Enum {
				groups = append(groups, g+"="+v)
			}
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groupRank(groups[i]) < groupRank(groups[j]) })

	var b strings.Builder
	scope := ""
	if project != "" {
		scope = " in project " + project
	}
	fmt.Fprintf(&b, "Find when and where %s (%s) jumped%s, from %s to now.\n\n", title, ep.Tool, scope, from)
	fmt.Fprintf(&b, "1. Call %s with %s (each point: %s). Find the bucket that rose most against those before it; say when, and by how much (before → after, change).",
		ep.Tool, argList(call...), m.Words)
	if m.Point == client.PointNew {
		b.WriteString(" Every month starts anew (on its first days everyone is new): compare days within a month, or the same days of two months.")
	}
	b.WriteString("\n")
	if len(groups) > 0 {
		fmt.Fprintf(&b, "2. Drill down: call it again over a few days around the jump with %s (one dimension per call, in this order), and name the groups whose rise makes up most of the jump, with their share of it.\n",
			strings.Join(groups[:min(len(groups), 4)], ", then "))
	} else {
		b.WriteString("2. This tool cannot split its answer by group: compare the days around the jump and look for a step or a single outlier.\n")
	}
	if hourly(ep, agg) {
		b.WriteString("3. Call it again over the day of the jump with granularity=hourly to find the hour.\n")
	} else if ep.Granularity == client.ByAge {
		b.WriteString("3. Call it again over the day of the jump (within the last two days the answer is hourly, within two hours minutely) to find the hour.\n")
	}
	b.WriteString("\nReport when (date and hour, UTC), how much, where (the top groups and their share), and what to check next (a release, a new SDK version, a migration). Quote figures as the tools give them.")
	return b.String(), nil
}

// groupRank orders drill-down dimensions: where (project, environment) first, then what.
func groupRank(g string) int {
	_, v, _ := strings.Cut(g, "=")
	switch v {
	case "projectId", "project":
		return 0
	case "environmentId", "environment":
		return 1
	}
	return 2
}

// hourly reports whether the endpoint answers hourly buckets under agg.
func hourly(ep *client.Endpoint, agg string) bool {
	a, ok := ep.Agg(agg)
	return ok && slices.Contains(a.Grans, "hourly")
}
