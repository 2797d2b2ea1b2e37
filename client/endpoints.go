package client

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

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

// Measure says what a series value counts, which decides which figures of a
// series mean something (see Meaning).
type Measure int

const (
	// Count values count things that happened in the bucket (evaluations,
	// events, exported rows, connection minutes): they may be summed.
	Count Measure = iota
	// Unique values count distinct keys (MAU, contexts, experimentation
	// keys/units): a month's figure is not the sum of its days.
	Unique
	// Level values are a level, not a flow (streaming connections): read at
	// their peak, never summed.
	Level
)

func (m Measure) String() string {
	return [...]string{"count", "unique", "level"}[m]
}

// Agg is one aggregationType an endpoint accepts, with the granularity values
// LaunchDarkly allows with it.
type Agg struct {
	// Name is the aggregationType value. An endpoint that takes no
	// aggregationType has one Agg naming what it implicitly answers with
	// ("" where its points are plain per-bucket values).
	Name string
	// Grans are the granularity values allowed with it, the default first;
	// nil where the endpoint takes no granularity.
	Grans []string
}

// Endpoint is the one declaration of a usage endpoint. The client builds
// requests from it, the tools build their schemas, validation and summaries
// from it, and the emulator serves it.
type Endpoint struct {
	Tool        string      // MCP tool name
	Operation   string      // LaunchDarkly operationId
	Path        string      // path template, e.g. /api/v2/usage/streams/{source}
	Params      any         // zero value of the parameter struct
	Unit        TimeUnit    // unit of from/to
	Kind        Kind        // response shape (decoding goes by shape anyway)
	Float       bool        // values have fractions (SeriesListRepFloat)
	Granularity Granularity // how bucket size is chosen
	Measure     Measure     // what a value counts
	Aggs        []Agg       // aggregations, LaunchDarkly's default first (see Agg)
	DefaultFrom DefaultFrom // start of the range when from is absent
	MaxRange    time.Duration
	Toolset     string // toolset the tool belongs to
	Newer       bool   // not in the seed: added by the newest edition
	Title       string // short human title
	Noun        string // what the figures count, for a person: "client-side MAU", "connection minutes"
	Description string // one or two sentences for the model: when to use it
	Prefer      string // for deprecated or removed endpoints: the tool to prefer
	Removed     bool   // the operation is gone from LaunchDarkly's API (the seed still lists it)
	// Per, where set, is how many units of Noun make one billed unit of PerNoun
	// (43,800 connection minutes make one service connection).
	Per     float64
	PerNoun string
	// Fixed are the metadata keys every series of an answer carries whether or
	// not the request groups by them: the dimensions the seed's endpoints always
	// split by (variation, category, sdk and version) and the contextKind the
	// contexts endpoints always group by.
	Fixed []string

	specOnce sync.Once
	spec     []Param
}

// TakesAggregation reports whether the endpoint has an aggregationType parameter.
func (e *Endpoint) TakesAggregation() bool {
	_, ok := e.Param("aggregationType")
	return ok
}

// DefaultAgg is the aggregation LaunchDarkly applies when the request names none.
func (e *Endpoint) DefaultAgg() string {
	if len(e.Aggs) == 0 {
		return ""
	}
	return e.Aggs[0].Name
}

// Agg returns the named aggregation ("" for the default).
func (e *Endpoint) Agg(name string) (Agg, bool) {
	if name == "" {
		name = e.DefaultAgg()
	}
	for _, a := range e.Aggs {
		if a.Name == name {
			return a, true
		}
	}
	return Agg{}, false
}

// AggNames lists the aggregationType values the endpoint accepts, default first.
func (e *Endpoint) AggNames() []string {
	if !e.TakesAggregation() {
		return nil
	}
	return e.aggNames()
}

func (e *Endpoint) aggNames() []string {
	out := make([]string, len(e.Aggs))
	for i, a := range e.Aggs {
		out[i] = a.Name
	}
	return out
}

// GranNames lists every granularity value the endpoint accepts with some
// aggregation, default first.
func (e *Endpoint) GranNames() []string {
	var out []string
	for _, a := range e.Aggs {
		for _, g := range a.Grans {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// CheckAggGran says what is wrong with an aggregationType and granularity
// pair ("" for either means the default), or returns nil when LaunchDarkly
// accepts it.
func (e *Endpoint) CheckAggGran(agg, gran string) error {
	a, ok := e.Agg(agg)
	if !ok {
		return fmt.Errorf("aggregationType %q is not one of %s", agg, strings.Join(e.AggNames(), ", "))
	}
	if gran == "" || len(a.Grans) == 0 && !e.takes("granularity") {
		return nil
	}
	if !slices.Contains(a.Grans, gran) {
		if all := e.GranNames(); !slices.Contains(all, gran) {
			return fmt.Errorf("granularity %q is not one of %s", gran, strings.Join(all, ", "))
		}
		return fmt.Errorf("granularity %q is not allowed with aggregationType %s: use %s", gran, a.Name, strings.Join(a.Grans, " or "))
	}
	return nil
}

func (e *Endpoint) takes(name string) bool {
	_, ok := e.Param(name)
	return ok
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
	e.specOnce.Do(func() {
		e.spec = paramsOf(reflect.TypeOf(e.Params))
		// The allowed aggregations and granularities are declared once, in Aggs.
		for i := range e.spec {
			switch e.spec[i].Name {
			case "aggregationType":
				e.spec[i].Enum = e.aggNames()
			case "granularity":
				e.spec[i].Enum = e.GranNames()
			}
		}
	})
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

// BillingMinutes is how many service connection minutes LaunchDarkly bills as
// one service connection (it assumes 43,800 minutes a month).
const BillingMinutes = 43800

// Aggregations and granularities as LaunchDarkly's OpenAPI document states
// them per operation (the default first).
var (
	// month_to_date (daily|hourly|monthly) and incremental (daily|hourly):
	// data-export-events, experimentation-keys, service-connections,
	// experimentation-events, warehouse-export, ai-runs.
	aggsInterval = []Agg{
		{Name: "month_to_date", Grans: []string{"daily", "hourly", "monthly"}},
		{Name: "incremental", Grans: []string{"daily", "hourly"}},
	}
	// month_to_date (daily|monthly), incremental and rolling_30d (daily):
	// the MAU and contexts successors, observability (but metrics) and Vega AI.
	aggsContexts = []Agg{
		{Name: "month_to_date", Grans: []string{"daily", "monthly"}},
		{Name: "incremental", Grans: []string{"daily"}},
		{Name: "rolling_30d", Grans: []string{"daily"}},
	}
	// observability metrics: month_to_date and average, hourly|daily|monthly.
	aggsMetrics = []Agg{
		{Name: "month_to_date", Grans: []string{"daily", "hourly", "monthly"}},
		{Name: "average", Grans: []string{"daily", "hourly", "monthly"}},
	}
	// the deprecated /usage/mau: rolling_30d by default, always daily.
	aggsMAU = []Agg{{Name: "rolling_30d"}, {Name: "month_to_date"}, {Name: "daily_incremental"}}
	// endpoints without aggregationType: their points are per bucket, or, for
	// the seed's MAU by category and experimentation units, what their text says.
	aggsNone       = []Agg{{Name: ""}}
	aggsRolling    = []Agg{{Name: "rolling_30d"}}
	aggsMonthToDay = []Agg{{Name: "month_to_date"}}
)

// Endpoints is the table of every usage endpoint: the seed's twelve first, then
// the sixteen the newest edition added.
var Endpoints = []*Endpoint{
	{
		Tool: "get_data_export_events_usage", Operation: "getDataExportEventsUsage",
		Path: "/api/v2/usage/data-export-events", Params: DataExportEventsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsInterval,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "data_export",
		Title: "Data export events", Noun: "data export events",
		Description: "Data export events.",
	},
	{
		Tool: "get_evaluations_usage", Operation: "getEvaluationsUsage",
		Path: "/api/v2/usage/evaluations/{projectKey}/{environmentKey}/{featureFlagKey}", Params: EvaluationsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: Count, Aggs: aggsNone,
		DefaultFrom: Ago30Days, Toolset: "evaluations", Fixed: []string{"variation"},
		Title: "Flag evaluations", Noun: "evaluations",
		Description: "Evaluations of one flag, per variation.",
	},
	{
		Tool: "get_events_usage", Operation: "getEventsUsage",
		Path: "/api/v2/usage/events/{type}", Params: EventsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: Count, Aggs: aggsNone,
		DefaultFrom: Ago24Hours, Toolset: "events",
		Title: "Events", Noun: "events",
		Description: "Events received or published.",
	},
	{
		Tool: "get_experimentation_keys_usage", Operation: "getExperimentationKeysUsage",
		Path: "/api/v2/usage/experimentation-keys", Params: ExperimentationKeysParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique, Aggs: aggsInterval,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "experimentation",
		Title: "Experiment keys", Noun: "experimentation keys",
		Description: "Context keys in experiments (billed monthly).",
	},
	{
		Tool: "get_experimentation_units_usage", Operation: "getExperimentationUnitsUsage",
		Path: "/api/v2/usage/experimentation-units", Params: ExperimentationUnitsParams{},
		Unit: Seconds, Kind: SeriesIntervals, Granularity: Daily, Measure: Unique, Aggs: aggsMonthToDay,
		DefaultFrom: MonthStart, MaxRange: 31 * day, Toolset: "experimentation",
		Title: "Experiment units", Noun: "experimentation units", Removed: true,
		Description: "Removed from LaunchDarkly's API: use get_experimentation_keys_usage.",
		Prefer:      "get_experimentation_keys_usage",
	},
	{
		Tool: "get_mau_sdks_by_type", Operation: "getMauSdksByType",
		Path: "/api/v2/usage/mau/sdks", Params: MAUSDKsParams{},
		Unit: Millis, Kind: SDKList, Granularity: NoSeries,
		DefaultFrom: Ago7Days, Toolset: "sdks",
		Title: "SDKs with MAU", Noun: "SDKs",
		Description: "SDK names that sent MAU in the range.",
	},
	{
		Tool: "get_mau_usage", Operation: "getMauUsage",
		Path: "/api/v2/usage/mau", Params: MAUParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Daily, Measure: Unique, Aggs: aggsMAU,
		DefaultFrom: Ago30Days, Toolset: "mau",
		Title: "MAU", Noun: "MAU",
		Description: "Legacy user MAU. Deprecated: use get_total_mau_usage.",
		Prefer:      "get_total_mau_usage",
	},
	{
		Tool: "get_mau_usage_by_category", Operation: "getMauUsageByCategory",
		Path: "/api/v2/usage/mau/bycategory", Params: MAUByCategoryParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Daily, Measure: Unique, Aggs: aggsRolling,
		DefaultFrom: Ago30Days, Toolset: "mau", Fixed: []string{"category"},
		Title: "MAU by category", Noun: "MAU",
		Description: "Legacy MAU by browser, mobile, backend. Deprecated: use get_clientside_mau_usage.",
		Prefer:      "get_clientside_mau_usage",
	},
	{
		Tool: "get_service_connection_usage", Operation: "getServiceConnectionsUsage",
		Path: "/api/v2/usage/service-connections", Params: ServiceConnectionsParams{},
		Unit: Millis, Kind: SeriesList, Float: true, Granularity: Chosen, Measure: Count, Aggs: aggsInterval,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "service_connections",
		Title: "Service connections", Noun: "connection minutes",
		Per: BillingMinutes, PerNoun: "service connections",
		Description: "Service connection minutes (server SDKs, Relay); 43,800 bill as one connection.",
	},
	{
		Tool: "get_stream_usage", Operation: "getStreamUsage",
		Path: "/api/v2/usage/streams/{source}", Params: StreamParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: Level, Aggs: aggsNone,
		DefaultFrom: Ago30Days, Toolset: "streams",
		Title: "Streams", Noun: "streaming connections",
		Description: "Streaming connections of client or server SDKs.",
	},
	{
		Tool: "get_stream_usage_by_sdk_version", Operation: "getStreamUsageBySdkVersion",
		Path: "/api/v2/usage/streams/{source}/bysdkversion", Params: StreamBySDKVersionParams{},
		Unit: Millis, Kind: SeriesList, Granularity: ByAge, Measure: Level, Aggs: aggsNone,
		DefaultFrom: Ago24Hours, Toolset: "streams", Fixed: []string{"sdk", "version"},
		Title: "Streams by SDK", Noun: "streaming connections",
		Description: "Streaming connections per SDK and version.",
	},
	{
		Tool: "get_stream_usage_sdkversion", Operation: "getStreamUsageSdkversion",
		Path: "/api/v2/usage/streams/{source}/sdkversions", Params: StreamSDKVersionsParams{},
		Kind: SDKVersionList, Granularity: NoSeries, DefaultFrom: NoRange, Toolset: "streams",
		Title: "Streaming SDKs", Noun: "SDK versions",
		Description: "SDK versions streaming in the past 60 days.",
	},

	// The newest edition's operations.
	{
		Tool: "get_total_mau_usage", Operation: "getMAUTotalUsage",
		Path: "/api/v2/usage/total-mau", Params: TotalMAUParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique, Aggs: aggsContexts,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "mau", Newer: true,
		Title: "Total MAU", Noun: "MAU",
		Description: "MAU of the primary context kind, all SDKs.",
	},
	{
		Tool: "get_clientside_mau_usage", Operation: "getMAUClientsideUsage",
		Path: "/api/v2/usage/clientside-mau", Params: ClientsideMAUParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique, Aggs: aggsContexts,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "mau", Newer: true,
		Title: "Client-side MAU", Noun: "client-side MAU",
		Description: "Client-side MAU of the primary context kind (billed MAU).",
	},
	{
		Tool: "get_total_contexts_usage", Operation: "getContextsTotalUsage",
		Path: "/api/v2/usage/total-contexts", Params: TotalContextsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique, Aggs: aggsContexts,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "contexts", Newer: true, Fixed: []string{"contextKind"},
		Title: "Total contexts", Noun: "contexts",
		Description: "Contexts of all SDKs, per context kind.",
	},
	{
		Tool: "get_clientside_contexts_usage", Operation: "getContextsClientsideUsage",
		Path: "/api/v2/usage/clientside-contexts", Params: SideContextsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Unique, Aggs: aggsContexts,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "contexts", Newer: true, Fixed: []string{"contextKind"},
		Title: "Client-side contexts", Noun: "client-side contexts",
		Description: "Contexts from client-side SDKs, per context kind.",
	},
	{
		Tool: "get_serverside_contexts_usage", Operation: "getContextsServersideUsage",
		Path: "/api/v2/usage/serverside-contexts", Params: SideContextsParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: Unique, Aggs: aggsContexts,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "contexts", Newer: true, Fixed: []string{"contextKind"},
		Title: "Server-side contexts", Noun: "server-side contexts",
		Description: "Contexts from server-side SDKs, per context kind.",
	},
	{
		Tool: "get_experimentation_events_usage", Operation: "getExperimentationEventsUsage",
		Path: "/api/v2/usage/experimentation-events", Params: ExperimentationEventsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsInterval,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "experimentation", Newer: true,
		Title: "Experiment events", Noun: "experimentation events",
		Description: "Experiment metric events.",
	},
	{
		Tool: "get_warehouse_export_usage", Operation: "getWarehouseExportUsage",
		Path: "/api/v2/usage/warehouse-export", Params: WarehouseExportParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsInterval,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "data_export", Newer: true,
		Title: "Warehouse export", Noun: "rows exported",
		Description: "Rows exported to warehouses.",
	},
	{
		Tool: "get_ai_runs_usage", Operation: "getAIRunsUsage",
		Path: "/api/v2/usage/ai-runs", Params: AIRunsParams{},
		Unit: Millis, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsInterval,
		DefaultFrom: MonthStart, MaxRange: 365 * day, Toolset: "ai", Newer: true,
		Title: "AI Config runs", Noun: "AI runs",
		Description: "AI Config runs.",
	},
	observability("errors", "Observability errors", "errors", "Errors ingested."),
	observability("logs", "Observability logs", "logs", "Logs ingested."),
	{
		Tool: "get_observability_metrics_usage", Operation: "getObservabilityMetricsUsage",
		Path: "/api/v2/usage/observability/metrics", Params: ObservabilityMetricsParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsMetrics,
		DefaultFrom: MonthStart, Toolset: "observability", Newer: true,
		Title: "Observability metrics", Noun: "metrics",
		Description: "Metrics ingested.",
	},
	observability("sessions", "Observability sessions", "sessions", "Sessions recorded."),
	observability("traces", "Observability traces", "traces", "Traces ingested."),
	{
		Tool: "get_vega_ai_usage", Operation: "getVegaAIUsage",
		Path: "/api/v2/usage/vega-ai", Params: ObservabilityParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsContexts,
		DefaultFrom: MonthStart, Toolset: "ai", Newer: true,
		Title: "Vega AI", Noun: "Vega AI uses",
		Description: "Vega AI usage.",
	},
	{
		Tool: "get_sdk_versions_details", Operation: "getSdkVersionsDetails",
		Path: "/api/v2/usage/sdk-versions/details", Params: NoParams{},
		Kind: SDKVersionDetails, Granularity: NoSeries, DefaultFrom: NoRange, Toolset: "sdks", Newer: true,
		Title: "SDK EOL status", Noun: "SDK versions",
		Description: "Newest version of each SDK per environment (24 h), with EOL status.",
	},
	{
		Tool: "get_sdk_all_versions", Operation: "getSdkAllVersions",
		Path: "/api/v2/usage/sdk-versions/all", Params: SDKAllVersionsParams{},
		Kind: SDKVersionDetails, Granularity: NoSeries, DefaultFrom: NoRange, Toolset: "sdks", Newer: true,
		Title: "All SDK versions", Noun: "SDK versions",
		Description: "Every SDK version seen in 24 h, with EOL status.",
	},
}

func observability(what, title, noun, desc string) *Endpoint {
	return &Endpoint{
		Tool: "get_observability_" + what + "_usage", Operation: "getObservability" + strings.ToUpper(what[:1]) + what[1:] + "Usage",
		Path: "/api/v2/usage/observability/" + what, Params: ObservabilityParams{},
		Unit: Seconds, Kind: SeriesList, Granularity: Chosen, Measure: Count, Aggs: aggsContexts,
		DefaultFrom: MonthStart, Toolset: "observability", Newer: true,
		Title: title, Noun: noun, Description: desc,
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
