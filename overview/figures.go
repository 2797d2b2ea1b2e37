package overview

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// This file holds the overview's own figures: each measure's month from its
// tool's headline, last month at the same point from the points of the
// series the headline is made of, the movers, and which MAU measure the
// Answer line gives.

// measureFigure reads one measure's figures from its tool's summary: the
// month's figure from the headline's months, and the month before at the
// same point from the points of the series the headline is made of.
func measureFigure(m Measure, ep *client.Endpoint, r Result, p Period) MeasureFigure {
	mf := MeasureFigure{Name: m.Name, Title: m.Title, Tool: m.Tool, Unit: ep.Noun, per: ep.Per, BilledUnit: ep.PerNoun, whole: !ep.Float && ep.Per == 0}
	h := r.Summary.Headline
	var cur, prev answer.MonthFigure
	cur.Status = answer.MonthComplete
	if p.Running {
		cur.Status = answer.MonthInProgress
	}
	if f, ok := monthOf(h, p.Month); ok {
		cur = f
	}
	if f, ok := monthOf(h, p.PrevMonth); ok {
		prev = f
	}
	mf.Value, mf.Status = cur.Value, cur.Status
	mf.prevWhole, mf.prevDone = prev.Value, prev.Status == answer.MonthComplete
	if p.Running {
		// Read between two daily points: a count of whole things is rounded.
		mf.Previous = headlineAt(r, p.PrevStart, p.PrevAt)
		if mf.whole {
			mf.Previous = math.Round(mf.Previous)
		}
	} else {
		mf.Previous = prev.Value
	}
	if mf.Previous != 0 {
		c := answer.Finite((mf.Value - mf.Previous) / math.Abs(mf.Previous) * 100)
		mf.ChangePct = &c
	}
	if ep.Per > 0 {
		b := answer.Finite(mf.Value / ep.Per)
		mf.Billed = &b
	}
	return mf
}

// inBilled converts a figure of the measure into its billed unit.
func (mf *MeasureFigure) inBilled(v float64) float64 {
	if mf.per > 0 {
		return answer.Finite(v / mf.per)
	}
	return v
}

// judge sets the measure's share of its entitlement ent and, for the
// running month, its estimate.
func (mf *MeasureFigure) judge(ent float64, p Period) {
	c := checkEntitlement(ent, mf.inBilled(mf.Value), p.Running, p, mf.inBilled(mf.Previous), mf.inBilled(mf.prevWhole), mf.prevDone)
	mf.Entitlement, mf.Share = &ent, &c.share
	mf.Estimate, mf.EstimateNote, mf.Over = c.estimate, c.estimateNote, c.over
	if mf.Estimate != nil && mf.whole {
		*mf.Estimate = math.Round(*mf.Estimate)
	}
}

// monthOf is the headline's figure of one month.
func monthOf(h *answer.Headline, month string) (answer.MonthFigure, bool) {
	if h == nil {
		return answer.MonthFigure{}, false
	}
	for _, mf := range h.Months {
		if mf.Month == month {
			return mf, true
		}
	}
	if len(h.Months) == 0 && h.Month == month {
		return answer.MonthFigure{Month: month, Value: h.Value, Status: h.Status}, true
	}
	return answer.MonthFigure{}, false
}

// headlineAt is the headline's figure of the month starting at start, read
// at instant at: from the same series as the headline (the one series, the
// sum of series that add up, or the largest), each read by cumulativeAt.
func headlineAt(r Result, start, at time.Time) float64 {
	h := r.Summary.Headline
	if h == nil {
		return 0
	}
	keys := map[string]bool{}
	for _, st := range r.Summary.Series {
		if st.Points > 0 && (h.Of != "largest series" || st.Label == h.Label) {
			keys[st.Key] = true
			if h.Of == "largest series" {
				break
			}
		}
	}
	var v float64
	for i := range r.Response.Series {
		if sr := &r.Response.Series[i]; keys[sr.Key] {
			v += cumulativeAt(sr, start, at)
		}
	}
	return answer.Finite(v)
}

// cumulativeAt reads a month_to_date series (daily points, each the month's
// figure through the end of its day, in UTC) at instant at of the month that
// starts at start: between the point of at's day and the last point before
// that day (0 before the month's first day), in proportion to the part of
// at's day gone. Without a point on at's day, the last point before it.
func cumulativeAt(sr *client.Series, start, at time.Time) float64 {
	end := start.AddDate(0, 1, 0)
	if at.After(end) {
		at = end
	}
	day := at.Truncate(24 * time.Hour)
	var before, on float64
	hasOn := false
	n := min(len(sr.Times), len(sr.Values))
	for i := 0; i < n; i++ {
		t, v := time.UnixMilli(sr.Times[i]).UTC(), sr.Values[i]
		if !answer.IsFinite(v) || t.Before(start) || !t.Before(end) {
			continue
		}
		switch {
		case t.Before(day):
			before = v // cumulative: the last one before the day holds
		case t.Before(day.Add(24 * time.Hour)):
			on, hasOn = v, true
		}
	}
	if !hasOn || !day.Before(end) {
		return before
	}
	frac := float64(at.Sub(day)) / float64(24*time.Hour)
	return before + frac*(on-before)
}

// movers are the measures that changed by moverPct or more (or that are new
// this month), biggest change first, at most maxMovers.
func movers(ms []MeasureFigure) []string {
	type mv struct {
		name string
		abs  float64
	}
	var all []mv
	for _, m := range ms {
		switch {
		case m.ChangePct != nil && math.Abs(*m.ChangePct) >= moverPct:
			all = append(all, mv{m.Name, math.Abs(*m.ChangePct)})
		case m.ChangePct == nil && m.Previous == 0 && m.Value > 0:
			all = append(all, mv{m.Name, math.Inf(1)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].abs > all[j].abs })
	out := []string{}
	for _, m := range all[:min(len(all), maxMovers)] {
		out = append(out, m.name)
	}
	return out
}

// billedMAU chooses the measure of the Answer line: the MAU measure with an
// entitlement when only one has one, else client-side MAU (what LaunchDarkly
// bills as MAU), else primary-context MAU; without either, the first measure.
func billedMAU(ms []MeasureFigure, ents Entitlements) (i int, why string) {
	at := func(name string) int {
		return slices.IndexFunc(ms, func(m MeasureFigure) bool { return m.Name == name })
	}
	c, m := at("client-mau"), at("mau")
	_, entC := ents["client-mau"]
	_, entM := ents["mau"]
	switch {
	case m >= 0 && entM && !entC:
		return m, "primary-context MAU: the MAU measure with an entitlement"
	case c >= 0:
		return c, "client-side MAU is the billed MAU measure"
	case m >= 0:
		return m, "primary-context MAU: client-side MAU could not be read"
	case len(ms) > 0:
		return 0, "no MAU figure could be read"
	}
	return -1, ""
}
