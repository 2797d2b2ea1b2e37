package answerkey_test

import (
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// Questions at the seams where series combine and where buckets cut the
// range: totals across context kinds and experiments, a level's total by SDK
// version, counts by month, service connections over months, relative and
// one-sided ranges, SDK versions and their places, and LaunchDarkly's own
// projection (API v24 projectedSeries).

var sep1 = date(2026, 9, 1)

func init() { questions = append(questions, seamQuestions...) }

func evalsNewCheckout() []emulator.Atom {
	return atoms("getEvaluationsUsage", map[string]string{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"}, nil)
}

func serviceConns() []emulator.Atom { return atoms("getServiceConnectionsUsage", nil, nil) }

var seamQuestions = []question{
	{
		id: "total-contexts-this-month-every-kind", ask: "How many contexts have we had this month, all context kinds together?",
		tool: "get_total_contexts_usage", args: map[string]any{},
		how:    "distinct contexts of every kind active from Nov 1 to now: each kind counts its own (a user and a device are two contexts), so the kinds add up",
		figure: func() float64 { return distinct(atoms("getContextsTotalUsage", nil, nil), nov1, now) },
		tempting: []temptation{
			{"the user kind alone (the largest series)", func() float64 {
				return distinct(atoms("getContextsTotalUsage", nil, where{"contextKind": {"user"}}), nov1, now)
			}},
		},
	},
	{
		id: "experimentation-keys-by-experiment-october", ask: "How many experimentation keys did we use in October, by experiment?",
		tool: "get_experimentation_keys_usage", args: map[string]any{"groupBy": lst("experimentId"), "from": "2026-10-01", "to": "2026-10-31"},
		how:    "context keys in each experiment in October, added over the experiments (a key in two experiments counts twice)",
		figure: func() float64 { return distinct(atoms("getExperimentationKeysUsage", nil, nil), oct1, nov1) },
		tempting: []temptation{
			{"the largest experiment alone", func() float64 {
				return largest(atoms("getExperimentationKeysUsage", nil, nil), "experimentId", func(g []emulator.Atom) float64 { return distinct(g, oct1, nov1) })
			}},
		},
	},
	{
		id: "experimentation-keys-by-project-this-month", ask: "How many experimentation keys has each project used this month, and in all?",
		tool: "get_experimentation_keys_usage", args: map[string]any{"groupBy": lst("projectId")},
		how:    "context keys in experiments from Nov 1 to now, every project: an experiment is in one project, so projects add up",
		figure: func() float64 { return distinct(atoms("getExperimentationKeysUsage", nil, nil), nov1, now) },
	},
	{
		id: "server-stream-peak-by-sdk-version-24h", ask: "What was the peak number of server-side streaming connections in the last 24 hours, across SDK versions?",
		tool: "get_stream_usage_by_sdk_version", args: map[string]any{"source": "server"},
		how: "per hourly bucket from Nov 17 15:00 UTC, the sum over SDK versions of each version's peak in the bucket; the largest such sum (connections partition by version)",
		figure: func() float64 {
			return peakOfSum(atoms("getStreamUsageBySdkVersion", map[string]string{"source": "server"}, where{"sdktype": {"server"}}), now.Add(-24*time.Hour).Truncate(time.Hour), now, "sdkName", "sdkVersion")
		},
		tempting: []temptation{
			{"the largest version's peak", func() float64 {
				as := atoms("getStreamUsageBySdkVersion", map[string]string{"source": "server"}, where{"sdktype": {"server"}})
				return largest(as, "sdkVersion", func(g []emulator.Atom) float64 {
					return peakOfSum(g, now.Add(-24*time.Hour).Truncate(time.Hour), now, "sdkName", "sdkVersion")
				})
			}},
		},
	},
	{
		id: "evaluations-sep-oct-total", ask: "How many evaluations did new-checkout get in web-app production in September and October?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "from": "2026-09-01", "to": "2026-10-31"},
		how:    "evaluations of every variation from Sep 1 to Nov 1 00:00 UTC",
		figure: func() float64 { return total(evalsNewCheckout(), sep1, nov1) },
	},
	{
		id: "evaluations-sep-oct-september", ask: "Of those, how many were in September?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "from": "2026-09-01", "to": "2026-10-31"},
		how:    "evaluations from Sep 1 to Oct 1 (the By month line)",
		figure: func() float64 { return total(evalsNewCheckout(), sep1, oct1) },
		at:     where_{line: "By month:", after: "Sep 2026"},
	},
	{
		id: "evaluations-sep-oct-october", ask: "And in October?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "from": "2026-09-01", "to": "2026-10-31"},
		how:    "evaluations from Oct 1 to Nov 1 (the By month line)",
		figure: func() float64 { return total(evalsNewCheckout(), oct1, nov1) },
		at:     where_{line: "By month:", after: "Oct 2026"},
	},
	{
		id: "events-received-october-by-month", ask: "How many events did LaunchDarkly receive in October (asked for Sep–Oct)?",
		tool: "get_events_usage", args: map[string]any{"type": "received", "from": "2026-09-01", "to": "2026-10-31"},
		how: "events received from Oct 1 to Nov 1 (the By month line)",
		figure: func() float64 {
			return total(atoms("getEventsUsage", map[string]string{"type": "received"}, nil), oct1, nov1)
		},
		at: where_{line: "By month:", after: "Oct 2026"},
	},
	{
		id: "service-connections-sep-oct-connection-months", ask: "How many service connections did we use over September and October?",
		tool: "get_service_connection_usage", args: map[string]any{"aggregationType": "incremental", "from": "2026-09-01", "to": "2026-10-31"},
		how: "each month's connection minutes ÷ 43,800, added: connection-months",
		figure: func() float64 {
			return minutes(serviceConns(), sep1, oct1)/43800 + minutes(serviceConns(), oct1, nov1)/43800
		},
		at: where_{after: "= "},
	},
	{
		id: "service-connections-october-of-two-months", ask: "And how many service connections in October alone?",
		tool: "get_service_connection_usage", args: map[string]any{"aggregationType": "incremental", "from": "2026-09-01", "to": "2026-10-31"},
		how:    "October's connection minutes ÷ 43,800 (the By month line)",
		figure: func() float64 { return minutes(serviceConns(), oct1, nov1) / 43800 },
		at:     where_{line: "By month:", after: "Oct 2026", nth: 1},
	},
	{
		id: "service-connections-month-to-date-two-months", ask: "How many service connections were billed for October (asked month to date, Sep–Oct)?",
		tool: "get_service_connection_usage", args: map[string]any{"from": "2026-09-01", "to": "2026-10-31"},
		how:    "October's month-to-date connection minutes on Oct 31 ÷ 43,800",
		figure: func() float64 { return minutes(serviceConns(), oct1, nov1) / 43800 },
		at:     where_{after: "= "},
	},
	{
		id: "events-received-last-7-days-daily", ask: "How many events did LaunchDarkly receive in the last 7 days?",
		tool: "get_events_usage", args: map[string]any{"type": "received", "from": "-7d"},
		how: "LaunchDarkly answers whole daily buckets: from Nov 11 00:00 (the bucket holding now-7d, Nov 11 15:30) to now",
		figure: func() float64 {
			return total(atoms("getEventsUsage", map[string]string{"type": "received"}, nil), now.Add(-7*24*time.Hour).Truncate(24*time.Hour), now)
		},
		tempting: []temptation{
			{"the events of the range asked alone", func() float64 {
				return total(atoms("getEventsUsage", map[string]string{"type": "received"}, nil), now.Add(-7*24*time.Hour), now)
			}},
		},
	},
	{
		id: "events-received-last-7-days-buckets", ask: "How many daily buckets does that figure hold?",
		tool: "get_events_usage", args: map[string]any{"type": "received", "from": "-7d"},
		how: "the UTC days from Nov 11 (holding now-7d) to Nov 18 (holding now)",
		figure: func() float64 {
			n := 0
			for d := now.Add(-7 * 24 * time.Hour).Truncate(24 * time.Hour); d.Before(now); d = d.AddDate(0, 0, 1) {
				n++
			}
			return float64(n)
		},
		at: where_{line: "Counted:", after: "UTC,"},
	},
	{
		id: "evaluations-to-alone", ask: "How many evaluations did new-checkout get in web-app production in the 30 days to Oct 31?",
		tool: "get_evaluations_usage", args: map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout", "to": "2026-10-31"},
		how:    "the endpoint's default from (30 days before the end) counted from the end asked: Oct 2 00:00 to Nov 1 00:00 UTC",
		figure: func() float64 { return total(evalsNewCheckout(), date(2026, 10, 2), nov1) },
	},
	{
		id: "sdk-past-eol-places", ask: "In how many project environments are past-end-of-life SDK versions running?",
		tool: "get_sdk_all_versions", args: map[string]any{},
		how: "distinct (project, environment) pairs with an SDK version whose eolStatus is EolPast",
		figure: func() float64 {
			return countDistinct(atoms("getSdkAllVersions", nil, where{"eolStatus": {"EolPast"}}), "projectKey", "environmentKey")
		},
		at: where_{after: "in use in"},
	},
	{
		id: "sdk-past-eol-version-places", ask: "How many upgrades is that (each past-EOL version in each project environment)?",
		tool: "get_sdk_all_versions", args: map[string]any{},
		how: "distinct (SDK, version, project, environment) with eolStatus EolPast",
		figure: func() float64 {
			return countDistinct(atoms("getSdkAllVersions", nil, where{"eolStatus": {"EolPast"}}), "sdkName", "sdkVersion", "projectKey", "environmentKey")
		},
		at: where_{after: "in use in", nth: 1},
	},
	{
		id: "service-connections-launchdarkly-projection", ask: "Where does LaunchDarkly project this month's service connection minutes to end?",
		tool: "get_service_connection_usage", args: map[string]any{},
		how: "v24 projectedSeries' last point: the month-to-date minutes at now carried on at their pace to Dec 1 (so far × 30 days ÷ the time gone)",
		figure: func() float64 {
			soFar := total(serviceConns(), nov1, now) // hundredths of a minute
			return roundHalf(soFar*float64(date(2026, 12, 1).Sub(nov1))/float64(now.Sub(nov1))) / 100
		},
		at: where_{line: "LaunchDarkly's own projection", after: ":"},
	},
}

// peakOfSum is the largest, over the hourly buckets of [t0, t1), of the sum
// over groups (atoms with the same dims) of each group's peak level in the
// bucket (its largest minute that has begun by now).
func peakOfSum(as []emulator.Atom, t0, t1 time.Time, dims ...string) float64 {
	groups := map[string][]emulator.Atom{}
	for _, a := range as {
		k := ""
		for _, d := range dims {
			k += a.Dim(d) + "\x00"
		}
		groups[k] = append(groups[k], a)
	}
	var best float64
	for h := t0; h.Before(t1) && h.Before(now); h = h.Add(time.Hour) {
		var sum float64
		for _, g := range groups {
			sum += peak(g, h, h.Add(time.Hour))
		}
		best = max(best, sum)
	}
	return best
}
