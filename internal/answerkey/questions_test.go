package answerkey_test

import (
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// question is one entry of the answer key.
type question struct {
	id   string
	ask  string
	tool string
	args map[string]any
	how  string // how the figure is computed, for a reviewer
	// figure computes the figure a correct answer contains.
	figure func() float64
	// tempting are wrong figures a careless reading of the same answer gives.
	tempting []temptation
	// at says where the figure is when not the Answer: line's first number.
	at where_
}

// where_ is a place in the text: the line starting with line, the nth
// number after the first after in it.
type where_ struct {
	line, after string
	nth         int
}

type temptation struct {
	what   string
	figure func() float64
}

// Atom selections, by what LaunchDarkly counts.
var (
	// MAU counts contexts of the primary kind (user).
	users       = func() []emulator.Atom { return atoms("getMAUTotalUsage", nil, where{"contextKind": {"user"}}) }
	clientUsers = func() []emulator.Atom {
		return atoms("getMAUClientsideUsage", nil, where{"contextKind": {"user"}, "sdktype": {"client"}})
	}
)

func lst(vs ...string) []string { return vs }

var questions = []question{
	// --- MAU ---
	{
		id: "clientside-mau-october", ask: "How many client-side MAU did we have in October?",
		tool: "get_clientside_mau_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31"},
		how:    "distinct client-side user contexts active Oct 1-31 (the month-to-date figure on Oct 31)",
		figure: func() float64 { return distinct(clientUsers(), oct1, nov1) },
		tempting: []temptation{
			{"the Oct 30 month-to-date point (to read as exclusive)", func() float64 { return distinct(clientUsers(), oct1, date(2026, 10, 31)) }},
			{"the sum of the daily month-to-date points", func() float64 {
				return dailySum(oct1, nov1, func(_, d1 time.Time) float64 { return distinct(clientUsers(), oct1, d1) })
			}},
		},
	},
	{
		id: "clientside-mau-october-incremental", ask: "Client-side MAU for October, from the new users of each day",
		tool: "get_clientside_mau_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31", "aggregationType": "incremental"},
		how:    "client-side user contexts first seen in October, added over its days: October's MAU",
		figure: func() float64 { return firstSeen(clientUsers(), oct1, nov1) },
		tempting: []temptation{
			{"the sum of daily active users", func() float64 {
				return dailySum(oct1, nov1, func(d0, d1 time.Time) float64 { return distinct(clientUsers(), d0, d1) })
			}},
		},
	},
	{
		id: "total-mau-this-month", ask: "How many MAU do we have so far this month?",
		tool: "get_total_mau_usage", args: map[string]any{},
		how:    "distinct user contexts active from Nov 1 to now",
		figure: func() float64 { return distinct(users(), nov1, now) },
	},
	{
		id: "total-mau-september-monthly", ask: "What were our MAU in September?",
		tool: "get_total_mau_usage", args: map[string]any{"from": "2026-09-01", "to": "2026-09-30", "granularity": "monthly"},
		how:    "distinct user contexts active Sep 1-30 (one monthly point)",
		figure: func() float64 { return distinct(users(), date(2026, 9, 1), oct1) },
	},
	{
		id: "total-mau-by-month-this-year", ask: "MAU by month this year, through October: what was October's?",
		tool: "get_total_mau_usage", args: map[string]any{"from": "2026-01-01", "to": "2026-10-31", "granularity": "monthly"},
		how:    "the latest month's figure: distinct user contexts active in October",
		figure: func() float64 { return distinct(users(), oct1, nov1) },
		tempting: []temptation{
			{"the sum of the ten months", func() float64 {
				var s float64
				for m := time.January; m <= time.October; m++ {
					s += distinct(users(), date(2026, m, 1), date(2026, m+1, 1))
				}
				return s
			}},
		},
	},
	{
		id: "total-mau-largest-sdk-type", ask: "Which SDK type has the most MAU this month, and how many?",
		tool: "get_total_mau_usage", args: map[string]any{"groupBy": lst("sdkType")},
		how: "the largest of browser, mobile and server: distinct user contexts from Nov 1 to now (series overlap in general, so no total)",
		figure: func() float64 {
			return largest(users(), "sdkType", func(g []emulator.Atom) float64 { return distinct(g, nov1, now) })
		},
	},
	{
		id: "legacy-mau-rolling", ask: "How many MAU did we have over the last 30 days (legacy MAU endpoint)?",
		tool: "get_mau_usage", args: map[string]any{},
		how:    "the latest rolling 30-day point: distinct user contexts active from Oct 20 to now",
		figure: func() float64 { return distinct(users(), today.AddDate(0, 0, -29), now) },
		tempting: []temptation{
			{"the sum of the daily rolling points", func() float64 {
				return dailySum(today.AddDate(0, 0, -30), today.AddDate(0, 0, 1), func(d0, d1 time.Time) float64 {
					return distinct(users(), d0.AddDate(0, 0, -29), d1)
				})
			}},
		},
	},
	{
		id: "legacy-mau-server-october", ask: "How many server-side MAU in October (legacy MAU endpoint)?",
		tool: "get_mau_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31", "aggregationType": "month_to_date", "sdktype": lst("server")},
		how: "distinct user contexts of server-side SDKs active Oct 1-31",
		figure: func() float64 {
			return distinct(atoms("getMauUsage", nil, where{"contextKind": {"user"}, "sdktype": {"server"}}), oct1, nov1)
		},
	},
	{
		id: "mau-by-category-largest", ask: "Which category (browser, mobile, backend) has the most MAU over the last 30 days?",
		tool: "get_mau_usage_by_category", args: map[string]any{},
		how: "the largest category's latest rolling 30-day figure (users active from Oct 20 to now)",
		figure: func() float64 {
			return largest(users(), "category", func(g []emulator.Atom) float64 { return distinct(g, today.AddDate(0, 0, -29), now) })
		},
	},

	// --- contexts ---
	{
		id: "clientside-user-contexts-october", ask: "How many client-side user contexts did we see in October?",
		tool: "get_clientside_contexts_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31", "contextKind": lst("user")},
		how:    "distinct client-side user contexts active Oct 1-31",
		figure: func() float64 { return distinct(clientUsers(), oct1, nov1) },
	},
	{
		id: "new-clientside-contexts-nov-3", ask: "How many new client-side contexts were first seen on Nov 3?",
		tool: "get_clientside_contexts_usage", args: map[string]any{"from": "2026-11-03", "to": "2026-11-03", "aggregationType": "incremental", "contextKind": lst("user")},
		how:    "client-side user contexts active on Nov 3 and not earlier in November",
		figure: func() float64 { return firstSeen(clientUsers(), date(2026, 11, 3), date(2026, 11, 4)) },
		tempting: []temptation{
			{"contexts active on Nov 3", func() float64 { return distinct(clientUsers(), date(2026, 11, 3), date(2026, 11, 4)) }},
			{"month to date on Nov 3", func() float64 { return distinct(clientUsers(), nov1, date(2026, 11, 4)) }},
		},
	},
	{
		id: "serverside-organizations-this-month", ask: "How many organization contexts have server-side SDKs seen this month?",
		tool: "get_serverside_contexts_usage", args: map[string]any{"contextKind": lst("organization")},
		how: "distinct organization contexts of server-side SDKs active from Nov 1 to now",
		figure: func() float64 {
			return distinct(atoms("getContextsServersideUsage", nil, where{"contextKind": {"organization"}, "sdktype": {"server"}}), nov1, now)
		},
	},
	{
		id: "payments-contexts-rolling", ask: "How many user contexts has the payments project had over the last 30 days?",
		tool: "get_total_contexts_usage", args: map[string]any{"projectKey": lst("payments"), "contextKind": lst("user"), "aggregationType": "rolling_30d", "from": "-7d"},
		how: "the latest rolling 30-day point: distinct payments user contexts active from Oct 20 to now",
		figure: func() float64 {
			return distinct(atoms("getContextsTotalUsage", nil, where{"projectKey": {"payments"}, "contextKind": {"user"}}), today.AddDate(0, 0, -29), now)
		},
	},

	// --- evaluations ---
	{
		id: "evaluations-new-checkout-7-days", ask: "How many times was flag new-checkout evaluated in web-app production over the last 7 full days (Nov 11-17)?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "from": "2026-11-11", "to": "2026-11-17"},
		how: "evaluations of every variation from Nov 11 00:00 to Nov 18 00:00 UTC",
		figure: func() float64 {
			return total(atoms("getEvaluationsUsage", map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"}, nil), date(2026, 11, 11), today)
		},
	},
	{
		id: "evaluations-dark-mode-yesterday", ask: "How many evaluations did flag dark-mode get in mobile-app staging yesterday?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "mobile-app", "environmentKey": "staging", "featureFlagKey": "dark-mode", "from": "2026-11-17", "to": "2026-11-17"},
		how: "evaluations of every variation on Nov 17 (UTC), from hourly points",
		figure: func() float64 {
			return total(atoms("getEvaluationsUsage", map[string]string{"projectKey": "mobile-app", "environmentKey": "staging", "featureFlagKey": "dark-mode"}, nil), yday, today)
		},
	},
	{
		id: "evaluations-last-hour", ask: "How many evaluations did flag checkout-v2 get in payments production in the last hour?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "payments", "environmentKey": "production", "featureFlagKey": "checkout-v2", "from": "-1h"},
		how: "evaluations from 14:30 to 15:30 UTC, minute by minute",
		figure: func() float64 {
			return total(atoms("getEvaluationsUsage", map[string]string{"projectKey": "payments", "environmentKey": "production", "featureFlagKey": "checkout-v2"}, nil), now.Add(-time.Hour), now)
		},
	},
	{
		id: "evaluations-new-york-day", ask: "How many evaluations did new-checkout get in web-app production on Nov 10, New York time?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "from": "2026-11-10", "to": "2026-11-10", "tz": "America/New_York"},
		how: "evaluations from Nov 10 00:00 to Nov 11 00:00 America/New_York (05:00 to 05:00 UTC)",
		figure: func() float64 {
			ny, err := time.LoadLocation("America/New_York")
			if err != nil {
				panic(err)
			}
			return total(atoms("getEvaluationsUsage", map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"}, nil),
				time.Date(2026, 11, 10, 0, 0, 0, 0, ny), time.Date(2026, 11, 11, 0, 0, 0, 0, ny))
		},
	},
	{
		id: "evaluations-unknown-project", ask: "How many evaluations did flag beta-banner get in the acme project's production yesterday?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "acme", "environmentKey": "production", "featureFlagKey": "beta-banner", "from": "2026-11-17", "to": "2026-11-17"},
		how: "evaluations on Nov 17 of a project the account does not have (the demo's synthetic one)",
		figure: func() float64 {
			return total(atoms("getEvaluationsUsage", map[string]string{"projectKey": "acme", "environmentKey": "production", "featureFlagKey": "beta-banner"}, nil), yday, today)
		},
	},

	// --- streams ---
	{
		id: "peak-server-streams-yesterday", ask: "What was the peak number of server-side streaming connections yesterday?",
		tool: "get_stream_usage", args: map[string]any{"source": "server", "from": "2026-11-17", "to": "2026-11-17"},
		how: "the largest number of server-side connections open in any minute of Nov 17 (UTC)",
		figure: func() float64 {
			return peak(atoms("getStreamUsage", map[string]string{"source": "server"}, where{"sdktype": {"server"}}), yday, today)
		},
		tempting: []temptation{
			{"the sum of the hourly points", func() float64 {
				as := atoms("getStreamUsage", map[string]string{"source": "server"}, where{"sdktype": {"server"}})
				var s float64
				for h := yday; h.Before(today); h = h.Add(time.Hour) {
					s += peak(as, h, h.Add(time.Hour))
				}
				return s
			}},
		},
	},
	{
		id: "peak-client-streams-30-days", ask: "What was the peak number of client-side streaming connections in the last 30 days?",
		tool: "get_stream_usage", args: map[string]any{"source": "client"},
		how: "the largest number of client-side connections open in any minute from Oct 19 00:00 UTC to now",
		figure: func() float64 {
			return peak(atoms("getStreamUsage", map[string]string{"source": "client"}, where{"sdktype": {"client"}}), date(2026, 10, 19), now)
		},
	},
	{
		id: "peak-go-7-10-streams-24h", ask: "What was the peak number of Go SDK 7.10.0 streaming connections in the last 24 hours?",
		tool: "get_stream_usage_by_sdk_version", args: map[string]any{"source": "server", "sdk": "Go", "version": "7.10.0"},
		how: "the largest number of Go 7.10.0 connections open in any minute from Nov 17 15:00 UTC to now",
		figure: func() float64 {
			return peak(atoms("getStreamUsageBySdkVersion", map[string]string{"source": "server"}, where{"sdkName": {"Go"}, "sdkVersion": {"7.10.0"}}), now.Add(-24*time.Hour).Truncate(time.Hour), now)
		},
	},
	{
		id: "client-sdk-versions-streaming", ask: "How many client-side SDK versions have been streaming?",
		tool: "get_stream_usage_sdkversion", args: map[string]any{"source": "client"},
		how: "distinct (SDK, version) pairs of client-side SDKs in the account",
		figure: func() float64 {
			return countDistinct(atoms("getStreamUsage", map[string]string{"source": "client"}, where{"sdktype": {"client"}}), "sdkName", "sdkVersion")
		},
	},

	// --- events ---
	{
		id: "events-received-yesterday", ask: "How many events did LaunchDarkly receive yesterday?",
		tool: "get_events_usage", args: map[string]any{"type": "received", "from": "2026-11-17", "to": "2026-11-17"},
		how: "events received on Nov 17 (UTC), from hourly points",
		figure: func() float64 {
			return total(atoms("getEventsUsage", map[string]string{"type": "received"}, nil), yday, today)
		},
	},
	{
		id: "events-published-last-week", ask: "How many events were published from Nov 9 to Nov 15?",
		tool: "get_events_usage", args: map[string]any{"type": "published", "from": "2026-11-09", "to": "2026-11-15"},
		how: "events published from Nov 9 00:00 to Nov 16 00:00 UTC",
		figure: func() float64 {
			return total(atoms("getEventsUsage", map[string]string{"type": "published"}, nil), date(2026, 11, 9), date(2026, 11, 16))
		},
	},

	// --- data export ---
	{
		id: "data-export-events-last-month", ask: "How many data export events did we have last month?",
		tool: "get_data_export_events_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31"},
		how:    "data export events of October (every project, environment and kind)",
		figure: func() float64 { return total(atoms("getDataExportEventsUsage", nil, nil), oct1, nov1) },
		tempting: []temptation{
			{"the sum of the daily month-to-date points", func() float64 {
				as := atoms("getDataExportEventsUsage", nil, nil)
				return dailySum(oct1, nov1, func(_, d1 time.Time) float64 { return total(as, oct1, d1) })
			}},
		},
	},
	{
		id: "data-export-custom-web-app-this-month", ask: "How many custom data export events has web-app sent this month?",
		tool: "get_data_export_events_usage", args: map[string]any{"projectKey": lst("web-app"), "eventKind": lst("custom")},
		how: "data export events of kind custom in web-app from Nov 1 to now",
		figure: func() float64 {
			return total(atoms("getDataExportEventsUsage", nil, where{"projectKey": {"web-app"}, "eventKind": {"custom"}}), nov1, now)
		},
	},
	{
		id: "warehouse-snowflake-october", ask: "How many rows did we export to Snowflake in October?",
		tool: "get_warehouse_export_usage", args: map[string]any{"destination": lst("snowflake-v2"), "from": "2026-10-01", "to": "2026-10-31"},
		how: "rows exported to snowflake-v2 in October",
		figure: func() float64 {
			return total(atoms("getWarehouseExportUsage", nil, where{"destination": {"snowflake-v2"}}), oct1, nov1)
		},
	},

	// --- experimentation ---
	{
		id: "experimentation-keys-web-app-this-month", ask: "How many experimentation keys has project web-app used this month?",
		tool: "get_experimentation_keys_usage", args: map[string]any{"projectKey": lst("web-app")},
		how: "distinct context keys in web-app's experiments from Nov 1 to now",
		figure: func() float64 {
			return distinct(atoms("getExperimentationKeysUsage", nil, where{"projectKey": {"web-app"}}), nov1, now)
		},
	},
	{
		id: "experimentation-keys-october-incremental", ask: "Experimentation keys in October, added up from each day's new keys",
		tool: "get_experimentation_keys_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31", "aggregationType": "incremental"},
		how:    "context keys first seen in experiments in October, every project: October's figure",
		figure: func() float64 { return firstSeen(atoms("getExperimentationKeysUsage", nil, nil), oct1, nov1) },
	},
	{
		id: "experimentation-events-checkout-october", ask: "How many checkout-completed experiment events did we record in October?",
		tool: "get_experimentation_events_usage", args: map[string]any{"eventKey": lst("checkout-completed"), "from": "2026-10-01", "to": "2026-10-31"},
		how: "experimentation events with key checkout-completed in October",
		figure: func() float64 {
			return total(atoms("getExperimentationEventsUsage", nil, where{"eventKey": {"checkout-completed"}}), oct1, nov1)
		},
	},

	// --- service connections ---
	{
		id: "service-connection-minutes-this-month", ask: "How many service connection minutes have we used this month, by connection type?",
		tool: "get_service_connection_usage", args: map[string]any{"groupBy": lst("connectionType")},
		how:    "connection minutes from Nov 1 to now, direct and proxy together (minutes add up)",
		figure: func() float64 { return minutes(atoms("getServiceConnectionsUsage", nil, nil), nov1, now) },
	},
	{
		id: "service-connection-minutes-go-october", ask: "How many service connection minutes did the Go SDK use in October?",
		tool: "get_service_connection_usage", args: map[string]any{"sdkName": lst("Go"), "from": "2026-10-01", "to": "2026-10-31"},
		how: "connection minutes of Go SDK connections in October",
		figure: func() float64 {
			return minutes(atoms("getServiceConnectionsUsage", nil, where{"sdkName": {"Go"}}), oct1, nov1)
		},
	},
	{
		id: "service-connection-minutes-proxy-yesterday", ask: "How many service connection minutes went through the Relay Proxy yesterday?",
		tool: "get_service_connection_usage", args: map[string]any{"connectionType": lst("proxy"), "aggregationType": "incremental", "from": "2026-11-17", "to": "2026-11-17"},
		how: "connection minutes of proxy connections on Nov 17",
		figure: func() float64 {
			return minutes(atoms("getServiceConnectionsUsage", nil, where{"connectionType": {"proxy"}}), yday, today)
		},
	},

	// --- observability ---
	{
		id: "observability-logs-30-days", ask: "How many logs did we ingest in the last 30 days?",
		tool: "get_observability_logs_usage", args: map[string]any{"aggregationType": "rolling_30d", "from": "-7d"},
		how: "the latest rolling point: logs from Oct 20 00:00 UTC to now",
		figure: func() float64 {
			return total(atoms("getObservabilityLogsUsage", nil, nil), today.AddDate(0, 0, -29), now)
		},
	},
	{
		id: "observability-errors-payments-this-month", ask: "How many errors has payments reported this month?",
		tool: "get_observability_errors_usage", args: map[string]any{"projectKey": lst("payments")},
		how: "errors of payments from Nov 1 to now",
		figure: func() float64 {
			return total(atoms("getObservabilityErrorsUsage", nil, where{"projectKey": {"payments"}}), nov1, now)
		},
	},
	{
		id: "observability-metrics-average-yesterday", ask: "On average, how many metrics per hour did we ingest yesterday?",
		tool: "get_observability_metrics_usage", args: map[string]any{"aggregationType": "average", "from": "2026-11-17", "to": "2026-11-17"},
		how: "metrics ingested on Nov 17 divided by its 24 hours, rounded",
		figure: func() float64 {
			return roundHalf(total(atoms("getObservabilityMetricsUsage", nil, nil), yday, today) / 24)
		},
	},
	{
		id: "observability-sessions-october", ask: "How many sessions did we record in October?",
		tool: "get_observability_sessions_usage", args: map[string]any{"from": "2026-10-01", "to": "2026-10-31"},
		how:    "sessions recorded in October",
		figure: func() float64 { return total(atoms("getObservabilitySessionsUsage", nil, nil), oct1, nov1) },
	},
	{
		id: "observability-traces-week", ask: "How many traces did we ingest from Nov 11 to Nov 17?",
		tool: "get_observability_traces_usage", args: map[string]any{"aggregationType": "incremental", "from": "2026-11-11", "to": "2026-11-17"},
		how: "traces from Nov 11 00:00 to Nov 18 00:00 UTC",
		figure: func() float64 {
			return total(atoms("getObservabilityTracesUsage", nil, nil), date(2026, 11, 11), today)
		},
	},

	// --- AI ---
	{
		id: "ai-runs-this-month", ask: "How many AI Config runs this month?",
		tool: "get_ai_runs_usage", args: map[string]any{},
		how:    "AI Config runs from Nov 1 to now, every project",
		figure: func() float64 { return total(atoms("getAIRunsUsage", nil, nil), nov1, now) },
	},
	{
		id: "vega-ai-30-days", ask: "How much have we used Vega AI in the last 30 days?",
		tool: "get_vega_ai_usage", args: map[string]any{"aggregationType": "rolling_30d", "from": "-3d"},
		how:    "the latest rolling point: Vega AI uses from Oct 20 00:00 UTC to now",
		figure: func() float64 { return total(atoms("getVegaAIUsage", nil, nil), today.AddDate(0, 0, -29), now) },
	},

	// --- SDKs ---
	{
		id: "sdk-versions-past-eol", ask: "Which SDK versions in use are past end of life? (how many)",
		tool: "get_sdk_all_versions", args: map[string]any{},
		how: "distinct (SDK, version) pairs in use anywhere whose eolStatus is EolPast",
		figure: func() float64 {
			return countDistinct(atoms("getSdkAllVersions", nil, where{"eolStatus": {"EolPast"}}), "sdkName", "sdkVersion")
		},
	},
	{
		id: "sdks-with-mau", ask: "How many SDKs sent MAU in the last week?",
		tool: "get_mau_sdks_by_type", args: map[string]any{},
		how:    "distinct SDK names with contexts in the account",
		figure: func() float64 { return countDistinct(atoms("getMauUsage", nil, nil), "sdkName") },
	},
}

// roundHalf rounds half away from zero, as an integer figure is rounded.
func roundHalf(v float64) float64 {
	if v < 0 {
		return -roundHalf(-v)
	}
	return float64(int64(v + 0.5))
}
