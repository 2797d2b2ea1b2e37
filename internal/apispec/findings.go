package apispec

import (
	"errors"
	"fmt"
	"regexp"
)

// Findings gathers the problems of many requests or answers, so that a test
// reports each distinct problem once (numbers aside) with how often it came
// and its first example, rather than the same drift a hundred times.
type Findings struct {
	order []string
	seen  map[string]*finding
}

type finding struct {
	problem, example string
	n                int
}

var digits = regexp.MustCompile(`[0-9]+`)

// Add records the problems of err (an *Error, or any error as one problem),
// with example saying what was asked (the arguments, the request).
func (f *Findings) Add(err error, example string) {
	if err == nil {
		return
	}
	if f.seen == nil {
		f.seen = map[string]*finding{}
	}
	probs := []string{err.Error()}
	var e *Error
	if errors.As(err, &e) {
		probs = e.Problems
	}
	for _, p := range probs {
		key := digits.ReplaceAllString(p, "#")
		if x, ok := f.seen[key]; ok {
			x.n++
			continue
		}
		f.seen[key] = &finding{problem: p, example: example}
		f.seen[key].n = 1
		f.order = append(f.order, key)
	}
}

// Len is the number of distinct problems.
func (f *Findings) Len() int { return len(f.order) }

// Lines renders each distinct problem once, for a test to report.
func (f *Findings) Lines(subject string) []string {
	out := make([]string, 0, len(f.order))
	for _, k := range f.order {
		x := f.seen[k]
		out = append(out, fmt.Sprintf("%s: %s\n    (%d times; first: %s)", subject, x.problem, x.n, x.example))
	}
	return out
}
