package answer

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file writes numbers as people repeat them, and fits a text into its
// byte budget.

// exact writes a figure as a person repeats it: every digit, thousands
// separated, at most two decimals (none for whole numbers).
func Exact(v float64) string {
	if !IsFinite(v) {
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
func FormatBilled(v float64) string {
	if v > 0 && v < 1 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return Exact(v)
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
		if r := math.Round(v*100) / 100; IsFinite(v) && math.Abs(v) < 1e18 && r != math.Trunc(r) {
			dec = 2
		}
		big = big || math.Abs(v) >= 100
	}
	if derived && big {
		dec = 0
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		if !IsFinite(v) || math.Abs(v) >= 1e18 {
			out[i] = Exact(v)
			continue
		}
		out[i] = withCommas(strconv.FormatFloat(math.Round(v*100)/100, 'f', dec, 64))
	}
	return out
}

// Pct renders a change in percent with its sign: +4.1%, -12%.
func Pct(p float64) string {
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
	return sign + Exact(math.Round(p)) + "%"
}

// Rows are the lines of the body of a text, which may be cut from the
// bottom to fit the budget; a cut is reported as "+K more <what>".
type Rows struct {
	lines []string
	items []int  // items on each line
	pre   string // a line before the body, never cut
	keep  int    // lines never cut (a table header)
	max   int    // at most this many lines; 0: no limit but the budget
	more  int    // items not shown even before cutting
	what  string // what an item is
}

// ItemRows are lines of one item each, cut from the bottom as "+K more <what>".
func ItemRows(lines []string, what string) Rows {
	r := Rows{lines: lines, items: make([]int, len(lines)), what: what}
	for i := range r.items {
		r.items[i] = 1
	}
	return r
}

func (r Rows) moreLine() string {
	if r.more <= 0 {
		return ""
	}
	return "+" + strconv.Itoa(r.more) + " more " + r.what
}

// FitText joins the lines, dropping body lines from the bottom until the text
// fits the budget; a line that alone is too long is cut, and lines that would
// pass the budget anyway are left out.
func FitText(head []string, body Rows, tail []string) string {
	if body.pre != "" {
		head = append(head, body.pre)
	}
	cut := func(ls []string) int {
		n := 0
		for i, l := range ls {
			ls[i] = Cut(l, TextBudget/4)
			n += len(ls[i]) + 1
		}
		return n
	}
	fixed := cut(head) + cut(tail)
	bodySize := cut(body.lines)
	for len(body.lines) > body.keep+1 && (body.max > 0 && len(body.lines) > body.max ||
		fixed+bodySize+len(body.moreLine())+1 > TextBudget) {
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
			if b.Len()+len(l)+1 > TextBudget {
				return strings.TrimRight(b.String(), "\n")
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Cut shortens s to at most n bytes on a rune boundary, ending with ….
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
