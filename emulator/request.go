package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// route is an endpoint's path template split into segments; a segment
// "{name}" matches any one non-empty segment.
type route struct {
	ep   *client.Endpoint
	segs []string
}

var routes = sync.OnceValue(func() []route {
	out := make([]route, 0, len(client.Endpoints))
	for _, ep := range client.Endpoints {
		out = append(out, route{ep: ep, segs: strings.Split(ep.Path, "/")})
	}
	return out
})

// match finds the endpoint serving an escaped request path and its path arguments.
func match(escaped string) (*client.Endpoint, map[string]string) {
	segs := strings.Split(escaped, "/")
next:
	for _, r := range routes() {
		if len(r.segs) != len(segs) {
			continue
		}
		var args map[string]string
		for i, t := range r.segs {
			if name, ok := strings.CutPrefix(t, "{"); ok {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					continue next
				}
				if args == nil {
					args = map[string]string{}
				}
				args[strings.TrimSuffix(name, "}")] = v
			} else if t != segs[i] {
				continue next
			}
		}
		return r.ep, args
	}
	return nil, nil
}

type gran int

const (
	gMinute gran = iota
	gHour
	gDay
	gMonth
)

func (g gran) String() string { return [...]string{"minutely", "hourly", "daily", "monthly"}[g] }

// floor returns the start of the bucket holding t. Days start at midnight in
// loc; everything else is UTC.
func (g gran) floor(t time.Time, loc *time.Location) time.Time {
	switch g {
	case gMinute:
		return t.UTC().Truncate(time.Minute)
	case gHour:
		return t.UTC().Truncate(time.Hour)
	case gDay:
		t = t.In(loc)
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	default:
		return monthStart(t)
	}
}

// next returns the start of the bucket after the one starting at t.
func (g gran) next(t time.Time) time.Time {
	switch g {
	case gMinute:
		return t.Add(time.Minute)
	case gHour:
		return t.Add(time.Hour)
	case gDay:
		return t.AddDate(0, 0, 1)
	default:
		return t.AddDate(0, 1, 0)
	}
}

func (g gran) approx() time.Duration {
	return [...]time.Duration{time.Minute, time.Hour, 23 * time.Hour, 28 * 24 * time.Hour}[g]
}

func monthStart(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// query is a validated request.
type query struct {
	ep   *client.Endpoint
	prof *profile
	path map[string]string
	args url.Values

	now, from, to time.Time
	gran          gran
	loc           *time.Location
	agg           string
	groupBy       []string
	// newest is true when a seed SeriesIntervalsRep endpoint was called with
	// an argument only the newest edition knows, so it answers SeriesListRep.
	newest bool
}

// Parameters that shape the answer rather than filter it.
var shaping = map[string]bool{"groupby": true, "groupBy": true, "aggregationType": true, "granularity": true, "tz": true}

// The seed's parameters of its SeriesIntervalsRep endpoints.
var seedIntervalParams = map[string]bool{"from": true, "to": true, "projectKey": true, "environmentKey": true}

// Timestamps outside these bounds are read as a unit mistake (seconds sent as
// milliseconds read as 1970, milliseconds sent as seconds read as year 50000).
var (
	minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parse validates a request as LaunchDarkly does and works out its range,
// granularity and aggregation.
func (e *Emulator) parse(ep *client.Endpoint, path map[string]string, args url.Values, now time.Time) (*query, *apiError) {
	q := &query{ep: ep, prof: profileOf(ep), path: path, args: args, now: now, loc: time.UTC}
	spec := ep.Spec()

	for _, p := range spec {
		if !p.Path || len(p.Enum) == 0 {
			continue
		}
		if !slices.Contains(p.Enum, path[p.Name]) {
			msg := "Invalid resource identifier"
			if p.Name == "source" {
				msg = "Stream source not found"
			}
			return nil, &apiError{status: http.StatusNotFound, code: "not_found", message: msg}
		}
	}
	for _, p := range spec {
		if p.Path || len(p.Enum) == 0 {
			continue
		}
		for _, v := range args[p.Name] {
			if !slices.Contains(p.Enum, v) {
				return nil, invalid("invalid value %q for %s: must be one of %s", v, p.Name, strings.Join(p.Enum, ", "))
			}
		}
	}
	has := func(name string) bool { _, ok := ep.Param(name); return ok }
	if has("aggregationType") || has("granularity") {
		if err := ep.CheckAggGran(args.Get("aggregationType"), args.Get("granularity")); err != nil {
			return nil, invalid("%v", err)
		}
	}
	given := func(name string) bool { return has(name) && nonEmpty(args[name]) }

	if has("environmentKey") && has("projectKey") && given("environmentKey") {
		// The newest edition: "If specified, exactly one projectKey must be
		// provided"; the seed's single projectKey must just be there.
		if p, _ := ep.Param("projectKey"); p.Repeated && len(values(args["projectKey"])) != 1 || !given("projectKey") {
			return nil, invalid("environmentKey requires exactly one projectKey")
		}
	}
	if has("environment") && has("project") && given("environment") && len(values(args["project"])) != 1 {
		return nil, invalid("environment requires exactly one project")
	}

	// The range.
	if ep.HasRange() {
		var fromSet, toSet bool
		for _, name := range []string{"from", "to"} {
			s := strings.TrimSpace(args.Get(name))
			if s == "" {
				continue
			}
			t, ok := ep.Unit.Parse(s)
			if !ok || t.Before(minTime) || t.After(maxTime) {
				return nil, invalid("%s must be a Unix timestamp in %s, got %q", name, unitName(ep.Unit), s)
			}
			if name == "from" {
				q.from, fromSet = t, true
			} else {
				q.to, toSet = t, true
			}
		}
		if !toSet {
			q.to = now
		}
		if !fromSet {
			q.from = ep.DefaultFrom.Start(now)
			if q.from.After(q.to) {
				q.from = q.to.Add(-now.Sub(ep.DefaultFrom.Start(now)))
			}
		}
		if q.from.After(q.to) {
			return nil, invalid("from must not be after to")
		}
		if ep.MaxRange > 0 && q.to.Sub(q.from) > ep.MaxRange {
			return nil, invalid("the range from %s to %s is longer than the %d days this endpoint allows",
				q.from.Format(time.RFC3339), q.to.Format(time.RFC3339), int(ep.MaxRange/(24*time.Hour)))
		}
	}

	// Granularity.
	switch ep.Granularity {
	case client.ByAge:
		switch age := now.Sub(q.from); {
		case age <= 2*time.Hour:
			q.gran = gMinute
		case age <= 48*time.Hour:
			q.gran = gHour
		default:
			q.gran = gDay
		}
	case client.Daily:
		q.gran = gDay
	case client.Chosen:
		switch g := args.Get("granularity"); {
		case !has("granularity") || g == "" || g == "daily":
			q.gran = gDay
		case g == "hourly":
			q.gran = gHour
		case g == "monthly":
			q.gran = gMonth
		default:
			return nil, invalid("invalid value %q for granularity: must be one of daily, hourly, monthly", g)
		}
	}
	if q.gran == gDay && has("tz") {
		if loc := location(args.Get("tz")); loc != nil {
			q.loc = loc
		}
	}

	// Aggregation: what a point is comes from the endpoint's meaning table.
	if has("aggregationType") {
		q.agg = args.Get("aggregationType")
	}

	for _, name := range []string{"groupby", "groupBy"} {
		if has(name) {
			for _, v := range values(args[name]) {
				if !slices.Contains(q.groupBy, v) {
					q.groupBy = append(q.groupBy, v)
				}
			}
		}
	}

	if ep.Kind == client.SeriesIntervals {
		for _, p := range spec {
			if !p.Path && !seedIntervalParams[p.Name] && nonEmpty(args[p.Name]) {
				q.newest = true
			}
		}
	}
	return q, nil
}

func unitName(u client.TimeUnit) string {
	if u == client.Seconds {
		return "seconds"
	}
	return "milliseconds"
}

func nonEmpty(vs []string) bool {
	for _, v := range vs {
		if v != "" {
			return true
		}
	}
	return false
}

// values drops empty values.
func values(vs []string) []string {
	out := vs[:0:0]
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Time zones are loaded once each; the cache is bounded because names come
// from requests.
var (
	locMu    sync.Mutex
	locCache = map[string]*time.Location{}
)

func location(name string) *time.Location {
	if name == "" || len(name) > 64 {
		return nil
	}
	locMu.Lock()
	loc, ok := locCache[name]
	locMu.Unlock()
	if ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	locMu.Lock()
	if len(locCache) < 256 {
		locCache[name] = loc
	}
	locMu.Unlock()
	return loc
}
