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
	kindsUser                        // users only (MAU counts the primary context kind)
	kindsUserDefault                 // users unless a contextKind filter says otherwise
)

// profile is what the emulator needs to know about an endpoint beyond its
// declaration in client.Endpoints: which universe it counts and at what scale.
type profile struct {
	u       *universe
	flag    bool               // atoms come from the flag in the path (evaluations)
	scale   float64            // multiplies the atoms' levels
	scaleBy map[string]float64 // scale by the value of the first path parameter
	kinds   kindRule
	sdkType string // only SDKs of this side (client or server)
	float   bool   // values are hundredths, answered with two decimals (SeriesListRepFloat)
}

// measure is what the endpoint's atoms count.
func (p *profile) measure() measure {
	if p.flag {
		return mCount
	}
	return p.u.m
}

var profiles = map[string]*profile{
	"getDataExportEventsUsage":      {u: uDataExport, scale: 1.6e6},
	"getEvaluationsUsage":           {flag: true, scale: 1},
	"getEventsUsage":                {u: uSingle, scaleBy: map[string]float64{"received": 3.8e7, "published": 5.5e6}},
	"getExperimentationKeysUsage":   {u: uExperiments, scale: 1},
	"getExperimentationUnitsUsage":  {u: uExperiments, scale: 0.62},
	"getMauUsage":                   {u: uContexts, scale: 1, kinds: kindsUserDefault},
	"getMauUsageByCategory":         {u: uContexts, scale: 1, kinds: kindsUser},
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
	"getSdkVersionsDetails":         {u: uVersions, scale: 1},
	"getSdkAllVersions":             {u: uVersions, scale: 1},
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

// scaleOf is the profile's scale for the request's path arguments.
func (p *profile) scaleOf(ep *client.Endpoint, path map[string]string) float64 {
	if p.scaleBy != nil {
		for _, name := range ep.PathParams() {
			return p.scaleBy[path[name]]
		}
	}
	return p.scale
}

// universeOf returns every atom the endpoint may count for its path
// arguments, and how to tell the values the account has.
func (p *profile) universeOf(path map[string]string, seed uint64) ([]*atom, knownFunc) {
	if p.flag {
		all := flagAtoms(path["projectKey"], path["environmentKey"], path["featureFlagKey"], seed)
		return all, knownAmong(all)
	}
	return p.u.get(), knownIn(p.u)
}

// filters lists the filters of a request: its query filters, then what the
// endpoint itself counts (the stream source, the SDK side, the context kind).
func (p *profile) filters(ep *client.Endpoint, path map[string]string, args map[string][]string) []filter {
	var out []filter
	for _, sp := range ep.Spec() {
		if sp.Path || sp.Time || shaping[sp.Name] {
			continue
		}
		d, ok := dimByName[sp.Name]
		vals := values(args[sp.Name])
		if !ok || len(vals) == 0 {
			continue
		}
		out = append(out, filter{d, vals})
	}
	if src := path["source"]; src != "" { // streams: client or server SDKs
		out = append(out, filter{dSDKType, []string{src}})
	}
	if p.sdkType != "" {
		out = append(out, filter{dSDKType, []string{p.sdkType}})
	}
	switch p.kinds {
	case kindsUser:
		out = append(out, filter{dKind, []string{"user"}})
	case kindsUserDefault:
		if len(values(args["contextKind"])) == 0 {
			out = append(out, filter{dKind, []string{"user"}})
		}
	}
	return out
}

// atoms selects the atoms the request counts, synthesising what it names
// that the account does not have.
func (e *Emulator) atoms(q *query) []*atom {
	all, known := q.prof.universeOf(q.path, e.seed)
	if q.prof.flag {
		e.named.note(q.path["projectKey"], q.path["environmentKey"])
	}
	return applyFilters(all, known, q.prof.filters(q.ep, q.path, q.args), e.seed, e.named.note)
}

// maxCells bounds the values of one answer.
const maxCells = 500_000

// series answers a time-series endpoint.
func (e *Emulator) series(q *query) ([]byte, *apiError) {
	atoms := e.atoms(q)
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
	idx, metas := groupAtoms(atoms, dims)
	nSeries := len(metas)
	if intervals && len(atoms) > 0 {
		nSeries = 1
		clear(idx)
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

	g := newGen(q, atoms, idx, nSeries, e.seed, start, end)
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
			g.fill(vals, bs, q.gran.next(bs))
			b = g.appendRow(b, &first, bs, keys, vals)
		}
	}
	b = append(b, ']')
	if q.prof.float && g.point == client.PointCumulative && nSeries > 0 {
		b = g.appendProjected(b, end)
	}
	return append(b, '}'), nil
}

// appendProjected appends v24's projectedSeries (SeriesListRepFloat) when
// the range reaches into the running month: "cumulative projected usage by
// day for the full billing period … The projected (non-actual) portion
// begins where the actual series ends". One value ("0") per UTC day of the
// month, for all series together: the actual month-to-date total at each
// day's end up to now, then that total carried on at its pace so far.
func (g *gen) appendProjected(b []byte, end time.Time) []byte {
	ms := monthStart(g.now)
	if !end.After(ms) {
		return b
	}
	sum := func(to time.Time) float64 {
		var v float64
		for _, x := range g.insts {
			v += x.count(ms, to)
		}
		return v
	}
	soFar, elapsed := sum(g.now), g.now.Sub(ms)
	b = append(b, `,"projectedSeries":[`...)
	first := true
	vals := []float64{0}
	for d := ms; d.Before(ms.AddDate(0, 1, 0)); d = d.AddDate(0, 0, 1) {
		de := d.AddDate(0, 0, 1)
		switch {
		case !de.After(g.now):
			vals[0] = sum(de)
		case !d.After(g.now):
			vals[0] = soFar
		default:
			vals[0] = math.Round(soFar * float64(de.Sub(ms)) / float64(elapsed))
		}
		b = g.appendRow(b, &first, d, []string{"0"}, vals)
	}
	return append(b, ']')
}

// groupAtoms gives each atom the index of its series (series ordered by
// their metadata values) and each series its metadata values.
func groupAtoms(atoms []*atom, dims []dim) (idx []int, metas [][]string) {
	idx = make([]int, len(atoms))
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
	for i := range idx {
		idx[i] = rank[idx[i]]
	}
	return idx, sorted
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
		if g.float { // hundredths, written with the decimals they need
			c := int64(vals[i])
			b = strconv.AppendInt(b, c/100, 10)
			switch f := c % 100; {
			case f == 0:
			case f%10 == 0:
				b = append(b, '.', byte('0'+f/10))
			default:
				b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
			}
		} else {
			b = strconv.AppendInt(b, int64(vals[i]), 10)
		}
	}
	return append(b, '}')
}

// gen draws the points of one answer from the model (model.go): what a
// point is comes from the meaning table of the endpoint's aggregation
// (client.Endpoint.Meaning), its value from the atoms' primitives.
type gen struct {
	insts []*inst
	idx   []int // series of each atom
	point client.Point
	m     measure
	now   time.Time
	float bool
	tmp   []float64
}

func newGen(q *query, atoms []*atom, idx []int, nSeries int, seed uint64, start, end time.Time) *gen {
	p := q.prof
	g := &gen{idx: idx, m: p.measure(), now: q.now, float: p.float, tmp: make([]float64, nSeries)}
	if mn, ok := q.ep.Meaning(q.agg); ok {
		g.point = mn.Point
	} else {
		g.point = client.PointCount
	}
	scale := p.scaleOf(q.ep, q.path)
	uni := "flag"
	if p.u != nil {
		uni = p.u.name
	}
	// Room for the days of the range, the month before it (month to date)
	// and the 30 days before it (rolling 30 days).
	d0, d1 := max(dayIndex(start)-32, createdDay), dayIndex(end)+1
	sh := newShared(seed)
	if d1 >= d0 {
		sh.trend.reserve(d0, d1)
	}
	g.insts = make([]*inst, len(atoms))
	for i, a := range atoms {
		x := newInst(a, g.m, scale, uni, seed, sh)
		if d1 >= d0 && len(x.seq.days.v) == 0 {
			x.seq.days.reserve(d0, d1)
		}
		g.insts[i] = x
	}
	return g
}

// fill computes the points of the bucket [bs, be): what happened in it until now.
func (g *gen) fill(vals []float64, bs, be time.Time) {
	clear(vals)
	e := be
	if g.now.Before(e) {
		e = g.now
	}
	if g.m == mLevel {
		g.levels(vals, bs, e)
		return
	}
	total := func(x *inst, t0, t1 time.Time) float64 {
		if g.m == mUnique {
			return float64(x.unique(t0, t1))
		}
		return x.count(t0, t1)
	}
	switch g.point {
	case client.PointCumulative: // so far in the UTC month
		ms := monthStart(bs)
		for i, x := range g.insts {
			vals[g.idx[i]] += total(x, ms, e)
		}
	case client.PointNew: // first seen in the month, within the bucket
		ms := monthStart(bs)
		for i, x := range g.insts {
			if g.m == mUnique {
				vals[g.idx[i]] += float64(x.unique(ms, e) - x.unique(ms, bs))
			} else {
				vals[g.idx[i]] += x.count(bs, e)
			}
		}
	case client.PointTrailing: // the 30 days up to the bucket
		w0 := bs.AddDate(0, 0, -29)
		for i, x := range g.insts {
			vals[g.idx[i]] += total(x, w0, e)
		}
	case client.PointAverage: // per hour, over the part of the bucket until now
		for i, x := range g.insts {
			vals[g.idx[i]] += x.count(bs, e)
		}
		if h := e.Sub(bs).Hours(); h > 0 {
			for s := range vals {
				vals[s] = math.Round(vals[s] / h)
			}
		}
	default: // in the bucket
		for i, x := range g.insts {
			vals[g.idx[i]] += total(x, bs, e)
		}
	}
}

// levels sets each series to the peak over the minutes of [bs, e) (the
// minute in progress at now included) of the sum of its atoms' levels. A
// whole hour's peak is the sum of the atoms' hourly peaks (every atom peaks
// at the same minute of an hour), so only partial hours go minute by minute.
func (g *gen) levels(vals []float64, bs, e time.Time) {
	end := e.Truncate(time.Minute)
	if end.Before(e) {
		end = end.Add(time.Minute)
	}
	tmp := g.tmp
	peak := func() {
		for s, v := range tmp {
			vals[s] = max(vals[s], v)
		}
	}
	for t := bs; t.Before(end); {
		hs := t.Truncate(time.Hour)
		he := hs.Add(time.Hour)
		if t.Equal(hs) && !he.After(end) {
			clear(tmp)
			hn := floorDiv(hs.Unix(), 3600)
			for i, x := range g.insts {
				tmp[g.idx[i]] += x.hourPeak(hn)
			}
			peak()
			t = he
			continue
		}
		stop := he
		if end.Before(stop) {
			stop = end
		}
		for ; t.Before(stop); t = t.Add(time.Minute) {
			clear(tmp)
			for i, x := range g.insts {
				tmp[g.idx[i]] += x.minuteLevel(t)
			}
			peak()
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
