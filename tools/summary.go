package tools

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

// SummaryInput is what Summarize needs to know about one successful call.
type SummaryInput struct {
	Endpoint    *client.Endpoint
	Response    *client.Response // the decoded answer
	Aggregation string           // the aggregationType argument, "" when absent
	Asked       string           // one line saying what was asked, e.g. "get_mau_usage groupby=sdk"
	From, To    time.Time        // requested range after defaults (zero when the endpoint has no range)
	Demo        bool             // results come from the built-in demo emulator
}

// Summary is structuredContent.summary: figures a model can use without
// reading the raw body. Numbers are exact; Text renders a compact view of it.
//
// For time series, Series holds one entry per series (all of them, top first)
// and Summable says whether adding values over time buckets means anything.
// For SDK lists, Count and SDKs or SDKVersions are set; for SDK version
// details, Count, EOLStatus and the EOL lists.
type Summary struct {
	Asked string `json:"asked,omitempty"`
	// Kind is "series", "sdks", "sdkVersions" or "sdkVersionDetails".
	Kind  string `json:"kind"`
	Demo  bool   `json:"demo,omitempty"`
	Empty bool   `json:"empty,omitempty"`
	Hint  string `json:"hint,omitempty"`

	// Time series.
	Meaning     string `json:"meaning,omitempty"` // what a value is, e.g. "Monthly active users (MAU): unique count per day"
	Aggregation string `json:"aggregationType,omitempty"`
	// Granularity is detected from the timestamps: minutely, hourly, daily,
	// weekly, monthly, irregular or unknown.
	Granularity string          `json:"granularity,omitempty"`
	From        string          `json:"from,omitempty"` // first timestamp of the data (RFC 3339 UTC)
	To          string          `json:"to,omitempty"`   // last timestamp of the data (RFC 3339 UTC)
	Requested   *SummaryRange   `json:"requested,omitempty"`
	Summable    *bool           `json:"summable,omitempty"`
	Note        string          `json:"note,omitempty"`
	Total       *SummaryTotal   `json:"total,omitempty"`
	Series      []SeriesSummary `json:"series,omitzero"`
	// InProgress is set when the last bucket reaches past the end of the
	// requested range (usually now): its value is partial.
	InProgress string `json:"lastBucketInProgress,omitempty"`

	// SDK lists and details.
	Count                 *int           `json:"count,omitempty"`
	SDKs                  []string       `json:"sdks,omitzero"`
	SDKVersions           []SDKVersion   `json:"sdkVersions,omitzero"`
	EOLStatus             map[string]int `json:"eolStatus,omitempty"`
	EOLPast               []SDKRef       `json:"eolPast,omitzero"`
	EOLNear               []SDKRef       `json:"eolNear,omitzero"`
	MajorVersionAvailable *int           `json:"majorVersionAvailable,omitempty"`
	RelayEOLPast          []SDKRef       `json:"relayEolPast,omitempty"`

	// For Text.
	from, to  time.Time // data range
	reqFrom   time.Time
	reqTo     time.Time
	totalText string
}

// SummaryRange is a requested range.
type SummaryRange struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// SummaryTotal is a figure across all series, with how it was made.
type SummaryTotal struct {
	Value float64 `json:"value"`
	Of    string  `json:"of"`
}

// SeriesSummary is the figures of one series.
type SeriesSummary struct {
	Label  string  `json:"label"` // metadata as sorted key=value pairs, or the series key
	Key    string  `json:"key"`
	Points int     `json:"points"`
	Sum    float64 `json:"sum"` // present even when not summable: see Summary.Summable
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	Last   float64 `json:"last"`
	// Time is when Max was first reached; LastTime is the time of Last.
	Time      string   `json:"time,omitempty"`
	LastTime  string   `json:"lastTime,omitempty"`
	First     *float64 `json:"first,omitempty"`
	Change    *float64 `json:"change,omitempty"`    // last − first
	ChangePct *float64 `json:"changePct,omitempty"` // change relative to |first|, in percent
	Sparkline string   `json:"sparkline,omitempty"`

	maxT, lastT int64
	meta        map[string]any
}

// SDKVersion is an SDK name and version.
type SDKVersion struct {
	SDK     string `json:"sdk"`
	Version string `json:"version"`
}

// SDKRef names one SDK version in use and where.
type SDKRef struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Project     string `json:"project,omitempty"`
	Environment string `json:"environment,omitempty"`
	Latest      string `json:"latest,omitempty"`
}

// Limits of the text rendering.
const (
	summaryTextBudget = 1950 // bytes; any Text stays below this
	summaryTopRows    = 10   // series rows in the text table
	summaryLabelRunes = 36   // longer labels are cut with …
	summaryAskedBytes = 200
	sparkWidth        = 24 // glyphs at most
	demoMarker        = "DEMO DATA (synthetic, from the built-in emulator)"
)

var sparkGlyphs = [8]rune{'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// Summarize computes the summary of one response. It never fails: an absent
// or unusual response gives an empty summary with a hint.
func Summarize(in SummaryInput) *Summary {
	s := &Summary{Asked: in.Asked, Demo: in.Demo}
	ep := in.Endpoint
	if ep == nil {
		ep = &client.Endpoint{}
	}
	if s.Asked == "" {
		s.Asked = ep.Tool
	}
	s.reqFrom, s.reqTo = in.From, in.To
	if !in.From.IsZero() || !in.To.IsZero() {
		s.Requested = &SummaryRange{From: smRFC3339(in.From), To: smRFC3339(in.To)}
	}
	resp := in.Response
	if resp == nil {
		resp = &client.Response{Kind: ep.Kind}
	}
	switch resp.Kind {
	case client.SDKList:
		s.sdkList(resp)
	case client.SDKVersionList:
		s.sdkVersionList(resp)
	case client.SDKVersionDetails:
		s.sdkDetails(resp)
	default:
		s.series(ep, resp, in.Aggregation)
	}
	return s
}

func smRFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func smMsTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// series summarises a time series response.
func (s *Summary) series(ep *client.Endpoint, resp *client.Response, agg string) {
	s.Kind = "series"
	s.Aggregation = agg
	summable, note := summability(ep.Measure, agg)
	s.Summable = &summable
	s.Note = note

	s.Series = make([]SeriesSummary, len(resp.Series))
	minT, maxT := int64(math.MaxInt64), int64(math.MinInt64)
	longest := -1
	var total float64
	for i := range resp.Series {
		sr := &resp.Series[i]
		st := &s.Series[i]
		lo, hi := summariseSeries(sr, st, !summable)
		if st.Points == 0 {
			continue
		}
		minT, maxT = min(minT, lo), max(maxT, hi)
		if longest < 0 || st.Points > s.Series[longest].Points {
			longest = i
		}
		total += st.Sum
	}
	if longest >= 0 {
		sr := &resp.Series[longest]
		s.Granularity = detectGranularity(sr.Times[:min(len(sr.Times), len(sr.Values))])
		s.from, s.to = smMsTime(minT), smMsTime(maxT)
		s.From, s.To = smRFC3339(s.from), smRFC3339(s.to)
	} else {
		s.Granularity = "unknown"
	}
	if s.Granularity == "unknown" && ep.Granularity == client.Daily {
		s.Granularity = "daily" // one point: the endpoint is always daily
	}
	s.Meaning = smMeaning(ep, agg, s.Granularity)

	slices.SortStableFunc(s.Series, func(a, b SeriesSummary) int {
		ka, kb := a.Max, b.Max
		if summable {
			ka, kb = a.Sum, b.Sum
		}
		switch {
		case ka > kb:
			return -1
		case ka < kb:
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

	switch {
	case summable:
		s.Total = &SummaryTotal{Value: smFinite(total), Of: "sum of all series"}
		if len(s.Series) == 1 {
			s.Total.Of = "sum"
		}
		s.totalText = "Total: " + smHuman(s.Total.Value)
		if n := countWithPoints(s.Series); n > 1 {
			s.totalText = "Total (sum of " + strconv.Itoa(n) + " series): " + smHuman(s.Total.Value)
		}
	case len(s.Series) == 1:
		st := s.Series[0]
		s.Total = &SummaryTotal{Value: st.Last, Of: "last"}
		s.totalText = "Latest: " + smHuman(st.Last) + ", maximum " + smHuman(st.Max) + " (" + s.shortDate(st.maxT) + ")"
	default:
		best := -1
		for i, st := range s.Series {
			if st.Points > 0 && (best < 0 || st.Last > s.Series[best].Last) {
				best = i
			}
		}
		st := s.Series[best]
		s.Total = &SummaryTotal{Value: st.Last, Of: "max of series last values (series may overlap: not a sum)"}
		s.totalText = "Largest series latest: " + smHuman(st.Last) + " (" + shortLabel(st, summaryLabelRunes) + "); series may overlap, so they are not added up"
	}

	if summable {
		s.markInProgress()
	}
}

// bucketLength is the length of one bucket of a detected granularity (zero
// when it has none).
var bucketLength = map[string]time.Duration{
	"minutely": time.Minute, "hourly": time.Hour, "daily": 24 * time.Hour, "weekly": 7 * 24 * time.Hour,
}

// markInProgress notes a last bucket that ends after the requested range
// does: it holds only part of its period, so it reads low (a -90% "change"
// on a day that has just begun means nothing). Only per-bucket (summable)
// values are marked: cumulative, rolling and unique-count series are read
// by their last point as it is.
func (s *Summary) markInProgress() {
	step := bucketLength[s.Granularity]
	if s.Granularity == "monthly" {
		step = s.to.AddDate(0, 1, 0).Sub(s.to)
	}
	if step == 0 || s.reqTo.IsZero() || !s.to.Add(step).After(s.reqTo) {
		return
	}
	s.InProgress = smRFC3339(s.to)
}

// summability says whether values may be added over time buckets, and a note
// saying so when they may not.
func summability(m client.Measure, agg string) (bool, string) {
	switch agg {
	case "month_to_date":
		return false, "month_to_date values are cumulative within the month: the last point is the month's figure, and adding points up means nothing."
	case "rolling_30d":
		return false, "rolling_30d values are trailing 30-day unique counts: they overlap, so a sum means nothing; read the latest or the maximum."
	case "average":
		return false, "values are averages per bucket: a sum means nothing."
	case "incremental", "daily_incremental":
		return true, ""
	}
	if m == client.Unique {
		return false, "Unique counts: the same context counts in every bucket, so the sum over time is not a total; read the latest or the maximum."
	}
	return true, ""
}

func smMeaning(ep *client.Endpoint, agg, gran string) string {
	per := "per bucket"
	switch gran {
	case "minutely":
		per = "per minute"
	case "hourly":
		per = "per hour"
	case "daily":
		per = "per day"
	case "weekly":
		per = "per week"
	case "monthly":
		per = "per month"
	}
	unit := "count"
	if ep.Per > 0 {
		unit = ep.Noun
	}
	var m string
	switch {
	case agg == "month_to_date":
		m = "cumulative month to date"
	case agg == "rolling_30d":
		m = "trailing 30-day unique count"
	case agg == "average":
		m = "average " + per
	case ep.Measure == client.Unique && (agg == "incremental" || agg == "daily_incremental"):
		m = "new unique " + per
	case ep.Measure == client.Unique:
		m = "unique count " + per
	default:
		m = unit + " " + per
	}
	if ep.Title == "" {
		return m
	}
	return ep.Title + ": " + m
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

func countWithPoints(ss []SeriesSummary) int {
	n := 0
	for _, st := range ss {
		if st.Points > 0 {
			n++
		}
	}
	return n
}

// smFinite keeps JSON encodable: ±Inf becomes ±MaxFloat64, NaN 0.
func smFinite(v float64) float64 {
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

func smIsFinite(v float64) bool { return v == v && v <= math.MaxFloat64 && v >= -math.MaxFloat64 }

// summariseSeries fills st from sr in one pass over the points, with no
// allocation per point, and returns the smallest and largest timestamp.
// Points that are not finite numbers are skipped. The sparkline downsamples
// into at most sparkWidth buckets, by maximum when peak is set, else by mean.
func summariseSeries(sr *client.Series, st *SeriesSummary, peak bool) (lo, hi int64) {
	st.Key = sr.Key
	st.Label = seriesLabel(sr)
	st.meta = sr.Meta
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
	if !smIsFinite(sum) { // only near ±MaxFloat64: a running mean of halves cannot overflow
		half, j := 0.0, 0
		for _, v := range vals[:n] {
			if smIsFinite(v) {
				j++
				half += (v/2 - half) / float64(j)
			}
		}
		mean = 2 * half
	}
	st.Sum, st.Min, st.Max, st.Mean, st.Last = smFinite(sum), mn, mx, smFinite(mean), last
	st.maxT, st.lastT = maxT, lastT
	st.Time, st.LastTime = smRFC3339(smMsTime(maxT)), smRFC3339(smMsTime(lastT))
	f := first
	st.First = &f
	ch := smFinite(last - first)
	st.Change = &ch
	if first != 0 && cnt > 1 {
		if p := (last - first) / math.Abs(first) * 100; smIsFinite(p) {
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
			if !smIsFinite(bv[nb]) {
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

// seriesLabel renders a series' metadata as sorted key=value pairs, or its key.
func seriesLabel(sr *client.Series) string {
	if len(sr.Meta) == 0 {
		return sr.Key
	}
	keys := make([]string, 0, len(sr.Meta))
	for k := range sr.Meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return smPairs(keys, sr.Meta)
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

func (s *Summary) sdkList(resp *client.Response) {
	s.Kind = "sdks"
	s.SDKs = append(make([]string, 0, len(resp.SDKs)), resp.SDKs...)
	n := len(s.SDKs)
	s.Count = &n
	if n == 0 {
		s.Empty = true
		s.Hint = "no SDKs: none sent data in the range, or the filters match nothing"
	}
}

func (s *Summary) sdkVersionList(resp *client.Response) {
	s.Kind = "sdkVersions"
	s.SDKVersions = make([]SDKVersion, len(resp.SDKVersions))
	for i, v := range resp.SDKVersions {
		s.SDKVersions[i] = SDKVersion{SDK: v.SDK, Version: v.Version}
	}
	n := len(s.SDKVersions)
	s.Count = &n
	if n == 0 {
		s.Empty = true
		s.Hint = "no SDK versions: no SDK of this source opened a streaming connection in the past 60 days"
	}
}

// Known eolStatus values, in the order the text lists them.
var eolStatuses = []struct{ key, words string }{
	{"EolPast", "past EOL"},
	{"EolNear", "near EOL"},
	{"MajorVersionAvailable", "major version available"},
	{"EolAllClear", "all clear"},
	{"EolUnknown", "unknown"},
}

func (s *Summary) sdkDetails(resp *client.Response) {
	s.Kind = "sdkVersionDetails"
	n := len(resp.SDKDetails)
	s.Count = &n
	s.EOLStatus = make(map[string]int, len(eolStatuses)+1)
	for _, st := range eolStatuses {
		s.EOLStatus[st.key] = 0
	}
	s.EOLPast, s.EOLNear = []SDKRef{}, []SDKRef{}
	for _, d := range resp.SDKDetails {
		status := d.EOLStatus
		if status == "" {
			status = "none"
		}
		s.EOLStatus[status]++
		switch d.EOLStatus {
		case "EolPast":
			s.EOLPast = append(s.EOLPast, sdkRef(d, d.LDLatestVersion))
		case "EolNear":
			s.EOLNear = append(s.EOLNear, sdkRef(d, d.LDLatestVersion))
		}
		if d.RelayEOLStatus == "EolPast" {
			r := sdkRef(d, d.RelayLatestVersion)
			r.Name, r.Version = "Relay Proxy", d.RelayVersion
			s.RelayEOLPast = append(s.RelayEOLPast, r)
		}
	}
	mva := s.EOLStatus["MajorVersionAvailable"]
	s.MajorVersionAvailable = &mva
	if n == 0 {
		s.Empty = true
		s.Hint = "no SDK versions: no SDK sent data in the last 24 hours, or the filters match nothing"
	}
}

func sdkRef(d client.SDKVersionDetail, latest string) SDKRef {
	return SDKRef{
		Name: d.Name, Version: d.Version,
		Project:     smFirstNonEmpty(d.ProjectKey, d.ProjectName, d.ProjectID),
		Environment: smFirstNonEmpty(d.EnvironmentKey, d.EnvironmentName, d.EnvironmentID),
		Latest:      latest,
	}
}

func smFirstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Text renders the summary for a person or a model: what was asked, the
// range, granularity and meaning, then a small table of the top series, then
// notes. It stays below summaryTextBudget bytes whatever the data.
func (s *Summary) Text() string {
	if s == nil {
		return ""
	}
	head := []string{s.headline()}
	if s.Demo {
		head = append(head, demoMarker)
	}
	var body textRows
	var tail []string
	switch s.Kind {
	case "series":
		body = s.table()
		if s.Note != "" {
			tail = append(tail, "Note: "+s.Note)
		}
		if s.totalText != "" {
			tail = append(tail, s.totalText)
		}
		if s.InProgress != "" {
			tail = append(tail, "The last bucket ("+s.shortDate(s.to.UnixMilli())+") is still in progress: its value, and the change to it, are partial.")
		}
	case "sdks":
		if len(s.SDKs) > 0 {
			body = listLines("SDKs: ", s.SDKs)
		}
	case "sdkVersions":
		body = s.versionLines()
	case "sdkVersionDetails":
		tail = append(tail, s.eolLines()...)
	}
	if s.Hint != "" {
		tail = append(tail, "Hint: "+s.Hint)
	}
	return fitText(head, body, tail)
}

// textRows are the lines of the body of a text, which may be cut from the
// bottom to fit the budget; a cut is reported as "+K more <what>".
type textRows struct {
	lines []string
	items []int  // items on each line
	pre   string // a line before the body, never cut
	keep  int    // lines never cut (a table header)
	max   int    // at most this many lines; 0: no limit but the budget
	more  int    // items not shown even before cutting
	what  string // what an item is
}

func (r textRows) moreLine() string {
	if r.more <= 0 {
		return ""
	}
	return "+" + strconv.Itoa(r.more) + " more " + r.what
}

// fitText joins the lines, dropping body lines from the bottom until the text
// fits the budget; a line that alone is too long is cut, and lines that would
// pass the budget anyway are left out.
func fitText(head []string, body textRows, tail []string) string {
	if body.pre != "" {
		head = append(head, body.pre)
	}
	cut := func(ls []string) int {
		n := 0
		for i, l := range ls {
			ls[i] = smCut(l, summaryTextBudget/4)
			n += len(ls[i]) + 1
		}
		return n
	}
	fixed := cut(head) + cut(tail)
	bodySize := cut(body.lines)
	for len(body.lines) > body.keep+1 && (body.max > 0 && len(body.lines) > body.max ||
		fixed+bodySize+len(body.moreLine())+1 > summaryTextBudget) {
		last := len(body.lines) - 1
		body.more += body.items[last]
		bodySize -= len(body.lines[last]) + 1
		body.lines, body.items = body.lines[:last], body.items[:last]
	}
	var b strings.Builder
	for _, part := range [][]string{head, body.lines, {body.moreLine()}, tail} {
		for _, l := range part {
			if l == "" {
				continue
			}
			if b.Len()+len(l)+1 > summaryTextBudget {
				return strings.TrimRight(b.String(), "\n")
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// smCut shortens s to at most n bytes on a rune boundary, ending with ….
func smCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// trimLabel makes a label fit one table cell: control characters become
// spaces and more than n runes are cut with ….
func trimLabel(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, c := 0, 0
	for i = range s {
		if c == n-1 {
			break
		}
		c++
	}
	return s[:i] + "…"
}

// shortLabel fits a series label in n runes for the text, shortening each
// metadata value in turn so that every key stays visible where it can.
func shortLabel(st SeriesSummary, n int) string {
	if utf8.RuneCountInString(st.Label) <= n || len(st.meta) == 0 {
		return trimLabel(st.Label, n)
	}
	keys := make([]string, 0, len(st.meta))
	room := n - (len(st.meta) - 1) // spaces between pairs
	for k := range st.meta {
		keys = append(keys, k)
		room -= utf8.RuneCountInString(k) + 1
	}
	sort.Strings(keys)
	each := max(4, room/len(keys))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + trimLabel(metaValue(st.meta[k]), each)
	}
	return trimLabel(strings.Join(parts, " "), n)
}

func (s *Summary) headline() string {
	var parts []string
	if s.Asked != "" {
		parts = append(parts, smCut(trimLabel(s.Asked, summaryAskedBytes), summaryAskedBytes))
	}
	if r := s.rangeText(); r != "" {
		parts = append(parts, r)
	}
	switch s.Kind {
	case "series":
		if s.Granularity != "" && !(s.Empty && s.Granularity == "unknown") {
			parts = append(parts, s.Granularity)
		}
		if s.Meaning != "" {
			parts = append(parts, s.Meaning)
		}
		if s.Aggregation != "" && !strings.Contains(s.Asked, "aggregationType=") {
			parts = append(parts, "aggregationType="+s.Aggregation)
		}
	case "sdks":
		parts = append(parts, smPlural(*s.Count, "SDK"))
	case "sdkVersions":
		parts = append(parts, smPlural(*s.Count, "SDK version"))
	case "sdkVersionDetails":
		parts = append(parts, smPlural(*s.Count, "SDK version")+" in use")
	}
	return strings.Join(parts, " · ")
}

func smPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// rangeText is the requested range, or else the data's range.
func (s *Summary) rangeText() string {
	from, to := s.reqFrom, s.reqTo
	if from.IsZero() && to.IsZero() {
		from, to = s.from, s.to
	}
	if from.IsZero() && to.IsZero() {
		return ""
	}
	layout := "2006-01-02"
	switch s.Granularity {
	case "minutely", "hourly":
		layout = "2006-01-02 15:04"
	case "daily", "weekly", "monthly":
	default:
		if !from.IsZero() && !to.IsZero() && to.Sub(from) <= 48*time.Hour {
			layout = "2006-01-02 15:04"
		}
	}
	f := func(t time.Time) string {
		if t.IsZero() {
			return "…"
		}
		return t.UTC().Format(layout)
	}
	out := f(from) + ".." + f(to)
	if layout != "2006-01-02" {
		out += " UTC"
	}
	return out
}

// shortDate renders a timestamp as briefly as the granularity allows.
func (s *Summary) shortDate(ms int64) string {
	t := smMsTime(ms)
	switch {
	case s.Granularity == "minutely" || s.Granularity == "hourly":
		return t.Format("Jan 2 15:04")
	case s.Granularity == "monthly":
		return t.Format("Jan 2006")
	case s.to.Sub(s.from) > 330*24*time.Hour:
		return t.Format("2006-01-02")
	}
	return t.Format("Jan 2")
}

// table renders the top series, aligned, and how many were left out.
func (s *Summary) table() textRows {
	shown := s.Series
	if len(shown) > summaryTopRows {
		shown = shown[:summaryTopRows]
	}
	summable := s.Summable != nil && *s.Summable
	header, labels, common := tableLabels(s.Series, shown, summaryLabelRunes)
	cells := [][]string{{header, "last", "max", "on", "mean", "sum", "change", "trend"}}
	for i, st := range shown {
		label := labels[i]
		if st.Points == 0 {
			cells = append(cells, []string{label, "—", "—", "", "—", "—", "—", "(no points)"})
			continue
		}
		sum, pct := "—", "—"
		if summable {
			sum = smHuman(st.Sum)
		}
		if st.ChangePct != nil {
			pct = smPct(*st.ChangePct)
		}
		cells = append(cells, []string{label, smHuman(st.Last), smHuman(st.Max), s.shortDate(st.maxT), smHuman(st.Mean), sum, pct, st.Sparkline})
	}
	if len(cells) == 1 {
		return textRows{}
	}
	width := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	lines := make([]string, len(cells))
	var b strings.Builder
	for r, row := range cells {
		b.Reset()
		for i, c := range row {
			pad := width[i] - utf8.RuneCountInString(c)
			switch {
			case i == 0 || i == 3:
				b.WriteString(c)
				if i < len(row)-1 {
					b.WriteString(strings.Repeat(" ", pad))
				}
			case i == len(row)-1:
				b.WriteString(c)
			default:
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(c)
			}
			if i < len(row)-1 {
				b.WriteString("  ")
			}
		}
		lines[r] = strings.TrimRight(b.String(), " ")
	}
	items := make([]int, len(lines))
	for i := range items {
		items[i] = 1
	}
	return textRows{pre: common, lines: lines, items: items, keep: 1, more: len(s.Series) - len(shown), what: "series (all in summary.series)"}
}

// tableLabels chooses the labels of the shown series for the text. Metadata
// keys with the same value in every series are said once (common); when
// key=value labels do not fit in n runes, the header names the keys and the
// rows show the values.
func tableLabels(all, shown []SeriesSummary, n int) (header string, labels []string, common string) {
	header = "series"
	labels = make([]string, len(shown))
	if len(all) == 1 && len(shown) == 1 && len(all[0].meta) == 0 {
		// A single series without metadata is the whole answer: its key
		// ("0" or "value") means nothing to a reader.
		labels[0] = "all"
		return header, labels, ""
	}
	keys := sharedKeys(shown)
	if keys == nil {
		for i, st := range shown {
			labels[i] = shortLabel(st, n)
		}
		return header, labels, ""
	}
	var varying, fixed []string
	for _, k := range keys {
		if len(all) > 1 && constantAcross(all, k) {
			fixed = append(fixed, k)
		} else {
			varying = append(varying, k)
		}
	}
	if len(varying) == 0 {
		varying, fixed = keys, nil
	}
	if len(fixed) > 0 {
		common = "Every series has " + trimLabel(smPairs(fixed, all[0].meta), 120)
	}
	fits := true
	for i, st := range shown {
		labels[i] = trimLabel(smPairs(varying, st.meta), 4*n)
		fits = fits && utf8.RuneCountInString(labels[i]) <= n
	}
	if fits {
		return header, labels, common
	}
	header = trimLabel(strings.Join(varying, "/"), n)
	// Share the room between the values: short ones get what they need,
	// the long ones split the rest.
	need := make([]int, len(varying))
	for j, k := range varying {
		for _, st := range shown {
			need[j] = max(need[j], utf8.RuneCountInString(metaValue(st.meta[k])))
		}
	}
	order := make([]int, len(varying))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return need[order[a]] < need[order[b]] })
	room, allot := n-(len(varying)-1), make([]int, len(varying))
	for i, j := range order {
		allot[j] = max(4, min(need[j], room/(len(order)-i)))
		room -= allot[j]
	}
	vals := make([]string, len(varying))
	for i, st := range shown {
		for j, k := range varying {
			vals[j] = trimLabel(metaValue(st.meta[k]), allot[j])
		}
		labels[i] = trimLabel(strings.Join(vals, "/"), n)
	}
	return header, labels, common
}

// sharedKeys returns the sorted metadata keys when every series has metadata
// with the same keys, else nil.
func sharedKeys(ss []SeriesSummary) []string {
	if len(ss) == 0 || len(ss[0].meta) == 0 {
		return nil
	}
	keys := make([]string, 0, len(ss[0].meta))
	for k := range ss[0].meta {
		keys = append(keys, k)
	}
	for _, st := range ss[1:] {
		if len(st.meta) != len(keys) {
			return nil
		}
		for _, k := range keys {
			if _, ok := st.meta[k]; !ok {
				return nil
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// constantAcross reports whether every series has the same value for key k.
func constantAcross(ss []SeriesSummary, k string) bool {
	var first string
	for i, st := range ss {
		v, ok := st.meta[k]
		if !ok {
			return false
		}
		if i == 0 {
			first = metaValue(v)
		} else if metaValue(v) != first {
			return false
		}
	}
	return true
}

func smPairs(keys []string, meta map[string]any) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(metaValue(meta[k]))
	}
	return b.String()
}

// listLines lays items out, comma separated, on lines of about 100 bytes,
// the first one starting with prefix.
func listLines(prefix string, items []string) textRows {
	r := textRows{what: "SDKs (all in summary.sdks)", max: 8}
	cur, n := prefix, 0
	for i, it := range items {
		it = trimLabel(it, 60)
		if i < len(items)-1 {
			it += ","
		}
		if n > 0 && len(cur)+len(it)+1 > 100 {
			r.lines, r.items = append(r.lines, cur), append(r.items, n)
			cur, n = "", 0
		}
		if n > 0 {
			cur += " "
		}
		cur += it
		n++
	}
	r.lines, r.items = append(r.lines, cur), append(r.items, n)
	return r
}

func (s *Summary) versionLines() textRows {
	order := []string{}
	by := map[string][]string{}
	for _, v := range s.SDKVersions {
		if _, ok := by[v.SDK]; !ok {
			order = append(order, v.SDK)
		}
		by[v.SDK] = append(by[v.SDK], v.Version)
	}
	r := textRows{what: "SDK versions (all in summary.sdkVersions)", max: 12}
	for _, sdk := range order {
		r.lines = append(r.lines, smCut(trimLabel(sdk, 40)+": "+strings.Join(by[sdk], ", "), 200))
		r.items = append(r.items, len(by[sdk]))
	}
	return r
}

func (s *Summary) eolLines() []string {
	if s.Count == nil || *s.Count == 0 {
		return nil
	}
	var counts []string
	for _, st := range eolStatuses {
		if n := s.EOLStatus[st.key]; n > 0 {
			counts = append(counts, strconv.Itoa(n)+" "+st.words)
		}
	}
	known := map[string]bool{}
	for _, st := range eolStatuses {
		known[st.key] = true
	}
	var other []string
	for k := range s.EOLStatus {
		if !known[k] && s.EOLStatus[k] > 0 {
			other = append(other, k)
		}
	}
	sort.Strings(other)
	for _, k := range other {
		counts = append(counts, strconv.Itoa(s.EOLStatus[k])+" "+trimLabel(k, 30))
	}
	lines := []string{"EOL status: " + strings.Join(counts, ", ")}
	refs := func(title string, list []SDKRef) {
		if len(list) == 0 {
			return
		}
		const show = 6
		parts := make([]string, 0, show+1)
		for i, r := range list {
			if i == show {
				parts = append(parts, "+"+strconv.Itoa(len(list)-show)+" more")
				break
			}
			p := trimLabel(r.Name+" "+r.Version, 40)
			if r.Project != "" || r.Environment != "" {
				p += " (" + trimLabel(r.Project+"/"+r.Environment, 40) + ")"
			}
			if r.Latest != "" {
				p += " → " + trimLabel(r.Latest, 20)
			}
			parts = append(parts, p)
		}
		lines = append(lines, title+": "+strings.Join(parts, "; "))
	}
	refs("Past EOL, upgrade", s.EOLPast)
	refs("Near EOL", s.EOLNear)
	refs("Relay Proxy past EOL", s.RelayEOLPast)
	return lines
}

// smHuman renders a number compactly: 12,345, 1,234,567, 12.3M, 0.42.
func smHuman(v float64) string {
	if v != v {
		return "?"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	scaled := func(x float64, suffix string) string { // three significant digits
		prec := 2
		if x >= 99.95 {
			prec = 0
		} else if x >= 9.995 {
			prec = 1
		}
		str := strconv.FormatFloat(x, 'f', prec, 64)
		if prec > 0 {
			str = strings.TrimRight(strings.TrimRight(str, "0"), ".")
		}
		return sign + str + suffix
	}
	switch {
	case v >= 1e15:
		str := strconv.FormatFloat(v, 'e', 1, 64)
		return sign + strings.Replace(str, "e+", "e", 1)
	case v >= 1e12:
		return scaled(v/1e12, "T")
	case v >= 1e9:
		return scaled(v/1e9, "B")
	case v >= 9_999_999.5: // below that, exact figures with commas still fit
		return scaled(v/1e6, "M")
	case v >= 1000 || v == math.Trunc(v):
		return sign + smCommas(int64(math.Round(v)))
	case v >= 0.01:
		str := strconv.FormatFloat(v, 'f', 2, 64)
		str = strings.TrimRight(strings.TrimRight(str, "0"), ".")
		return sign + str
	}
	return sign + strconv.FormatFloat(v, 'g', 2, 64)
}

func smCommas(n int64) string {
	str := strconv.FormatInt(n, 10)
	if len(str) <= 3 {
		return str
	}
	var b strings.Builder
	pre := len(str) % 3
	if pre > 0 {
		b.WriteString(str[:pre])
	}
	for i := pre; i < len(str); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(str[i : i+3])
	}
	return b.String()
}

// smPct renders a change in percent with its sign: +4.1%, -12%.
func smPct(p float64) string {
	sign := "+"
	if p < 0 {
		sign, p = "-", -p
	}
	switch {
	case p < 10:
		return sign + strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p < 10000:
		return sign + strconv.FormatFloat(p, 'f', 0, 64) + "%"
	}
	return sign + smHuman(p) + "%"
}
