package emulator

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// kindRule says which context kinds a contexts-universe endpoint counts.
type kindRule int

const (
	kindsAll         kindRule = iota // every kind unless filtered
	kindsUser                        // users only
	kindsUserDefault                 // users unless a contextKind filter says otherwise
)

// profile is what the emulator needs to know about an endpoint beyond its
// declaration in client.Endpoints: what it counts and how much of it.
type profile struct {
	u       *universe
	flag    bool               // atoms come from the flag in the path (evaluations)
	scale   float64            // multiplies the atoms' levels
	scaleBy map[string]float64 // scale by the value of the first path parameter
	kinds   kindRule
	sdkType string // only SDKs of this type
	defAgg  string // default aggregationType
	float   bool   // values have two decimals (SeriesListRepFloat)
}

var profiles = map[string]*profile{
	"getDataExportEventsUsage":      {u: uDataExport, scale: 1.6e6},
	"getEvaluationsUsage":           {flag: true, scale: 1},
	"getEventsUsage":                {u: uSingle, scaleBy: map[string]float64{"received": 3.8e7, "published": 5.5e6}},
	"getExperimentationKeysUsage":   {u: uExperiments, scale: 1},
	"getExperimentationUnitsUsage":  {u: uExperiments, scale: 0.62},
	"getMauUsage":                   {u: uContexts, scale: 1, kinds: kindsUserDefault, defAgg: "rolling_30d"},
	"getMauUsageByCategory":         {u: uContexts, scale: 1, kinds: kindsUser, defAgg: "rolling_30d"},
	"getServiceConnectionsUsage":    {u: uServiceConns, scale: 1, float: true},
	"getStreamUsage":                {u: uSDKVersions, scaleBy: map[string]float64{"client": 4.2, "server": 0.11}},
	"getStreamUsageBySdkVersion":    {u: uSDKVersions, scaleBy: map[string]float64{"client": 4.2, "server": 0.11}},
	"getMAUTotalUsage":              {u: uContexts, scale: 1, kinds: kindsUser},
	"getMAUClientsideUsage":         {u: uContexts, scale: 1, kinds: kindsUser, sdkType: "client"},
	"getContextsTotalUsage":         {u: uContexts, scale: 1},
	"getContextsClientsideUsage":    {u: uContexts, scale: 1, sdkType: "client"},
	"getContextsServersideUsage":    {u: uContexts, scale: 1, sdkType: "server"},
	"getExperimentationEventsUsage": {u: uExpEvents, scale: 4.2e5},
	"getWarehouseExportUsage":       {u: uWarehouse, scale: 2.2e6},
	"getAIRunsUsage":                {u: uAIRuns, scale: 1},
	"getObservabilityErrorsUsage":   {u: uProjects, scale: 1.8e4},
	"getObservabilityLogsUsage":     {u: uProjects, scale: 1.4e7},
	"getObservabilityMetricsUsage":  {u: uProjects, scale: 3.2e6},
	"getObservabilitySessionsUsage": {u: uProjects, scale: 9.5e3},
	"getObservabilityTracesUsage":   {u: uProjects, scale: 2.1e6},
	"getVegaAIUsage":                {u: uProjects, scale: 240},
}

// fallbackProfile serves an endpoint added to client.Endpoints after this
// table was written: per-project counts.
var fallbackProfile = &profile{u: uProjects, scale: 1e4}

// fixedDims are the dimensions every answer of an endpoint is split by
// (client.Endpoint.Fixed): variation for evaluations, category for MAU by
// category, sdk and version for streams by SDK version, contextKind for the
// contexts endpoints.
func fixedDims(ep *client.Endpoint) []string {
	var out []string
	for _, d := range ep.Fixed {
		if _, ok := dimByName[d]; ok {
			out = append(out, d)
		}
	}
	return out
}

func profileOf(ep *client.Endpoint) *profile {
	if p, ok := profiles[ep.Operation]; ok {
		return p
	}
	return fallbackProfile
}

type filter struct {
	d    dim
	vals []string
}

func (f filter) match(a *atom) bool {
	for _, v := range f.vals {
		if strings.EqualFold(a.attrs[f.d], v) {
			return true
		}
	}
	return false
}

// atoms selects the atoms the request counts.
func (q *query) atoms(seed uint64) []*atom {
	var all []*atom
	if q.prof.flag {
		all = flagAtoms(q.path["projectKey"], q.path["environmentKey"], q.path["featureFlagKey"], seed)
	} else {
		all = q.prof.u.get()
	}
	var filters []filter
	for _, p := range q.ep.Spec() {
		if p.Path || p.Time || shaping[p.Name] {
			continue
		}
		d, ok := dimByName[p.Name]
		vals := values(q.args[p.Name])
		if !ok || len(vals) == 0 {
			continue
		}
		filters = append(filters, filter{d, vals})
	}
	if src := q.path["source"]; src != "" { // streams: client or server SDKs
		filters = append(filters, filter{dSDKType, []string{src}})
	}
	if q.prof.sdkType != "" {
		filters = append(filters, filter{dSDKType, []string{q.prof.sdkType}})
	}
	switch q.prof.kinds {
	case kindsUser:
		filters = append(filters, filter{dKind, []string{"user"}})
	case kindsUserDefault:
		if len(values(q.args["contextKind"])) == 0 {
			filters = append(filters, filter{dKind, []string{"user"}})
		}
	}
	out := make([]*atom, 0, len(all))
next:
	for _, a := range all {
		for _, f := range filters {
			if !f.match(a) {
				continue next
			}
		}
		out = append(out, a)
	}
	return out
}

// maxCells bounds the values of one answer.
const maxCells = 500_000

// series answers a time-series endpoint.
func (e *Emulator) series(q *query) ([]byte, *apiError) {
	atoms := q.atoms(e.seed)
	intervals := q.ep.Kind == client.SeriesIntervals && !q.newest

	// Split the atoms into series by the fixed and requested dimensions.
	var names []string
	if !intervals {
		names = append(fixedDims(q.ep), q.groupBy...)
	}
	dims := make([]dim, 0, len(names))
	keep := names[:0:0]
	for _, n := range names {
		if d, ok := dimByName[n]; ok {
			dims = append(dims, d)
			keep = append(keep, n)
		}
	}
	names = keep
	idx := make([]int, len(atoms))
	var metas [][]string
	{
		byKey := map[string]int{}
		var kb strings.Builder
		for i, a := range atoms {
			kb.Reset()
			for _, d := range dims {
				kb.WriteString(a.attrs[d])
				kb.WriteByte(0)
			}
			k := kb.String()
			j, ok := byKey[k]
			if !ok {
				j = len(metas)
				byKey[k] = j
				m := make([]string, len(dims))
				for x, d := range dims {
					m[x] = a.attrs[d]
				}
				metas = append(metas, m)
			}
			idx[i] = j
		}
		// Order the series by their metadata values.
		order := make([]int, len(metas))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return slices.Compare(metas[a], metas[b]) })
		rank := make([]int, len(metas))
		sorted := make([][]string, len(metas))
		for r, o := range order {
			rank[o] = r
			sorted[r] = metas[o]
		}
		metas = sorted
		for i := range idx {
			idx[i] = rank[idx[i]]
		}
	}
	nSeries := len(metas)
	if intervals && len(atoms) > 0 {
		nSeries = 1
	}

	end := q.to
	if q.now.Before(end) {
		end = q.now
	}
	start := q.gran.floor(q.from, q.loc)
	buckets := int(end.Sub(start)/q.gran.approx()) + 2
	if buckets > 0 && buckets*max(nSeries, 1) > maxCells {
		return nil, invalid("the range from %s to %s holds too many %s data points; narrow the range or choose a coarser granularity",
			q.from.Format(time.RFC3339), q.to.Format(time.RFC3339), q.gran)
	}

	g := e.newGen(q, atoms, idx)
	b := make([]byte, 0, 256+max(buckets, 0)*(24+nSeries*12))
	b = append(b, `{"_links":{},`...)
	if !intervals {
		b = append(b, `"metadata":[`...)
		for i, m := range metas {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			for x, n := range names {
				if x > 0 {
					b = append(b, ',')
				}
				b = appendString(b, n)
				b = append(b, ':')
				b = appendString(b, m[x])
			}
			b = append(b, '}')
		}
		b = append(b, "],"...)
	}
	keys := seriesKeys(nSeries, intervals)
	vals := make([]float64, nSeries)

	b = append(b, `"series":[`...)
	first := true
	if nSeries > 0 {
		for bs := start; bs.Before(end); bs = q.gran.next(bs) {
			if bs.Before(created) {
				continue
			}
			g.fill(vals, bs, q.gran.next(bs), q.now)
			b = g.appendRow(b, &first, bs, keys, vals)
		}
	}
	b = append(b, ']')

	return append(b, '}'), nil
}

func seriesKeys(n int, intervals bool) []string {
	if intervals {
		return []string{"value"}
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = strconv.Itoa(i)
	}
	return keys
}

func (g *gen) appendRow(b []byte, first *bool, bs time.Time, keys []string, vals []float64) []byte {
	if !*first {
		b = append(b, ',')
	}
	*first = false
	b = append(b, `{"time":`...)
	b = strconv.AppendInt(b, bs.UnixMilli(), 10)
	for i, k := range keys {
		b = append(b, ',', '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		if g.float {
			b = strconv.AppendFloat(b, math.Round(vals[i]*100)/100, 'f', -1, 64)
		} else {
			b = strconv.AppendInt(b, int64(math.Round(vals[i])), 10)
		}
	}
	return append(b, '}')
}

// gen computes the values of one answer. Every value is a function of the
// atom, the bucket, the seed and the endpoint: no state is kept between
// requests, and the same request at the same time gives the same answer.
type gen struct {
	atoms  []*atom
	idx    []int // series of each atom
	base   []float64
	seeds  []uint64
	phase  []float64
	unique bool
	agg    string
	gran   gran
	loc    *time.Location
	growth float64
	float  bool

	// running month-to-date sums of per-bucket counts
	cum      []float64
	cumMonth time.Time
	cumDay   time.Time
}

func (e *Emulator) newGen(q *query, atoms []*atom, idx []int) *gen {
	g := &gen{
		atoms: atoms, idx: idx,
		base:   make([]float64, len(atoms)),
		seeds:  make([]uint64, len(atoms)),
		phase:  make([]float64, len(atoms)),
		unique: q.ep.Measure == client.Unique,
		agg:    q.agg, gran: q.gran, loc: q.loc, float: q.prof.float,
		growth: 0.16 + 0.08*unit(mix(e.seed^0x9e3779b97f4a7c15)),
	}
	scale := q.prof.scale
	if q.prof.scaleBy != nil {
		for _, name := range q.ep.PathParams() {
			scale = q.prof.scaleBy[q.path[name]]
			break
		}
	}
	op := hashString(q.ep.Operation)
	for i, a := range atoms {
		// The level depends on the atom and the seed only, so that endpoints
		// counting the same things agree with each other.
		g.base[i] = a.base * scale * (1 + 0.15*(2*unit(mix(a.id^e.seed))-1))
		g.seeds[i] = mix(a.id ^ op ^ mix(e.seed+1))
		g.phase[i] = 2 * math.Pi * unit(g.seeds[i]>>7)
	}
	if !g.unique && g.agg == "month_to_date" {
		g.cum = make([]float64, len(atoms))
	}
	return g
}

var trendRef = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

const secPerYear = 365.25 * 86400

// trend is a mild growth: about 20% a year.
func (g *gen) trend(t time.Time) float64 {
	return math.Exp(g.growth * float64(t.Unix()-trendRef) / secPerYear)
}

// dip is how much lower each weekday (Sunday first) is than the mean, at full seasonality.
var dip = [7]float64{0.36, 0.02, -0.03, -0.04, -0.02, 0.08, 0.32}

const meanDip = 0.69 / 7

func (g *gen) dipAt(bs time.Time) float64 {
	switch g.gran {
	case gMonth:
		return meanDip
	case gDay:
		return dip[bs.In(g.loc).Weekday()]
	default:
		return dip[bs.UTC().Weekday()]
	}
}

// diurnal is the time-of-day shape (mean 1, peak at 16:00 UTC).
func diurnal(t time.Time) float64 {
	t = t.UTC()
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 1 + 0.5*math.Cos(2*math.Pi*(h-16)/24)
}

var noiseAmp = [...]float64{gMinute: 0.2, gHour: 0.1, gDay: 0.05, gMonth: 0.02}

func (g *gen) noise(i int, t time.Time) float64 {
	return unit(mix(g.seeds[i] ^ uint64(t.Unix())))
}

// mtdFrac is the share of a month's unique users seen after el days.
func mtdFrac(el float64) float64 {
	if el <= 0 {
		return 0
	}
	return 1 - math.Pow(0.66, math.Pow(el, 0.75))
}

// activeFrac is the share of a month's unique users active in a bucket of l days.
func activeFrac(l float64) float64 {
	return math.Min(1, 0.34*math.Pow(l, 0.6))
}

// fill computes the values of the bucket [bs, be) as seen at now.
func (g *gen) fill(vals []float64, bs, be, now time.Time) {
	clear(vals)
	switch {
	case g.unique && g.agg == "rolling_30d":
		T := g.trend(bs)
		days := float64(bs.Unix()) / 86400
		for i := range g.atoms {
			s := 1 + 0.012*math.Sin(2*math.Pi*days/19+g.phase[i]) + 0.004*(2*g.noise(i, bs)-1)
			vals[g.idx[i]] += g.base[i] * T * s
		}
	case g.unique && g.agg == "month_to_date":
		ms := monthStart(bs)
		end := be
		if now.Before(end) {
			end = now
		}
		F := mtdFrac(end.Sub(ms).Hours() / 24)
		if F == 0 {
			return
		}
		T := g.trend(ms)
		for i := range g.atoms {
			vals[g.idx[i]] += g.base[i] * T * F * (1 + 0.03*(2*g.noise(i, ms)-1))
		}
	case !g.unique && g.agg == "month_to_date":
		g.cumulative(vals, bs, be, now)
	default:
		g.perBucket(vals, bs, be, now)
	}
}

// perBucket computes counts per bucket, unique counts active in the bucket,
// or (aggregationType average) the daily rate.
func (g *gen) perBucket(vals []float64, bs, be, now time.Time) {
	length := be.Sub(bs)
	days := length.Hours() / 24
	p := math.Min(1, math.Max(0, float64(now.Sub(bs))/float64(length)))
	d := 1.0
	if g.gran <= gHour {
		d = diurnal(bs)
	}
	var k float64
	switch {
	case g.agg == "average":
		k = d
	case g.unique:
		k = d * activeFrac(days) * math.Sqrt(p)
	default:
		k = d * days * p
	}
	k *= g.trend(bs)
	dp, amp := g.dipAt(bs), noiseAmp[g.gran]
	for i, a := range g.atoms {
		w := 1 - a.season*dp
		n := 1 + amp*(2*g.noise(i, bs)-1)
		vals[g.idx[i]] += g.base[i] * w * n * k
	}
}

// cumulative computes month-to-date sums of daily counts (UTC days), with
// the day in progress counted pro rata.
func (g *gen) cumulative(vals []float64, bs, be, now time.Time) {
	ms := monthStart(bs)
	if !ms.Equal(g.cumMonth) {
		g.cumMonth, g.cumDay = ms, ms
		clear(g.cum)
	}
	end := be
	if now.Before(end) {
		end = now
	}
	if !end.After(ms) {
		return
	}
	day := end.UTC().Truncate(24 * time.Hour)
	for g.cumDay.Before(day) {
		g.addDay(g.cum, nil, g.cumDay, 1)
		g.cumDay = g.cumDay.Add(24 * time.Hour)
	}
	for i := range g.atoms {
		vals[g.idx[i]] += g.cum[i]
	}
	if frac := end.Sub(day).Hours() / 24; frac > 0 {
		g.addDay(vals, g.idx, day, frac)
	}
}

// addDay adds frac of each atom's count on day to dst (indexed by atom, or
// by series when idx is given).
func (g *gen) addDay(dst []float64, idx []int, day time.Time, frac float64) {
	T := g.trend(day) * frac
	dp := dip[day.Weekday()]
	amp := noiseAmp[gDay]
	for i, a := range g.atoms {
		v := g.base[i] * T * (1 - a.season*dp) * (1 + amp*(2*g.noise(i, day)-1))
		if idx != nil {
			dst[idx[i]] += v
		} else {
			dst[i] += v
		}
	}
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Deterministic hashing: no global random source anywhere.

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }
