package answerkey_test

import (
	"math"
	"slices"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// The answer key's own arithmetic: atoms of the model selected by their
// dimensions and aggregated here, the way the question means it (a month's
// MAU is the distinct contexts of the month, a week's evaluations the sum of
// what happened in it, a peak the largest level of any minute). Nothing here
// reads the emulator's series code, the tools' summaries or the meaning table.

// now is when every question is asked: a Wednesday afternoon, mid-month.
var now = time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var (
	oct1  = date(2026, 10, 1)
	nov1  = date(2026, 11, 1)
	today = date(2026, 11, 18)
	yday  = date(2026, 11, 17)
)

// book is the model of the demo account (seed 0, as --demo serves it).
var book = emulator.Account(0)

// where selects atoms by dimension values (any of vals).
type where map[string][]string

func (w where) keeps(a emulator.Atom) bool {
	for dim, vals := range w {
		if !slices.Contains(vals, a.Dim(dim)) {
			return false
		}
	}
	return true
}

// atoms returns the atoms of an operation (for its path arguments) that w keeps.
func atoms(op string, path map[string]string, w where) []emulator.Atom {
	all, err := book.Atoms(op, path)
	if err != nil {
		panic(err)
	}
	var out []emulator.Atom
	for _, a := range all {
		if w.keeps(a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		panic("answer key: no atoms for " + op)
	}
	return out
}

// capNow is t, or now if t is later: what has happened by now.
func capNow(t time.Time) time.Time {
	if t.After(now) {
		return now
	}
	return t
}

// distinct is the number of distinct contexts active in [t0, t1).
func distinct(as []emulator.Atom, t0, t1 time.Time) float64 {
	var n int64
	for _, a := range as {
		n += a.Unique(t0, capNow(t1))
	}
	return float64(n)
}

// firstSeen is the number of contexts first seen in their month within [t0, t1).
func firstSeen(as []emulator.Atom, t0, t1 time.Time) float64 {
	var n int64
	for _, a := range as {
		n += a.FirstSeen(t0, capNow(t1))
	}
	return float64(n)
}

// total is what happened in [t0, t1).
func total(as []emulator.Atom, t0, t1 time.Time) float64 {
	var n int64
	for _, a := range as {
		n += a.Count(t0, capNow(t1))
	}
	return float64(n)
}

// minutes is total for service connections: hundredths of a minute, in minutes.
func minutes(as []emulator.Atom, t0, t1 time.Time) float64 { return total(as, t0, t1) / 100 }

// peak is the largest number of connections open in any minute of [t0, t1)
// that has begun by now.
func peak(as []emulator.Atom, t0, t1 time.Time) float64 {
	var best int64
	for m := t0; m.Before(t1) && m.Before(now); m = m.Add(time.Minute) {
		var sum int64
		for _, a := range as {
			sum += a.Level(m)
		}
		best = max(best, sum)
	}
	return float64(best)
}

// largest is the largest figure among groups of atoms split by a dimension.
func largest(as []emulator.Atom, dim string, f func([]emulator.Atom) float64) float64 {
	groups := map[string][]emulator.Atom{}
	for _, a := range as {
		groups[a.Dim(dim)] = append(groups[a.Dim(dim)], a)
	}
	best := math.Inf(-1)
	for _, g := range groups {
		best = max(best, f(g))
	}
	return best
}

// countDistinct is the number of distinct combinations of dims among the atoms.
func countDistinct(as []emulator.Atom, dims ...string) float64 {
	seen := map[string]bool{}
	for _, a := range as {
		k := ""
		for _, d := range dims {
			k += a.Dim(d) + "\x00"
		}
		seen[k] = true
	}
	return float64(len(seen))
}

// dailySum adds f over the UTC days of [t0, t1): a tempting wrong figure
// where f is cumulative or a unique count.
func dailySum(t0, t1 time.Time, f func(d0, d1 time.Time) float64) float64 {
	var s float64
	for d := t0; d.Before(t1) && d.Before(now); d = d.AddDate(0, 0, 1) {
		s += f(d, d.AddDate(0, 0, 1))
	}
	return s
}
