package client

import (
	"slices"
	"strings"
)

// Point says what one point of a series is.
type Point int

const (
	// PointCumulative is a running total within the calendar month
	// (month_to_date): a month's figure is its last point.
	PointCumulative Point = iota
	// PointNew is what was first seen in the month within the bucket
	// (incremental unique counts): a month's buckets add up to its figure.
	PointNew
	// PointTrailing covers the 30 days up to the bucket (rolling_30d): read the latest.
	PointTrailing
	// PointCount counts what happened in the bucket: buckets add up.
	PointCount
	// PointLevel is a level in the bucket (connections open): read the peak.
	PointLevel
	// PointAverage is an average over the bucket: read the mean.
	PointAverage
)

// Figure says which figure of a series answers "how much".
type Figure int

const (
	// FigureMonthEnd is the last point of each month.
	FigureMonthEnd Figure = iota
	// FigureMonthSum is the sum of the points within each month.
	FigureMonthSum
	// FigureLatest is the latest point.
	FigureLatest
	// FigureSum is the sum of the points.
	FigureSum
	// FigurePeak is the largest point.
	FigurePeak
	// FigureMean is the mean of the points.
	FigureMean
)

// String names the figure as summaries and schemas show it.
func (f Figure) String() string {
	return [...]string{"monthEnd", "monthSum", "latest", "sum", "peak", "mean"}[f]
}

// Words say which figure answers "how much", for a person or a model.
func (f Figure) Words() string {
	return [...]string{
		"a month's figure is its last point",
		"a month's figure is the sum of its points",
		"read the latest point",
		"points add up",
		"read the peak, never a sum over time",
		"read the mean",
	}[f]
}

// Meaning is what the points of one endpoint under one aggregation are, and
// how to read them. It is the one place that says so: summaries, the
// emulator and the output schemas all read it.
type Meaning struct {
	Point  Point
	Figure Figure
	// Words say what one point is, in a few words for a person or a model.
	Words string
	// Adds reports whether points may be added up over time (within a month
	// for PointNew).
	Adds bool
	// Across reports whether series of one answer may be added up: counts
	// split by a dimension partition the whole; unique counts and levels overlap.
	Across bool
}

type meaningKey struct {
	m   Measure
	agg string
}

// meanings is the table: per measure and aggregationType ("" where the
// endpoint takes none), what a point is and which figure answers how much.
var meanings = map[meaningKey]Meaning{
	{Unique, "month_to_date"}:     {Point: PointCumulative, Figure: FigureMonthEnd, Words: "unique so far in the calendar month (cumulative)"},
	{Unique, "incremental"}:       {Point: PointNew, Figure: FigureMonthSum, Adds: true, Words: "first seen this month, in the bucket (new)"},
	{Unique, "daily_incremental"}: {Point: PointNew, Figure: FigureMonthSum, Adds: true, Words: "first seen this month, on the day (new)"},
	{Unique, "rolling_30d"}:       {Point: PointTrailing, Figure: FigureLatest, Words: "unique in the 30 days up to the bucket"},
	{Count, "month_to_date"}:      {Point: PointCumulative, Figure: FigureMonthEnd, Across: true, Words: "total so far in the calendar month (cumulative)"},
	{Count, "incremental"}:        {Point: PointCount, Figure: FigureSum, Adds: true, Across: true, Words: "count in the bucket"},
	{Count, ""}:                   {Point: PointCount, Figure: FigureSum, Adds: true, Across: true, Words: "count in the bucket"},
	{Count, "rolling_30d"}:        {Point: PointTrailing, Figure: FigureLatest, Across: true, Words: "total over the 30 days up to the bucket"},
	{Count, "average"}:            {Point: PointAverage, Figure: FigureMean, Words: "average over the bucket"},
	{Level, ""}:                   {Point: PointLevel, Figure: FigurePeak, Words: "connections in the bucket (a level: read the peak)"},
}

// Meaning returns what the points of e are under aggregation agg ("" for the
// endpoint's default). ok is false for an aggregation the endpoint does not take.
func (e *Endpoint) Meaning(agg string) (m Meaning, ok bool) {
	a, ok := e.Agg(agg)
	if !ok {
		return Meaning{}, false
	}
	m, ok = meanings[meaningKey{e.Measure, a.Name}]
	return m, ok
}

// Whether the series of one answer add up depends on the dimension the
// answer is split by as much as on the measure: a context has one kind and a
// connection one SDK and version (they partition), while a context seen in
// two projects counts in both (projects overlap for unique counts). The
// tables below say so per measure and dimension; Across reads them.

// dims names each dimension once, whatever the request or the metadata
// calls it (groupBy values, groupby values, metadata keys, Fixed), with its
// plural noun for "sum of 3 context kinds".
var dims = map[string]struct{ name, noun string }{
	"contextKind":    {"contextKind", "context kinds"},
	"experimentId":   {"experiment", "experiments"},
	"experimentKey":  {"experiment", "experiments"},
	"projectId":      {"project", "projects"},
	"projectKey":     {"project", "projects"},
	"project":        {"project", "projects"},
	"environmentId":  {"environment", "environments"},
	"environmentKey": {"environment", "environments"},
	"environment":    {"environment", "environments"},
	"sdk":            {"sdk", "SDKs"},
	"sdkName":        {"sdk", "SDKs"},
	"version":        {"version", "SDK versions"},
	"sdkVersion":     {"version", "SDK versions"},
	"sdktype":        {"sdkType", "SDK types"},
	"sdkType":        {"sdkType", "SDK types"},
	"sdkAppId":       {"app", "apps"},
	"anonymous":      {"anonymous", "anonymity groups"},
	"anonymousV2":    {"anonymous", "anonymity groups"},
	"category":       {"category", "categories"},
	"variation":      {"variation", "variations"},
	"connectionType": {"connectionType", "connection types"},
	"relayVersion":   {"relayVersion", "Relay versions"},
	"eventKind":      {"eventKind", "event kinds"},
	"eventKey":       {"eventKey", "event keys"},
	"destination":    {"destination", "destinations"},
}

// partitions lists, per measure, the dimensions whose series add up: every
// counted thing falls in exactly one of their values, and LaunchDarkly's
// billing adds them. "*" is every dimension. A measure not listed adds
// across nothing.
//   - Count: what happened in a bucket happened once, in one project,
//     environment, SDK, variation or kind: every split partitions (as the
//     aggregation allows: see Meaning.Across).
//   - Level: each streaming connection has one SDK, one version, one
//     source: the account's level is the per-bucket sum of the series.
//   - Unique: a context has one context kind, so kinds partition (each kind
//     contributes its own cardinality); a context seen in two projects,
//     environments, SDKs, SDK types, apps or categories counts in each, so
//     those overlap.
var partitions = map[Measure][]string{
	Count:  {"*"},
	Level:  {"*"},
	Unique: {"contextKind"},
}

// opPartitions adds dimensions that partition for one operation's unique
// count: LaunchDarkly bills an experimentation key once per experiment ("a
// context key in two experiments counts as two keys"), and an experiment
// lives in one environment of one project, so keys split by experiment,
// environment or project add up.
var opPartitions = map[string][]string{
	"getExperimentationKeysUsage":  {"experiment", "environment", "project"},
	"getExperimentationUnitsUsage": {"experiment", "environment", "project"},
}

// DimName is the one name of a dimension, whatever the request or the
// metadata calls it ("projectId" and "projectKey" are "project"); a name the
// table does not know is itself.
func DimName(key string) string {
	if d, ok := dims[key]; ok {
		return d.name
	}
	return key
}

// partitionsBy reports whether the endpoint's series split by one dimension
// add up, for a meaning whose points may add across series at all.
func (e *Endpoint) partitionsBy(dim string) bool {
	name := DimName(dim)
	for _, d := range partitions[e.Measure] {
		if d == "*" || d == name {
			return true
		}
	}
	for _, d := range opPartitions[e.Operation] {
		if d == name {
			return true
		}
	}
	return false
}

// Across reports whether the series of an answer under aggregation agg,
// split by the dimensions split (metadata keys or groupBy values; Fixed ones
// included), add up to a total, and names what the total adds ("context
// kinds", "SDK versions", "experiments"; "series" when split by several
// dimensions or none). Without a dimension it says what the meaning says.
func (e *Endpoint) Across(agg string, split []string) (adds bool, what string) {
	m, ok := e.Meaning(agg)
	if !ok {
		return false, "series"
	}
	var names []string
	for _, d := range split {
		n := DimName(d)
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch {
	case len(names) == 0:
		return m.Across, "series"
	case m.Point == PointAverage:
		return false, "series"
	case e.Measure == Count && !m.Across:
		return false, "series"
	}
	for _, n := range names {
		if !e.partitionsBy(n) {
			return false, nounOf(names)
		}
	}
	return true, nounOf(names)
}

// nounOf names series split by names: the dimension's plural noun, "SDK
// versions" for SDK and version together, else "series".
func nounOf(names []string) string {
	switch {
	case len(names) == 1:
		for _, d := range dims {
			if d.name == names[0] {
				return d.noun
			}
		}
	case len(names) == 2 && slices.Contains(names, "sdk") && slices.Contains(names, "version"):
		return "SDK versions"
	}
	return "series"
}

// PartitionsWords say, for a person or a model, across which of the
// dimensions the endpoint can split by its series add up: for the output
// schema and the prompts.
func (e *Endpoint) PartitionsWords() string {
	switch e.Measure {
	case Level:
		return "adds per bucket"
	case Count:
		return "series add up"
	}
	can := slices.Clone(e.Fixed)
	for _, g := range []string{"groupBy", "groupby"} {
		if p, ok := e.Param(g); ok {
			can = append(can, p.Enum...)
		}
	}
	var nouns []string
	for _, d := range can {
		if n := nounOf([]string{DimName(d)}); e.partitionsBy(d) && !slices.Contains(nouns, n) {
			nouns = append(nouns, n)
		}
	}
	if len(nouns) == 0 {
		return "no total"
	}
	return "adds across " + strings.Join(nouns, ", ") + " only"
}

// assumed says, per operation, where the reading of the points is this
// server's assumption rather than LaunchDarkly's document, and why.
var assumed = map[string]string{
	"getMauUsageByCategory": "LaunchDarkly's document does not say how /usage/mau/bycategory aggregates its points; " +
		"they are read here as trailing 30-day unique counts, like the default (rolling_30d) of /usage/mau it splits by category: an assumption",
}

// Assumed says where the reading of the endpoint's points is assumed, not
// documented by LaunchDarkly, and why ("" where it is documented).
func (e *Endpoint) Assumed() string { return assumed[e.Operation] }
