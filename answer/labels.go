package answer

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// This file chooses how series are labelled in the text: key=value pairs
// clipped to a table cell, keys said once when every series shares them, and
// labels that clipping would make equal kept apart.

// TrimLabel makes a label fit one table cell: control characters become
// spaces and more than n runes are cut with ….
func TrimLabel(s string, n int) string {
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
	r := []rune(TrimLabel(s, math.MaxInt32))
	if len(r) <= n || n < 3 {
		return TrimLabel(s, n)
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// shortLabel fits a series label in n runes for the text, shortening each
// metadata value in turn so that every key stays visible where it can.
func shortLabel(st SeriesSummary, n int) string {
	if utf8.RuneCountInString(st.Label) <= n || len(st.meta) == 0 {
		return TrimLabel(st.Label, n)
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
		parts[i] = k + "=" + TrimLabel(metaValue(st.meta[k]), each)
	}
	return TrimLabel(strings.Join(parts, " "), n)
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
		common = "Every series has " + TrimLabel(smPairs(fixed, all[0].meta), 120)
	}
	fits := true
	for i, st := range shown {
		labels[i] = TrimLabel(smPairs(varying, st.meta), 4*n)
		fits = fits && utf8.RuneCountInString(labels[i]) <= n
	}
	if fits {
		return header, labels, common
	}
	header = TrimLabel(strings.Join(varying, "/"), n)
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
			return TrimLabel(strings.Join(vals, "/"), n)
		}
	}
	for i, st := range shown {
		labels[i] = values(TrimLabel)(st)
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
