package answer

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// This file holds the figures of a time series: per series its statistics
// and per calendar month its figure, then the one figure that answers "how
// much" (the headline). What a point means and which figure answers come
// from one place, client.Endpoint.Meaning; text.go only renders them.

// frame is what the figures of one answer are read against: the range asked
// for (to exclusive), the time of the call, the zone of its days, and what
// the points mean.
type frame struct {
	from, to, now time.Time
	loc           *time.Location
	meaning       client.Meaning
	step          time.Duration // bucket length (0: unknown; months vary)
	monthly       bool
	// across says whether the series add up, split as they are
	// (client.Endpoint.Across); parts names what they are ("context kinds").
	across bool
	parts  string
	// over are the dimensions that overlap where others partition (contexts
	// by kind and project): series add up within each value of over, and
	// those groups overlap; within names what adds up in a group.
	over   []string
	within string
}

// overlapping splits the dimensions of an answer whose series do not all
// add up into those that overlap and those that partition, where there are
// both.
func overlapping(ep *client.Endpoint, agg string, dims []string) (over []string, within string) {
	var part []string
	for _, d := range dims {
		if adds, _ := ep.Across(agg, []string{d}); adds {
			part = append(part, d)
		} else {
			over = append(over, d)
		}
	}
	if len(part) == 0 || len(over) == 0 {
		return nil, ""
	}
	_, within = ep.Across(agg, part)
	return over, within
}

// series summarises a time series response.
func (s *Summary) series(ep *client.Endpoint, resp *client.Response, in SummaryInput) {
	s.Kind = "series"
	m, ok := ep.Meaning(in.Aggregation)
	if !ok {
		// An aggregation the table does not know (a newer API): read the
		// points as plain per-bucket values and say nothing more than that.
		m = client.Meaning{Point: client.PointCount, Figure: client.FigureLatest, Words: "value in the bucket"}
	}
	s.Aggregation, s.AggregationDefault = in.Aggregation, in.AggDefault && in.Aggregation != ""
	s.Point, s.Figure, s.Meaning, s.Unit, s.figure = pointNames[m.Point], m.Figure.String(), m.Words, ep.Noun, m.Figure
	if s.Unit == "" {
		s.Unit = "units"
	}
	adds := m.Adds
	s.Summable = &adds

	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	f := frame{from: in.From, to: in.To, now: in.Now, loc: loc, meaning: m}
	if f.now.IsZero() {
		f.now = time.Now()
	}
	if !in.From.IsZero() || !in.To.IsZero() {
		s.Range = &SummaryRange{From: RFC3339(in.From), To: RFC3339(in.To), TZ: loc.String()}
	}

	s.Series = make([]SeriesSummary, len(resp.Series))
	minT, maxT := int64(math.MaxInt64), int64(math.MinInt64)
	longest := -1
	for i := range resp.Series {
		sr := &resp.Series[i]
		st := &s.Series[i]
		st.Key = sr.Key
		st.meta = named(sr.Meta, in.Names)
		st.Label = metaLabel(st.meta, sr.Key)
		lo, hi := summariseSeries(sr, st, !m.Adds)
		if st.Points == 0 {
			continue
		}
		minT, maxT = min(minT, lo), max(maxT, hi)
		if longest < 0 || st.Points > s.Series[longest].Points {
			longest = i
		}
	}
	s.Granularity = in.Granularity
	if longest >= 0 {
		sr := &resp.Series[longest]
		if g := detectGranularity(sr.Times[:min(len(sr.Times), len(sr.Values))]); g != "unknown" {
			s.Granularity = g
		}
		s.from, s.to = smMsTime(minT), smMsTime(maxT)
		s.DataFrom, s.DataTo = RFC3339(s.from), RFC3339(s.to)
	}
	if s.Granularity == "" {
		s.Granularity = "unknown"
		if ep.Granularity == client.Daily {
			s.Granularity = "daily" // one point or none: the endpoint is always daily
		}
	}
	f.step, f.monthly = bucketLength[s.Granularity], s.Granularity == "monthly"
	f.across, f.parts = m.Across, "series"
	if ok {
		dims := splitDims(s.Series)
		f.across, f.parts = ep.Across(in.Aggregation, dims)
		if !f.across {
			f.over, f.within = overlapping(ep, in.Aggregation, dims)
		}
	}
	across := f.across
	s.AddsAcross = &across
	s.frame = f

	for i, sr := range resp.Series {
		st := &s.Series[i]
		if st.Points == 0 {
			continue
		}
		if monthly(m.Figure) && (m.Figure != client.FigureSum || s.to.Sub(s.from) <= maxSumMonths*31*24*time.Hour) {
			st.Months = monthFigures(&sr, f)
		}
		st.Figure = seriesFigure(st, m.Figure)
	}

	slices.SortStableFunc(s.Series, func(a, b SeriesSummary) int {
		switch {
		case a.Points > 0 && b.Points == 0:
			return -1
		case a.Points == 0 && b.Points > 0:
			return 1
		case a.Figure > b.Figure:
			return -1
		case a.Figure < b.Figure:
			return 1
		}
		if c := strings.Compare(a.Label, b.Label); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})

	if longest < 0 {
		s.Empty = true
		s.Hint = emptyHint(ep)
		return
	}
	if allZero(s.Series) {
		s.Hint = "every value is 0: " + strings.TrimPrefix(emptyHint(ep), "no data: ")
	}
	s.Headline = headline(ep, s.Series, f, resp)
	s.Counted = counted(s, f, longest >= 0 && m.Figure != client.FigureMonthEnd && m.Figure != client.FigureLatest, s.Series)
	if m.Point == client.PointCount || m.Point == client.PointNew {
		s.markInProgress()
	}
	if len(resp.Projected) > 0 {
		s.Projection = projection(ep, resp, f)
	}
	if a := ep.Assumed(); a != "" {
		s.Assumed = a
	}
}

// maxSumMonths bounds the months a sum is split into: LaunchDarkly's ranges
// reach a year; past three, a list of months says nothing more and costs
// memory by the month.
const maxSumMonths = 37

// monthly reports whether the figure has a value per calendar month: the
// monthly figures, and sums (each month's part of the total).
func monthly(fig client.Figure) bool {
	return fig == client.FigureMonthEnd || fig == client.FigureMonthSum || fig == client.FigureSum
}

// splitDims are the dimensions the series are split by: the metadata keys
// whose values differ between series with points.
func splitDims(ss []SeriesSummary) []string {
	var out []string
	var first map[string]any
	for _, st := range ss {
		if st.Points == 0 {
			continue
		}
		if first == nil {
			first = st.meta
			if first == nil {
				first = map[string]any{}
			}
			continue
		}
		for k, v := range st.meta {
			if fv, ok := first[k]; (!ok || metaValue(fv) != metaValue(v)) && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		for k := range first {
			if _, ok := st.meta[k]; !ok && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

var pointNames = map[client.Point]string{
	client.PointCumulative: "cumulative",
	client.PointNew:        "new",
	client.PointTrailing:   "trailing30d",
	client.PointCount:      "count",
	client.PointLevel:      "level",
	client.PointAverage:    "average",
}

// seriesFigure is the figure of one series that answers how much: for
// monthly figures, that of the latest month.
func seriesFigure(st *SeriesSummary, fig client.Figure) float64 {
	switch fig {
	case client.FigureMonthEnd, client.FigureMonthSum:
		if n := len(st.Months); n > 0 {
			return st.Months[n-1].Value
		}
		return st.Last
	case client.FigureLatest:
		return st.Last
	case client.FigureSum:
		return st.Sum
	case client.FigurePeak:
		return st.Max
	case client.FigureMean:
		return st.Mean
	}
	return st.Last
}

// bucketLength is the length of one bucket of a detected granularity (zero
// when it has none).
var bucketLength = map[string]time.Duration{
	"minutely": time.Minute, "hourly": time.Hour, "daily": 24 * time.Hour, "weekly": 7 * 24 * time.Hour,
}

// markInProgress notes a last bucket that is still running at the time of
// the call: it holds only part of its period, so it reads low (a -90%
// "change" on a day that has just begun means nothing). A bucket that only
// reaches past the end of the range asked, but is over, is not in progress
// (Counted says which buckets the figure covers). Only points counted per
// bucket are marked: cumulative, trailing and level points are read as they are.
func (s *Summary) markInProgress() {
	step := bucketLength[s.Granularity]
	if s.Granularity == "monthly" {
		step = s.to.AddDate(0, 1, 0).Sub(s.to)
	}
	if step == 0 || !s.to.Add(step).After(s.frame.now) || s.to.After(s.frame.now) {
		return
	}
	s.InProgress = RFC3339(s.to)
}

func emptyHint(ep *client.Endpoint) string {
	what := "a filter may match nothing"
	for _, p := range ep.PathParams() {
		if p == "featureFlagKey" {
			what = "the project/environment/flag key may be wrong"
		}
	}
	return "no data: " + what + ", or the range is before the account had usage"
}

func allZero(ss []SeriesSummary) bool {
	for _, st := range ss {
		if st.Points > 0 && (st.Min != 0 || st.Max != 0) {
			return false
		}
	}
	return true
}

// Finite keeps JSON encodable: ±Inf becomes ±MaxFloat64, NaN 0.
func Finite(v float64) float64 {
	switch {
	case v != v:
		return 0
	case v > math.MaxFloat64:
		return math.MaxFloat64
	case v < -math.MaxFloat64:
		return -math.MaxFloat64
	}
	return v
}

func IsFinite(v float64) bool { return v == v && v <= math.MaxFloat64 && v >= -math.MaxFloat64 }

// summariseSeries fills st from sr in one pass over the points, with no
// allocation per point, and returns the smallest and largest timestamp.
// Points that are not finite numbers are skipped. The sparkline downsamples
// into at most sparkWidth buckets, by maximum when peak is set (points that do
// not add up: a bucket's mean would hide a spike), else by mean.
func summariseSeries(sr *client.Series, st *SeriesSummary, peak bool) (lo, hi int64) {
	vals, times := sr.Values, sr.Times
	n := min(len(vals), len(times))
	if n == 0 {
		return 0, 0
	}
	k := (n + sparkWidth - 1) / sparkWidth // points per sparkline bucket
	var bsum, bmax [sparkWidth]float64
	var bcnt [sparkWidth]int
	var sum, mn, mx, first, last float64
	var cnt int
	var maxT, lastT int64
	lo, hi = math.MaxInt64, math.MinInt64
	b, inB := 0, 0 // bucket index and position within it
	for i := 0; i < n; i++ {
		v, t := vals[i], times[i]
		if inB == k {
			b, inB = b+1, 0
		}
		inB++
		if v != v || v > math.MaxFloat64 || v < -math.MaxFloat64 {
			continue
		}
		if cnt == 0 {
			mn, mx, first, maxT = v, v, v, t
		} else if v < mn {
			mn = v
		} else if v > mx {
			mx, maxT = v, t
		}
		cnt++
		sum += v
		last, lastT = v, t
		lo, hi = min(lo, t), max(hi, t)
		if bcnt[b] == 0 || v > bmax[b] {
			bmax[b] = v
		}
		bsum[b] += v
		bcnt[b]++
	}
	st.Points = cnt
	if cnt == 0 {
		return 0, 0
	}
	mean := sum / float64(cnt)
	if !IsFinite(sum) { // only near ±MaxFloat64: a running mean of halves cannot overflow
		half, j := 0.0, 0
		for _, v := range vals[:n] {
			if IsFinite(v) {
				j++
				half += (v/2 - half) / float64(j)
			}
		}
		mean = 2 * half
	}
	st.Sum, st.Min, st.Max, st.Mean, st.Last = Finite(sum), mn, mx, Finite(mean), last
	st.maxT, st.lastT = maxT, lastT
	st.Time, st.LastTime = RFC3339(smMsTime(maxT)), RFC3339(smMsTime(lastT))
	fst := first
	st.First = &fst
	ch := Finite(last - first)
	st.Change = &ch
	if first != 0 && cnt > 1 {
		if p := (last - first) / math.Abs(first) * 100; IsFinite(p) {
			st.ChangePct = &p
		}
	}

	// Sparkline over the buckets that hold points.
	var bv [sparkWidth]float64
	nb := 0
	for i := 0; i <= b; i++ {
		if bcnt[i] == 0 {
			continue
		}
		if peak {
			bv[nb] = bmax[i]
		} else {
			bv[nb] = bsum[i] / float64(bcnt[i])
			if !IsFinite(bv[nb]) {
				bv[nb] = bmax[i]
			}
		}
		nb++
	}
	st.Sparkline = sparkline(bv[:nb])
	return lo, hi
}

// sparkline draws values as glyphs scaled between their minimum and maximum.
func sparkline(v []float64) string {
	if len(v) == 0 {
		return ""
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	var buf [sparkWidth * 3]byte
	out := buf[:0]
	span := hi/2 - lo/2 // halves: no overflow between ±MaxFloat64
	for _, x := range v {
		g := 3
		switch {
		case span > 0:
			g = int((x/2-lo/2)/span*7 + 0.5)
			g = max(0, min(7, g))
		case hi == 0:
			g = 0
		}
		out = utf8.AppendRune(out, sparkGlyphs[g])
	}
	return string(out)
}

// metaLabel renders metadata as sorted key=value pairs, or the series key
// when there is none.
func metaLabel(meta map[string]any, key string) string {
	if len(meta) == 0 {
		return key
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return smPairs(keys, meta)
}

func metaValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// detectGranularity names the bucket size from the gaps between timestamps
// (ms): the smallest gap sets the size, and every other gap must be a whole
// number of buckets (days may be 23 or 25 hours long in a zone with daylight
// saving time).
func detectGranularity(times []int64) string {
	if len(times) < 2 {
		return "unknown"
	}
	const (
		minute = int64(time.Minute / time.Millisecond)
		hour   = 60 * minute
		day    = 24 * hour
		week   = 7 * day
	)
	base := int64(math.MaxInt64)
	for i := 1; i < len(times); i++ {
		d := times[i] - times[i-1]
		if d <= 0 {
			return "irregular"
		}
		base = min(base, d)
	}
	whole := func(d, unit, tol int64) bool {
		n := (d + unit/2) / unit
		return n >= 1 && smAbs64(d-n*unit) <= tol*n
	}
	var name string
	var fits func(d int64) bool
	switch {
	case base == minute:
		name, fits = "minutely", func(d int64) bool { return d%minute == 0 }
	case base == hour:
		name, fits = "hourly", func(d int64) bool { return d%hour == 0 }
	case base >= day-hour && base <= day+hour:
		name, fits = "daily", func(d int64) bool { return whole(d, day, hour) }
	case base >= week-hour && base <= week+hour:
		name, fits = "weekly", func(d int64) bool { return whole(d, week, hour) }
	case base >= 28*day-hour && base <= 31*day+hour:
		name, fits = "monthly", func(d int64) bool { return d <= 31*day+hour }
	default:
		return "irregular"
	}
	for i := 1; i < len(times); i++ {
		if !fits(times[i] - times[i-1]) {
			return "irregular"
		}
	}
	return name
}

func smAbs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
