package emulator

import (
	"math"
	"time"
)

// The model of the account. Every figure the emulator answers, whatever the
// aggregation or granularity, is drawn from one of three primitives of an
// atom (the smallest combination of dimensions a universe knows). Each is a
// pure function of the atom, the seed and time: nothing is stored between
// requests and nothing is computed at start-up.
//
//   - unique (contexts, MAU, experimentation keys and units): each UTC month
//     the atom has a pool of N contexts of two kinds: regulars (35%), active
//     on a day of weight w with probability 1−e^(−0.6·w), and occasionals,
//     1−e^(−0.04·w). A day's weight has weekday seasonality and noise (mean
//     about 1) and is spread over the day's hours by a fixed diurnal shape
//     (dayShape). The distinct contexts active in [t0, t1) are
//     round(N·Σ share·(1−e^(−rate·S))), S the weight in [t0, t1) and N the
//     month's pool (for a window across months, the months' pools weighted
//     by the window's weight in each). Month to date at t is
//     the distinct contexts of [month start, t); first seen in a bucket is the
//     difference of month to date at its ends (so a month's buckets add up to
//     its month to date exactly); rolling 30 days is the distinct contexts of
//     the 30 days up to the bucket (at least any day's active contexts, below
//     their sum).
//   - count (evaluations, events, exports, runs, observability, service
//     connection minutes): an integer per UTC day, split into hours by a noisy
//     diurnal shape and each hour into minutes by cumulative rounding, so that
//     minutes add up to their hour and hours to their day exactly. A count in
//     a part of a minute is the floor of its share of the minute. Service
//     connection minutes are counted in hundredths of a minute.
//   - level (streaming connections): an integer per minute. Each UTC hour has a
//     peak; every minute of the hour is at most its peak and one minute of the
//     hour, the same for every atom, reaches it. A bucket's level is the peak
//     of its minutes (never a sum), and the peak of a sum of atoms over an
//     hour is the sum of their hourly peaks.
//
// Nothing exists before the account was created.

// measure is what a universe's atoms count.
type measure int

const (
	mCount  measure = iota // things that happen (per minute, additive)
	mUnique                // distinct contexts (first seen, active)
	mLevel                 // connections open (a level per minute)
)

func (m measure) String() string { return [...]string{"count", "unique", "level"}[m] }

// The two kinds of contexts of the unique model.
const (
	regularShare   = 0.35
	regularRate    = 0.6
	occasionalRate = 0.04
)

// activeShare is the share of a pool active in a span of weight s.
func activeShare(s float64) float64 {
	return -regularShare*math.Expm1(-regularRate*s) - (1-regularShare)*math.Expm1(-occasionalRate*s)
}

// monthShare is the share of a pool active in a typical month (weight 30),
// so that a pool of base/monthShare has about base monthly actives.
var monthShare = activeShare(30)

// dayShape[h] is the share of a day's unique-context activity before hour h
// (UTC): a diurnal curve peaking at 16:00. dayShape[0] is 0 and dayShape[24]
// exactly 1.
var dayShape = func() (c [25]float64) {
	var sum float64
	for h := 0; h < 24; h++ {
		sum += diurnal(float64(h) + 0.5)
		c[h+1] = sum
	}
	for h := 1; h < 24; h++ {
		c[h] /= sum
	}
	c[24] = 1
	return c
}()

// diurnal is the time-of-day shape at hour h (UTC, fractional): mean 1, peak at 16:00.
func diurnal(h float64) float64 { return 1 + 0.5*math.Cos(2*math.Pi*(h-16)/24) }

// dip is how much lower each weekday (Sunday first) is than the mean, at full seasonality.
var dip = [7]float64{0.36, 0.02, -0.03, -0.04, -0.02, 0.08, 0.32}

const meanDip = 0.69 / 7

const (
	secPerDay  = 86400
	secPerYear = 365.25 * secPerDay
	nsHour     = int64(time.Hour)
	nsDay      = 24 * nsHour
)

var (
	createdDay = dayIndex(created)
	trendRef   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// dayIndex is the number of the UTC day holding t (days since 1970-01-01).
func dayIndex(t time.Time) int64 { return floorDiv(t.Unix(), secPerDay) }

func dayStart(d int64) time.Time { return time.Unix(d*secPerDay, 0).UTC() }

func weekday(d int64) int { return int((d%7 + 7 + 4) % 7) } // day 0 (1970-01-01) was a Thursday

// civil returns the year and month (1..12) of day d, and daysFrom the day
// of a date: Howard Hinnant's algorithms, much cheaper than time.Date.
func civil(d int64) (y, m int64) {
	z := d + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m
}

func daysFrom(y, m, dd int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + dd - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// monthOf is the number of the UTC month of day d (year·12 + month − 1).
func monthOf(d int64) int64 {
	y, m := civil(d)
	return y*12 + m - 1
}

// monthDay is the first day of month number mn.
func monthDay(mn int64) int64 { return daysFrom(floorDiv(mn, 12), mn-floorDiv(mn, 12)*12+1, 1) }

// Odd constants that spread day, hour and minute numbers over the hash.
const (
	kDay    = 0x9e3779b97f4a7c15
	kHour   = 0xc2b2ae3d27d4eb4f
	kMinute = 0x165667b19e3779f9
	kMonth  = 0xd6e8feb86659fd93
)

// shared is what the atoms of one answer (or of one Model call) share: the
// trend per day and the activity weights of unique counts, one sequence per
// activity key. Atoms that differ only in environment, context kind or
// anonymity share their key: their activity follows the same days.
type shared struct {
	growth float64
	trend  dayCache // the trend at each day's noon
	seqs   map[uint64]*daySeq
}

func newShared(seed uint64) *shared {
	return &shared{growth: 0.16 + 0.08*unit(mix(seed^0x9e3779b97f4a7c15)), seqs: map[uint64]*daySeq{}}
}

// trendAt is a mild growth of about 20% a year, at Unix second s.
func (sh *shared) trendAt(s int64) float64 {
	return math.Exp(sh.growth * float64(s-trendRef) / secPerYear)
}

// trendDay is the trend at noon of day d.
func (sh *shared) trendDay(d int64) float64 {
	if v, ok := sh.trend.get(d); ok {
		return v
	}
	v := sh.trendAt(d*secPerDay + secPerDay/2)
	sh.trend.put(d, v)
	return v
}

// daySeq is one value per UTC day, with prefix sums: the activity weights of
// an activity key (unique, in millionths), or an atom's counts (count) or
// mean levels (level).
type daySeq struct {
	m      measure
	seed   uint64
	season float64
	base   float64
	sh     *shared
	days   dayCache
	last   window // the last window asked (unique)
}

// window is the weight of [a, b) with its parts in each month.
type window struct {
	a, b   int64
	m0, m1 int64     // its first and last month
	s      float64   // its weight
	active float64   // activeShare(s)
	parts  []float64 // its weight in each month, when it spans several
}

// inst is one atom as one universe measures it: its scale, its noise seed
// and small caches. An inst is used by one goroutine at a time, with the
// other insts of its shared.
type inst struct {
	a      *atom
	m      measure
	base   float64 // unique: expected monthly actives; count: per day; level: connections (at trend 1)
	season float64
	seed   uint64 // noise of this atom
	acct   uint64 // noise shared by every atom of the account (the peak minute of an hour)
	sh     *shared
	seq    *daySeq // unique: the shared activity weights; else the atom's own days
	split  *splits // counts only
	pools  [2]struct {
		m int64 // month number + 1
		n float64
	}
}

// splits caches the cumulative shares of one day's hours and one hour's minutes.
type splits struct {
	qDay int64 // the day q holds, +1 (0: none)
	q    [25]float64
	rH   int64 // the hour r holds, +1
	r    [61]float64
}

// newInst measures atom a at scale within a universe (uni names it) of an
// account (seed), sharing sh with the other atoms of an answer.
func newInst(a *atom, m measure, scale float64, uni string, seed uint64, sh *shared) *inst {
	x := &inst{
		a: a, m: m, sh: sh,
		base:   a.base * scale * (1 + 0.15*(2*unit(mix(a.id^seed))-1)),
		season: a.season,
		seed:   mix(a.id ^ hashString(uni) ^ mix(seed+1)),
		acct:   mix(seed ^ 0x5851f42d4c957f2d),
	}
	switch m {
	case mUnique:
		key := hashString(uni + "\x00" + a.attrs[dProject] + "\x00" + a.attrs[dSDK] + "\x00" + a.attrs[dExperiment])
		if x.seq = sh.seqs[key]; x.seq == nil {
			x.seq = &daySeq{m: m, seed: mix(key ^ mix(seed+1)), season: a.season, sh: sh}
			sh.seqs[key] = x.seq
		}
	default:
		x.seq = &daySeq{m: m, seed: x.seed, season: a.season, base: x.base, sh: sh}
		if m == mCount {
			x.split = &splits{}
		}
	}
	return x
}

// micro is the unit of activity weights: a weight of 1 is 1e6.
const micro = 1e6

// day returns the activity weight (unique, in millionths), the count (count)
// or the mean level (level) of day d.
func (q *daySeq) day(d int64) float64 {
	if d < createdDay {
		return 0
	}
	if v, ok := q.days.get(d); ok {
		return v
	}
	var v float64
	wd := weekday(d)
	switch q.m {
	case mUnique: // in millionths, so that sums of whole days are exact whatever their order
		u := unit(mix(q.seed ^ uint64(d)*kDay))
		v = math.Round(micro * (1 - q.season*dip[wd]) / (1 - q.season*meanDip) * (1 + 0.06*(2*u-1)))
	case mCount:
		u := unit(mix(q.seed ^ uint64(d)*kDay))
		v = math.Round(q.base * q.sh.trendDay(d) * (1 - q.season*dip[wd]) * (1 + 0.05*(2*u-1)))
	default:
		v = q.base * q.sh.trendDay(d) * (1 - 0.5*q.season*dip[wd])
	}
	q.days.put(d, v)
	return v
}

func (x *inst) day(d int64) float64 { return x.seq.day(d) }

// sumDays is the sum of day(d) over days [d0, d1): integers, so exact
// whether added in a loop or taken from prefix sums.
func (q *daySeq) sumDays(d0, d1 int64) float64 {
	if d1 <= d0 {
		return 0
	}
	c := &q.days
	if d0 >= c.lo && d1-c.lo <= int64(len(c.v)) && len(c.v) > 0 {
		for n := int64(len(c.pre)) - 1; n < d1-c.lo; n++ {
			c.pre = append(c.pre, c.pre[n]+q.day(c.lo+n))
		}
		return c.pre[d1-c.lo] - c.pre[d0-c.lo]
	}
	var s float64
	for d := d0; d < d1; d++ {
		s += q.day(d)
	}
	return s
}

// --- unique ---

// pool is the number of contexts that may be active in month number mn.
func (x *inst) pool(mn int64) float64 {
	for _, p := range x.pools {
		if p.m == mn+1 {
			return p.n
		}
	}
	v := x.base * x.sh.trendAt(monthDay(mn)*secPerDay) * (1 + 0.01*(2*unit(mix(x.seed^uint64(mn)*kMonth))-1)) / monthShare
	x.pools[1] = x.pools[0]
	x.pools[0].m, x.pools[0].n = mn+1, v
	return v
}

// shapeAt is the share of a day's unique-context activity in its first r
// nanoseconds (0 ≤ r ≤ one day).
func shapeAt(r int64) float64 {
	if r >= nsDay {
		return 1
	}
	h := r / nsHour
	f := float64(r-h*nsHour) / float64(nsHour)
	return dayShape[h] + (dayShape[h+1]-dayShape[h])*f
}

// weightIn is the activity weight in [a, b) (Unix nanoseconds): the whole
// days' weights (an exact integer sum), then the parts of the first and the
// last day.
func (q *daySeq) weightIn(a, b int64) float64 {
	if b <= a {
		return 0
	}
	d0, d1 := floorDiv(a, nsDay), floorDiv(b-1, nsDay)
	lo, hi := a-d0*nsDay, b-d1*nsDay // into the first day, into the last day (1..nsDay)
	if d0 == d1 {
		if lo == 0 && hi == nsDay {
			return q.day(d0) / micro
		}
		return q.day(d0) / micro * (shapeAt(hi) - shapeAt(lo))
	}
	f0, f1 := d0, d1+1 // the whole days
	var first, last float64
	if lo > 0 {
		first = q.day(d0) / micro * (1 - shapeAt(lo))
		f0++
	}
	if hi < nsDay {
		last = q.day(d1) / micro * shapeAt(hi)
		f1--
	}
	return q.sumDays(f0, f1)/micro + first + last
}

// window returns the weight of [a, b) and its parts by month (b > a).
func (q *daySeq) window(a, b int64) *window {
	w := &q.last
	if w.a == a && w.b == b && (a != 0 || b != 0) {
		return w
	}
	w.a, w.b = a, b
	w.m0, w.m1 = monthOf(floorDiv(a, nsDay)), monthOf(floorDiv(b-1, nsDay))
	w.parts = w.parts[:0]
	if w.m0 == w.m1 {
		w.s = q.weightIn(a, b)
	} else {
		w.s = 0
		for mn := w.m0; mn <= w.m1; mn++ {
			p := q.weightIn(max(a, monthDay(mn)*nsDay), min(b, monthDay(mn+1)*nsDay))
			w.s += p
			w.parts = append(w.parts, p)
		}
	}
	w.active = activeShare(w.s)
	return w
}

// unique is the number of distinct contexts active in [t0, t1). A window
// across months draws on their pools in proportion to its weight in each.
func (x *inst) unique(t0, t1 time.Time) int64 {
	a, b := t0.UnixNano(), t1.UnixNano()
	if b <= a {
		return 0
	}
	w := x.seq.window(a, b)
	if w.s == 0 {
		return 0
	}
	var n float64
	if w.m0 == w.m1 {
		n = x.pool(w.m0)
	} else {
		var ns float64
		for i, p := range w.parts {
			ns += p * x.pool(w.m0+int64(i))
		}
		n = ns / w.s
	}
	return int64(math.Round(n * w.active))
}

// --- count ---

// hourCum returns the cumulative shares of day d's hours: hourCum(d)[h] of
// the day's count happens before hour h.
func (x *inst) hourCum(d int64) *[25]float64 {
	c := x.split
	if c.qDay == d+1 {
		return &c.q
	}
	var sum float64
	for h := 0; h < 24; h++ {
		u := unit(mix(x.seed ^ uint64(d*24+int64(h))*kHour))
		sum += diurnal(float64(h)+0.5) * (1 + 0.12*(2*u-1))
		c.q[h+1] = sum
	}
	for h := 1; h < 24; h++ {
		c.q[h] /= sum
	}
	c.q[0], c.q[24] = 0, 1
	c.qDay = d + 1
	return &c.q
}

// minuteCum returns the cumulative shares of the minutes of hour number hn.
func (x *inst) minuteCum(hn int64) *[61]float64 {
	c := x.split
	if c.rH == hn+1 {
		return &c.r
	}
	var sum float64
	for i := 0; i < 60; i++ {
		sum += 1 + 0.3*(2*unit(mix(x.seed^uint64(hn*60+int64(i))*kMinute))-1)
		c.r[i+1] = sum
	}
	for i := 1; i < 60; i++ {
		c.r[i] /= sum
	}
	c.r[0], c.r[60] = 0, 1
	c.rH = hn + 1
	return &c.r
}

// countBefore is the count of day d in its first r nanoseconds (0 ≤ r ≤ one day).
func (x *inst) countBefore(d, r int64) float64 {
	if r <= 0 {
		return 0
	}
	total := x.day(d)
	if r >= nsDay || total == 0 {
		return total
	}
	h := r / nsHour
	q := x.hourCum(d)
	n := math.Round(total * q[h])
	rest := r - h*nsHour
	if rest == 0 {
		return n
	}
	hc := math.Round(total*q[h+1]) - n
	rc := x.minuteCum(d*24 + h)
	i := rest / int64(time.Minute)
	m := math.Round(hc * rc[i])
	if sub := rest - i*int64(time.Minute); sub > 0 {
		mc := math.Round(hc*rc[i+1]) - m
		m += math.Floor(mc * float64(sub) / float64(time.Minute))
	}
	return n + m
}

// count is the count in [t0, t1).
func (x *inst) count(t0, t1 time.Time) float64 {
	a, b := t0.UnixNano(), t1.UnixNano()
	if b <= a {
		return 0
	}
	d0, d1 := floorDiv(a, nsDay), floorDiv(b-1, nsDay)
	lo, hi := a-d0*nsDay, b-d1*nsDay
	if d0 == d1 {
		return x.countBefore(d0, hi) - x.countBefore(d0, lo)
	}
	f0, f1 := d0, d1+1 // the whole days
	var first, last float64
	if lo > 0 {
		first = x.day(d0) - x.countBefore(d0, lo)
		f0++
	}
	if hi < nsDay {
		last = x.countBefore(d1, hi)
		f1--
	}
	return x.seq.sumDays(f0, f1) + first + last
}

// --- level ---

// levelShape is the time-of-day shape of connection levels per UTC hour.
var levelShape = func() (s [24]float64) {
	for h := range s {
		s[h] = 1 + 0.35*math.Cos(2*math.Pi*(float64(h)+0.5-16)/24)
	}
	return s
}()

// hourPeak is the peak level of the UTC hour numbered hn (hours since 1970).
func (x *inst) hourPeak(hn int64) float64 {
	d := floorDiv(hn, 24)
	if d < createdDay {
		return 0
	}
	u := unit(mix(x.seed ^ uint64(hn)*kHour))
	return math.Round(x.day(d) * levelShape[hn-d*24] * (1 + 0.04*(2*u-1)))
}

// peakMinute is the minute of hour hn at which every atom is at its peak.
func (x *inst) peakMinute(hn int64) int64 { return int64(mix(x.acct^uint64(hn)*kHour) % 60) }

// minuteLevel is the level in the minute starting at t.
func (x *inst) minuteLevel(t time.Time) float64 {
	mn := floorDiv(t.Unix(), 60)
	hn := floorDiv(mn, 60)
	p := x.hourPeak(hn)
	if mn-hn*60 == x.peakMinute(hn) {
		return p
	}
	return p - math.Floor(p*0.08*unit(mix(x.acct^uint64(mn)*kMinute)))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dayCache holds one value per day over a window of days that grows as
// needed (NaN: not computed yet).
type dayCache struct {
	lo  int64
	v   []float64
	pre []float64 // pre[i]: the sum of the first i days (sumDays fills it)
}

func (c *dayCache) get(d int64) (float64, bool) {
	i := d - c.lo
	if i < 0 || i >= int64(len(c.v)) || math.IsNaN(c.v[i]) {
		return 0, false
	}
	return c.v[i], true
}

// reserve makes room for days d0..d1.
func (c *dayCache) reserve(d0, d1 int64) {
	if len(c.v) > 0 {
		d0, d1 = min(d0, c.lo), max(d1, c.lo+int64(len(c.v))-1)
	}
	n := d1 - d0 + 1
	if n > 1<<16 || len(c.v) > 0 && d0 == c.lo && n == int64(len(c.v)) {
		return
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	if len(c.v) > 0 {
		copy(v[c.lo-d0:], c.v)
	}
	c.lo, c.v = d0, v
	c.pre = append(make([]float64, 0, n+1), 0)
}

func (c *dayCache) put(d int64, v float64) {
	if i := d - c.lo; i < 0 || i >= int64(len(c.v)) {
		c.reserve(d-40, d+64)
		if i := d - c.lo; i < 0 || i >= int64(len(c.v)) {
			return // too far apart to cache
		}
	}
	c.v[d-c.lo] = v
}
