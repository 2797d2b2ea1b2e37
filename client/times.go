package client

import (
	"time"
)

// This file holds the time side of the endpoint table: the unit each
// endpoint reads from and to in, and where a range starts by default.

// TimeUnit is the unit an endpoint expects for its from/to query parameters.
type TimeUnit int

const (
	// Millis is Unix milliseconds.
	Millis TimeUnit = iota
	// Seconds is Unix seconds.
	Seconds
)

func (u TimeUnit) String() string {
	if u == Seconds {
		return "s"
	}
	return "ms"
}

// Step is the smallest time the unit can tell apart.
func (u TimeUnit) Step() time.Duration {
	if u == Seconds {
		return time.Second
	}
	return time.Millisecond
}

// Format renders t in the unit.
func (u TimeUnit) Format(t time.Time) string {
	if u == Seconds {
		return itoa(t.Unix())
	}
	return itoa(t.UnixMilli())
}

// Parse reads a Unix timestamp in the unit.
func (u TimeUnit) Parse(s string) (time.Time, bool) {
	n, ok := atoi(s)
	if !ok {
		return time.Time{}, false
	}
	if u == Seconds {
		return time.Unix(n, 0).UTC(), true
	}
	return time.UnixMilli(n).UTC(), true
}

// DefaultFrom is where a range starts when the caller gives no from.
type DefaultFrom int

const (
	Ago30Days DefaultFrom = iota
	Ago24Hours
	Ago7Days
	MonthStart
	NoRange
)

// Start returns the default start for a range ending at now.
func (d DefaultFrom) Start(now time.Time) time.Time {
	now = now.UTC()
	switch d {
	case Ago24Hours:
		return now.Add(-24 * time.Hour)
	case Ago7Days:
		return now.Add(-7 * 24 * time.Hour)
	case MonthStart:
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return now.Add(-30 * 24 * time.Hour)
	}
}

// Before returns the default start of a range that ends at end
// (exclusive), for a caller that gives to without from: LaunchDarkly counts
// its default from now, not from to, so the start is sent explicitly. A
// range ending at a month's end starts at that month's start (MonthStart);
// the other rules count back from end.
func (d DefaultFrom) Before(end time.Time) time.Time {
	if d == MonthStart {
		return d.Start(end.Add(-time.Nanosecond))
	}
	return d.Start(end)
}
