package answer

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// This file renders a Summary as the text of a result: what was asked, the
// exact range and zone, what a point is, a table of the top series, and one
// "Answer:" line with the figure that answers how much. It computes no
// figure of its own: they come from figures.go.

// Text renders the summary for a person or a model. It stays below
// TextBudget bytes whatever the data.
func (s *Summary) Text() string {
	if s == nil {
		return ""
	}
	head := []string{s.headerLine()}
	if s.Demo {
		head = append(head, DemoMarker)
	}
	var body Rows
	var tail []string
	switch s.Kind {
	case "series":
		if s.Meaning != "" && !s.Empty {
			head = append(head, "Each point: "+s.Unit+", "+s.Meaning+"; "+s.figure.Words()+".")
		}
		body = s.table()
		tail = append(tail, s.answerLine(), s.monthsLine())
		if s.InProgress != "" {
			tail = append(tail, "The last bucket ("+s.shortDate(s.to.UnixMilli())+") is still in progress: its value, and the change to it, are partial.")
		}
	case "sdks":
		if len(s.SDKs) > 0 {
			body = listLines("SDKs: ", s.SDKs)
		}
		tail = append(tail, s.answerLine())
	case "sdkVersions":
		body = s.versionLines()
		tail = append(tail, s.answerLine())
	case "sdkVersionDetails":
		tail = append(tail, s.eolLines()...)
		tail = append(tail, s.answerLine())
	}
	for _, n := range s.Notes {
		tail = append(tail, "Note: "+n)
	}
	if s.Hint != "" {
		tail = append(tail, "Hint: "+s.Hint)
	}
	return FitText(head, body, tail)
}

// answerLine is the Answer: line of a list, "" when it has no headline.
func (s *Summary) answerLine() string {
	if s.Headline == nil {
		return ""
	}
	return "Answer: " + s.Headline.Text
}

// headerLine says what was asked, over which range, how it is bucketed and
// aggregated.
func (s *Summary) headerLine() string {
	var parts []string
	if s.Asked != "" {
		parts = append(parts, Cut(TrimLabel(s.Asked, summaryAskedBytes), summaryAskedBytes))
	}
	if r := s.rangeText(); r != "" {
		parts = append(parts, r)
	}
	switch s.Kind {
	case "series":
		if s.Granularity != "" && !(s.Empty && s.Granularity == "unknown") {
			parts = append(parts, s.Granularity)
		}
		if s.Aggregation != "" {
			a := s.Aggregation
			if s.AggregationDefault {
				a += " (default)"
			}
			parts = append(parts, a)
		}
	case "sdks":
		parts = append(parts, Plural(*s.Count, "SDK"))
	case "sdkVersions":
		parts = append(parts, Plural(*s.Count, "SDK version"))
	case "sdkVersionDetails":
		parts = append(parts, Plural(*s.Count, "SDK version")+" in use")
	}
	return strings.Join(parts, " · ")
}

func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// rangeText is the range asked for, exactly, with its zone: whole days as
// dates (the end day included), anything else with times.
func (s *Summary) rangeText() string {
	f := s.frame
	from, to := f.from, f.to
	if from.IsZero() && to.IsZero() {
		return ""
	}
	loc := f.loc
	if loc == nil {
		loc = time.UTC
	}
	zone := loc.String()
	if wholeDay(from, loc) && wholeDay(to, loc) && !to.IsZero() && !from.IsZero() {
		last := to.In(loc).AddDate(0, 0, -1)
		if last.Before(from.In(loc)) {
			last = from.In(loc)
		}
		return from.In(loc).Format("2006-01-02") + ".." + last.Format("2006-01-02") + " " + zone
	}
	isNow := !f.now.IsZero() && to.Equal(f.now)
	layout := "2006-01-02 15:04"
	if from.Second() != 0 || to.Second() != 0 && !isNow {
		layout = "2006-01-02 15:04:05"
	}
	end := to.In(loc).Format(layout)
	if isNow {
		end = "now (" + to.In(loc).Format("2006-01-02 15:04") + ")"
	}
	return from.In(loc).Format(layout) + ".." + end + " " + zone
}

func wholeDay(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// shortDate renders a timestamp as briefly as the granularity allows, in the zone of the answer.
func (s *Summary) shortDate(ms int64) string {
	loc := s.frame.loc
	if loc == nil {
		loc = time.UTC
	}
	t := time.UnixMilli(ms).In(loc)
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

func MonthName(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.Format("January 2006")
}

func monthShort(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.Format("Jan 2006")
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
	case client.FigurePeak:
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
	switch h.Of {
	case "sum of series":
		b.WriteString(", sum of " + strconv.Itoa(len(with)) + " series")
	case "largest series":
		b.WriteString(", for " + TrimLabel(h.Label, summaryLabelRunes) + ", the largest of " + strconv.Itoa(len(with)) + " series (they overlap: no total)")
	}
	if h.Billed != nil {
		b.WriteString(" = " + FormatBilled(*h.Billed) + " " + h.BilledUnit + " billed (" + Exact(ep.Per) + " minutes each)")
	}
	b.WriteString(".")
	return b.String()
}

func bucketWord(f frame) string {
	switch f.step {
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	if f.monthly {
		return "month"
	}
	return "bucket"
}

// monthsLine lists the figure of each month when the range spans several.
func (s *Summary) monthsLine() string {
	h := s.Headline
	if h == nil || len(h.Months) < 2 {
		return ""
	}
	parts := make([]string, 0, len(h.Months))
	for _, mf := range h.Months {
		p := monthShort(mf.Month) + " " + Exact(mf.Value)
		switch mf.Status {
		case MonthInProgress:
			p += " (in progress)"
		case MonthPartial:
			p += " (part)"
		}
		parts = append(parts, p)
	}
	what := "By month"
	if h.Label != "" {
		what += " (" + TrimLabel(h.Label, summaryLabelRunes) + ")"
	}
	return what + ": " + strings.Join(parts, " · ")
}

// figureHeader names the figure column of the table.
func (s *Summary) figureHeader() string {
	switch s.Figure {
	case "monthEnd", "monthSum":
		h := s.Headline
		if h == nil || h.Month == "" {
			return "figure"
		}
		name := monthShort(h.Month)
		if s.Figure == "monthSum" {
			name = "new " + name
		}
		switch h.Status {
		case MonthInProgress:
			return name + " so far"
		case MonthPartial:
			return name + " (part)"
		}
		return name
	}
	return s.Figure
}

// table renders the top series, aligned, and how many were left out. The
// columns are those that mean something for the kind of point.
func (s *Summary) table() Rows {
	shown := s.Series
	if len(shown) > summaryTopRows {
		shown = shown[:summaryTopRows]
	}
	header, labels, common := tableLabels(s.Series, shown, summaryLabelRunes)
	type col struct {
		name    string
		num     func(st SeriesSummary) float64
		text    func(st SeriesSummary) string
		derived bool // a statistic beside the figures, such as a mean
	}
	figure := col{name: s.figureHeader(), num: func(st SeriesSummary) float64 { return st.Figure }}
	maxC := col{name: "max", num: func(st SeriesSummary) float64 { return st.Max }}
	on := col{name: "on", text: func(st SeriesSummary) string { return s.shortDate(st.maxT) }}
	mean := col{name: "mean", num: func(st SeriesSummary) float64 { return st.Mean }, derived: s.Point != "average"}
	last := col{name: "last", num: func(st SeriesSummary) float64 { return st.Last }}
	change := col{name: "change", text: func(st SeriesSummary) string {
		if st.ChangePct == nil {
			return "—"
		}
		return Pct(*st.ChangePct)
	}}
	trend := col{name: "trend", text: func(st SeriesSummary) string { return st.Sparkline }}
	var cols []col
	switch s.Point {
	case "cumulative":
		cols = []col{figure, trend}
	case "new":
		cols = []col{figure, maxC, on, trend}
	case "trailing30d":
		cols = []col{figure, maxC, on, change, trend}
	case "level":
		cols = []col{figure, on, mean, last, trend}
	case "average":
		cols = []col{figure, maxC, on, last, trend}
	default: // count
		cols = []col{figure, mean, maxC, on, trend}
	}
	cells := make([][]string, len(shown)+1)
	cells[0] = []string{header}
	for _, c := range cols {
		cells[0] = append(cells[0], c.name)
	}
	for i := range shown {
		cells[i+1] = []string{labels[i]}
	}
	for _, c := range cols {
		if c.num != nil {
			vals := make([]float64, 0, len(shown))
			for _, st := range shown {
				vals = append(vals, c.num(st))
			}
			for i, v := range column(vals, c.derived) {
				if shown[i].Points == 0 {
					v = "—"
				}
				cells[i+1] = append(cells[i+1], v)
			}
			continue
		}
		for i, st := range shown {
			v := "—"
			if st.Points > 0 {
				v = c.text(st)
			}
			cells[i+1] = append(cells[i+1], v)
		}
	}
	if len(cells) == 1 {
		return Rows{}
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
			leftAligned := i == 0 || (i > 0 && cols[i-1].num == nil)
			switch {
			case leftAligned:
				b.WriteString(c)
				if i < len(row)-1 {
					b.WriteString(strings.Repeat(" ", pad))
				}
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
	return Rows{pre: common, lines: lines, items: items, keep: 1, more: len(s.Series) - len(shown),
		what: "series (all in summary.series; narrow with a filter" + s.filterHint() + ", or call with --json)"}
}

// filterHint names a filter that narrows the answer, from what it was grouped by.
func (s *Summary) filterHint() string {
	if s.groupBy == "" {
		return ""
	}
	return " such as " + s.groupBy + "=…"
}
