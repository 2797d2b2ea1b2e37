package client

// This file declares the parameters of every usage endpoint as Go structs.
// Each struct is the single declaration of its endpoint's parameters:
//
//   - the json tag is LaunchDarkly's own parameter name;
//   - `in:"path"` marks a path parameter (required); every other field is a query parameter;
//   - a []string field is a parameter that may repeat (sent as repeated query keys);
//   - the jsonschema tag carries the description and the allowed values (enum=...),
//     read by the schema reflector (invopop/jsonschema) and by Spec().
//
// Commas inside a jsonschema description must be escaped as `\\,`, or the
// description is cut there (a test checks for it).

// Time is a point in time as a caller wrote it: RFC 3339, a date, "now", a
// relative time ("-7d") or Unix seconds/milliseconds. It is a JSON string or number.
type Time any

// Range is the from/to pair of every time-series endpoint.
type Range struct {
	From Time `json:"from,omitempty" jsonschema:"description=Start of the range"`
	To   Time `json:"to,omitempty" jsonschema:"description=End of the range (default now)"`
}

// StreamSource is the path parameter of the stream endpoints.
type StreamSource struct {
	Source string `json:"source" in:"path" jsonschema:"description=Connection source,enum=client,enum=server"`
}

// TZ is the time zone used for day boundaries in daily data.
type TZ struct {
	TZ string `json:"tz,omitempty" jsonschema:"description=IANA time zone for daily buckets"`
}

// ProjectEnv filters interval endpoints to one environment of one project (seed edition)
// or to several (newest edition); environmentKey requires projectKey.
type ProjectEnv struct {
	ProjectKey     []string `json:"projectKey,omitempty" jsonschema:"description=Project key"`
	EnvironmentKey []string `json:"environmentKey,omitempty" jsonschema:"description=Environment key (needs projectKey)"`
}

// EvaluationsParams are the parameters of getEvaluationsUsage.
type EvaluationsParams struct {
	ProjectKey     string `json:"projectKey" in:"path" jsonschema:"description=Project key"`
	EnvironmentKey string `json:"environmentKey" in:"path" jsonschema:"description=Environment key"`
	FeatureFlagKey string `json:"featureFlagKey" in:"path" jsonschema:"description=Flag key"`
	Range
	TZ
}

// EventsParams are the parameters of getEventsUsage.
type EventsParams struct {
	Type string `json:"type" in:"path" jsonschema:"description=Event type,enum=received,enum=published"`
	Range
}

// StreamParams are the parameters of getStreamUsage.
type StreamParams struct {
	StreamSource
	Range
	TZ
}

// StreamBySDKVersionParams are the parameters of getStreamUsageBySdkVersion.
type StreamBySDKVersionParams struct {
	StreamSource
	Range
	TZ
	SDK     string `json:"sdk,omitempty" jsonschema:"description=SDK name filter"`
	Version string `json:"version,omitempty" jsonschema:"description=SDK version filter"`
}

// StreamSDKVersionsParams are the parameters of getStreamUsageSdkversion.
type StreamSDKVersionsParams struct {
	StreamSource
}

// MAUParams are the parameters of getMauUsage.
type MAUParams struct {
	Range
	Project         []string `json:"project,omitempty" jsonschema:"description=Project key filter"`
	Environment     []string `json:"environment,omitempty" jsonschema:"description=Environment key filter (needs exactly one project)"`
	SDKType         []string `json:"sdktype,omitempty" jsonschema:"description=SDK type filter,enum=client,enum=server"`
	SDK             []string `json:"sdk,omitempty" jsonschema:"description=SDK name filter"`
	Anonymous       string   `json:"anonymous,omitempty" jsonschema:"description=Only anonymous (true) or only identified (false) users,enum=true,enum=false"`
	GroupBy         []string `json:"groupby,omitempty" jsonschema:"description=Split into one series per value,enum=project,enum=environment,enum=sdktype,enum=sdk,enum=anonymous,enum=contextKind,enum=sdkAppId"`
	AggregationType string   `json:"aggregationType,omitempty" jsonschema:"description=Counting window (default rolling_30d),enum=rolling_30d,enum=month_to_date,enum=daily_incremental"`
	ContextKind     []string `json:"contextKind,omitempty" jsonschema:"description=Context kind filter (default user)"`
}

// MAUByCategoryParams are the parameters of getMauUsageByCategory.
type MAUByCategoryParams struct {
	Range
}

// MAUSDKsParams are the parameters of getMauSdksByType.
type MAUSDKsParams struct {
	Range
	SDKType string `json:"sdktype,omitempty" jsonschema:"description=SDK type,enum=client,enum=server"`
}

// IntervalCommon are the newest edition's aggregation and granularity for the
// monthly-billed interval endpoints.
type IntervalCommon struct {
	AggregationType string `json:"aggregationType,omitempty" jsonschema:"description=Cumulative or per bucket,enum=month_to_date,enum=incremental"`
	Granularity     string `json:"granularity,omitempty" jsonschema:"description=Bucket size,enum=daily,enum=hourly,enum=monthly"`
}

// DataExportEventsParams are the parameters of getDataExportEventsUsage.
type DataExportEventsParams struct {
	Range
	ProjectEnv
	EventKind []string `json:"eventKind,omitempty" jsonschema:"description=Event kind filter"`
	GroupBy   []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=environmentId,enum=eventKind"`
	IntervalCommon
}

// ExperimentationKeysParams are the parameters of getExperimentationKeysUsage.
type ExperimentationKeysParams struct {
	Range
	ProjectEnv
	ExperimentID []string `json:"experimentId,omitempty" jsonschema:"description=Experiment ID filter"`
	GroupBy      []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=experimentId"`
	IntervalCommon
}

// ExperimentationUnitsParams are the parameters of getExperimentationUnitsUsage
// (seed edition only: one project and one environment).
type ExperimentationUnitsParams struct {
	Range
	ProjectKey     string `json:"projectKey,omitempty" jsonschema:"description=Project key"`
	EnvironmentKey string `json:"environmentKey,omitempty" jsonschema:"description=Environment key (needs projectKey)"`
}

// ServiceConnectionsParams are the parameters of getServiceConnectionUsage.
type ServiceConnectionsParams struct {
	Range
	ProjectEnv
	ConnectionType []string `json:"connectionType,omitempty" jsonschema:"description=Connection type filter"`
	RelayVersion   []string `json:"relayVersion,omitempty" jsonschema:"description=Relay Proxy version filter"`
	SDKName        []string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	SDKVersion     []string `json:"sdkVersion,omitempty" jsonschema:"description=SDK version filter"`
	SDKType        []string `json:"sdkType,omitempty" jsonschema:"description=SDK type filter"`
	SDKAppID       []string `json:"sdkAppId,omitempty" jsonschema:"description=SDK application ID filter"`
	GroupBy        []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=connectionType,enum=relayVersion,enum=sdkName,enum=sdkVersion,enum=sdkType,enum=sdkAppId"`
	IntervalCommon
}

// --- The newest edition's endpoints (not in the seed). ---

// ContextAggregation is the aggregation of the MAU and contexts successors.
type ContextAggregation struct {
	AggregationType string `json:"aggregationType,omitempty" jsonschema:"description=Counting window,enum=month_to_date,enum=incremental,enum=rolling_30d"`
	Granularity     string `json:"granularity,omitempty" jsonschema:"description=Bucket size (e.g. daily)"`
}

// Anonymous filters the MAU and contexts successors by anonymity.
type Anonymous struct {
	Anonymous []string `json:"anonymous,omitempty" jsonschema:"description=Anonymity filter,enum=true,enum=false"`
}

// TotalMAUParams are the parameters of getMAUTotalUsage.
type TotalMAUParams struct {
	Range
	ProjectEnv
	SDKName []string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	SDKType []string `json:"sdkType,omitempty" jsonschema:"description=SDK type filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkType,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// ClientsideMAUParams are the parameters of getMAUClientsideUsage.
type ClientsideMAUParams struct {
	Range
	ProjectEnv
	SDKName []string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// TotalContextsParams are the parameters of getContextsTotalUsage.
type TotalContextsParams struct {
	Range
	ProjectEnv
	ContextKind []string `json:"contextKind,omitempty" jsonschema:"description=Context kind filter"`
	SDKName     []string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	SDKType     []string `json:"sdkType,omitempty" jsonschema:"description=SDK type filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkType,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// SideContextsParams are the parameters of getContextsClientsideUsage and
// getContextsServersideUsage.
type SideContextsParams struct {
	Range
	ProjectEnv
	ContextKind []string `json:"contextKind,omitempty" jsonschema:"description=Context kind filter"`
	SDKName     []string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// ExperimentationEventsParams are the parameters of getExperimentationEventsUsage.
type ExperimentationEventsParams struct {
	Range
	ProjectEnv
	EventKey  []string `json:"eventKey,omitempty" jsonschema:"description=Metric event key filter"`
	EventKind []string `json:"eventKind,omitempty" jsonschema:"description=Event kind filter"`
	GroupBy   []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=environmentId,enum=eventKey,enum=eventKind"`
	IntervalCommon
}

// WarehouseExportParams are the parameters of getWarehouseExportUsage.
type WarehouseExportParams struct {
	Range
	ProjectEnv
	Destination []string `json:"destination,omitempty" jsonschema:"description=Warehouse filter,enum=snowflake-v2,enum=databricks,enum=bigquery,enum=redshift,enum=clickhouse"`
	GroupBy     []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=destination"`
	IntervalCommon
}

// AIRunsParams are the parameters of getAIRunsUsage.
type AIRunsParams struct {
	Range
	ProjectEnv
	SDKName    []string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	SDKVersion []string `json:"sdkVersion,omitempty" jsonschema:"description=SDK version filter"`
	SDKType    []string `json:"sdkType,omitempty" jsonschema:"description=SDK type filter"`
	GroupBy    []string `json:"groupBy,omitempty" jsonschema:"description=Split into one series per value,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkVersion,enum=sdkType"`
	IntervalCommon
}

// ProjectOnly filters observability and Vega AI usage by project.
type ProjectOnly struct {
	ProjectKey []string `json:"projectKey,omitempty" jsonschema:"description=Project key"`
}

// ObservabilityParams are the parameters of the observability errors, logs,
// sessions and traces endpoints, and of getVegaAIUsage.
type ObservabilityParams struct {
	Range
	ProjectOnly
	Granularity     string `json:"granularity,omitempty" jsonschema:"description=Bucket size (e.g. daily)"`
	AggregationType string `json:"aggregationType,omitempty" jsonschema:"description=Counting window,enum=month_to_date,enum=incremental,enum=rolling_30d"`
}

// ObservabilityMetricsParams are the parameters of getObservabilityMetricsUsage.
type ObservabilityMetricsParams struct {
	Range
	ProjectOnly
	Granularity     string `json:"granularity,omitempty" jsonschema:"description=Bucket size (e.g. daily)"`
	AggregationType string `json:"aggregationType,omitempty" jsonschema:"description=Cumulative or average,enum=month_to_date,enum=average"`
}

// SDKAllVersionsParams are the parameters of getSdkAllVersions.
type SDKAllVersionsParams struct {
	EnvironmentID  string `json:"environmentId,omitempty" jsonschema:"description=Environment ID filter"`
	ProjectID      string `json:"projectId,omitempty" jsonschema:"description=Project ID filter"`
	SDKName        string `json:"sdkName,omitempty" jsonschema:"description=SDK name filter"`
	SDKType        string `json:"sdkType,omitempty" jsonschema:"description=SDK type filter"`
	SDKAppID       string `json:"sdkAppId,omitempty" jsonschema:"description=SDK application ID filter"`
	ConnectionType string `json:"connectionType,omitempty" jsonschema:"description=Connection type filter"`
}

// NoParams is the parameter set of an endpoint that takes none.
type NoParams struct{}
