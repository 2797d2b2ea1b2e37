package client

import (
	"reflect"
	"strings"
	"sync"
	"time"
)

// TimeUnit is the unit an endpoint expects for its from/to query parameters.
type TimeUnit int

const (
	// Millis is Unix milliseconds.
	Millis TimeUnit = iota
	// Seconds is Unix seconds.
	Seconds
)

func (u TimeUnit) String() string {
	if u == Seconds {
		return "s"
	}
	return "ms"
}

// Format renders t in the unit.
func (u TimeUnit) Format(t time.Time) string {
	if u == Seconds {
		return itoa(t.Unix())
	}
	return itoa(t.UnixMilli())
}

// Parse reads a Unix timestamp in the unit.
func (u TimeUnit) Parse(s string) (time.Time, bool) {
	n, ok := atoi(s)
	if !ok {
		return time.Time{}, false
	}
	if u == Seconds {
		return time.Unix(n, 0).UTC(), true
	}
	return time.UnixMilli(n).UTC(), true
}

// Kind is the shape of an endpoint's 200 response.
type Kind int

const (
	// SeriesList is SeriesListRep (also SeriesListRepFloat): metadata plus rows of indexed values.
	SeriesList Kind = iota
	// SeriesIntervals is SeriesIntervalsRep: rows of {time, value}.
	SeriesIntervals
	// SDKList is SdkListRep: {"sdks": [...]}.
	SDKList
	// SDKVersionList is SdkVersionListRep: {"sdkVersions": [{sdk, version}]}.
	SDKVersionList
	// SDKVersionDetails is an array of SdkVersionDetailsRep.
	SDKVersionDetails
)

func (k Kind) String() string {
	names := [...]string{"SeriesListRep", "SeriesIntervalsRep", "SdkListRep", "SdkVersionListRep", "SdkVersionDetailsRep[]"}
	if k < 0 || int(k) >= len(names) {
		return "Kind(" + itoa(int64(k)) + ")"
	}
	return names[k]
}

// IsSeries reports whether the kind is a time series.
func (k Kind) IsSeries() bool { return k == SeriesList || k == SeriesIntervals }

// Granularity is how an endpoint chooses the bucket size of its series.
type Granularity int

const (
	// ByAge: minutely within the past two hours, hourly within two days, daily otherwise.
	ByAge Granularity = iota
	// Daily: always daily buckets.
	Daily
	// Chosen: the granularity argument chooses (daily by default).
	Chosen
	// NoSeries: the endpoint returns a list, not a series.
	NoSeries
)

// Measure says what a series value counts, which decides whether a sum over
// time buckets means anything.
type Measure int

const (
	// PerBucket values count things that happened in the bucket (evaluations,
	// events, connections): they may be summed.
	PerBucket Measure = iota
	// Unique values count distinct keys (MAU, contexts, experimentation keys/units):
	// a month's figure is not the sum of its days.
	Unique
)

// DefaultFrom is where a range starts when the caller gives no from.
type DefaultFrom int

const (
	Ago30Days DefaultFrom = iota
	Ago24Hours
	Ago7Days
	MonthStart
	NoRange
)

// Start returns the default start for a range ending at now.
func (d DefaultFrom) Start(now time.Time) time.Time {
	now = now.UTC()
	switch d {
	case Ago24Hours:
		return now.Add(-24 * time.Hour)
	case Ago7Days:
		return now.Add(-7 * 24 * time.Hour)
	case MonthStart:
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return now.Add(-30 * 24 * time.Hour)
	}
}

// Endpoint is the one declaration of a usage endpoint. The client builds
// requests from it, the tools build their schemas and summaries from it, and
// the emulator serves it.
type Endpoint struct {
	Tool        string      // MCP tool name
	Operation   string      // LaunchDarkly operationId
	Path        string      // path template, e.g. /api/v2/usage/streams/{source}
	Params      any         // zero value of the parameter struct
	Unit        TimeUnit    // unit of from/to
	Kind        Kind        // response shape of the seed (decoding goes by shape anyway)
	Granularity Granularity // how bucket size is chosen
	Measure     Measure     // whether values may be summed over time
	DefaultFrom DefaultFrom // start of the range when from is absent
	MaxRange    time.Duration
	Toolset     string // toolset the tool belongs to
	Newer       bool   // not in the seed: added by the newest edition
	Title       string // short human title
	Description string // one or two sentences for the model: when to use it, unit of its numbers
	Prefer      string // for deprecated endpoints: the tool to prefer
	Series      string // what one series is, for the emulator's metadata ("variation", "sdk+version", ...)

	specOnce sync.Once
	spec     []Param
}

// Param is one parameter of an endpoint, derived from its Params struct.
type Param struct {
	Name     string
	Path     bool // a path parameter (required)
	Repeated bool // may be given several times
	Time     bool // from/to
	Enum     []string
}

// Spec lists the endpoint's parameters in declaration order.
func (e *Endpoint) Spec() []Param {
	e.specOnce.Do(func() { e.spec = paramsOf(reflect.TypeOf(e.Params)) })
	return e.spec
}

// Param returns the named parameter.
func (e *Endpoint) Param(name string) (Param, bool) {
	for _, p := range e.Spec() {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// HasRange reports whether the endpoint takes from/to.
func (e *Endpoint) HasRange() bool {
	_, ok := e.Param("from")
	return ok
}

var timeType = reflect.TypeOf((*Time)(nil)).Elem()

func paramsOf(t reflect.Type) []Param {
	var out []Param
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, paramsOf(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		p := Param{
			Name:     name,
			Path:     f.Tag.Get("in") == "path",
			Repeated: f.Type.Kind() == reflect.Slice,
			Time:     f.Type == timeType,
		}
		for _, kv := range splitTag(f.Tag.Get("jsonschema")) {
			if v, ok := strings.CutPrefix(kv, "enum="); ok {
				p.Enum = append(p.Enum, v)
			}
		}
		out = append(out, p)
	}
	return out
}

// splitTag splits a jsonschema tag on commas that are not escaped with a backslash.
func splitTag(tag string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(tag); i++ {
		switch {
		case tag[i] == '\\' && i+1 < len(tag) && tag[i+1] == ',':
			cur.WriteByte(',')
			i++
		case tag[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(tag[i])
		}
	}
	return append(out, cur.String())
}

// PathParams lists the names of the path parameters in the order of the path.
func (e *Endpoint) PathParams() []string {
	var out []string
	rest := e.Path
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(rest[i:], '}')
		out = append(out, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
}

const day = 24 * time.Hour

// Endpoints is the table of every usage endpoint: the seed's twelve first, then
// the sixteen the newest edition added.
var Endpoints = []*Endpoint{
	{
		Tool: "get_data_export_events_usage", Operation: "getDataExportEventsUsage",
		Path: "/api/v2/usage/data-export-events", Params: DataExportEventsParams{},
		Unit: Millis, Kind: SeriesIntervals, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 31 * day, Toolset: "data_export",
		Title:       "Data export events",
		Description: "Data export events; count per bucket, max 31 days, default this month.",
		Series:      "eventKind",
	},
	{
		Tool: "get_evaluations_usage", Operation: "getEvaluationsUsage",
		Path: "/api/v2/usage/evaluations/{projectKey}/{environmentKey}/{featureFlagKey}", Params: EvaluationsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: PerBucket,
		DefaultFrom: Ago30Days, Toolset: "evaluations",
		Title:       "Flag evaluations",
		Description: "Evaluations of one flag per variation served; count per bucket, default 30 days.",
		Series:      "variation",
	},
	{
		Tool: "get_events_usage", Operation: "getEventsUsage",
		Path: "/api/v2/usage/events/{type}", Params: EventsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: PerBucket,
		DefaultFrom: Ago24Hours, Toolset: "events",
		Title:       "Events",
		Description: "Analytics events received or published; count per bucket, default 24 hours.",
		Series:      "none",
	},
	{
		Tool: "get_experimentation_keys_usage", Operation: "getExperimentationKeysUsage",
		Path: "/api/v2/usage/experimentation-keys", Params: ExperimentationKeysParams{},
		Unit: Millis, Kind: SeriesIntervals, Granularity: Chosen, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 31 * day, Toolset: "experimentation",
		Title:       "Experiment keys",
		Description: "Experimentation keys; unique count, max 31 days, default this month.",
		Series:      "experimentId",
	},
	{
		Tool: "get_experimentation_units_usage", Operation: "getExperimentationUnitsUsage",
		Path: "/api/v2/usage/experimentation-units", Params: ExperimentationUnitsParams{},
		Unit: Seconds, Kind: SeriesIntervals, Granularity: Daily, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 31 * day, Toolset: "experimentation",
		Title:       "Experiment units",
		Description: "Experimentation units; unique count, max 31 days. Removed upstream: use get_experimentation_keys_usage.",
		Prefer:      "get_experimentation_keys_usage",
	},
	{
		Tool: "get_mau_sdks_by_type", Operation: "getMauSdksByType",
		Path: "/api/v2/usage/mau/sdks", Params: MAUSDKsParams{},
		Unit: Millis, Kind: SDKList, Granularity: NoSeries,
		DefaultFrom: Ago7Days, Toolset: "sdks",
		Title:       "SDKs with MAU",
		Description: "SDK names that sent MAU; default 7 days.",
	},
	{
		Tool: "get_mau_usage", Operation: "getMauUsage",
		Path: "/api/v2/usage/mau", Params: MAUParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Daily, Measure: Unique,
		DefaultFrom: Ago30Days, Toolset: "mau",
		Title:       "MAU",
		Description: "MAU per day; unique count, default 30 days. Deprecated: use get_total_mau_usage.",
		Prefer:      "get_total_mau_usage",
		Series:      "groupby",
	},
	{
		Tool: "get_mau_usage_by_category", Operation: "getMauUsageByCategory",
		Path: "/api/v2/usage/mau/bycategory", Params: MAUByCategoryParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Daily, Measure: Unique,
		DefaultFrom: Ago30Days, Toolset: "mau",
		Title:       "MAU by category",
		Description: "MAU per day for browser, mobile, backend; unique count. Deprecated: use get_clientside_mau_usage.",
		Prefer:      "get_clientside_mau_usage",
		Series:      "category",
	},
	{
		Tool: "get_service_connection_usage", Operation: "getServiceConnectionUsage",
		Path: "/api/v2/usage/service-connections", Params: ServiceConnectionsParams{},
		Unit: Millis, Kind: SeriesIntervals, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 31 * day, Toolset: "service_connections",
		Title:       "Service connections",
		Description: "Server SDK and Relay connections in connection-months; max 31 days, default this month.",
		Series:      "groupBy",
	},
	{
		Tool: "get_stream_usage", Operation: "getStreamUsage",
		Path: "/api/v2/usage/streams/{source}", Params: StreamParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: PerBucket,
		DefaultFrom: Ago30Days, Toolset: "streams",
		Title:       "Streams",
		Description: "Streaming connections; count per bucket, default 30 days.",
		Series:      "none",
	},
	{
		Tool: "get_stream_usage_by_sdk_version", Operation: "getStreamUsageBySdkVersion",
		Path: "/api/v2/usage/streams/{source}/bysdkversion", Params: StreamBySDKVersionParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: PerBucket,
		DefaultFrom: Ago24Hours, Toolset: "streams",
		Title:       "Streams by SDK",
		Description: "Streaming connections per SDK version; count per bucket, default 24 hours.",
		Series:      "sdk+version",
	},
	{
		Tool: "get_stream_usage_sdkversion", Operation: "getStreamUsageSdkversion",
		Path: "/api/v2/usage/streams/{source}/sdkversions", Params: StreamSDKVersionsParams{},
		Kind: SDKVersionList, Granularity: NoSeries, DefaultFrom: NoRange, Toolset: "streams",
		Title:       "Streaming SDKs",
		Description: "SDK versions that streamed in 60 days.",
	},

	// The newest edition's operations.
	{
		Tool: "get_total_mau_usage", Operation: "getMAUTotalUsage",
		Path: "/api/v2/usage/total-mau", Params: TotalMAUParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "mau", Newer: true,
		Title:       "Total MAU",
		Description: "MAU of all SDKs.",
		Series:      "groupBy",
	},
	{
		Tool: "get_clientside_mau_usage", Operation: "getMAUClientsideUsage",
		Path: "/api/v2/usage/clientside-mau", Params: ClientsideMAUParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "mau", Newer: true,
		Title:       "Client-side MAU",
		Description: "MAU of client-side SDKs (billed MAU).",
		Series:      "groupBy",
	},
	{
		Tool: "get_total_contexts_usage", Operation: "getContextsTotalUsage",
		Path: "/api/v2/usage/total-contexts", Params: TotalContextsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "contexts", Newer: true,
		Title:       "Total contexts",
		Description: "Contexts of all kinds and SDKs.",
		Series:      "groupBy",
	},
	{
		Tool: "get_clientside_contexts_usage", Operation: "getContextsClientsideUsage",
		Path: "/api/v2/usage/clientside-contexts", Params: SideContextsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "contexts", Newer: true,
		Title:       "Client-side contexts",
		Description: "Contexts of client-side SDKs.",
		Series:      "groupBy",
	},
	{
		Tool: "get_serverside_contexts_usage", Operation: "getContextsServersideUsage",
		Path: "/api/v2/usage/serverside-contexts", Params: SideContextsParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: Unique,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "contexts", Newer: true,
		Title:       "Server-side contexts",
		Description: "Contexts of server-side SDKs.",
		Series:      "groupBy",
	},
	{
		Tool: "get_experimentation_events_usage", Operation: "getExperimentationEventsUsage",
		Path: "/api/v2/usage/experimentation-events", Params: ExperimentationEventsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "experimentation", Newer: true,
		Title:       "Experiment events",
		Description: "Experiment metric events; count per bucket.",
		Series:      "groupBy",
	},
	{
		Tool: "get_warehouse_export_usage", Operation: "getWarehouseExportUsage",
		Path: "/api/v2/usage/warehouse-export", Params: WarehouseExportParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "data_export", Newer: true,
		Title:       "Warehouse export",
		Description: "Events exported to warehouses; count per bucket.",
		Series:      "groupBy",
	},
	{
		Tool: "get_ai_runs_usage", Operation: "getAIRunsUsage",
		Path: "/api/v2/usage/ai-runs", Params: AIRunsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "ai", Newer: true,
		Title:       "AI Config runs",
		Description: "AI Config runs; count per bucket.",
		Series:      "groupBy",
	},
	observability("errors", "Observability errors", "Errors ingested; count per bucket."),
	observability("logs", "Observability logs", "Log lines ingested; count per bucket."),
	{
		Tool: "get_observability_metrics_usage", Operation: "getObservabilityMetricsUsage",
		Path: "/api/v2/usage/observability/metrics", Params: ObservabilityMetricsParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "observability", Newer: true,
		Title:       "Observability metrics",
		Description: "Metric points ingested; count per bucket.",
	},
	observability("sessions", "Observability sessions", "Sessions recorded; count per bucket."),
	observability("traces", "Observability traces", "Traces ingested; count per bucket."),
	{
		Tool: "get_vega_ai_usage", Operation: "getVegaAIUsage",
		Path: "/api/v2/usage/vega-ai", Params: ObservabilityParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "ai", Newer: true,
		Title:       "Vega AI",
		Description: "Vega AI usage; count per bucket.",
	},
	{
		Tool: "get_sdk_versions_details", Operation: "getSdkVersionsDetails",
		Path: "/api/v2/usage/sdk-versions/details", Params: NoParams{},
		Kind: SDKVersionDetails, Granularity: NoSeries, DefaultFrom: NoRange, Toolset: "sdks", Newer: true,
		Title:       "SDK EOL status",
		Description: "Newest SDK version per environment (24 h), with end-of-life status.",
	},
	{
		Tool: "get_sdk_all_versions", Operation: "getSdkAllVersions",
		Path: "/api/v2/usage/sdk-versions/all", Params: SDKAllVersionsParams{},
		Kind: SDKVersionDetails, Granularity: NoSeries, DefaultFrom: NoRange, Toolset: "sdks", Newer: true,
		Title:       "All SDK versions",
		Description: "Every SDK version in use, with end-of-life status.",
	},
}

func observability(what, title, desc string) *Endpoint {
	return &Endpoint{
		Tool: "get_observability_" + what + "_usage", Operation: "getObservability" + strings.ToUpper(what[:1]) + what[1:] + "Usage",
		Path: "/api/v2/usage/observability/" + what, Params: ObservabilityParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: PerBucket,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "observability", Newer: true,
		Title: title, Description: desc,
	}
}

// Lookup finds an endpoint by tool name or operationId.
func Lookup(name string) *Endpoint {
	for _, e := range Endpoints {
		if e.Tool == name || e.Operation == name {
			return e
		}
	}
	return nil
}
