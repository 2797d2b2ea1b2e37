package tools

import (
	"math"
	"sort"
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
// summaryTextBudget bytes whatever the data.
func (s *Summary) Text() string {
	if s == nil {
		return ""
	}
	head := []string{s.headerLine()}
	if s.Demo {
		head = append(head, demoMarker)
	}
	var body textRows
	var tail []string
	switch s.Kind {
	case "series":
		if s.Meaning != "" && !s.Empty {
			head = append(head, "Each point: "+s.Unit+", "+s.Meaning+"; "+s.figure.Words()+".")
		}
		body = s.table()
		if s.Headline != nil {
			tail = append(tail, "Answer: "+s.Headline.Text)
			if line := s.monthsLine(); line != "" {
				tail = append(tail, line)
			}
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
	for _, n := range s.Notes {
		tail = append(tail, "Note: "+n)
	}
	if s.Hint != "" {
		tail = append(tail, "Hint: "+s.Hint)
	}
	return fitText(head, body, tail)
}

// headerLine says what was asked, over which range, how it is bucketed and
// aggregated.
func (s *Summary) headerLine() string {
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
		if s.Aggregation != "" {
			a := s.Aggregation
			if s.AggregationDefault {
				a += " (default)"
			}
			parts = append(parts, a)
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

func monthName(month string) string {
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
	val := exact(h.Value)
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
		name := monthName(h.Month)
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
		case monthComplete:
			b.WriteString(newWord + " in " + name + " (the whole month)")
		case monthInProgress:
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
		b.WriteString(", for " + trimLabel(h.Label, summaryLabelRunes) + ", the largest of " + strconv.Itoa(len(with)) + " series (they overlap: no total)")
	}
	if h.Billed != nil {
		b.WriteString(" = " + billed(*h.Billed) + " " + h.BilledUnit + " billed (" + exact(ep.Per) + " minutes each)")
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
		p := monthShort(mf.Month) + " " + exact(mf.Value)
		switch mf.Status {
		case monthInProgress:
			p += " (in progress)"
		case monthPartial:
			p += " (part)"
		}
		parts = append(parts, p)
	}
	what := "By month"
	if h.Label != "" {
		what += " (" + trimLabel(h.Label, summaryLabelRunes) + ")"
	}
	return what + ": " + strings.Join(parts, " · ")
}

// exact writes a figure as a person repeats it: every digit, thousands
// separated, at most two decimals (none for whole numbers).
func exact(v float64) string {
	if !smIsFinite(v) {
		return "?"
	}
	if math.Abs(v) >= 1e18 { // past any real count: digits would be noise
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	r := math.Round(v*100) / 100
	if r == math.Trunc(r) {
		return withCommas(strconv.FormatFloat(r, 'f', 0, 64))
	}
	return withCommas(strconv.FormatFloat(r, 'f', 2, 64))
}

// billed writes a billed-unit figure: two decimals, or three significant
// digits below one so that a small figure does not read as zero.
func billed(v float64) string {
	if v > 0 && v < 1 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return exact(v)
}

// withCommas separates the thousands of a decimal number's integer part.
func withCommas(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	pre := len(intPart) % 3
	if pre > 0 {
		b.WriteString(intPart[:pre])
	}
	for i := pre; i < len(intPart); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	out := sign + b.String()
	if hasFrac {
		out += "." + frac
	}
	return out
}

// column formats the numbers of one table column in one format: whole
// numbers when every value is whole, else two decimals for all. A column of
// derived figures (means) is shown whole once its values reach 100, where
// decimals are noise; figures that answer the question always keep theirs.
func column(vals []float64, derived bool) []string {
	dec, big := 0, false
	for _, v := range vals {
		if r := math.Round(v*100) / 100; smIsFinite(v) && math.Abs(v) < 1e18 && r != math.Trunc(r) {
			dec = 2
		}
		big = big || math.Abs(v) >= 100
	}
	if derived && big {
		dec = 0
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		if !smIsFinite(v) || math.Abs(v) >= 1e18 {
			out[i] = exact(v)
			continue
		}
		out[i] = withCommas(strconv.FormatFloat(math.Round(v*100)/100, 'f', dec, 64))
	}
	return out
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
	return sign + exact(math.Round(p)) + "%"
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
		case monthInProgress:
			return name + " so far"
		case monthPartial:
			return name + " (part)"
		}
		return name
	}
	return s.Figure
}

// table renders the top series, aligned, and how many were left out. The
// columns are those that mean something for the kind of point.
func (s *Summary) table() textRows {
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
		return smPct(*st.ChangePct)
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
	return textRows{pre: common, lines: lines, items: items, keep: 1, more: len(s.Series) - len(shown),
		what: "series (all in summary.series; narrow with a filter" + s.filterHint() + ", or call with --json)"}
}

// filterHint names a filter that narrows the answer, from what it was grouped by.
func (s *Summary) filterHint() string {
	if s.groupBy == "" {
		return ""
	}
	return " such as " + s.groupBy + "=…"
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

// trimMiddle cuts a value to n runes keeping its start and its end, so that
// values that differ only at the end stay distinguishable.
func trimMiddle(s string, n int) string {
	r := []rune(trimLabel(s, math.MaxInt32))
	if len(r) <= n || n < 3 {
		return trimLabel(s, n)
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
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

// tableLabels chooses the labels of the shown series for the text. Metadata
// keys with the same value in every series are said once (common); when
// key=value labels do not fit in n runes, the header names the keys and the
// rows show the values. Labels that clipping would make equal are clipped in
// the middle instead, keeping the ends that tell them apart.
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
		disambiguate(labels, shown, func(st SeriesSummary) string { return trimMiddle(st.Label, n) })
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
	values := func(cut func(string, int) string) func(SeriesSummary) string {
		return func(st SeriesSummary) string {
			vals := make([]string, len(varying))
			for j, k := range varying {
				vals[j] = cut(metaValue(st.meta[k]), allot[j])
			}
			return trimLabel(strings.Join(vals, "/"), n)
		}
	}
	for i, st := range shown {
		labels[i] = values(trimLabel)(st)
	}
	disambiguate(labels, shown, values(trimMiddle))
	return header, labels, common
}

// disambiguate relabels, with alt, the series whose labels came out equal.
func disambiguate(labels []string, shown []SeriesSummary, alt func(SeriesSummary) string) {
	seen := map[string]int{}
	for _, l := range labels {
		seen[l]++
	}
	for i, l := range labels {
		if seen[l] > 1 && shown[i].Label != l {
			labels[i] = alt(shown[i])
		}
	}
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
				parts = append(parts, "+"+strconv.Itoa(len(list)-show)+" more (all in summary)")
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
