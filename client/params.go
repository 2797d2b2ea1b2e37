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
// relative time ("-7d") or Unix seconds/milliseconds, as a JSON string or number.
type Time any

// Range is the from/to pair of every time-series endpoint.
type Range struct {
	From Time `json:"from,omitempty" jsonschema:"description=Start"` // description and type: schemas.Reflect, per endpoint
	To   Time `json:"to,omitempty" jsonschema:"description=End"`
}

// StreamSource is the path parameter of the stream endpoints.
type StreamSource struct {
	Source string `json:"source" in:"path" jsonschema:"description=SDK side,enum=client,enum=server"`
}

// TZ is the time zone used for day boundaries in daily data.
type TZ struct {
	TZ string `json:"tz,omitempty" jsonschema:"description=Time zone (default UTC)"`
}

// ProjectEnv filters interval endpoints to one environment of one project (seed edition)
// or to several (newest edition); environmentKey requires projectKey.
type ProjectEnv struct {
	ProjectKey     []string `json:"projectKey,omitempty" jsonschema:"description=Filter"`
	EnvironmentKey []string `json:"environmentKey,omitempty" jsonschema:"description=Filter; one projectKey"`
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
	SDK     string `json:"sdk,omitempty" jsonschema:"description=SDK name"`
	Version string `json:"version,omitempty" jsonschema:"description=SDK version"`
}

// StreamSDKVersionsParams are the parameters of getStreamUsageSdkversion.
type StreamSDKVersionsParams struct {
	StreamSource
}

// MAUParams are the parameters of getMauUsage.
type MAUParams struct {
	Range
	Project         []string `json:"project,omitempty" jsonschema:"description=Project keys"`
	Environment     []string `json:"environment,omitempty" jsonschema:"description=Environment keys (one project)"`
	SDKType         []string `json:"sdktype,omitempty" jsonschema:"description=SDK sides,enum=client,enum=server"`
	SDK             []string `json:"sdk,omitempty" jsonschema:"description=SDK names"`
	Anonymous       string   `json:"anonymous,omitempty" jsonschema:"description=Only anonymous (true) or only identified (false) users,enum=true,enum=false"`
	GroupBy         []string `json:"groupby,omitempty" jsonschema:"description=Split by,enum=project,enum=environment,enum=sdktype,enum=sdk,enum=anonymous,enum=contextKind,enum=sdkAppId"`
	AggregationType string   `json:"aggregationType,omitempty"` // enum, default and words: Endpoint.Aggs
	ContextKind     []string `json:"contextKind,omitempty" jsonschema:"description=Filter (default user)"`
}

// MAUByCategoryParams are the parameters of getMauUsageByCategory.
type MAUByCategoryParams struct {
	Range
}

// MAUSDKsParams are the parameters of getMauSdksByType.
type MAUSDKsParams struct {
	Range
	SDKType string `json:"sdktype,omitempty" jsonschema:"description=SDK side,enum=client,enum=server"`
}

// IntervalCommon are the newest edition's aggregation and granularity for the
// monthly-billed interval endpoints.
type IntervalCommon struct {
	AggregationType string `json:"aggregationType,omitempty"`
	Granularity     string `json:"granularity,omitempty"`
}

// DataExportEventsParams are the parameters of getDataExportEventsUsage.
type DataExportEventsParams struct {
	Range
	ProjectEnv
	EventKind []string `json:"eventKind,omitempty" jsonschema:"description=Filter"`
	GroupBy   []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=environmentId,enum=eventKind"`
	IntervalCommon
}

// ExperimentationKeysParams are the parameters of getExperimentationKeysUsage.
type ExperimentationKeysParams struct {
	Range
	ProjectEnv
	ExperimentID []string `json:"experimentId,omitempty" jsonschema:"description=Filter"`
	GroupBy      []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=experimentId"`
	IntervalCommon
}

// ExperimentationUnitsParams are the parameters of getExperimentationUnitsUsage
// (seed edition only: one project and one environment; removed upstream).
type ExperimentationUnitsParams struct {
	Range
	ProjectKey     string `json:"projectKey,omitempty" jsonschema:"description=Project key"`
	EnvironmentKey string `json:"environmentKey,omitempty" jsonschema:"description=Environment key; needs projectKey"`
}

// ServiceConnectionsParams are the parameters of getServiceConnectionUsage.
type ServiceConnectionsParams struct {
	Range
	ProjectEnv
	ConnectionType []string `json:"connectionType,omitempty" jsonschema:"description=Filter (e.g. direct\\, proxy)"`
	RelayVersion   []string `json:"relayVersion,omitempty" jsonschema:"description=Filter"`
	SDKName        []string `json:"sdkName,omitempty" jsonschema:"description=Filter"`
	SDKVersion     []string `json:"sdkVersion,omitempty" jsonschema:"description=Filter"`
	SDKType        []string `json:"sdkType,omitempty" jsonschema:"description=Filter"`
	SDKAppID       []string `json:"sdkAppId,omitempty" jsonschema:"description=Filter"`
	GroupBy        []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=connectionType,enum=relayVersion,enum=sdkName,enum=sdkVersion,enum=sdkType,enum=sdkAppId"`
	IntervalCommon
}

// --- The newest edition's endpoints (not in the seed). ---

// ContextAggregation is the aggregation of the MAU and contexts successors.
type ContextAggregation struct {
	AggregationType string `json:"aggregationType,omitempty"`
	Granularity     string `json:"granularity,omitempty"`
}

// Anonymous filters the MAU and contexts successors by anonymity.
type Anonymous struct {
	Anonymous []string `json:"anonymous,omitempty" jsonschema:"description=Filter,enum=true,enum=false"`
}

// TotalMAUParams are the parameters of getMAUTotalUsage.
type TotalMAUParams struct {
	Range
	ProjectEnv
	SDKName []string `json:"sdkName,omitempty" jsonschema:"description=Filter"`
	SDKType []string `json:"sdkType,omitempty" jsonschema:"description=Filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkType,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// ClientsideMAUParams are the parameters of getMAUClientsideUsage.
type ClientsideMAUParams struct {
	Range
	ProjectEnv
	SDKName []string `json:"sdkName,omitempty" jsonschema:"description=Filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// TotalContextsParams are the parameters of getContextsTotalUsage.
type TotalContextsParams struct {
	Range
	ProjectEnv
	ContextKind []string `json:"contextKind,omitempty" jsonschema:"description=Filter"`
	SDKName     []string `json:"sdkName,omitempty" jsonschema:"description=Filter"`
	SDKType     []string `json:"sdkType,omitempty" jsonschema:"description=Filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkType,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// SideContextsParams are the parameters of getContextsClientsideUsage and
// getContextsServersideUsage.
type SideContextsParams struct {
	Range
	ProjectEnv
	ContextKind []string `json:"contextKind,omitempty" jsonschema:"description=Filter"`
	SDKName     []string `json:"sdkName,omitempty" jsonschema:"description=Filter"`
	Anonymous
	GroupBy []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkAppId,enum=anonymousV2"`
	ContextAggregation
}

// ExperimentationEventsParams are the parameters of getExperimentationEventsUsage.
type ExperimentationEventsParams struct {
	Range
	ProjectEnv
	EventKey  []string `json:"eventKey,omitempty" jsonschema:"description=Filter"`
	EventKind []string `json:"eventKind,omitempty" jsonschema:"description=Filter"`
	GroupBy   []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=environmentId,enum=eventKey,enum=eventKind"`
	IntervalCommon
}

// WarehouseExportParams are the parameters of getWarehouseExportUsage.
type WarehouseExportParams struct {
	Range
	ProjectEnv
	Destination []string `json:"destination,omitempty" jsonschema:"description=Filter,enum=snowflake-v2,enum=databricks,enum=bigquery,enum=redshift,enum=clickhouse"`
	GroupBy     []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=destination"`
	IntervalCommon
}

// AIRunsParams are the parameters of getAIRunsUsage.
type AIRunsParams struct {
	Range
	ProjectEnv
	SDKName    []string `json:"sdkName,omitempty" jsonschema:"description=Filter"`
	SDKVersion []string `json:"sdkVersion,omitempty" jsonschema:"description=Filter"`
	SDKType    []string `json:"sdkType,omitempty" jsonschema:"description=Filter"`
	GroupBy    []string `json:"groupBy,omitempty" jsonschema:"description=Split by,enum=projectId,enum=environmentId,enum=sdkName,enum=sdkVersion,enum=sdkType"`
	IntervalCommon
}

// ProjectOnly filters observability and Vega AI usage by project.
type ProjectOnly struct {
	ProjectKey []string `json:"projectKey,omitempty" jsonschema:"description=Filter"`
}

// ObservabilityParams are the parameters of the observability errors, logs,
// sessions and traces endpoints, and of getVegaAIUsage.
type ObservabilityParams struct {
	Range
	ProjectOnly
	Granularity     string `json:"granularity,omitempty"`
	AggregationType string `json:"aggregationType,omitempty"`
}

// ObservabilityMetricsParams are the parameters of getObservabilityMetricsUsage.
type ObservabilityMetricsParams struct {
	Range
	ProjectOnly
	Granularity     string `json:"granularity,omitempty"`
	AggregationType string `json:"aggregationType,omitempty"`
}

// SDKAllVersionsParams are the parameters of getSdkAllVersions.
type SDKAllVersionsParams struct {
	EnvironmentID  string `json:"environmentId,omitempty" jsonschema:"description=Environment ID"`
	ProjectID      string `json:"projectId,omitempty" jsonschema:"description=Project ID"`
	SDKName        string `json:"sdkName,omitempty" jsonschema:"description=SDK name"`
	SDKType        string `json:"sdkType,omitempty" jsonschema:"description=SDK type (e.g. server\\, browser\\, mobile)"`
	SDKAppID       string `json:"sdkAppId,omitempty" jsonschema:"description=SDK app ID"`
	ConnectionType string `json:"connectionType,omitempty" jsonschema:"description=Connection type (e.g. direct\\, proxy)"`
}

// NoParams is the parameter set of an endpoint that takes none.
type NoParams struct{}
