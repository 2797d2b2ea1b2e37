package answer

import (
	"sort"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// This file holds the figures of calendar months: per series the figure of
// each month its points fall in (the last point of cumulative points, the
// sum of points that add up), whether the range and the clock cover the
// whole month, and the months of series that add up, added month by month.

// MonthFigure is the figure of one calendar month.
type MonthFigure struct {
	Month  string  `json:"month"` // 2006-01
	Value  float64 `json:"value"`
	Status string  `json:"status"` // complete, inProgress or partial
	// Through is the start of the last bucket counted (RFC 3339).
	Through string `json:"through,omitempty"`
	// Billed is the month's figure in billed units, each calendar month on
	// its own (a month's service connection minutes ÷ 43,800).
	Billed *float64 `json:"billed,omitempty"`

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
		if sums(f.meaning.Figure) {
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
		if sums(f.meaning.Figure) && !f.from.IsZero() && f.from.After(mf.start) {
			return MonthPartial
		}
		// The last bucket must reach the month's end (a gap at the end
		// means the month is not all there).
		if f.step > 0 && time.UnixMilli(mf.lastT).Add(f.step).Before(end) {
			return MonthPartial
		}
		return MonthComplete
	}
	if sums(f.meaning.Figure) && !f.from.IsZero() && f.from.After(mf.start) {
		return MonthPartial
	}
	if f.to.IsZero() || !f.to.Before(f.now) {
		return MonthInProgress
	}
	return MonthPartial
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

// sums reports whether a month's figure is the sum of its points.
func sums(fig client.Figure) bool { return fig == client.FigureMonthSum || fig == client.FigureSum }
