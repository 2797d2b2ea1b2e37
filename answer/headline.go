package answer

import (
	"strconv"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// This file chooses the one figure that answers "how much" (the headline):
// that of the answer's one series, the total of series that add up across
// the dimension the answer is split by (client.Endpoint.Across), or the
// largest of series that overlap; and says it in words.

// Headline is the figure that answers "how much" for the whole answer, with
// what it is of.
type Headline struct {
	Value float64 `json:"value"`
	// Text says the figure in words: what it counts, over which period, and
	// whether that period is complete.
	Text string `json:"text"`
	// Of says what the value is made from: "series" (the answer's one
	// series), "sum of series" (series that add up), "largest series"
	// (series that overlap, such as unique counts by SDK: no total) or
	// "largest group" (series split by a dimension that adds up and one that
	// overlaps, such as contexts by kind and project: the kinds of each
	// project added, the largest project's total).
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
	// Parts names what the series are ("context kinds", "SDK versions",
	// "experiments"; "series" when split by several dimensions), and Count
	// how many hold data: a "sum of series" adds Count Parts.
	Parts string `json:"parts,omitempty"`
	Count int    `json:"count,omitempty"`
	// Time is when a level's total peaked (RFC 3339), for a sum of levels.
	Time string `json:"time,omitempty"`
	at   int64
	// inGroup is how many series the largest group adds.
	inGroup int
}

// largestGroup adds the series within each value of the overlapping
// dimensions over and returns the largest group: its label (over's
// key=value pairs), figure, months, how many groups there are and how many
// series it adds.
func largestGroup(with []*SeriesSummary, over []string) (label string, value float64, months []MonthFigure, groups, n int) {
	type group struct {
		label string
		ss    []*SeriesSummary
		value float64
	}
	var gs []*group
	at := map[string]*group{}
	for _, st := range with {
		m := map[string]any{}
		for _, d := range over {
			if v, ok := st.meta[d]; ok {
				m[d] = v
			}
		}
		l := metaLabel(m, st.Key)
		g, ok := at[l]
		if !ok {
			g = &group{label: l}
			at[l] = g
			gs = append(gs, g)
		}
		g.ss = append(g.ss, st)
		g.value += st.Figure
	}
	best := gs[0]
	for _, g := range gs[1:] {
		if g.value > best.value || g.value == best.value && g.label < best.label {
			best = g
		}
	}
	return best.label, Finite(best.value), sumMonths(best.ss), len(gs), len(best.ss)
}

// headline chooses the figure that answers the question: that of the one
// series, the total of series that add up split as they are (for levels,
// the peak of the per-bucket sum, at the time it happened), or the largest
// of series that overlap.
func headline(ep *client.Endpoint, ss []SeriesSummary, f frame, resp *client.Response) *Headline {
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
	case f.across && f.meaning.Point == client.PointLevel:
		h.Of, h.Parts, h.Count = "sum of series", f.parts, len(with)
		v, at := peakOfSum(resp)
		h.Value, h.Time, h.at = v, RFC3339(smMsTime(at)), at
	case f.across:
		h.Of, h.Parts, h.Count = "sum of series", f.parts, len(with)
		for _, st := range with {
			h.Value += st.Figure
		}
		h.Value = Finite(h.Value)
		months = sumMonths(with)
	case len(f.over) > 0 && f.meaning.Point != client.PointLevel:
		h.Of = "largest group"
		h.Label, h.Value, months, h.Count, h.inGroup = largestGroup(with, f.over)
		_, h.Parts = ep.Across("", f.over)
	default:
		best := with[0] // sorted by figure, largest first
		h.Of, h.Label, h.Value, months = "largest series", best.Label, best.Figure, best.Months
		h.Parts, h.Count = f.parts, len(with)
	}
	if len(months) > 0 {
		if f.meaning.Figure != client.FigureSum { // a sum is the range's, not a month's
			last := months[len(months)-1]
			h.Month, h.Status = last.Month, last.Status
		}
		if len(months) > 1 {
			h.Months = months
		}
	}
	if ep.Per > 0 && (f.meaning.Point == client.PointCumulative || f.meaning.Point == client.PointCount) {
		b := Finite(h.Value / ep.Per)
		h.Billed, h.BilledUnit = &b, ep.PerNoun
		for i := range h.Months {
			mb := Finite(h.Months[i].Value / ep.Per)
			h.Months[i].Billed = &mb
		}
		if f.meaning.Figure == client.FigureSum && len(h.Months) > 1 {
			// Each calendar month bills on its own: a total over months is
			// so many connections for so many months.
			h.BilledUnit = monthsUnit(ep.PerNoun)
		}
	}
	h.Text = headlineText(ep, h, with, f)
	return h
}

// monthsUnit names a billed unit summed over several months:
// "service connections" makes "connection-months".
func monthsUnit(perNoun string) string {
	w := strings.Fields(perNoun)
	if len(w) == 0 {
		return "unit-months"
	}
	return strings.TrimSuffix(w[len(w)-1], "s") + "-months"
}

// peakOfSum is the largest per-bucket sum of the series and its time (ms):
// the level of series that partition, at its peak.
func peakOfSum(resp *client.Response) (float64, int64) {
	total := map[int64]float64{}
	for _, sr := range resp.Series {
		for i := range min(len(sr.Times), len(sr.Values)) {
			if v := sr.Values[i]; IsFinite(v) {
				total[sr.Times[i]] += v
			}
		}
	}
	var best float64
	var at int64
	first := true
	for t, v := range total {
		if first || v > best || v == best && t < at {
			best, at, first = v, t, false
		}
	}
	return Finite(best), at
}

// headlineText says the headline figure in words. Its first number is the
// figure itself, written exactly.
func headlineText(ep *client.Endpoint, h *Headline, with []*SeriesSummary, f frame) string {
	noun := ep.Noun
	if noun == "" {
		noun = "units"
	}
	val := Exact(h.Value)
	var b strings.Builder
	b.WriteString(val + " " + noun)
	shortT := func(ms int64) string {
		t := time.UnixMilli(ms).In(f.loc)
		if f.step >= 24*time.Hour || f.monthly {
			return t.Format("Jan 2, 2006")
		}
		return t.Format("Jan 2 15:04") + " " + f.loc.String()
	}
	switch f.meaning.Figure {
	case client.FigureMonthEnd, client.FigureMonthSum:
		if h.Month == "" {
			break
		}
		name := MonthName(h.Month)
		var through int64
		for _, st := range with {
			if n := len(st.Months); n > 0 && st.Months[n-1].lastT > through {
				through = st.Months[n-1].lastT
			}
		}
		newWord := ""
		if f.meaning.Figure == client.FigureMonthSum {
			newWord = " first seen"
			if ep.Measure != client.Unique {
				newWord = ""
			}
		}
		switch h.Status {
		case MonthComplete:
			b.WriteString(newWord + " in " + name + " (the whole month)")
		case MonthInProgress:
			b.WriteString(newWord + " so far in " + name + " (month in progress, to " + f.now.In(f.loc).Format("Jan 2 15:04") + " " + f.loc.String() + ")")
		default:
			if f.meaning.Figure == client.FigureMonthEnd {
				b.WriteString(" month to date at " + shortT(through) + " (" + name + " not complete in the range)")
			} else {
				b.WriteString(newWord + " in the part of " + name + " in the range, to " + shortT(through) + " (not the month's figure)")
			}
		}
	case client.FigureLatest:
		last := int64(0)
		for _, st := range with {
			last = max(last, st.lastT)
		}
		if f.meaning.Point == client.PointTrailing {
			b.WriteString(" in the 30 days to " + shortT(last) + " (latest point)")
		} else {
			b.WriteString(" at " + shortT(last) + " (latest point)")
		}
	case client.FigureSum:
		b.WriteString(" in total over the range")
		if len(h.Months) > 1 {
			b.WriteString(" (" + strconv.Itoa(len(h.Months)) + " calendar months: see By month)")
		}
	case client.FigurePeak:
		if h.Of == "sum of series" {
			b.WriteString(" at the peak of their total, " + shortT(h.at) + " (the per-bucket sum of " + strconv.Itoa(len(with)) + " " + h.Parts +
				"; the largest alone peaked at " + Exact(with[0].Figure) + ")")
			break
		}
		at := with[0].maxT
		if h.Label != "" || len(with) == 1 {
			for _, st := range with {
				if st.Label == h.Label || len(with) == 1 {
					at = st.maxT
				}
			}
		}
		b.WriteString(" at the peak, " + shortT(at))
	case client.FigureMean:
		b.WriteString(" on average per " + bucketWord(f))
	}
	switch {
	case h.Of == "sum of series" && f.meaning.Point != client.PointLevel:
		b.WriteString(", sum of " + strconv.Itoa(len(with)) + " " + h.Parts)
	case h.Of == "largest series":
		b.WriteString(", for " + TrimLabel(h.Label, summaryLabelRunes) + ", the largest of " + strconv.Itoa(len(with)) + " " + h.Parts + " (they overlap: no total)")
	case h.Of == "largest group":
		b.WriteString(", for " + TrimLabel(h.Label, summaryLabelRunes) + " (sum of " + strconv.Itoa(h.inGroup) + " " + f.within + "), the largest of " +
			strconv.Itoa(h.Count) + " " + h.Parts + " (they overlap: no total)")
	}
	switch {
	case h.Billed != nil && len(h.Months) > 1 && f.meaning.Figure == client.FigureSum:
		parts := make([]string, len(h.Months))
		for i, mf := range h.Months {
			parts[i] = monthShort(mf.Month) + " " + FormatBilled(*mf.Billed)
		}
		b.WriteString(" = " + FormatBilled(*h.Billed) + " " + h.BilledUnit + " billed (each calendar month's minutes ÷ " + Exact(ep.Per) + ": " +
			strings.Join(parts, " + ") + " " + ep.PerNoun + ")")
	case h.Billed != nil:
		b.WriteString(" = " + FormatBilled(*h.Billed) + " " + h.BilledUnit + " billed (" + Exact(ep.Per) + " minutes each)")
	}
	b.WriteString(".")
	return b.String()
}
