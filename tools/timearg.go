package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Earliest is the earliest time a from/to may name.
var Earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxAhead is how far in the future a from/to may lie.
const MaxAhead = 366 * 24 * time.Hour

// msThreshold separates Unix seconds from Unix milliseconds: 1e11 seconds is
// the year 5138, 1e11 milliseconds is March 1973.
const msThreshold = 100_000_000_000

// TimeFormats says what ParseTime accepts, for error messages.
const TimeFormats = `RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01), "now", a relative time (-7d, now-24h, -90m; units m h d w) or Unix seconds/milliseconds`

// ParseTime reads a time as an MCP client may send it: RFC 3339, a date (UTC
// midnight), "now", a relative time ("-7d", "now-24h", "-90m", "+1h"; units m,
// h, d, w), or a Unix timestamp as a number or a string (values of 1e11 and
// more are milliseconds, smaller ones seconds). It refuses times before
// 2000-01-01 and more than 366 days after now.
func ParseTime(v any, now time.Time) (time.Time, error) {
	t, _, err := ParseTimeIn(v, now, time.UTC)
	return t, err
}

// ParseTimeIn is ParseTime with dates and zone-less times read in loc, and it
// reports whether v was a date alone (a whole day: as the end of a range, it
// includes that day).
func ParseTimeIn(v any, now time.Time, loc *time.Location) (t time.Time, dateOnly bool, err error) {
	t, dateOnly, err = parseTime(v, now, loc)
	if err != nil {
		return time.Time{}, false, err
	}
	if t.Before(Earliest) {
		return time.Time{}, false, fmt.Errorf("%s is before 2000-01-01", t.Format(time.RFC3339))
	}
	if t.After(now.Add(MaxAhead)) {
		return time.Time{}, false, fmt.Errorf("%s is more than 366 days ahead", t.Format(time.RFC3339))
	}
	return t.UTC(), dateOnly, nil
}

func parseTime(v any, now time.Time, loc *time.Location) (time.Time, bool, error) {
	var t time.Time
	var err error
	switch x := v.(type) {
	case float64:
		t, err = fromUnix(x)
	case int:
		t, err = fromUnix(float64(x))
	case int64:
		t, err = fromUnix(float64(x))
	case json.Number:
		return parseTimeString(string(x), now, loc)
	case string:
		return parseTimeString(x, now, loc)
	default:
		err = fmt.Errorf("want a string or a number, got %s", jsonType(v))
	}
	return t, false, err
}

func parseTimeString(s string, now time.Time, loc *time.Location) (time.Time, bool, error) {
	t, err := parseTimeText(s, now, loc)
	if err != nil {
		return t, false, err
	}
	_, dateErr := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc)
	return t, dateErr == nil, nil
}

func parseTimeText(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	if len(s) > 64 {
		return time.Time{}, fmt.Errorf("not a time (%d characters)", len(s))
	}
	lower := strings.ToLower(s)
	if lower == "now" {
		return now, nil
	}
	if rest, ok := strings.CutPrefix(lower, "now"); ok {
		return relative(strings.TrimSpace(rest), now, s)
	}
	if lower[0] == '-' || lower[0] == '+' {
		if d, err := relative(lower, now, s); err == nil {
			return d, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && isNumeric(s) {
		return fromUnix(f)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// A date is its midnight, and a time without a zone is read, in loc (UTC
	// unless the tool takes tz); never in the machine's local zone. A space may
	// stand for the T.
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// isNumeric reports whether s is a plain decimal number (not "Inf", "NaN" or hex).
func isNumeric(s string) bool {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.', r == 'e' || r == 'E':
		case (r == '-' || r == '+') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return false
		}
	}
	return true
}

// relative parses "-7d", "+2h", "-90m", "-1w" (after "now" when there was one).
func relative(s string, now time.Time, orig string) (time.Time, error) {
	bad := fmt.Errorf("%q is not a relative time (e.g. -7d, now-24h, -90m)", orig)
	if len(s) < 3 || (s[0] != '-' && s[0] != '+') {
		return time.Time{}, bad
	}
	sign := time.Duration(1)
	if s[0] == '-' {
		sign = -1
	}
	body := strings.TrimSpace(s[1:])
	if body == "" {
		return time.Time{}, bad
	}
	var unit time.Duration
	switch body[len(body)-1] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	default:
		return time.Time{}, bad
	}
	n, err := strconv.ParseUint(strings.TrimSpace(body[:len(body)-1]), 10, 32)
	if err != nil || n > 100*366*24*60 {
		return time.Time{}, bad
	}
	d := time.Duration(n) * unit
	if d/unit != time.Duration(n) {
		return time.Time{}, bad
	}
	return now.Add(sign * d), nil
}

func fromUnix(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e16 {
		return time.Time{}, fmt.Errorf("%v is not a Unix timestamp", f)
	}
	if f >= msThreshold {
		return time.UnixMilli(int64(f)).UTC(), nil
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case float64, int, int64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
