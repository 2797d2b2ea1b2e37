package apispec

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// parseQuery reads a raw query strictly: keys and values must be escaped as
// RFC 3986 asks, and ";" is no separator.
func parseQuery(raw string) (url.Values, []string) {
	q := url.Values{}
	var problems []string
	if raw == "" {
		return q, nil
	}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			problems = append(problems, "empty query pair (\"&&\" or a trailing \"&\")")
			continue
		}
		for i := 0; i < len(pair); i++ {
			c := pair[i]
			if c == '%' {
				if i+2 >= len(pair) || !isHex(pair[i+1]) || !isHex(pair[i+2]) {
					problems = append(problems, fmt.Sprintf("query pair %q has a %% that does not start an escape (%%XX)", pair))
					break
				}
				i += 2
				continue
			}
			if c != '=' && (!isQchar(c) || c == ';') {
				problems = append(problems, fmt.Sprintf("query pair %q has a byte 0x%02x that must be percent-encoded", pair, c))
				break
			}
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		q[key] = append(q[key], val)
	}
	return q, problems
}

// checkPath applies the rules of the path parameters' descriptions.
func (o *Operation) checkPath(params map[string]string) []string {
	var out []string
	for _, p := range o.PathParams() {
		v := params[p.Name]
		if len(p.Valid) > 0 && !slices.Contains(p.Valid, v) {
			out = append(out, fmt.Sprintf("path parameter %s=%q is not one of the valid values %s", p.Name, v, strings.Join(p.Valid, ", ")))
		}
	}
	return out
}

// QueryProblems lists what the rules of the operation's prose find wrong
// with a decoded query (nil when nothing): names, repetition, valid values,
// cross-field rules, from/to. Tests use it to tell a valid combination of
// arguments from an invalid one before calling the product.
func (o *Operation) QueryProblems(q url.Values, now time.Time) []string { return o.checkQuery(q, now) }

// checkQuery applies the rules of the query parameters' descriptions.
func (o *Operation) checkQuery(q url.Values, now time.Time) []string {
	var out []string
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := q[name]
		p := o.Param(name)
		if p == nil || p.In != "query" {
			out = append(out, fmt.Sprintf("unknown query parameter %q (the operation takes %s)", name, o.queryNames()))
			continue
		}
		if len(vals) > 1 && !p.Repeat {
			out = append(out, fmt.Sprintf("query parameter %s given %d times %q; its description does not say it can be specified multiple times", name, len(vals), vals))
		}
		if len(p.Valid) > 0 {
			for _, v := range vals {
				if !slices.Contains(p.Valid, v) {
					out = append(out, fmt.Sprintf("query parameter %s=%q is not one of the valid values %s", name, v, strings.Join(p.Valid, ", ")))
				}
			}
		}
	}

	// Cross-field rules.
	for _, p := range o.Query() {
		if p.ExactlyOne == "" || len(q[p.Name]) == 0 {
			continue
		}
		if n := len(q[p.ExactlyOne]); n != 1 {
			out = append(out, fmt.Sprintf("query parameter %s is given, so exactly one %s must be (got %d)", p.Name, p.ExactlyOne, n))
		}
	}
	for _, p := range o.Query() {
		out = append(out, o.checkDependent(p, q)...)
	}
	out = append(out, o.checkRange(q, now)...)
	return out
}

// effective is the value a parameter takes: the one given, else its default.
func (o *Operation) effective(name string, q url.Values) (string, bool) {
	if vs := q[name]; len(vs) > 0 {
		return vs[0], true
	}
	if p := o.Param(name); p != nil && p.Default != "" {
		return p.Default, true
	}
	return "", false
}

// checkDependent applies "Valid values depend on `aggregationType`: ..." and
// "`monthly` granularity is only supported with the **month_to_date** aggregation type".
func (o *Operation) checkDependent(p *Param, q url.Values) []string {
	if p.DependsOn == "" && len(p.OnlyWith) == 0 {
		return nil
	}
	v, ok := o.effective(p.Name, q)
	if !ok || (len(p.Valid) > 0 && !slices.Contains(p.Valid, v)) {
		return nil // an invalid value is reported as such
	}
	var out []string
	if p.DependsOn != "" {
		if dep, ok := o.effective(p.DependsOn, q); ok {
			if allowed, known := p.ByDependency[dep]; known && !slices.Contains(allowed, v) {
				out = append(out, fmt.Sprintf("%s=%s with %s=%s: %s supports %s %s only", p.Name, v, p.DependsOn, dep, dep, p.Name, strings.Join(allowed, ", ")))
			}
		}
	}
	if need, ok := p.OnlyWith[v]; ok {
		if agg, _ := o.effective("aggregationType", q); agg != need {
			out = append(out, fmt.Sprintf("%s=%s is only supported with aggregationType=%s (got %q)", p.Name, v, need, agg))
		}
	}
	return out
}

// Plausible timestamps: from 2000 to 2100, which tells seconds from
// milliseconds (a time in seconds read as milliseconds is in 1970, one in
// milliseconds read as seconds is past the year 50000).
var (
	minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkRange checks from/to: integers in the unit their description states
// (milliseconds where it states none) and, where the operation states a
// maximum range, no longer than it (a missing to is now).
func (o *Operation) checkRange(q url.Values, now time.Time) []string {
	var out []string
	var from, to time.Time
	for _, name := range []string{"from", "to"} {
		p := o.Param(name)
		vs := q[name]
		if p == nil || len(vs) == 0 {
			continue
		}
		t, err := parseStamp(vs[0], p.Unit)
		if err != nil {
			stated := "stated by its description"
			if !p.UnitStated {
				stated = "no unit is stated; the product sends milliseconds"
			}
			out = append(out, fmt.Sprintf("query parameter %s=%q: %v (%s)", name, vs[0], err, stated))
			continue
		}
		if name == "from" {
			from = t
		} else {
			to = t
		}
	}
	if o.MaxRange > 0 && !from.IsZero() {
		end := to
		if end.IsZero() {
			end = now
		}
		if span := end.Sub(from); span > o.MaxRange {
			out = append(out, fmt.Sprintf("range %s..%s is %.2f days; the maximum time range is %d days",
				from.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), span.Hours()/24, int(o.MaxRange.Hours()/24)))
		}
	}
	return out
}

func parseStamp(s string, u Unit) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not an integer Unix timestamp")
	}
	var t time.Time
	name := "milliseconds"
	if u == Seconds {
		t, name = time.Unix(n, 0), "seconds"
	} else {
		t = time.UnixMilli(n)
	}
	if t.Before(minTime) || !t.Before(maxTime) {
		return time.Time{}, fmt.Errorf("read in Unix %s it is %s, outside 2000..2100: wrong unit", name, t.UTC().Format(time.RFC3339))
	}
	return t, nil
}

func (o *Operation) queryNames() string {
	var names []string
	for _, p := range o.Query() {
		names = append(names, p.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
