package client

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
		"read the peak, never a sum",
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
