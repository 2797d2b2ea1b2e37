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

// Headline is the figure that answers "how much" for the whole answer, with
// what it is of.
type Headline struct {
	Value float64 `json:"value"`
	// Text says the figure in words: what it counts, over which period, and
	// whether that period is complete.
	Text string `json:"text"`
	// Of says what the value is made from: "series" (the answer's one
	// series), "sum of series" (series that add up) or "largest series"
	// (series that overlap, such as unique counts by SDK: no total).
	Of    string `json:"of"`
	Label string `json:"label,omitempty"` // the series, for "largest series"
	// Month is the calendar month (2006-01) of a monthly figure; Status is
	// complete, inProgress (the month is still running) or partial (the
	// range covers only part of it).
	Month  string `json:"month,omitempty"`
	Status string `json:"status,omitempty"`
	// Billed converts the value into billed units where LaunchDarkly bills
	// in another unit (43,800 service connection minutes = 1 service connection).
	Billed     *float64      `json:"billed,omitempty"`
	BilledUnit string        `json:"billedUnit,omitempty"`
	Months     []MonthFigure `json:"months,omitempty"` // the figure of each month of the range
}

// MonthFigure is the figure of one calendar month.
type MonthFigure struct {
	Month  string  `json:"month"` // 2006-01
	Value  float64 `json:"value"`
	Status string  `json:"status"` // complete, inProgress or partial
	// Through is the start of the last bucket counted (RFC 3339).
	Through string `json:"through,omitempty"`

	start, end time.Time // the month, in the zone of the answer
	lastT      int64     // ms of the last point counted
	n          int
}

// Month statuses.
const (
	MonthComplete   = "complete"
	MonthInProgress = "inProgress"
	MonthPartial    = "partial"
)

// frame is what the figures of one answer are read against: the range asked
// for (to exclusive), the time of the call, the zone of its days, and what
// the points mean.
type frame struct {
	from, to, now time.Time
	loc           *time.Location
	meaning       client.Meaning
	step          time.Duration // bucket length (0: unknown; months vary)
	monthly       bool
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
	adds, across := m.Adds, m.Across
	s.Summable, s.AddsAcross = &adds, &across

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
	s.frame = f

	for i, sr := range resp.Series {
		st := &s.Series[i]
		if st.Points == 0 {
			continue
		}
		if m.Figure == client.FigureMonthEnd || m.Figure == client.FigureMonthSum {
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
	s.Headline = headline(ep, s.Series, f)
	if m.Point == client.PointCount || m.Point == client.PointNew {
		s.markInProgress()
	}
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

// monthFigures groups a series' points by calendar month (in the answer's
// zone) and gives each month its figure: the last point for cumulative
// points, the sum for new ones; with whether the range and the clock cover
// the whole month.
func monthFigures(sr *client.Series, f frame) []MonthFigure {
	var out []MonthFigure
	n := min(len(sr.Times), len(sr.Values))
	cur := -1
	for i := 0; i < n; i++ {
		v, ms := sr.Values[i], sr.Times[i]
		if !IsFinite(v) {
			continue
		}
		t := time.UnixMilli(ms).In(f.loc)
		if cur < 0 || !t.Before(out[cur].end) || t.Before(out[cur].start) {
			y, mo, _ := t.Date()
			start := time.Date(y, mo, 1, 0, 0, 0, 0, f.loc)
			out = append(out, MonthFigure{Month: start.Format("2006-01"), start: start, end: start.AddDate(0, 1, 0)})
			cur = len(out) - 1
		}
		mf := &out[cur]
		if f.meaning.Figure == client.FigureMonthSum {
			mf.Value += v
		} else {
			mf.Value = v
		}
		mf.lastT, mf.n = ms, mf.n+1
	}
	for i := range out {
		mf := &out[i]
		mf.Value = Finite(mf.Value)
		mf.Through = RFC3339(smMsTime(mf.lastT))
		mf.Status = monthStatus(mf, f)
	}
	return out
}

// monthStatus says whether a month's figure is the month's: the month has
// ended, the range reaches its end (and, for sums, its start), and the data
// holds its last bucket.
func monthStatus(mf *MonthFigure, f frame) string {
	end := mf.end
	if !f.now.Before(end) { // the month is over
		if !f.to.IsZero() && f.to.Before(end) {
			return MonthPartial
		}
		if f.meaning.Figure == client.FigureMonthSum && !f.from.IsZero() && f.from.After(mf.start) {
			return MonthPartial
		}
		// The last bucket must reach the month's end (a gap at the end
		// means the month is not all there).
		if f.step > 0 && time.UnixMilli(mf.lastT).Add(f.step).Before(end) {
			return MonthPartial
		}
		return MonthComplete
	}
	if f.meaning.Figure == client.FigureMonthSum && !f.from.IsZero() && f.from.After(mf.start) {
		return MonthPartial
	}
	if f.to.IsZero() || !f.to.Before(f.now) {
		return MonthInProgress
	}
	return MonthPartial
}

// headline chooses the figure that answers the question: that of the one
// series, the sum of series that add up, or the largest of series that
// overlap.
func headline(ep *client.Endpoint, ss []SeriesSummary, f frame) *Headline {
	var with []*SeriesSummary
	for i := range ss {
		if ss[i].Points > 0 {
			with = append(with, &ss[i])
		}
	}
	if len(with) == 0 {
		return nil
	}
	h := &Headline{Of: "series"}
	var months []MonthFigure
	switch {
	case len(with) == 1:
		h.Value, months = with[0].Figure, with[0].Months
	case f.meaning.Across:
		h.Of = "sum of series"
		for _, st := range with {
			h.Value += st.Figure
		}
		h.Value = Finite(h.Value)
		months = sumMonths(with)
	default:
		best := with[0] // sorted by figure, largest first
		h.Of, h.Label, h.Value, months = "largest series", best.Label, best.Figure, best.Months
	}
	if len(months) > 0 {
		last := months[len(months)-1]
		h.Month, h.Status = last.Month, last.Status
		if len(months) > 1 {
			h.Months = months
		}
	}
	if ep.Per > 0 && (f.meaning.Point == client.PointCumulative || f.meaning.Point == client.PointCount) {
		b := Finite(h.Value / ep.Per)
		h.Billed, h.BilledUnit = &b, ep.PerNoun
	}
	h.Text = headlineText(ep, h, with, f)
	return h
}

// sumMonths adds the months of series that add up, month by month.
func sumMonths(ss []*SeriesSummary) []MonthFigure {
	var out []MonthFigure
	at := map[string]int{}
	for _, st := range ss {
		for _, mf := range st.Months {
			i, ok := at[mf.Month]
			if !ok {
				i = len(out)
				at[mf.Month] = i
				out = append(out, MonthFigure{Month: mf.Month, Status: mf.Status, start: mf.start, end: mf.end})
			}
			o := &out[i]
			o.Value = Finite(o.Value + mf.Value)
			if mf.lastT > o.lastT {
				o.lastT, o.Through = mf.lastT, mf.Through
			}
			if mf.Status != MonthComplete && o.Status == MonthComplete {
				o.Status = mf.Status
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Month < out[b].Month })
	return out
}

// bucketLength is the length of one bucket of a detected granularity (zero
// when it has none).
var bucketLength = map[string]time.Duration{
	"minutely": time.Minute, "hourly": time.Hour, "daily": 24 * time.Hour, "weekly": 7 * 24 * time.Hour,
}

// markInProgress notes a last bucket that ends after the requested range
// does: it holds only part of its period, so it reads low (a -90% "change"
// on a day that has just begun means nothing). Only points counted per
// bucket are marked: cumulative, trailing and level points are read as they are.
func (s *Summary) markInProgress() {
	step := bucketLength[s.Granularity]
	if s.Granularity == "monthly" {
		step = s.to.AddDate(0, 1, 0).Sub(s.to)
	}
	if step == 0 || s.frame.to.IsZero() || !s.to.Add(step).After(s.frame.to) {
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
