package tools

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fixedNow = time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)

func TestParseTimeForms(t *testing.T) {
	cases := []struct {
		in   any
		want time.Time
	}{
		{"2026-11-01T00:00:00Z", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-11-01T02:00:00+02:00", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-11-01 08:15:00", time.Date(2026, 11, 1, 8, 15, 0, 0, time.UTC)},
		{"now", fixedNow},
		{"NOW", fixedNow},
		{"-7d", fixedNow.Add(-7 * 24 * time.Hour)},
		{"now-24h", fixedNow.Add(-24 * time.Hour)},
		{"now - 24h", fixedNow.Add(-24 * time.Hour)},
		{"-90m", fixedNow.Add(-90 * time.Minute)},
		{"-2w", fixedNow.Add(-14 * 24 * time.Hour)},
		{"+1h", fixedNow.Add(time.Hour)},
		{"now+30d", fixedNow.Add(30 * 24 * time.Hour)},
		{float64(1777593600), time.Unix(1777593600, 0).UTC()},               // seconds as number
		{"1777593600", time.Unix(1777593600, 0).UTC()},                      // seconds as string
		{float64(1777593600000), time.UnixMilli(1777593600000).UTC()},       // ms as number
		{"1777593600000", time.UnixMilli(1777593600000).UTC()},              // ms as string
		{json.Number("1777593600000"), time.UnixMilli(1777593600000).UTC()}, // ms as json.Number
	}
	for _, c := range cases {
		got, err := ParseTime(c.in, fixedNow)
		if assert.NoError(t, err, "%v", c.in) {
			assert.True(t, c.want.Equal(got), "%v: got %s want %s", c.in, got, c.want)
		}
	}
}

func TestParseTimeRefusals(t *testing.T) {
	for _, in := range []any{
		"", "yesterday", "-7x", "-d", "now-", "now*2", "2026-13-01", "1999-12-31", "1999-12-31T23:59:59Z",
		float64(946684799), // one second before 2000-01-01
		"-30000d",          // before 2000
		"+400d",            // more than 366 days ahead
		fixedNow.Add(367 * 24 * time.Hour).Format(time.RFC3339),
		float64(-5), "NaN", "Inf", "0x10", true, nil, []any{"-7d"}, map[string]any{},
		"-99999999999999999999d",
		float64(99999999999),  // seconds: the year 5138
		float64(100000000000), // milliseconds: 1973
	} {
		_, err := ParseTime(in, fixedNow)
		assert.Error(t, err, "%#v should be refused", in)
	}
}

func TestParseTimeBounds(t *testing.T) {
	_, err := ParseTime("2000-01-01", fixedNow)
	assert.NoError(t, err, "2000-01-01 itself is allowed")
	_, err = ParseTime(fixedNow.Add(366*24*time.Hour).Format(time.RFC3339), fixedNow)
	assert.NoError(t, err, "exactly 366 days ahead is allowed")
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"now", "-7d", "now-24h", "2026-11-01", "2026-11-01T00:00:00Z", "1777593600", "1777593600000", "-90m", "+1w", "1e12", "now - 3 d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, fixedNow)
		if err != nil {
			require.True(t, got.IsZero())
			return
		}
		// Whatever parses lies within the accepted window and is UTC.
		require.False(t, got.Before(Earliest), "%q → %s", s, got)
		require.False(t, got.After(fixedNow.Add(MaxAhead)), "%q → %s", s, got)
		require.Equal(t, time.UTC, got.Location())
	})
}
